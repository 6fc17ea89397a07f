import { z } from 'zod';
import { EVALUATION_STATUSES } from '../../domain/access/recording-access.js';
import type { Evaluation } from '../../store/repositories/evaluations.repository.js';
import { notFound } from '../errors.js';
import { iso, pagingQuery } from '../query.js';
import { callerOf, route } from '../route.js';

/**
 * Evaluation assignments (a minimal subset of the reference's quality API): who evaluates which
 * agent on which conversation, and how far it is. They decide who else may listen to a
 * conversation's policy-based recordings.
 */

const ref = z.object({ id: z.string().min(1).max(128) });
const conversationParams = z.object({ conversationId: z.string().min(1).max(128) });
const evaluationParams = conversationParams.extend({ evaluationId: z.string().min(1).max(64) });

function renderEvaluation(e: Evaluation) {
  return {
    id: e.id,
    conversation: { id: e.conversationId, selfUri: `/api/v2/capstan/conversations/${encodeURIComponent(e.conversationId)}` },
    evaluator: { id: e.evaluatorUserId, selfUri: `/api/v2/users/${encodeURIComponent(e.evaluatorUserId)}` },
    agent: { id: e.agentUserId, selfUri: `/api/v2/users/${encodeURIComponent(e.agentUserId)}` },
    status: e.status,
    dateCreated: iso(e.createdAtMs),
    changedDate: iso(e.updatedAtMs),
    selfUri: `/api/v2/quality/conversations/${encodeURIComponent(e.conversationId)}/evaluations/${e.id}`,
  };
}

export const evaluationRoutes = [
  route({
    method: 'POST',
    url: '/api/v2/quality/conversations/:conversationId/evaluations',
    summary: 'Assign an evaluation: an evaluator evaluates an agent who took part in the conversation',
    tags: ['quality'],
    access: { anyOf: ['quality:evaluation:add'] },
    params: conversationParams,
    body: z.object({ evaluator: ref, agent: ref, status: z.enum(EVALUATION_STATUSES).default('PENDING') }),
    status: 201,
    async handler(ctx) {
      const { params, body } = ctx;
      return renderEvaluation(
        await ctx.services.evaluations.create(callerOf(ctx), {
          conversationId: params.conversationId,
          evaluatorUserId: body.evaluator.id,
          agentUserId: body.agent.id,
          status: body.status,
        }),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/quality/evaluations',
    summary: 'Evaluations (all with quality:evaluation:view; otherwise those assigned to me and the finished ones of me)',
    tags: ['quality'],
    access: 'authenticated',
    query: pagingQuery(500).extend({
      conversationId: z.string().max(128).optional(),
      evaluatorUserId: z.string().max(128).optional(),
      agentUserId: z.string().max(128).optional(),
      status: z.enum(EVALUATION_STATUSES).optional(),
    }),
    async handler(ctx) {
      const { pageSize, cursor, ...filter } = ctx.query;
      const page = await ctx.services.evaluations.list(callerOf(ctx), filter, { limit: pageSize, cursor });
      return { entities: page.entities.map(renderEvaluation), pageSize, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) };
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/quality/conversations/:conversationId/evaluations/:evaluationId',
    summary: 'One evaluation (its evaluator, its agent once FINISHED, or holders of quality:evaluation:view)',
    tags: ['quality'],
    access: 'authenticated',
    params: evaluationParams,
    async handler(ctx) {
      const { conversationId, evaluationId } = ctx.params;
      const evaluation = await ctx.services.evaluations.get(callerOf(ctx), conversationId, evaluationId);
      if (!evaluation) throw notFound('evaluation', evaluationId);
      return renderEvaluation(evaluation);
    },
  }),
  route({
    method: 'PUT',
    url: '/api/v2/quality/conversations/:conversationId/evaluations/:evaluationId',
    summary: 'Move an evaluation along (PENDING, INPROGRESS, FINISHED): its evaluator or holders of quality:evaluation:edit',
    tags: ['quality'],
    access: 'authenticated',
    params: evaluationParams,
    body: z.object({ status: z.enum(EVALUATION_STATUSES) }),
    async handler(ctx) {
      const { conversationId, evaluationId } = ctx.params;
      const evaluation = await ctx.services.evaluations.setStatus(callerOf(ctx), conversationId, evaluationId, ctx.body.status);
      if (!evaluation) throw notFound('evaluation', evaluationId);
      return renderEvaluation(evaluation);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/v2/quality/conversations/:conversationId/evaluations/:evaluationId',
    summary: 'Delete an evaluation',
    tags: ['quality'],
    access: { anyOf: ['quality:evaluation:delete'] },
    params: evaluationParams,
    async handler(ctx) {
      const { conversationId, evaluationId } = ctx.params;
      if (!(await ctx.services.evaluations.remove(callerOf(ctx), conversationId, evaluationId))) throw notFound('evaluation', evaluationId);
      return undefined;
    },
  }),
];
