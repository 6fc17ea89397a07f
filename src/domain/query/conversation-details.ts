import { z } from 'zod';
import { compileConversationQuery, conversationQuerySchema, DIMENSIONS, ORDER_KEYS, type ConversationQuery } from './conversation-query.js';

/**
 * Interaction search: the reference's synchronous conversation details query
 * (`POST /api/v2/analytics/conversations/details/query`, model ConversationQuery), the subset
 * Capstan serves, with two extensions: keyset paging by `cursor` and `includeTotal`.
 */

/** How deep page-number paging may reach; further results are reached with the cursor, whose cost does not grow. */
export const MAX_PAGE_DEPTH = 10_000;
export const MAX_PAGE_SIZE = 100;

export const conversationDetailsQuerySchema = conversationQuerySchema
  .omit({ limit: true, startOfDayIntervalMatching: true })
  .extend({
    orderBy: z.enum(ORDER_KEYS).default('conversationStart'),
    paging: z
      .object({ pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(25), pageNumber: z.number().int().min(1).default(1) })
      .default({ pageSize: 25, pageNumber: 1 }),
    aggregations: z
      .array(z.unknown())
      .optional()
      .refine((v) => !v || v.length === 0, { message: 'aggregations are not supported by Capstan', params: { errorCode: 'query.unsupported' } }),
    /** Capstan's own: the `cursor` of the previous answer; the next page starts right after it (pageNumber is then ignored). */
    cursor: z.string().max(512).optional(),
    /** Capstan's own: false leaves out `totalHits` (counting every match costs more than a page). */
    includeTotal: z.boolean().default(true),
  })
  .superRefine((q, ctx) => {
    if (!q.cursor && q.paging.pageSize * q.paging.pageNumber > MAX_PAGE_DEPTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['paging', 'pageNumber'],
        message: `page numbers reach the first ${MAX_PAGE_DEPTH} results; page further with the cursor of the previous answer`,
        params: { errorCode: 'query.pageTooDeep' },
      });
    }
  });

export type ConversationDetailsQueryInput = z.infer<typeof conversationDetailsQuerySchema>;

export interface ConversationDetailsQuery {
  readonly query: ConversationQuery;
  readonly pageSize: number;
  /** Rows to skip (page-number paging); 0 with a cursor. */
  readonly offset: number;
  readonly cursor?: string;
  readonly includeTotal: boolean;
}

/**
 * The query a principal runs: holders of `analytics:conversationDetail:view` search every
 * conversation; anyone else only the conversations they took part in as a user (`onlyUserId`).
 */
export function compileConversationDetailsQuery(
  input: ConversationDetailsQueryInput,
  onlyUserId?: string,
): ConversationDetailsQuery | { error: { fieldName: string; message: string } } {
  const compiled = compileConversationQuery(input);
  if ('error' in compiled) return compiled;
  const query: ConversationQuery =
    onlyUserId === undefined
      ? compiled
      : { ...compiled, segment: [...compiled.segment, { op: 'dimension', def: DIMENSIONS.userId!, operator: 'matches', value: onlyUserId }] };
  const { pageSize, pageNumber } = input.paging;
  return { query, pageSize, offset: input.cursor ? 0 : (pageNumber - 1) * pageSize, ...(input.cursor ? { cursor: input.cursor } : {}), includeTotal: input.includeTotal };
}
