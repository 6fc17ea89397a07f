import { z } from 'zod';
import { s3IntegrationSchema } from '../../domain/retention/integration.js';
import type { IntegrationRecord } from '../../store/repositories/integrations.repository.js';
import { notFound } from '../errors.js';
import { iso, pagingQuery } from '../query.js';
import { callerOf, route } from '../route.js';

/** Capstan's export integrations: the S3-compatible buckets policies and EXPORT jobs write to. */

const BASE = '/api/v2/capstan/integrations';
const idParams = z.object({ integrationId: z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -') });

/** Secrets are write-only: the answer says whether one is set. */
function render(r: IntegrationRecord) {
  const { sealedSecretAccessKey, ...config } = r.config;
  return { id: r.id, name: r.name, type: r.type, ...config, hasSecret: sealedSecretAccessKey !== undefined, modifiedDate: iso(r.updatedAtMs), selfUri: `${BASE}/${r.id}` };
}

export const integrationRoutes = [
  route({
    method: 'GET',
    url: BASE,
    summary: 'Export integrations (keyset paging)',
    tags: ['integrations'],
    access: { anyOf: ['integrations:integration:view'] },
    query: pagingQuery(),
    async handler({ query, principal, services }) {
      const page = await services.retention.integrations.list(principal.orgId, { limit: query.pageSize, cursor: query.cursor });
      return { entities: page.entities.map(render), pageSize: query.pageSize, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) };
    },
  }),

  route({
    method: 'GET',
    url: `${BASE}/:integrationId`,
    summary: 'One export integration (without its secret)',
    tags: ['integrations'],
    access: { anyOf: ['integrations:integration:view'] },
    params: idParams,
    async handler({ params, principal, services }) {
      const record = await services.retention.integrations.get(principal.orgId, params.integrationId);
      if (!record) throw notFound('integration', params.integrationId);
      return render(record);
    },
  }),

  route({
    method: 'PUT',
    url: `${BASE}/:integrationId`,
    summary: 'Create or replace an export integration (an S3-compatible bucket); omitting the secret keeps the stored one',
    tags: ['integrations'],
    access: { anyOf: ['integrations:integration:edit'] },
    params: idParams,
    body: s3IntegrationSchema,
    async handler(ctx) {
      const { record, created } = await ctx.services.retention.integrations.put(callerOf(ctx), ctx.params.integrationId, ctx.body);
      return ctx.reply.code(created ? 201 : 200).send(render(record));
    },
  }),

  route({
    method: 'DELETE',
    url: `${BASE}/:integrationId`,
    summary: 'Delete an export integration that no policy exports to',
    tags: ['integrations'],
    access: { anyOf: ['integrations:integration:edit'] },
    params: idParams,
    async handler(ctx) {
      if (!(await ctx.services.retention.integrations.remove(callerOf(ctx), ctx.params.integrationId))) throw notFound('integration', ctx.params.integrationId);
      return undefined;
    },
  }),
];
