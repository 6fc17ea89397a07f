import { z } from 'zod';
import { parseDateRange } from '../policy/time.js';

/**
 * Conversation queries in the reference's analytics filter shape (AsyncConversationQuery): an
 * interval on the conversation's start, conversation filters and segment filters, each
 * `{type: and|or, clauses: [{type, predicates}], predicates}`. Parsed here into a small
 * expression tree that the query service turns into SQL. Bulk recording jobs use it today;
 * interaction search extends the dimension catalogue below.
 */

/**
 * Where a dimension lives: a column of the conversation, or of one of its fact tables
 * (domain/facts.ts: the users on it, the queues it went through, its wrap-up codes).
 */
export type DimensionTable = 'conversations' | 'conversation_users' | 'conversation_queues' | 'conversation_wrapups' | 'recordings';

export interface DimensionDef {
  readonly table: DimensionTable;
  readonly column: string;
  /** Values compared without regard to case (enumerations). */
  readonly caseless?: boolean;
  /** A yes/no dimension: `true` holds when the conversation has some row of the table, `false` when none. */
  readonly presence?: boolean;
}

/**
 * The dimensions a predicate may name. Conversation filters take conversation columns; segment
 * filters may take any, each predicate on a fact table holding when some row of it matches.
 */
export const DIMENSIONS: Readonly<Record<string, DimensionDef>> = {
  conversationId: { table: 'conversations', column: 'id' },
  originatingDirection: { table: 'conversations', column: 'direction', caseless: true },
  direction: { table: 'conversations', column: 'direction', caseless: true },
  ani: { table: 'conversations', column: 'ani' },
  dnis: { table: 'conversations', column: 'dnis' },
  // The conversation's calling and called address: ANI and DNIS, whatever the direction.
  addressFrom: { table: 'conversations', column: 'ani' },
  addressTo: { table: 'conversations', column: 'dnis' },
  userId: { table: 'conversation_users', column: 'user_id' },
  purpose: { table: 'conversation_users', column: 'purpose', caseless: true },
  queueId: { table: 'conversation_queues', column: 'queue_id' },
  wrapUpCode: { table: 'conversation_wrapups', column: 'code' },
  // The reference's session flag: some recording of the conversation was made (not discarded).
  recording: { table: 'recordings', column: 'id', presence: true },
  // Capstan's own: the kind of some recording of it (trunk, station, consult, adhoc, snippet, screen).
  recordingKind: { table: 'recordings', column: 'kind', caseless: true },
};

/**
 * Operators: the reference's `matches` (equality), `exists`, `notExists`, and Capstan's own
 * `contains` (a case-insensitive substring, for partial phone numbers).
 */
export const OPERATORS = ['matches', 'exists', 'notExists', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];

/** What the results are sorted by; the start is the reference's default, the others nullable while a conversation is going on. */
export const ORDER_KEYS = ['conversationStart', 'conversationEnd', 'tConversationDuration'] as const;
export type OrderKey = (typeof ORDER_KEYS)[number];

/** Metrics a predicate may range over, in milliseconds. */
export const METRICS = ['tConversationDuration'] as const;
export type Metric = (typeof METRICS)[number];

const range = z
  .object({ gt: z.number().optional(), gte: z.number().optional(), lt: z.number().optional(), lte: z.number().optional() })
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'a range needs at least one of gt, gte, lt, lte');

const predicateSchema = z
  .object({
    type: z.enum(['dimension', 'property', 'metric']).default('dimension'),
    dimension: z.string().optional(),
    metric: z.string().optional(),
    operator: z.enum(OPERATORS).default('matches'),
    value: z.string().max(512).optional(),
    range: range.optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { errorCode: 'query.invalidPredicate' } });
    if (p.type === 'metric') {
      if (!(METRICS as readonly string[]).includes(p.metric ?? '')) issue('metric', `unknown metric; known: ${METRICS.join(', ')}`);
      if (!p.range) issue('range', 'a metric predicate needs a range');
      return;
    }
    if (!p.dimension || !(p.dimension in DIMENSIONS)) issue('dimension', `unknown dimension; known: ${Object.keys(DIMENSIONS).join(', ')}`);
    if ((p.operator === 'matches' || p.operator === 'contains') && p.value === undefined) issue('value', `a ${p.operator} predicate needs a value`);
    const def = p.dimension ? DIMENSIONS[p.dimension] : undefined;
    if (def?.presence && (p.operator !== 'matches' || !['true', 'false'].includes(p.value ?? ''))) issue('value', `${p.dimension} matches true or false`);
  });

