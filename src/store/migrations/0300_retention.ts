import type { Kysely } from 'kysely';

/** Retention policies, the recording lifecycle, protection from deletion, bulk jobs, the job queue and export integrations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('retention_policies')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('enabled_at', 'bigint')
    .addColumn('order_no', 'integer')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('retention_policies_pk', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('retention_policies_name').on('retention_policies').columns(['org_id', 'name_key']).unique().execute();

  await db.schema
    .createTable('recording_lifecycle')
    .addColumn('recording_id', 'text', (c) => c.primaryKey().references('recordings.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('file_state', 'text', (c) => c.notNull())
    .addColumn('archive_at', 'bigint')
    .addColumn('delete_at', 'bigint')
    .addColumn('export_at', 'bigint')
    .addColumn('exported_at', 'bigint')
    .addColumn('export_integration_id', 'text')
    .addColumn('restore_until', 'bigint')
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('decision', 'text')
    .addColumn('evaluated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_lifecycle_due').on('recording_lifecycle').column('due_at').execute();
  await db.schema.createIndex('recording_lifecycle_conversation').on('recording_lifecycle').columns(['org_id', 'conversation_id']).execute();

  await db.schema
    .createTable('conversation_protection')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('protected_at', 'bigint', (c) => c.notNull())
    .addColumn('protected_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_protection_pk', ['org_id', 'conversation_id'])
    .addForeignKeyConstraint('conversation_protection_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_key').on('jobs').columns(['queue', 'key']).unique().execute();
  await db.schema.createIndex('jobs_runnable').on('jobs').columns(['state', 'run_at']).execute();

  await db.schema
    .createTable('recording_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('total_conversations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_recordings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_message', 'text')
    .addColumn('progress_cursor', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_jobs_org').on('recording_jobs').columns(['org_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('recording_job_failures')
    .addColumn('job_id', 'text', (c) => c.notNull().references('recording_jobs.id').onDelete('cascade'))
    .addColumn('recording_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recording_job_failures_pk', ['job_id', 'recording_id'])
    .execute();

  await db.schema
    .createTable('integrations')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('integrations_pk', ['org_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'integrations',
    'recording_job_failures',
    'recording_jobs',
    'jobs',
    'conversation_protection',
    'recording_lifecycle',
    'retention_policies',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
