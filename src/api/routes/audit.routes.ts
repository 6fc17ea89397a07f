import { z } from 'zod';
import { AUDIT_SERVICES } from '../../domain/audit.js';
import type { AuditFilter, StoredAuditEvent } from '../../store/repositories/audit.repository.js';
import { badRequest } from '../errors.js';
import { iso } from '../query.js';
import { route } from '../route.js';

/**
 * The audit trail in the reference API's shape: POST /api/v2/audits/query creates a query
 * execution (answered at once, state Succeeded), whose results are read page by page with a
 * cursor. The execution id carries the query itself, so any node can serve its pages.
 */

const FILTER_PROPERTIES = {
  entitytype: 'entityType',
  entityid: 'entityId',
  action: 'action',
  userid: 'userId',
  clientid: 'clientId',
  status: 'status',
  level: 'level',
  remoteip: 'remoteIp',
} as const satisfies Record<string, Exclude<keyof AuditFilter, 'fromMs' | 'toMs' | 'serviceName'>>;

const interval = z.string().transform((v, ctx) => {
  const [from, to] = v.split('/');
  const fromMs = from ? Date.parse(from) : Number.NaN;
  const toMs = to ? Date.parse(to) : Number.NaN;
  if (Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs <= fromMs) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 interval start/end, e.g. 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' });
    return z.NEVER;
  }
  return { fromMs, toMs, text: v };
});

const queryRequest = z.object({
  interval,
  serviceName: z.enum(AUDIT_SERVICES).optional(),
  filters: z
    .array(
      z.object({
        property: z.string().refine((p) => p.toLowerCase() in FILTER_PROPERTIES, { message: `one of ${Object.values(FILTER_PROPERTIES).join(', ')} (case-insensitive)` }),
        value: z.string().min(1).max(200),
      }),
    )
    .max(20)
    .default([]),
  sort: z
    .array(z.object({ name: z.literal('Timestamp').default('Timestamp'), sortOrder: z.enum(['ascending', 'descending']).default('descending') }))
    .max(1)
    .default([{ name: 'Timestamp', sortOrder: 'descending' }]),
});
type QueryRequest = z.output<typeof queryRequest>;

const transactionParams = z.object({ transactionId: z.string().min(1).max(2048) });

function encodeTransaction(q: QueryRequest): string {
  return Buffer.from(JSON.stringify({ ...q, interval: q.interval.text })).toString('base64url');
}

function decodeTransaction(id: string): QueryRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = queryRequest.safeParse(raw);
  if (!parsed.success) throw badRequest('The transactionId is not one POST /api/v2/audits/query returned', [{ errorCode: 'audit.invalidTransaction', fieldName: 'transactionId' }]);
  return parsed.data;
}

function renderStatus(id: string, q: QueryRequest, startMs: number) {
  return {
    id,
    state: 'Succeeded',
    startDate: iso(startMs),
    interval: q.interval.text,
    ...(q.serviceName ? { serviceName: q.serviceName } : {}),
    filters: q.filters,
    sort: q.sort,
  };
}

function renderAuditEvent(e: StoredAuditEvent) {
  return {
    id: e.id,
    user: e.userId ? { id: e.userId, ...(e.actorName ? { name: e.actorName } : {}) } : null,
    client: e.clientId ? { id: e.clientId } : null,
    remoteIp: e.remoteIp ? [e.remoteIp] : [],
    serviceName: e.serviceName,
    level: e.level,
    eventDate: iso(e.eventDateMs),
    message: e.message ? { message: e.message } : null,
    action: e.action,
    entity: e.entityId ? { id: e.entityId, ...(e.entityName ? { name: e.entityName } : {}) } : null,
    entityType: e.entityType,
    status: e.status,
    application: 'Capstan',
    propertyChanges: JSON.parse(e.propertyChanges) as unknown[],
    context: JSON.parse(e.context) as Record<string, string>,
    capstan: { seq: e.seq, actorName: e.actorName, prevHash: e.prevHash, hash: e.hash },
  };
}

export const auditRoutes = [
  route({
    method: 'POST',
    url: '/api/v2/audits/query',
    summary: 'Create an audit query execution: interval, serviceName, filters (EntityType, EntityId, Action, UserId, ClientId, Status, Level, RemoteIp), sort',
    tags: ['audit'],
    access: { anyOf: ['audit:audit:view'] },
    body: queryRequest,
    status: 202,
    async handler({ body, services }) {
      return renderStatus(encodeTransaction(body), body, services.clock.now());
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/audits/query/:transactionId',
    summary: 'Status of an audit query execution',
    tags: ['audit'],
    access: { anyOf: ['audit:audit:view'] },
    params: transactionParams,
    async handler({ params, services }) {
      return renderStatus(params.transactionId, decodeTransaction(params.transactionId), services.clock.now());
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/audits/query/:transactionId/results',
    summary: 'Results of an audit query execution, a page at a time (cursor)',
    tags: ['audit'],
    access: { anyOf: ['audit:audit:view'] },
    params: transactionParams,
    query: z.object({ pageSize: z.coerce.number().int().min(1).max(500).default(25), cursor: z.string().max(512).optional() }),
    async handler({ params, query, principal, services }) {
      const q = decodeTransaction(params.transactionId);
      const filter: { -readonly [K in keyof AuditFilter]: AuditFilter[K] } = { fromMs: q.interval.fromMs, toMs: q.interval.toMs };
      if (q.serviceName) filter.serviceName = q.serviceName;
      for (const f of q.filters) filter[FILTER_PROPERTIES[f.property.toLowerCase() as keyof typeof FILTER_PROPERTIES]] = f.value;
      const order = q.sort[0]?.sortOrder === 'ascending' ? 'asc' : 'desc';
      const page = await services.audit.query(principal.orgId, filter, order, { limit: query.pageSize, cursor: query.cursor });
      return { id: params.transactionId, pageSize: query.pageSize, ...(page.nextCursor ? { cursor: page.nextCursor } : {}), entities: page.entities.map(renderAuditEvent) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/capstan/audit/verify',
    summary: "Verify this organization's audit hash chain; names the first broken link",
    tags: ['audit'],
    access: { anyOf: ['audit:audit:view'] },
    async handler({ principal, services }) {
      const [result] = await services.audit.verify(principal.orgId);
      return { organization: { id: principal.orgId }, ...result!.verdict };
    },
  }),
];
