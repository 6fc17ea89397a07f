import { z } from 'zod';
import { badRequest } from './errors.js';
import { queryBoolean } from './query.js';

/**
 * The reference API's listing envelope: `entities, pageSize, pageNumber, total, pageCount` and
 * the `firstUri/selfUri/nextUri/previousUri/lastUri` links. Capstan pages by keyset: `nextUri`
 * carries a `cursor` (also returned at the top level, as the reference does when
 * `includeTotal=false`), and `pageNumber` beyond 1 is accepted only together with that cursor.
 */

export const listingQuery = (max = 100) =>
  z.object({
    pageSize: z.coerce.number().int().min(1).max(max).default(25),
    pageNumber: z.coerce.number().int().min(1).default(1),
    cursor: z.string().max(512).optional(),
    includeTotal: queryBoolean.optional(),
  });

export type ListingQuery = z.infer<ReturnType<typeof listingQuery>>;

/** Rejects a page number that a client computed instead of following `nextUri`. */
export function keysetPage(query: ListingQuery): { limit: number; cursor?: string } {
  if (query.pageNumber > 1 && !query.cursor) {
    throw badRequest('Pages after the first are reached through nextUri (it carries a cursor)', [
      { errorCode: 'paging.cursorRequired', fieldName: 'pageNumber', entityName: 'follow nextUri, or pass the cursor of the previous page' },
    ]);
  }
  return { limit: query.pageSize, ...(query.cursor ? { cursor: query.cursor } : {}) };
}

const withParams = (path: string, params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
};

/** The envelope of one keyset page. `extra` are the query parameters that select the listing. */
export function keysetListing<T>(
  path: string,
  query: ListingQuery,
  page: { entities: T[]; nextCursor?: string; total?: number },
  extra: Record<string, string | number | undefined> = {},
) {
  const base = { pageSize: query.pageSize, ...extra };
  return {
    entities: page.entities,
    pageSize: query.pageSize,
    pageNumber: query.pageNumber,
    ...(page.total !== undefined ? { total: page.total, pageCount: Math.ceil(page.total / query.pageSize) } : {}),
    firstUri: withParams(path, { ...base, pageNumber: 1 }),
    selfUri: withParams(path, { ...base, pageNumber: query.pageNumber, cursor: query.cursor }),
    ...(page.nextCursor
      ? { nextUri: withParams(path, { ...base, pageNumber: query.pageNumber + 1, cursor: page.nextCursor }), cursor: page.nextCursor }
      : {}),
  };
}

/** The envelope of a listing held in memory (small, bounded sets such as policies). */
export function memoryListing<T>(path: string, all: readonly T[], pageSize: number, pageNumber: number, extra: Record<string, string | number | undefined> = {}) {
  const total = all.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const uri = (n: number) => withParams(path, { pageSize, pageNumber: n, ...extra });
  return {
    entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    lastUri: uri(pageCount),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(Math.min(pageNumber - 1, pageCount)) } : {}),
  };
}
