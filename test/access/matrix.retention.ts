import { randomUUID } from 'node:crypto';
import type { RecordingKind } from '../../src/domain/capture/types.js';
import { recordingJobsQuerySchema } from '../../src/domain/jobs/recording-job.js';
import { policyInputSchema } from '../../src/domain/policy/schema.js';
import { s3IntegrationSchema } from '../../src/domain/retention/integration.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { AnnotationsRepository } from '../../src/store/repositories/annotations.repository.js';
import { TEST_ADMIN } from '../support/api.js';
import type { Bystander, Fixture, Subject } from './fixture.js';
import { CAN_PLAY, kindRow, principalOf, roleRow, type MatrixRow } from './matrix.js';

/**
 * Authorization matrix rows of retention: policies, bulk jobs, recording settings, protection,
 * export integrations, a recording's dates and annotations, and the retention explanation.
 */

const AUDIO_KINDS = ['trunk', 'station', 'consult', 'adhoc', 'snippet'] as const;
const playable = Object.fromEntries(AUDIO_KINDS.map((k) => [k, CAN_PLAY[k]])) as Partial<Record<RecordingKind, readonly (Subject | Bystander)[]>>;
const admin = { principal: TEST_ADMIN };
const recording = (f: Fixture, kind: RecordingKind) => f.recordings[kind];
const recordingUrl = (f: Fixture, kind: RecordingKind) => `/api/v2/conversations/${recording(f, kind).conversationId}/recordings/${recording(f, kind).id}`;

async function policyId(f: Fixture, s: Subject): Promise<string> {
  const view = await f.api.services.retention.policies.create(admin, policyInputSchema.parse({ name: `m-policy-${s}-${randomUUID()}` }));
  return view.policy.id;
}

/** The fixture's conversations with their retention decided (as the worker does when they end). */
const decided = new WeakMap<Fixture, Promise<void>>();
function decide(f: Fixture): Promise<void> {
  if (!decided.has(f)) {
    decided.set(f, (async () => {
      for (const id of ['m-acd', 'm-consult', 'm-internal']) await f.api.services.retention.retention.evaluate(DEFAULT_ORG_ID, id);
    })());
  }
  return decided.get(f)!;
}

/** At most two jobs may be PENDING or PROCESSING: cancel what earlier rows left. */
async function clearActiveJobs(f: Fixture): Promise<void> {
  for (const state of ['PENDING', 'PROCESSING'] as const) {
    const page = await f.api.services.retention.jobs.list(DEFAULT_ORG_ID, { state }, { limit: 100 }, false);
    for (const job of page.entities) await f.api.services.retention.jobs.cancel(admin, job.id);
  }
}

