import type { Kysely } from 'kysely';

/**
 * What a conversation involved, in queryable form: the users on it (with their purpose), the
 * queues it went through and the wrap-up codes it got. Written with every event batch; read by
 * policy conditions, bulk-job queries and interaction search.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('duration_ms', 'bigint').execute();

  await db.schema
    .createTable('conversation_users')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_users_pk', ['org_id', 'conversation_id', 'user_id', 'purpose'])
    .addForeignKeyConstraint('conversation_users_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('conversation_users_user').on('conversation_users').columns(['org_id', 'user_id', 'conversation_id']).execute();

  await db.schema
    .createTable('conversation_queues')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_queues_pk', ['org_id', 'conversation_id', 'queue_id'])
    .addForeignKeyConstraint('conversation_queues_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('conversation_queues_queue').on('conversation_queues').columns(['org_id', 'queue_id', 'conversation_id']).execute();

  await db.schema
    .createTable('conversation_wrapups')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_wrapups_pk', ['org_id', 'conversation_id', 'participant_id'])
    .addForeignKeyConstraint('conversation_wrapups_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('conversation_wrapups_code').on('conversation_wrapups').columns(['org_id', 'code', 'conversation_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('conversation_wrapups').execute();
  await db.schema.dropTable('conversation_queues').execute();
  await db.schema.dropTable('conversation_users').execute();
  await db.schema.alterTable('conversations').dropColumn('duration_ms').execute();
}
