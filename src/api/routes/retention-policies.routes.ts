import { z } from 'zod';
import { policyInputSchema, policyPatchSchema, type MediaPolicy, type PolicyInput } from '../../domain/policy/schema.js';
import type { PolicyView } from '../../services/policy.service.js';
import { notFound } from '../errors.js';
import { memoryListing } from '../listing.js';
import { iso, queryBoolean, queryList } from '../query.js';
import { callerOf, route } from '../route.js';

/** Media retention policies, as the reference API (RecordingApi …mediaretentionpolicies). */

const BASE = '/api/v2/recording/mediaretentionpolicies';
const idParams = z.object({ policyId: z.string().min(1).max(128) });

const listQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
  pageNumber: z.coerce.number().int().min(1).default(1),
  sortBy: z.string().max(64).optional(),
  expand: queryList(z.string().max(64)).optional(),
  nextPage: z.string().max(1024).optional(),
  previousPage: z.string().max(1024).optional(),
  name: z.string().max(200).optional(),
  enabled: queryBoolean.optional(),
  summary: queryBoolean.optional(),
  hasErrors: queryBoolean.optional(),
  deleteDaysThreshold: z.coerce.number().int().min(0).optional(),
});

const ref = (id: string, selfUri: string, name?: string) => ({ id, ...(name ? { name } : {}), selfUri });

function renderMediaPolicy(p: MediaPolicy | undefined, names: ReadonlyMap<string, string>) {
  if (!p) return undefined;
  const c = p.conditions;
  const a = p.actions;
  return {
    ...(c
      ? {
          conditions: {
            ...c,
            ...(c.forUsers ? { forUsers: c.forUsers.map((u) => ref(u.id, `/api/v2/users/${u.id}`, names.get(u.id))) } : {}),
            ...(c.forQueues ? { forQueues: c.forQueues.map((q) => ref(q.id, `/api/v2/routing/queues/${q.id}`, names.get(q.id))) } : {}),
            ...(c.wrapupCodes ? { wrapupCodes: c.wrapupCodes.map((w) => ref(w.id, `/api/v2/routing/wrapupcodes/${w.id}`)) } : {}),
            ...(c.languages ? { languages: c.languages.map((l) => ref(l.id, `/api/v2/routing/languages/${l.id}`)) } : {}),
          },
        }
      : {}),
    ...(a
      ? {
          actions: {
            ...a,
            ...(a.assignEvaluations
              ? {
                  assignEvaluations: a.assignEvaluations.map((e) => ({
                    evaluationForm: ref(e.evaluationForm.id, `/api/v2/quality/forms/evaluations/${e.evaluationForm.id}`),
                    user: ref(e.user.id, `/api/v2/users/${e.user.id}`, names.get(e.user.id)),
                  })),
                }
              : {}),
            ...(a.integrationExport
              ? { integrationExport: { ...a.integrationExport, integration: ref(a.integrationExport.integration.id, `/api/v2/capstan/integrations/${a.integrationExport.integration.id}`) } }
              : {}),
          },
        }
      : {}),
  };
}

export function renderPolicy({ policy, names, errors }: PolicyView, summary = false) {
  const d: PolicyInput = policy.definition;
  const media = d.mediaPolicies
    ? Object.fromEntries(Object.entries(d.mediaPolicies).map(([k, v]) => [k, renderMediaPolicy(v, names)]))
    : undefined;
  return {
    id: policy.id,
    name: d.name,
    modifiedDate: iso(policy.modifiedAtMs),
    createdDate: iso(policy.createdAtMs),
    ...(d.order !== undefined ? { order: d.order } : {}),
    ...(d.description !== undefined ? { description: d.description } : {}),
    enabled: d.enabled,
    ...(summary
      ? {}
      : {
          ...(media ? { mediaPolicies: media } : {}),
          ...(d.conditions || d.actions ? renderMediaPolicy({ conditions: d.conditions, actions: d.actions }, names) : {}),
        }),
    policyErrors: {
      policyErrorMessages: errors.map((e) => ({
        statusCode: 400,
        userMessage: e.message,
        userParamsMessage: e.message,
        errorCode: e.errorCode,
        userParams: [
          { key: 'fieldName', value: e.fieldName },
          { key: 'entityId', value: e.entityId },
        ],
        insertDate: iso(policy.modifiedAtMs),
      })),
    },
    selfUri: `${BASE}/${policy.id}`,
  };
}

