import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ConversationQuery, Expr } from '../domain/query/conversation-query.js';
import type { Db } from '../store/db.js';
import { decodeCursor, encodeCursor } from '../store/paging.js';

/**
 * Runs conversation queries (domain/query/conversation-query.ts) as SQL: the interval on
 * `conversations.started_at`, predicates on conversation columns directly, and predicates on the
 * conversation's users, queues and wrap-up codes as EXISTS over their fact tables. Results page
 * by keyset on (start, id).
 */

export interface ConversationRef {
  readonly id: string;
  readonly startedAtMs: number;
}

export interface ConversationPage {
  readonly conversations: ConversationRef[];
  /** Where the next page starts; absent on the last one. */
  readonly cursor?: string;
}

function predicate(e: Expr): RawBuilder<SqlBool> {
  if (e.op === 'and' || e.op === 'or') {
    if (e.items.length === 0) return sql<SqlBool>`1 = 1`;
    return sql<SqlBool>`(${sql.join(e.items.map(predicate), sql.raw(` ${e.op} `))})`;
  }
  if (e.op === 'metric') {
    const duration = sql`c.duration_ms`;
    const bounds = Object.entries(e.range)
      .filter(([, v]) => v !== undefined)
      .map(([op, v]) => sql`${duration} ${sql.raw({ gt: '>', gte: '>=', lt: '<', lte: '<=' }[op]!)} ${v}`);
    return sql<SqlBool>`(c.duration_ms is not null and ${sql.join(bounds, sql.raw(' and '))})`;
  }
  const column = sql.ref(`${e.def.table === 'conversations' ? 'c' : 'f'}.${e.def.column}`);
  const test =
    e.operator === 'exists'
      ? sql<SqlBool>`${column} is not null`
      : e.operator === 'notExists'
        ? sql<SqlBool>`${column} is null`
        : e.def.caseless
          ? sql<SqlBool>`lower(${column}) = lower(${e.value!})`
          : sql<SqlBool>`${column} = ${e.value!}`;
  if (e.def.table === 'conversations') return test;
  // A fact predicate holds when some row of the conversation's facts matches; notExists when none has a value.
  const facts = sql.table(e.def.table);
  if (e.operator === 'notExists') return sql<SqlBool>`not exists (select 1 from ${facts} f where f.org_id = c.org_id and f.conversation_id = c.id)`;
  return sql<SqlBool>`exists (select 1 from ${facts} f where f.org_id = c.org_id and f.conversation_id = c.id and ${test})`;
}

export class ConversationQueryService {
  constructor(private readonly db: Db) {}

  /** The WHERE of a query over `conversations as c`, for this service and for callers that join more. */
  private conditions(orgId: string, query: ConversationQuery): RawBuilder<SqlBool> {
    const parts: RawBuilder<SqlBool>[] = [
      sql<SqlBool>`c.org_id = ${orgId}`,
      sql<SqlBool>`c.started_at >= ${query.startMs}`,
      sql<SqlBool>`c.started_at < ${query.endMs}`,
      ...query.conversation.map(predicate),
      ...query.segment.map(predicate),
    ];
    return sql<SqlBool>`${sql.join(parts, sql.raw(' and '))}`;
  }

  /** One page of matching conversations in start order (the query's `order`). */
  async page(orgId: string, query: ConversationQuery, limit: number, cursor?: string): Promise<ConversationPage> {
    const after = decodeCursor(cursor, ['number', 'string']) as [number, string] | undefined;
    const desc = query.order === 'desc';
    const cmp = sql.raw(desc ? '<' : '>');
    const keyset = after ? sql<SqlBool>`(c.started_at ${cmp} ${after[0]} or (c.started_at = ${after[0]} and c.id ${cmp} ${after[1]}))` : sql<SqlBool>`1 = 1`;
    const direction = sql.raw(desc ? 'desc' : 'asc');
    const rows = await sql<{ id: string; started_at: number }>`
      select c.id, c.started_at from conversations c
      where ${this.conditions(orgId, query)} and ${keyset}
      order by c.started_at ${direction}, c.id ${direction}
      limit ${limit + 1}`.execute(this.db.kysely);
    const shown = rows.rows.slice(0, limit).map((r) => ({ id: r.id, startedAtMs: Number(r.started_at) }));
    const last = shown[shown.length - 1];
    return { conversations: shown, ...(rows.rows.length > limit && last ? { cursor: encodeCursor([last.startedAtMs, last.id]) } : {}) };
  }

  /** How many conversations match, and their recordings (not discarded) by kind. */
  async totals(orgId: string, query: ConversationQuery): Promise<{ conversations: number; recordingsByKind: Record<string, number> }> {
    const limit = query.limit !== undefined ? sql`limit ${query.limit}` : sql``;
    const matching = sql`select c.id from conversations c where ${this.conditions(orgId, query)} order by c.started_at, c.id ${limit}`;
    const conversations = await sql<{ n: number }>`select count(*) as n from (${matching}) m`.execute(this.db.kysely);
    const kinds = await sql<{ kind: string; n: number }>`
      select r.kind, count(*) as n from recordings r
      where r.org_id = ${orgId} and r.status <> 'discarded' and r.conversation_id in (${matching})
      group by r.kind`.execute(this.db.kysely);
    return {
      conversations: Number(conversations.rows[0]?.n ?? 0),
      recordingsByKind: Object.fromEntries(kinds.rows.map((r) => [r.kind, Number(r.n)])),
    };
  }
}
