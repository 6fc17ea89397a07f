import { z } from 'zod';
import { executeJobSchema, JOB_ACTIONS, JOB_STATES, recordingJobsQuerySchema } from '../../domain/jobs/recording-job.js';
import type { RecordingJobRecord } from '../../store/repositories/recording-jobs.repository.js';
import { notFound } from '../errors.js';
import { keysetListing, keysetPage, listingQuery } from '../listing.js';
import { iso, queryBoolean } from '../query.js';
import { callerOf, route } from '../route.js';

/** Bulk recording jobs, as the reference API (RecordingApi …/recording/jobs). */

const BASE = '/api/v2/recording/jobs';
const idParams = z.object({ jobId: z.string().min(1).max(128) });

export function renderJob(job: RecordingJobRecord) {
  const done = job.totalProcessed + job.totalFailed;
  const percent = job.state === 'FULFILLED' ? 100 : job.totalRecordings === 0 ? 0 : Math.min(100, Math.floor((done * 100) / job.totalRecordings));
  return {
    id: job.id,
    user: { id: job.createdBy, name: job.createdByName, selfUri: `/api/v2/users/${job.createdBy}` },
    state: job.state,
    recordingJobsQuery: job.query,
    dateCreated: iso(job.createdAtMs),
    totalConversations: job.totalConversations,
    totalRecordings: job.totalRecordings,
    totalSkippedRecordings: job.totalSkipped,
    totalFailedRecordings: job.totalFailed,
    totalProcessedRecordings: job.totalProcessed,
    percentProgress: percent,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    failedRecordings: `${BASE}/${job.id}/failedrecordings`,
    selfUri: `${BASE}/${job.id}`,
  };
}

export const recordingJobRoutes = [
  route({
    method: 'POST',
    url: BASE,
    summary: 'Create a bulk DELETE, ARCHIVE or EXPORT job over a conversation query (starts PENDING, then READY)',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:add'] },
    body: recordingJobsQuerySchema,
    async handler(ctx) {
      return renderJob(await ctx.services.retention.jobs.create(callerOf(ctx), ctx.body));
    },
  }),

  route({
    method: 'GET',
    url: BASE,
    summary: 'Bulk recording jobs of the organization, newest first',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:view'] },
    query: listingQuery().extend({
      sortBy: z.enum(['userId', 'dateCreated']).optional(),
      state: z.enum(JOB_STATES).optional(),
      showOnlyMyJobs: queryBoolean.optional(),
      jobType: z.enum(JOB_ACTIONS).or(z.literal('').transform(() => undefined)).optional(),
    }),
    async handler({ query, principal, services }) {
      const filter = { state: query.state, action: query.jobType, ...(query.showOnlyMyJobs ? { createdBy: principal.id } : {}) };
      const page = await services.retention.jobs.list(principal.orgId, filter, keysetPage(query), query.includeTotal !== false);
      return keysetListing(BASE, query, { ...page, entities: page.entities.map(renderJob) }, {
        state: query.state,
        jobType: query.jobType,
        showOnlyMyJobs: query.showOnlyMyJobs?.toString(),
        includeTotal: query.includeTotal?.toString(),
      });
    },
  }),

  route({
    method: 'GET',
    url: `${BASE}/:jobId`,
    summary: 'A bulk recording job: state, totals and progress',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:view'] },
    params: idParams,
    async handler({ params, principal, services }) {
      const job = await services.retention.jobs.get(principal.orgId, params.jobId);
      if (!job) throw notFound('job', params.jobId);
      return renderJob(job);
    },
  }),

  route({
    method: 'PUT',
    url: `${BASE}/:jobId`,
    summary: 'Execute a READY job ({state: "PROCESSING"}); only its creator may',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:edit', 'recording:recording:editRetention', 'recording:screenRecording:editRetention', 'recording:snippetRecording:editRetention'] },
    params: idParams,
    body: executeJobSchema,
    async handler(ctx) {
      const job = await ctx.services.retention.jobs.execute(callerOf(ctx), ctx.params.jobId);
      if (!job) throw notFound('job', ctx.params.jobId);
      return renderJob(job);
    },
  }),

  route({
    method: 'DELETE',
    url: `${BASE}/:jobId`,
    summary: 'Cancel a job that has not finished',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:delete'] },
    params: idParams,
    async handler(ctx) {
      if (!(await ctx.services.retention.jobs.cancel(callerOf(ctx), ctx.params.jobId))) throw notFound('job', ctx.params.jobId);
      return undefined;
    },
  }),

  route({
    method: 'GET',
    url: `${BASE}/:jobId/failedrecordings`,
    summary: 'The recordings a job could not change, with the reason',
    tags: ['recording jobs'],
    access: { allOf: ['recording:job:view'] },
    params: idParams,
    query: listingQuery(100),
    async handler({ params, query, principal, services }) {
      const page = await services.retention.jobs.failures(principal.orgId, params.jobId, keysetPage(query), query.includeTotal !== false);
      if (!page) throw notFound('job', params.jobId);
      const entities = page.entities.map((f) => ({
        conversation: { id: f.conversationId, selfUri: `/api/v2/conversations/${f.conversationId}` },
        recording: { id: f.recordingId, selfUri: `/api/v2/conversations/${f.conversationId}/recordings/${f.recordingId}` },
        errorCode: f.errorCode,
        errorMessage: f.message,
      }));
      return keysetListing(`${BASE}/${params.jobId}/failedrecordings`, query, { ...page, entities }, { includeTotal: query.includeTotal?.toString() });
    },
  }),
];
