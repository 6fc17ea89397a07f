import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { DomainError } from '../domain/errors.js';
import type { ConversationQuery, DimensionTable, Expr, OrderKey } from '../domain/query/conversation-query.js';
import type { Db } from '../store/db.js';
import { decodeCursor, encodeCursor } from '../store/paging.js';

/**
 * Runs conversation queries (domain/query/conversation-query.ts) as SQL: the interval on
 * `conversations.started_at`, predicates on conversation columns directly, and predicates on the
 * conversation's users, queues, wrap-up codes and recordings as EXISTS over their tables. Results
 * page by keyset on the order's sort key and the id, or by offset for the reference's page numbers.
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

/** Where each fact table's rows count: a discarded recording plan was never a recording. */
const FACT_ROWS: Partial<Record<DimensionTable, RawBuilder<SqlBool>>> = { recordings: sql<SqlBool>`f.status <> 'discarded'` };

/** `contains`: a case-insensitive substring, with LIKE's wildcards in the value taken literally. */
const likePattern = (value: string) => `%${value.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

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
    e.operator === 'exists' || e.def.presence
      ? sql<SqlBool>`${column} is not null`
      : e.operator === 'notExists'
        ? sql<SqlBool>`${column} is null`
        : e.operator === 'contains'
          ? sql<SqlBool>`lower(${column}) like ${likePattern(e.value!)} escape '\\'`
          : e.def.caseless
            ? sql<SqlBool>`lower(${column}) = lower(${e.value!})`
            : sql<SqlBool>`${column} = ${e.value!}`;
  if (e.def.table === 'conversations') return test;
  // A fact predicate holds when some row of the conversation's facts matches; notExists (or a
  // presence dimension matching false) when none has a value.
  const facts = sql<SqlBool>`from ${sql.table(e.def.table)} f where f.org_id = c.org_id and f.conversation_id = c.id and ${FACT_ROWS[e.def.table] ?? sql`1 = 1`}`;
  if (e.operator === 'notExists' || (e.def.presence && e.value === 'false')) return sql<SqlBool>`not exists (select 1 ${facts})`;
  return sql<SqlBool>`exists (select 1 ${facts} and ${test})`;
}

/**
 * The sort of each order key, as the terms of a keyset: the start is never null in a query
 * (the interval bounds it), so its index serves the order directly; the end and the duration
 * are null while a conversation goes on, and such conversations sort after every ended one.
 */
function sortTerms(key: OrderKey): RawBuilder<unknown>[] {
  const column = { conversationStart: 'started_at', conversationEnd: 'ended_at', tConversationDuration: 'duration_ms' }[key];
  const ref = sql.ref(`c.${column}`);
  if (key === 'conversationStart') return [ref, sql`c.id`];
  return [sql`(case when ${ref} is null then 1 else 0 end)`, sql`coalesce(${ref}, 0)`, sql`c.id`];
}

/** Rows strictly after `values` in the order of `terms` (lexicographic). */
function after(terms: readonly RawBuilder<unknown>[], values: readonly (string | number)[], cmp: RawBuilder<unknown>): RawBuilder<SqlBool> {
  const [term, ...rest] = terms;
  const [value, ...more] = values;
  if (rest.length === 0) return sql<SqlBool>`${term} ${cmp} ${value}`;
  return sql<SqlBool>`(${term} ${cmp} ${value} or (${term} = ${value} and ${after(rest, more, cmp)}))`;
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

  /**
   * One page of matching conversations in the query's order, after `cursor` (keyset) or after
   * skipping `offset` rows (the reference's page numbers; bounded by the caller).
   */
  async page(orgId: string, query: ConversationQuery, limit: number, cursor?: string, offset = 0): Promise<ConversationPage> {
    const terms = sortTerms(query.orderBy);
    // By start, the cursor is (start, id), as bulk jobs keep it between batches; other orders name themselves in it.
    const named = query.orderBy !== 'conversationStart';
    const key = decodeCursor(cursor, named ? ['string', 'number', 'number', 'string'] : ['number', 'string']);
    if (key && named && key[0] !== query.orderBy) throw new DomainError('paging.invalidCursor', `the cursor belongs to results ordered by ${String(key[0])}`);
    const direction = sql.raw(query.order === 'desc' ? 'desc' : 'asc');
    const keyset = key ? after(terms, named ? key.slice(1) : key, sql.raw(query.order === 'desc' ? '<' : '>')) : sql<SqlBool>`1 = 1`;
    const selected = terms.map((t, i) => sql`${t} as ${sql.ref(`k${i}`)}`);
    const rows = await sql<Record<string, string | number> & { id: string; started_at: number }>`
      select c.id, c.started_at, ${sql.join(selected)} from conversations c
      where ${this.conditions(orgId, query)} and ${keyset}
      order by ${sql.join(terms.map((t) => sql`${t} ${direction}`))}
      limit ${limit + 1} offset ${offset}`.execute(this.db.kysely);
    const shown = rows.rows.slice(0, limit);
    const last = shown[shown.length - 1];
    const values = last ? terms.map((_, i) => (i === terms.length - 1 ? String(last[`k${i}`]) : Number(last[`k${i}`]))) : [];
    const next = last && rows.rows.length > limit ? encodeCursor(named ? [query.orderBy, ...values] : values) : undefined;
    return { conversations: shown.map((r) => ({ id: r.id, startedAtMs: Number(r.started_at) })), ...(next ? { cursor: next } : {}) };
  }

  /** How many conversations match. */
  async count(orgId: string, query: ConversationQuery): Promise<number> {
    const rows = await sql<{ n: number }>`select count(*) as n from conversations c where ${this.conditions(orgId, query)}`.execute(this.db.kysely);
    return Number(rows.rows[0]?.n ?? 0);
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
