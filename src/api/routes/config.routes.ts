import { z } from 'zod';
import { TELEPHONY_KINDS, type TelephonyKind } from '../../domain/telephony.js';
import { badRequest, notFound } from '../errors.js';
import { pagingQuery } from '../query.js';
import { callerOf, route } from '../route.js';

/** Telephony recording configuration: trunks, stations, flows, queues and users (DESIGN section 4). */

const kind = z.enum(Object.keys(TELEPHONY_KINDS) as [TelephonyKind, ...TelephonyKind[]]);
const kindParams = z.object({ kind });
const entityParams = z.object({ kind, id: z.string().min(1).max(128) });
const singular = (k: TelephonyKind) => k.slice(0, -1);

export const configRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/capstan/config/:kind',
    summary: 'List trunks, stations, flows, queues or users (keyset paging)',
    tags: ['configuration'],
    access: { anyOf: ['telephony:config:view'] },
    params: kindParams,
    query: pagingQuery(500),
    async handler({ params, query, principal, services }) {
      const page = await services.telephony.list(principal.orgId, params.kind, { limit: query.pageSize, cursor: query.cursor });
      return { entities: page.entities, pageSize: query.pageSize, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) };
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/config/:kind/:id',
    summary: 'One trunk, station, flow, queue or user',
    tags: ['configuration'],
    access: { anyOf: ['telephony:config:view'] },
    params: entityParams,
    async handler({ params, principal, services }) {
      const entity = await services.telephony.get(principal.orgId, params.kind, params.id);
      if (!entity) throw notFound(singular(params.kind), params.id);
      return entity;
    },
  }),

  route({
    method: 'PUT',
    url: '/api/v2/capstan/config/:kind/:id',
    summary: 'Create or replace a trunk, station, flow, queue or user; omitted settings take the seed defaults',
    tags: ['configuration'],
    access: { anyOf: ['telephony:config:edit'] },
    params: entityParams,
    body: z.record(z.string(), z.unknown()),
    async handler(ctx) {
      const { params, body, principal, services, reply } = ctx;
      if (body.id !== undefined && body.id !== params.id) {
        throw badRequest(`The body's id ${String(body.id)} does not match the path's ${params.id}`, [{ errorCode: 'id.mismatch', fieldName: 'id' }]);
      }
      const { entity, created } = await services.telephony.put(principal.orgId, params.kind, { ...body, id: params.id }, callerOf(ctx));
      return reply.code(created ? 201 : 200).send(entity);
    },
  }),

  route({
    method: 'DELETE',
    url: '/api/v2/capstan/config/:kind/:id',
    summary: 'Delete a trunk, station, flow, queue or user',
    tags: ['configuration'],
    access: { anyOf: ['telephony:config:edit'] },
    params: entityParams,
    async handler(ctx) {
      const { params, principal, services } = ctx;
      if (!(await services.telephony.remove(principal.orgId, params.kind, params.id, callerOf(ctx)))) throw notFound(singular(params.kind), params.id);
      return undefined;
    },
  }),
];
