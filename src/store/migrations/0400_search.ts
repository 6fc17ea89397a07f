import type { Kysely } from 'kysely';

/**
 * Interaction search: whether a conversation has recordings, and of which kind, is answered from
 * this index alone (no read of the recording rows) for each conversation a page looks at.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('recordings_conversation_kind').on('recordings').columns(['org_id', 'conversation_id', 'kind', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('recordings_conversation_kind').execute();
}
