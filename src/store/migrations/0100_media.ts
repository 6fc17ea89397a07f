import type { Kysely } from 'kysely';

/**
 * What a recording row needs once there is media: where its encrypted object is and under which
 * key, its format, size and duration, whether it was cut short (partial), its health, and the
 * state of its media. System annotations (cut and annotated spans of the plan) are told apart
 * from the ones people add.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: Array<[string, 'text' | 'integer' | 'bigint']> = [
    ['blob_key', 'text'],
    ['key_id', 'text'],
    ['media_format', 'text'],
    ['media_channels', 'integer'],
    ['media_sample_rate', 'integer'],
    ['body_bytes', 'bigint'],
    ['size_bytes', 'bigint'],
    ['duration_ms', 'bigint'],
    ['health', 'text'],
    ['media_updated_at', 'bigint'],
  ];
  await db.schema.alterTable('recordings').addColumn('media_state', 'text', (c) => c.notNull().defaultTo('PENDING')).execute();
  await db.schema.alterTable('recordings').addColumn('partial', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  for (const [name, type] of columns) await db.schema.alterTable('recordings').addColumn(name, type).execute();
  await db.schema.createIndex('recordings_media_state').on('recordings').columns(['media_state']).execute();
  await db.schema.alterTable('annotations').addColumn('system', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('annotations').dropColumn('system').execute();
  await db.schema.dropIndex('recordings_media_state').execute();
  for (const name of ['media_state', 'partial', 'blob_key', 'key_id', 'media_format', 'media_channels', 'media_sample_rate', 'body_bytes', 'size_bytes', 'duration_ms', 'health', 'media_updated_at']) {
    await db.schema.alterTable('recordings').dropColumn(name).execute();
  }
}
