import { z } from 'zod';
import type { RecordingKind } from '../capture/types.js';
import { DomainError } from '../errors.js';
import { DAY_MS, parseDateRange } from '../policy/time.js';
import { conversationQuerySchema } from '../query/conversation-query.js';
import type { LifecycleState } from '../retention/lifecycle.js';

/**
 * Bulk recording jobs (the reference's RecordingJobsQuery and RecordingJob): DELETE, ARCHIVE or
 * EXPORT every recording of the conversations a query matches, by setting its delete, archive
 * or export date. A job goes PENDING → READY (totals computed) → PROCESSING (started by its
 * creator) → FULFILLED or FAILED, and may be CANCELLED before it finishes.
 */

export const JOB_STATES = ['PENDING', 'READY', 'PROCESSING', 'FULFILLED', 'FAILED', 'CANCELLED'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const JOB_ACTIONS = ['ARCHIVE', 'DELETE', 'EXPORT'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** "2 concurrent jobs per org" in PENDING or PROCESSING. */
export const MAX_ACTIVE_JOBS = 2;
export const ACTIVE_STATES: readonly JobState[] = ['PENDING', 'PROCESSING'];
/** The aged-conversation interval may span at most six months. */
const MAX_AGED_INTERVAL_MS = 184 * DAY_MS;

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone' });
const age = z.number().int().min(0).max(36_500);
const err = (ctx: z.RefinementCtx, path: string, errorCode: string, message: string) =>
  ctx.addIssue({ code: 'custom', path: [path], message, params: { errorCode } });

export const recordingJobsQuerySchema = z
  .object({
    action: z.enum(JOB_ACTIONS),
    actionDate: instant.optional(),
    actionAge: age.optional(),
    screenRecordingActionDate: instant.optional(),
    screenRecordingActionAge: age.optional(),
    integrationId: z.string().min(1).max(128).optional(),
    includeRecordingsWithSensitiveData: z.boolean().default(false),
    includeScreenRecordings: z.boolean().default(true),
    includePolicyBasedRecordings: z.boolean().default(true),
    includeSnippetRecordings: z.boolean().default(true),
    clearExport: z.boolean().default(false),
    conversationQuery: conversationQuerySchema.optional(),
    agedConversationInterval: z.string().optional(),
  })
  .superRefine((q, ctx) => {
    if (q.actionDate !== undefined && q.actionAge !== undefined) err(ctx, 'actionAge', 'job.conflictingDates', 'give actionDate or actionAge, not both');
    if (q.action !== 'EXPORT' && q.actionDate === undefined && q.actionAge === undefined) {
      err(ctx, 'actionDate', 'job.missingDate', `${q.action} needs actionDate or actionAge`);
    }
    if (q.screenRecordingActionDate !== undefined && q.screenRecordingActionAge !== undefined) {
      err(ctx, 'screenRecordingActionAge', 'job.conflictingDates', 'give screenRecordingActionDate or screenRecordingActionAge, not both');
    }
    if ((q.screenRecordingActionDate !== undefined || q.screenRecordingActionAge !== undefined) && !q.includeScreenRecordings) {
      err(ctx, 'includeScreenRecordings', 'job.screenDatesWithoutScreens', 'screen recording dates need includeScreenRecordings=true');
    }
    if (q.action === 'EXPORT' && !q.integrationId) err(ctx, 'integrationId', 'job.missingIntegration', 'EXPORT needs the integrationId of an export integration');
    if (q.clearExport && q.action !== 'DELETE') err(ctx, 'clearExport', 'job.clearExportNotDelete', 'clearExport applies to DELETE jobs only');
    if (!q.conversationQuery === !q.agedConversationInterval) {
      err(ctx, 'conversationQuery', 'job.missingQuery', 'give exactly one of conversationQuery and agedConversationInterval');
    }
    if (q.agedConversationInterval !== undefined) {
      const range = parseDateRange(q.agedConversationInterval);
      if (!range) err(ctx, 'agedConversationInterval', 'query.invalidInterval', 'must be an ISO-8601 interval start/end');
      else if (range.endMs - range.startMs > MAX_AGED_INTERVAL_MS) err(ctx, 'agedConversationInterval', 'job.intervalTooLong', 'the aged conversation interval spans at most six months');
    }
  });

export type RecordingJobsQuery = z.infer<typeof recordingJobsQuerySchema>;

export const executeJobSchema = z.object({ state: z.literal('PROCESSING') });

const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  PENDING: ['READY', 'FAILED', 'CANCELLED'],
  READY: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['FULFILLED', 'FAILED', 'CANCELLED'],
  FULFILLED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Throws `job.invalidState` unless the job may go from `from` to `to`. */
export function assertTransition(jobId: string, from: JobState, to: JobState): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new DomainError('job.invalidState', `job ${jobId} is ${from} and cannot become ${to}`, jobId);
  }
}

/** Which recordings a job leaves out by kind (the `include*` flags); ad-hoc recordings belong to their owner. */
export function skipsKind(q: RecordingJobsQuery, kind: RecordingKind): boolean {
  switch (kind) {
    case 'screen':
      return !q.includeScreenRecordings;
    case 'snippet':
      return !q.includeSnippetRecordings;
    case 'adhoc':
      return true;
    default:
      return !q.includePolicyBasedRecordings;
  }
}

/** The instant a job sets on one recording; screen recordings may have their own. */
export function actionInstant(q: RecordingJobsQuery, kind: RecordingKind, recordingStartMs: number, nowMs: number): number {
  const screenOwn = kind === 'screen' && (q.screenRecordingActionDate !== undefined || q.screenRecordingActionAge !== undefined);
  const date = screenOwn ? q.screenRecordingActionDate : q.actionDate;
  const days = screenOwn ? q.screenRecordingActionAge : q.actionAge;
  if (date !== undefined) return Date.parse(date);
  if (days !== undefined) return recordingStartMs + days * DAY_MS;
  return nowMs;
}

export type JobOutcome =
  | { readonly kind: 'applied'; readonly state: LifecycleState }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'failed'; readonly errorCode: string; readonly message: string };

/** What a job does to one recording's dates. */
export function applyJob(q: RecordingJobsQuery, s: LifecycleState, atMs: number): JobOutcome {
  if (s.fileState === 'DELETED') return { kind: 'skipped', reason: 'already deleted' };
  switch (q.action) {
    case 'DELETE': {
      if (s.protected) return { kind: 'failed', errorCode: 'recording.protected', message: 'the conversation is protected from deletion' };
      const exportAtMs = q.clearExport ? null : s.exportAtMs !== null && s.exportAtMs > atMs ? atMs : s.exportAtMs;
      return { kind: 'applied', state: { ...s, deleteAtMs: atMs, exportAtMs } };
    }
    case 'ARCHIVE':
      return { kind: 'applied', state: { ...s, archiveAtMs: atMs } };
    case 'EXPORT': {
      // "If the op makes deleteDate older than exportDate, exportDate is moved to deleteDate."
      const exportAtMs = s.deleteAtMs !== null && !s.protected && s.deleteAtMs < atMs ? s.deleteAtMs : atMs;
      return { kind: 'applied', state: { ...s, exportAtMs, exportIntegrationId: q.integrationId! } };
    }
  }
}
