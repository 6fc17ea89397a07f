/**
 * The interaction search's filters as they live in the URL, and the query they make for
 * `POST /api/v2/analytics/conversations/details/query` (the reference's analytics filter shape,
 * plus Capstan's `contains` operator, `recordingKind` dimension and keyset `cursor`).
 */

export const SORT_KEYS = ['conversationStart', 'conversationEnd', 'tConversationDuration'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface Filters {
  /** Days (YYYY-MM-DD, local time), both included. */
  readonly from: string;
  readonly to: string;
  readonly direction: string;
  readonly agent: string;
  readonly queue: string;
  readonly phone: string;
  /** Whole minutes. */
  readonly minMinutes: string;
  readonly maxMinutes: string;
  readonly wrapup: string;
  readonly kind: string;
  /** '' (either), 'yes' or 'no'. */
  readonly recorded: string;
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
  /** Rows per page, as a string like the other fields. */
  readonly size: string;
}

const FILTER_KEYS = ['from', 'to', 'direction', 'agent', 'queue', 'phone', 'minMinutes', 'maxMinutes', 'wrapup', 'kind', 'recorded'] as const;
export const PAGE_SIZES = ['10', '25', '50', '100'] as const;

function localDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The last 7 days, newest first: the typical first page the search is tuned for (docs/search.md). */
export function defaultFilters(now = new Date()): Filters {
  const from = new Date(now);
  from.setDate(from.getDate() - 7);
  return { from: localDay(from), to: localDay(now), direction: '', agent: '', queue: '', phone: '', minMinutes: '', maxMinutes: '', wrapup: '', kind: '', recorded: '', sort: 'conversationStart', order: 'desc', size: '25' };
}

export function filtersFrom(params: URLSearchParams): Filters {
  const base = defaultFilters();
  const values = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? base[k]])) as Record<(typeof FILTER_KEYS)[number], string>;
  const sort = params.get('sort');
  return {
    ...values,
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : base.sort,
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
    size: String(Math.min(100, Math.max(1, Math.trunc(Number(params.get('size'))) || Number(base.size)))),
  };
}

/** The URL search of filters (defaults left out), with the keyset position when paging. */
export function searchOf(filters: Filters, page?: { cursor: string; trail: readonly string[] }): string {
  const base = defaultFilters();
  const params = new URLSearchParams();
  for (const k of [...FILTER_KEYS, 'sort', 'order', 'size'] as const) if (filters[k] && filters[k] !== base[k]) params.set(k, filters[k]);
  if (page) {
    params.set('cursor', page.cursor);
    for (const t of page.trail) params.append('trail', t);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface Predicate {
  type?: 'dimension' | 'metric';
  dimension?: string;
  metric?: string;
  operator?: 'matches' | 'contains';
  value?: string;
  range?: { gte?: number; lte?: number };
}
interface Filter {
  type: 'and' | 'or';
  predicates: Predicate[];
}

const minutes = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Math.max(0, Number(v)) * 60_000);

/** The request body for a page of results. */
export function queryBody(f: Filters, cursor?: string) {
  const start = new Date(`${f.from}T00:00:00`);
  const end = new Date(`${f.to}T00:00:00`);
  end.setDate(end.getDate() + 1);
  const conversationFilters: Filter[] = [];
  const segmentFilters: Filter[] = [];
  const one = (list: Filter[], p: Predicate) => list.push({ type: 'and', predicates: [p] });
  if (f.direction) one(conversationFilters, { dimension: 'originatingDirection', value: f.direction });
  const phone = f.phone.trim();
  if (phone) {
    conversationFilters.push({
      type: 'or',
      predicates: [
        { dimension: 'ani', operator: 'contains', value: phone },
        { dimension: 'dnis', operator: 'contains', value: phone },
      ],
    });
  }
  const min = minutes(f.minMinutes);
  const max = minutes(f.maxMinutes);
  if (min !== undefined || max !== undefined) {
    one(conversationFilters, { type: 'metric', metric: 'tConversationDuration', range: { ...(min !== undefined ? { gte: min } : {}), ...(max !== undefined ? { lte: max } : {}) } });
  }
  if (f.agent.trim()) one(segmentFilters, { dimension: 'userId', value: f.agent.trim() });
  if (f.queue.trim()) one(segmentFilters, { dimension: 'queueId', value: f.queue.trim() });
  if (f.wrapup.trim()) one(segmentFilters, { dimension: 'wrapUpCode', value: f.wrapup.trim() });
  if (f.kind) one(segmentFilters, { dimension: 'recordingKind', value: f.kind });
  if (f.recorded) one(segmentFilters, { dimension: 'recording', value: f.recorded === 'yes' ? 'true' : 'false' });
  return {
    interval: `${start.toISOString()}/${end.toISOString()}`,
    order: f.order,
    orderBy: f.sort,
    paging: { pageSize: Number(f.size), pageNumber: 1 },
    ...(conversationFilters.length ? { conversationFilters } : {}),
    ...(segmentFilters.length ? { segmentFilters } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