export const retentionPolicyRoutes = [
  route({
    method: 'GET',
    url: BASE,
    summary: 'Media retention policies, filtered (name contains, enabled, hasErrors, deleteDaysThreshold) and paged',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:view'] },
    query: listQuery,
    async handler({ query, principal, services }) {
      const views = await services.retention.policies.list(principal.orgId, {
        name: query.name,
        enabled: query.enabled,
        hasErrors: query.hasErrors,
        deleteDaysThreshold: query.deleteDaysThreshold,
      });
      const extra = { name: query.name, enabled: query.enabled?.toString(), summary: query.summary?.toString(), hasErrors: query.hasErrors?.toString(), deleteDaysThreshold: query.deleteDaysThreshold };
      return memoryListing(BASE, views.map((v) => renderPolicy(v, query.summary)), query.pageSize, query.pageNumber, extra);
    },
  }),

  route({
    method: 'POST',
    url: BASE,
    summary: 'Create a media retention policy; it applies to conversations that start from now on',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:add'] },
    body: policyInputSchema,
    async handler(ctx) {
      return renderPolicy(await ctx.services.retention.policies.create(callerOf(ctx), ctx.body));
    },
  }),

  route({
    method: 'GET',
    url: `${BASE}/:policyId`,
    summary: 'One media retention policy',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:view'] },
    params: idParams,
    async handler({ params, principal, services }) {
      const view = await services.retention.policies.get(principal.orgId, params.policyId);
      if (!view) throw notFound('policy', params.policyId);
      return renderPolicy(view);
    },
  }),

  route({
    method: 'PUT',
    url: `${BASE}/:policyId`,
    summary: 'Replace a media retention policy',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:edit'] },
    params: idParams,
    body: policyInputSchema,
    async handler(ctx) {
      const view = await ctx.services.retention.policies.replace(callerOf(ctx), ctx.params.policyId, ctx.body);
      if (!view) throw notFound('policy', ctx.params.policyId);
      return renderPolicy(view);
    },
  }),

  route({
    method: 'PATCH',
    url: `${BASE}/:policyId`,
    summary: 'Enable or disable a media retention policy ({enabled}); enabling publishes it from now on',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:edit'] },
    params: idParams,
    body: policyPatchSchema,
    async handler(ctx) {
      const view = await ctx.services.retention.policies.setEnabled(callerOf(ctx), ctx.params.policyId, ctx.body.enabled);
      if (!view) throw notFound('policy', ctx.params.policyId);
      return renderPolicy(view);
    },
  }),

  route({
    method: 'DELETE',
    url: `${BASE}/:policyId`,
    summary: 'Delete a media retention policy',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:delete'] },
    params: idParams,
    async handler(ctx) {
      const removed = await ctx.services.retention.policies.remove(callerOf(ctx), [ctx.params.policyId]);
      if (removed.length === 0) throw notFound('policy', ctx.params.policyId);
      return undefined;
    },
  }),

  route({
    method: 'DELETE',
    url: BASE,
    summary: 'Delete the media retention policies named in ids (comma-separated); unknown ids are ignored',
    tags: ['retention'],
    access: { anyOf: ['recording:retentionPolicy:delete'] },
    query: z.object({ ids: queryList(z.string().min(1).max(128)).pipe(z.array(z.string()).min(1).max(1000)) }),
    async handler(ctx) {
      await ctx.services.retention.policies.remove(callerOf(ctx), ctx.query.ids);
      return undefined;
    },
  }),
];
