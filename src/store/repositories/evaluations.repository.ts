import type { Kysely, Selectable } from 'kysely';
import type { EvaluationStatus } from '../../domain/access/recording-access.js';
import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { Database, EvaluationsTable } from '../schema.js';

/** Evaluation assignments: an evaluator evaluates an agent on a conversation. */

export interface Evaluation {
  readonly orgId: string;
  readonly id: string;
  readonly conversationId: string;
  readonly evaluatorUserId: string;
  readonly agentUserId: string;
  readonly status: EvaluationStatus;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface EvaluationFilter {
  readonly conversationId?: string;
  readonly evaluatorUserId?: string;
  readonly agentUserId?: string;
  readonly status?: EvaluationStatus;
  /** Only evaluations this user may see without quality:evaluation:view: theirs to do, or finished ones of themselves. */
  readonly visibleTo?: string;
}

export class EvaluationsRepository {
  constructor(private readonly db: Db) {}

  async get(orgId: string, id: string): Promise<Evaluation | undefined> {
    const row = await this.db.kysely.selectFrom('evaluations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async forConversation(orgId: string, conversationId: string): Promise<Evaluation[]> {
    const rows = await this.db.kysely
      .selectFrom('evaluations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  async list(orgId: string, filter: EvaluationFilter, page: PageRequest): Promise<Page<Evaluation>> {
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db.kysely.selectFrom('evaluations').selectAll().where('org_id', '=', orgId);
    if (filter.conversationId) q = q.where('conversation_id', '=', filter.conversationId);
    if (filter.evaluatorUserId) q = q.where('evaluator_user_id', '=', filter.evaluatorUserId);
    if (filter.agentUserId) q = q.where('agent_user_id', '=', filter.agentUserId);
    if (filter.status) q = q.where('status', '=', filter.status);
    const me = filter.visibleTo;
    if (me !== undefined) {
      q = q.where((eb) => eb.or([eb('evaluator_user_id', '=', me), eb.and([eb('agent_user_id', '=', me), eb('status', '=', 'FINISHED')])]));
    }
    if (after) q = q.where('id', '>', after[0] as string);
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    return toPage(rows, page.limit, fromRow, (r) => [r.id]);
  }

  async insert(exec: Kysely<Database>, e: Omit<Evaluation, 'createdAtMs' | 'updatedAtMs'>, now: number): Promise<void> {
    await exec
      .insertInto('evaluations')
      .values({
        org_id: e.orgId,
        id: e.id,
        conversation_id: e.conversationId,
        evaluator_user_id: e.evaluatorUserId,
        agent_user_id: e.agentUserId,
        status: e.status,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async setStatus(exec: Kysely<Database>, orgId: string, id: string, status: EvaluationStatus, now: number): Promise<void> {
    await exec.updateTable('evaluations').set({ status, updated_at: now }).where('org_id', '=', orgId).where('id', '=', id).execute();
  }

  async remove(exec: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
    const result = await exec.deleteFrom('evaluations').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function fromRow(r: Selectable<EvaluationsTable>): Evaluation {
  return {
    orgId: r.org_id,
    id: r.id,
    conversationId: r.conversation_id,
    evaluatorUserId: r.evaluator_user_id,
    agentUserId: r.agent_user_id,
    status: r.status as EvaluationStatus,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
}