const clauseSchema = z.object({ type: z.enum(['and', 'or']).default('and'), predicates: z.array(predicateSchema).min(1).max(100) });

const filterSchema = z
  .object({
    type: z.enum(['and', 'or']).default('and'),
    clauses: z.array(clauseSchema).max(100).optional(),
    predicates: z.array(predicateSchema).max(100).optional(),
  })
  .refine((f) => (f.clauses?.length ?? 0) + (f.predicates?.length ?? 0) > 0, 'a filter needs clauses or predicates');

const unsupportedFilters = (what: string) =>
  z
    .array(z.unknown())
    .optional()
    .refine((v) => !v || v.length === 0, { message: `${what} filters are not supported by Capstan`, params: { errorCode: 'query.unsupported' } });

export const conversationQuerySchema = z.object({
  interval: z.string().refine((v) => parseDateRange(v) !== undefined, {
    message: 'must be an ISO-8601 interval start/end, e.g. 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z',
    params: { errorCode: 'query.invalidInterval' },
  }),
  conversationFilters: z.array(filterSchema).max(50).optional(),
  segmentFilters: z.array(filterSchema).max(50).optional(),
  evaluationFilters: unsupportedFilters('evaluation'),
  surveyFilters: unsupportedFilters('survey'),
  resolutionFilters: unsupportedFilters('resolution'),
  order: z.enum(['asc', 'desc']).default('asc'),
  orderBy: z.enum(['conversationStart']).default('conversationStart'),
  limit: z.number().int().min(1).optional(),
  startOfDayIntervalMatching: z.boolean().optional(),
});

export type ConversationQueryInput = z.infer<typeof conversationQuerySchema>;
type PredicateInput = z.infer<typeof predicateSchema>;
type FilterInput = z.infer<typeof filterSchema>;

export type Expr =
  | { readonly op: 'and'; readonly items: readonly Expr[] }
  | { readonly op: 'or'; readonly items: readonly Expr[] }
  | { readonly op: 'dimension'; readonly def: DimensionDef; readonly operator: Operator; readonly value?: string }
  | { readonly op: 'metric'; readonly metric: Metric; readonly range: { gt?: number; gte?: number; lt?: number; lte?: number } };

export interface ConversationQuery {
  readonly startMs: number;
  readonly endMs: number;
  /** All must hold for the conversation. */
  readonly conversation: readonly Expr[];
  /** All must hold too; they may name the users, queues and wrap-up codes of the conversation. */
  readonly segment: readonly Expr[];
  readonly order: 'asc' | 'desc';
  readonly orderBy: OrderKey;
  readonly limit?: number;
}

function predicate(p: PredicateInput): Expr {
  if (p.type === 'metric') return { op: 'metric', metric: p.metric as Metric, range: p.range! };
  return { op: 'dimension', def: DIMENSIONS[p.dimension!]!, operator: p.operator, value: p.value };
}

function filter(f: FilterInput): Expr {
  const items: Expr[] = [
    ...(f.clauses ?? []).map((c): Expr => ({ op: c.type, items: c.predicates.map(predicate) })),
    ...(f.predicates ?? []).map(predicate),
  ];
  return { op: f.type, items };
}

/** The tables an expression reads (conversation filters read the conversation only). */
function tables(expr: Expr): DimensionTable[] {
  if (expr.op === 'and' || expr.op === 'or') return expr.items.flatMap(tables);
  return expr.op === 'dimension' ? [expr.def.table] : ['conversations'];
}

export function compileConversationQuery(
  input: Omit<ConversationQueryInput, 'orderBy'> & { readonly orderBy: OrderKey },
): ConversationQuery | { error: { fieldName: string; message: string } } {
  const { startMs, endMs } = parseDateRange(input.interval)!;
  const conversation = (input.conversationFilters ?? []).map(filter);
  const bad = conversation.findIndex((e) => tables(e).some((t) => t !== 'conversations'));
  if (bad >= 0) {
    return { error: { fieldName: `conversationFilters.${bad}`, message: 'conversation filters may only use conversation dimensions; put segment dimensions in segmentFilters' } };
  }
  return {
    startMs,
    endMs,
    conversation,
    segment: (input.segmentFilters ?? []).map(filter),
    order: input.order,
    orderBy: input.orderBy,
    ...(input.limit ? { limit: input.limit } : {}),
  };
}
