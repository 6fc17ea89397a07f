import type { Kysely } from 'kysely';

/** Organizations, users, telephony configuration, conversations, their events, recordings and annotations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('station_id', 'text')
    .addColumn('external_partner', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('screen_recording', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('telephony_config')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('telephony_config_pk', ['org_id', 'kind', 'id'])
    .execute();

  await db.schema
    .createTable('recording_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text')
    .addColumn('trunk_id', 'text')
    .addColumn('ani', 'text')
    .addColumn('dnis', 'text')
    .addColumn('region', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('last_event_at', 'bigint')
    .addColumn('media_high_water_at', 'bigint')
    .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversations_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('conversations_started').on('conversations').columns(['org_id', 'started_at', 'id']).execute();

  await db.schema
    .createTable('conversation_events')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_events_pk', ['org_id', 'conversation_id', 'event_id'])
    .addForeignKeyConstraint('conversation_events_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema
    .createIndex('conversation_events_seq')
    .on('conversation_events')
    .columns(['org_id', 'conversation_id', 'seq'])
    .unique()
    .execute();

  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('plan_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('file_role', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('audio', 'text')
    .addColumn('region', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('discard_reason', 'text')
    .addColumn('spans', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('stopped_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('recordings_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema
    .createIndex('recordings_plan_key')
    .on('recordings')
    .columns(['org_id', 'conversation_id', 'plan_key'])
    .unique()
    .execute();
  await db.schema.createIndex('recordings_user').on('recordings').columns(['org_id', 'user_id', 'started_at']).execute();

  await db.schema
    .createTable('annotations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('reason', 'text')
    .addColumn('location_ms', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('realtime_location_ms', 'bigint', (c) => c.notNull())
    .addColumn('realtime_duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('annotations_recording').on('annotations').columns(['recording_id', 'location_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['annotations', 'recordings', 'conversation_events', 'conversations', 'recording_settings', 'telephony_config', 'users', 'organizations']) {
    await db.schema.dropTable(table).execute();
  }
}
