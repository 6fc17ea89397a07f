import type { Kysely } from 'kysely';

/** The audit trail: one hash chain per organization, and its head (see src/crypto/audit-chain.ts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('event_date', 'bigint', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('entity_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('remote_ip', 'text')
    .addColumn('message', 'text')
    .addColumn('property_changes', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['org_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_events_date').on('audit_events').columns(['org_id', 'event_date']).execute();
  await db.schema.createIndex('audit_events_entity').on('audit_events').columns(['org_id', 'entity_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_user').on('audit_events').columns(['org_id', 'user_id', 'seq']).execute();

  await db.schema
    .createTable('audit_heads')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_heads').execute();
  await db.schema.dropTable('audit_events').execute();
}
