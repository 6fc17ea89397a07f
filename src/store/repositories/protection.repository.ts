import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

/** Conversations protected from deletion (a legal hold on all their recordings). */
export class ProtectionRepository {
  constructor(private readonly db: Db) {}

  async count(orgId: string, exec: Kysely<Database> = this.db.kysely): Promise<number> {
    const row = await exec.selectFrom('conversation_protection').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Which of these conversations are protected. */
  async protectedAmong(orgId: string, conversationIds: readonly string[], exec: Kysely<Database> = this.db.kysely): Promise<Set<string>> {
    if (conversationIds.length === 0) return new Set();
    const rows = await exec
      .selectFrom('conversation_protection')
      .select('conversation_id')
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', conversationIds)
      .execute();
    return new Set(rows.map((r) => r.conversation_id));
  }

  async protect(trx: Kysely<Database>, orgId: string, conversationId: string, by: string, now: number): Promise<void> {
    await trx
      .insertInto('conversation_protection')
      .values({ org_id: orgId, conversation_id: conversationId, protected_at: now, protected_by: by })
      .onConflict((oc) => oc.columns(['org_id', 'conversation_id']).doNothing())
      .execute();
  }

  async revoke(trx: Kysely<Database>, orgId: string, conversationId: string): Promise<boolean> {
    const result = await trx.deleteFrom('conversation_protection').where('org_id', '=', orgId).where('conversation_id', '=', conversationId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
