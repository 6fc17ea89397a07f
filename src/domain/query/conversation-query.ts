import { z } from 'zod';
import { parseDateRange } from '../policy/time.js';

/**
 * Conversation queries in the reference's analytics filter shape (AsyncConversationQuery): an
 * interval on the conversation's start, conversation filters and segment filters, each
 * `{type: and|or, clauses: [{type, predicates}], predicates}`. Parsed here into a small
 * expression tree that the query service turns into SQL. Bulk recording jobs use it today;
 * interaction search extends the dimension catalogue below.
 */

/** Where a dimension lives: on the conversation, or on one of its participants' segments. */
export type DimensionScope = 'conversation' | 'segment';

export interface DimensionDef {
  readonly scope: DimensionScope;
  /** Column of `conversations` (scope conversation) or `conversation_segments` (scope segment). */
  readonly column: string;
  /** Values compared without regard to case (enumerations). */
  readonly caseless?: boolean;
}

/** The dimensions a predicate may name. Conversation dimensions may also appear in segment filters. */
export const DIMENSIONS: Readonly<Record<string, DimensionDef>> = {
  conversationId: { scope: 'conversation', column: 'id' },
  originatingDirection: { scope: 'conversation', column: 'direction', caseless: true },
  direction: { scope: 'conversation', column: 'direction', caseless: true },
  ani: { scope: 'conversation', column: 'ani' },
  dnis: { scope: 'conversation', column: 'dnis' },
  edgeId: { scope: 'conversation', column: 'trunk_id' },
  participantId: { scope: 'segment', column: 'participant_id' },
  purpose: { scope: 'segment', column: 'purpose', caseless: true },
  userId: { scope: 'segment', column: 'user_id' },
  queueId: { scope: 'segment', column: 'queue_id' },
  flowId: { scope: 'segment', column: 'flow_id' },
  segmentType: { scope: 'segment', column: 'segment_type', caseless: true },
  wrapUpCode: { scope: 'segment', column: 'wrapup_code' },
};

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
    operator: z.enum(['matches', 'exists', 'notExists']).default('matches'),
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
    if (p.operator === 'matches' && p.value === undefined) issue('value', 'a matches predicate needs a value');
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
  | { readonly op: 'dimension'; readonly def: DimensionDef; readonly operator: 'matches' | 'exists' | 'notExists'; readonly value?: string }
  | { readonly op: 'metric'; readonly metric: Metric; readonly range: { gt?: number; gte?: number; lt?: number; lte?: number } };

export interface ConversationQuery {
  readonly startMs: number;
  readonly endMs: number;
  /** All must hold for the conversation. */
  readonly conversation: readonly Expr[];
  /** Each must hold for at least one segment of the conversation. */
  readonly segment: readonly Expr[];
  readonly order: 'asc' | 'desc';
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

/** Checks that conversation filters name conversation dimensions only. */
function scopes(expr: Expr): DimensionScope[] {
  if (expr.op === 'and' || expr.op === 'or') return expr.items.flatMap(scopes);
  return expr.op === 'dimension' ? [expr.def.scope] : ['conversation'];
}

export function compileConversationQuery(input: ConversationQueryInput): ConversationQuery | { error: { fieldName: string; message: string } } {
  const { startMs, endMs } = parseDateRange(input.interval)!;
  const conversation = (input.conversationFilters ?? []).map(filter);
  const bad = conversation.findIndex((e) => scopes(e).includes('segment'));
  if (bad >= 0) {
    return { error: { fieldName: `conversationFilters.${bad}`, message: 'conversation filters may only use conversation dimensions; put segment dimensions in segmentFilters' } };
  }
  return {
    startMs,
    endMs,
    conversation,
    segment: (input.segmentFilters ?? []).map(filter),
    order: input.order,
    ...(input.limit ? { limit: input.limit } : {}),
  };
}