const jobBody = { action: 'ARCHIVE', actionAge: 30, conversationQuery: { interval: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' } };

/** A READY job created by the subject (only its creator may execute it). */
async function readyJob(f: Fixture, s: Subject): Promise<string> {
  await clearActiveJobs(f);
  const job = await f.api.services.retention.jobs.create({ principal: await principalOf(f, s) }, recordingJobsQuerySchema.parse(jobBody));
  await f.api.services.retention.jobs.prepare(DEFAULT_ORG_ID, job.id);
  return job.id;
}

async function integration(f: Fixture, id: string): Promise<string> {
  await f.api.services.retention.integrations.put(admin, id, s3IntegrationSchema.parse({ name: 'Exports', bucket: 'm-exports' }));
  return id;
}

/** A bookmark on the recording (people's annotations; `system` for one of the plan's, visible to every listener). */
async function annotation(f: Fixture, kind: RecordingKind, system = false): Promise<string> {
  const id = randomUUID();
  const r = recording(f, kind);
  const fields = { type: 'bookmark', name: 'm', description: null, locationMs: 0, durationMs: 0, realtimeLocationMs: 0, realtimeDurationMs: 0 };
  if (!system) await new AnnotationsRepository(f.api.services.db).insert(DEFAULT_ORG_ID, r.id, id, { ...fields, userId: null }, Date.now());
  else {
    await f.api.services.db.kysely
      .insertInto('annotations')
      .values({ id, org_id: DEFAULT_ORG_ID, recording_id: r.id, type: 'pause', name: null, reason: 'Hold', description: null, location_ms: 0, duration_ms: 0, realtime_location_ms: 0, realtime_duration_ms: 0, user_id: null, system: 1, created_at: 0, updated_at: 0 })
      .execute();
  }
  return id;
}

/** Who may change a recording's dates or people's annotations on it: view access to it and the permission. */
const EDITORS: Partial<Record<RecordingKind, readonly Subject[]>> = { trunk: ['admin', 'supervisor'], station: ['admin', 'supervisor'], consult: ['admin', 'supervisor'], snippet: ['admin', 'supervisor'], adhoc: [] };

export const RETENTION_MATRIX: Record<string, MatrixRow> = {
  // Media retention policies.
  'GET /api/v2/recording/mediaretentionpolicies': roleRow({ allow: ['admin', 'supervisor'], because: 'recording:retentionPolicy:view', request: () => ({ url: '/api/v2/recording/mediaretentionpolicies' }) }),
  'POST /api/v2/recording/mediaretentionpolicies': roleRow({
    allow: ['admin'],
    because: 'recording:retentionPolicy:add',
    request: (_f, s) => ({ method: 'POST', url: '/api/v2/recording/mediaretentionpolicies', payload: { name: `m-new-policy-${s}` } }),
  }),
  'GET /api/v2/recording/mediaretentionpolicies/:policyId': roleRow({
    allow: ['admin', 'supervisor'],
    because: 'recording:retentionPolicy:view',
    request: async (f, s) => ({ url: `/api/v2/recording/mediaretentionpolicies/${await policyId(f, s)}` }),
  }),
  'PUT /api/v2/recording/mediaretentionpolicies/:policyId': roleRow({
    allow: ['admin'],
    because: 'recording:retentionPolicy:edit',
    request: async (f, s) => ({ method: 'PUT', url: `/api/v2/recording/mediaretentionpolicies/${await policyId(f, s)}`, payload: { name: `m-put-${s}-${randomUUID()}` } }),
  }),
  'PATCH /api/v2/recording/mediaretentionpolicies/:policyId': roleRow({
    allow: ['admin'],
    because: 'recording:retentionPolicy:edit',
    request: async (f, s) => ({ method: 'PATCH', url: `/api/v2/recording/mediaretentionpolicies/${await policyId(f, s)}`, payload: { enabled: false } }),
  }),
  'DELETE /api/v2/recording/mediaretentionpolicies/:policyId': roleRow({
    allow: ['admin'],
    because: 'recording:retentionPolicy:delete',
    request: async (f, s) => ({ method: 'DELETE', url: `/api/v2/recording/mediaretentionpolicies/${await policyId(f, s)}` }),
  }),
  'DELETE /api/v2/recording/mediaretentionpolicies': roleRow({
    allow: ['admin'],
    because: 'recording:retentionPolicy:delete',
    request: async (f, s) => ({ method: 'DELETE', url: `/api/v2/recording/mediaretentionpolicies?ids=${await policyId(f, s)}` }),
  }),

  // Bulk recording jobs.
  'POST /api/v2/recording/jobs': roleRow({
    allow: ['admin'],
    because: 'recording:job:add',
    async request(f) {
      await clearActiveJobs(f);
      return { method: 'POST', url: '/api/v2/recording/jobs', payload: jobBody };
    },
  }),
  'GET /api/v2/recording/jobs': roleRow({ allow: ['admin'], because: 'recording:job:view', request: () => ({ url: '/api/v2/recording/jobs' }) }),
  'GET /api/v2/recording/jobs/:jobId': roleRow({ allow: ['admin'], because: 'recording:job:view', request: async (f, s) => ({ url: `/api/v2/recording/jobs/${await readyJob(f, s)}` }) }),
  'PUT /api/v2/recording/jobs/:jobId': roleRow({
    allow: ['admin'],
    because: 'recording:job:edit and editRetention of every kind (all of them), and the job\'s creator only',
    request: async (f, s) => ({ method: 'PUT', url: `/api/v2/recording/jobs/${await readyJob(f, s)}`, payload: { state: 'PROCESSING' } }),
  }),
  'DELETE /api/v2/recording/jobs/:jobId': roleRow({ allow: ['admin'], because: 'recording:job:delete', request: async (f, s) => ({ method: 'DELETE', url: `/api/v2/recording/jobs/${await readyJob(f, s)}` }) }),
  'GET /api/v2/recording/jobs/:jobId/failedrecordings': roleRow({
    allow: ['admin'],
    because: 'recording:job:view',
    request: async (f, s) => ({ url: `/api/v2/recording/jobs/${await readyJob(f, s)}/failedrecordings` }),
  }),

  // Recording settings.
  'GET /api/v2/recording/settings': roleRow({
    allow: 'everyone',
    because: 'anyone signed in reads the recording settings (the reference lists no permission)',
    request: () => ({ url: '/api/v2/recording/settings?createDefault=true' }),
  }),
  'PUT /api/v2/recording/settings': roleRow({ allow: ['admin'], because: 'recording:settings:edit*', request: () => ({ method: 'PUT', url: '/api/v2/recording/settings', payload: { recordingPlaybackUrlTtl: 60 } }) }),

  // Protection from deletion.
  'PUT /api/v2/recordings/deletionprotection': roleRow({
    allow: ['admin'],
    because: 'recording:deletionProtection:apply',
    request: () => ({ method: 'PUT', url: '/api/v2/recordings/deletionprotection?protect=true', payload: { conversationIds: ['m-consult'] } }),
  }),
  'POST /api/v2/recordings/deletionprotection': roleRow({
    allow: ['admin', 'supervisor'],
    because: 'recording:deletionProtection:apply or :revoke, or recording:recording:view',
    request: () => ({ method: 'POST', url: '/api/v2/recordings/deletionprotection', payload: { conversationIds: ['m-consult'] } }),
  }),

  // Export integrations.
  'GET /api/v2/capstan/integrations': roleRow({ allow: ['admin'], because: 'integrations:integration:view', request: () => ({ url: '/api/v2/capstan/integrations' }) }),
  'GET /api/v2/capstan/integrations/:integrationId': roleRow({
    allow: ['admin'],
    because: 'integrations:integration:view',
    request: async (f) => ({ url: `/api/v2/capstan/integrations/${await integration(f, 'm-s3')}` }),
  }),
  'PUT /api/v2/capstan/integrations/:integrationId': roleRow({
    allow: ['admin'],
    because: 'integrations:integration:edit',
    request: (_f, s) => ({ method: 'PUT', url: `/api/v2/capstan/integrations/m-s3-${s}`, payload: { name: 'Exports', bucket: 'm-exports' } }),
  }),
  'DELETE /api/v2/capstan/integrations/:integrationId': roleRow({
    allow: ['admin'],
    because: 'integrations:integration:edit',
    request: async (f, s) => ({ method: 'DELETE', url: `/api/v2/capstan/integrations/${await integration(f, `m-s3-gone-${s}`)}` }),
  }),

  // A recording's retention, dates and annotations: view access to the recording (CAN_PLAY), and for changes the permission.
  'GET /api/v2/capstan/recordings/:recordingId/retention': kindRow({
    kinds: playable,
    async request(f, _s, kind) {
      await decide(f);
      return { url: `/api/v2/capstan/recordings/${recording(f, kind).id}/retention` };
    },
  }),
  'PUT /api/v2/conversations/:conversationId/recordings/:recordingId': kindRow({
    // recording:{kind}:editRetention: of the default roles, the administrator's.
    kinds: { trunk: ['admin'], station: ['admin'], consult: ['admin'], snippet: ['admin'], adhoc: [] },
    async request(f, _s, kind) {
      await decide(f);
      return { method: 'PUT', url: recordingUrl(f, kind), payload: { deleteDate: '2099-01-01T00:00:00.000Z' } };
    },
  }),
  'GET /api/v2/conversations/:conversationId/recordings/:recordingId/annotations': kindRow({
    kinds: playable,
    request: (f, _s, kind) => ({ url: `${recordingUrl(f, kind)}/annotations` }),
  }),
  'POST /api/v2/conversations/:conversationId/recordings/:recordingId/annotations': kindRow({
    // recording:annotation:add (the evaluator's role holds it) and view access to the recording.
    kinds: { trunk: ['admin', 'supervisor', 'evaluator'], station: ['admin', 'supervisor', 'evaluator'], consult: ['admin', 'supervisor', 'evaluator'], snippet: ['admin', 'supervisor'], adhoc: [] },
    request: (f, _s, kind) => ({ method: 'POST', url: `${recordingUrl(f, kind)}/annotations`, payload: { name: 'm', location: 0 } }),
  }),
  'GET /api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId': kindRow({
    kinds: playable,
    request: async (f, _s, kind) => ({ url: `${recordingUrl(f, kind)}/annotations/${await annotation(f, kind, true)}` }),
  }),
  'PUT /api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId': kindRow({
    // Changing people's annotations needs recording:annotation:edit: not the evaluator's add alone.
    kinds: EDITORS,
    request: async (f, _s, kind) => ({ method: 'PUT', url: `${recordingUrl(f, kind)}/annotations/${await annotation(f, kind)}`, payload: { name: 'm2', location: 0 } }),
  }),
  'DELETE /api/v2/conversations/:conversationId/recordings/:recordingId/annotations/:annotationId': kindRow({
    kinds: EDITORS,
    request: async (f, _s, kind) => ({ method: 'DELETE', url: `${recordingUrl(f, kind)}/annotations/${await annotation(f, kind)}` }),
  }),
};
