import { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { annotationBodySchema } from '../../services/annotation.service.js';
import { notFound } from '../errors.js';
import { queryBoolean } from '../query.js';
import { callerOf, route } from '../route.js';
import { baseUrl, lifecycleOf, renderAnnotation, renderRecording } from './recordings.routes.js';

/** Changing a recording's retention dates, and its annotations, as the reference API (RecordingApi). */

const RETENTION = ['recording', 'screenRecording', 'snippetRecording'].flatMap((k) => [`recording:${k}:view`, `recording:${k}:editRetention`, `recording:${k}:restore`]);
const recordingParams = z.object({ conversationId: z.string().min(1).max(128), recordingId: z.string().min(1).max(128) });
const annotationParams = recordingParams.extend({ annotationId: z.string().min(1).max(128) });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone' }).nullable().optional();

export const recordingUpdateRoutes = [
  route({
    method: 'PUT',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId',
    summary: 'Change or remove a recording\'s archive, delete or export date; a new archive date on an archived recording restores it until then',
    tags: ['recordings'],
    access: { anyOf: RETENTION },
    params: recordingParams,
    query: z.object({ clearExport: queryBoolean.optional() }),
    body: z.object({ archiveDate: instant, deleteDate: instant, exportDate: instant }),
    async handler(ctx) {
      const { params, services, principal, request } = ctx;
      const found = await services.recordings.get(principal.orgId, params.conversationId, params.recordingId);
      if (!found) throw notFound('recording', params.recordingId);
      const grant = await services.access.authorizeRecording(callerOf(ctx), found.row, 'View');
      const changed = await services.retention.retention.changeDates(callerOf(ctx), params.conversationId, params.recordingId, { ...ctx.body, clearExport: ctx.query.clearExport });
      if (!changed) throw new DomainError('recording.notEvaluated', 'retention policies have not been applied to this recording yet (its conversation is still going on)', params.recordingId);
      const lifecycle = await lifecycleOf(services, principal.orgId, params.conversationId);
      return renderRecording(found, grant, { services, principal, formatId: undefined, base: baseUrl(services, request), purpose: 'play' }, lifecycle.get(params.recordingId));
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId/annotations',
    summary: 'A recording\'s annotations (bookmarks need recording:annotation:view)',
    tags: ['annotations'],
    // Decided per recording: whoever may view it sees its annotations.
    access: 'authenticated',
    params: recordingParams,
    async handler(ctx) {
      const found = await ctx.services.retention.annotations.list(callerOf(ctx), ctx.params.conversationId, ctx.params.recordingId);
      if (!found) throw notFound('recording', ctx.params.recordingId);
      return found.annotations.map((a) => renderAnnotation(a, found.view.row));
    },
  }),

  route({
    method: 'POST',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId/annotations',
    summary: 'Add an annotation (a bookmark) at a position of the recording',
    tags: ['annotations'],
    access: { anyOf: ['recording:annotation:add', 'recording:annotation:edit'] },
    params: recordingParams,
    body: annotationBodySchema.extend({ id: z.string().min(1).max(128).optional() }),
    async handler(ctx) {
      const { id, ...body } = ctx.body;
      const saved = await ctx.services.retention.annotations.save(callerOf(ctx), ctx.params.conversationId, ctx.params.recordingId, id, body);
      if (!saved) throw notFound('recording', ctx.params.recordingId);
      return renderAnnotation(saved.annotation, saved.view.row);
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId',
    summary: 'One annotation',
    tags: ['annotations'],
    access: 'authenticated',
    params: annotationParams,
    async handler(ctx) {
      const found = await ctx.services.retention.annotations.list(callerOf(ctx), ctx.params.conversationId, ctx.params.recordingId);
      const annotation = found?.annotations.find((a) => a.id === ctx.params.annotationId);
      if (!found || !annotation) throw notFound('annotation', ctx.params.annotationId);
      return renderAnnotation(annotation, found.view.row);
    },
  }),

  route({
    method: 'PUT',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId',
    summary: 'Change an annotation (or create it under this id)',
    tags: ['annotations'],
    access: { anyOf: ['recording:annotation:edit', 'recording:annotation:add'] },
    params: annotationParams,
    body: annotationBodySchema,
    async handler(ctx) {
      const saved = await ctx.services.retention.annotations.save(callerOf(ctx), ctx.params.conversationId, ctx.params.recordingId, ctx.params.annotationId, ctx.body);
      if (!saved) throw notFound('recording', ctx.params.recordingId);
      return renderAnnotation(saved.annotation, saved.view.row);
    },
  }),

  route({
    method: 'DELETE',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId',
    summary: 'Remove an annotation (the plan\'s annotations of cuts and holds cannot be removed)',
    tags: ['annotations'],
    access: { anyOf: ['recording:annotation:delete'] },
    params: annotationParams,
    async handler(ctx) {
      if (!(await ctx.services.retention.annotations.remove(callerOf(ctx), ctx.params.conversationId, ctx.params.recordingId, ctx.params.annotationId))) {
        throw notFound('annotation', ctx.params.annotationId);
      }
      return undefined;
    },
  }),
];
