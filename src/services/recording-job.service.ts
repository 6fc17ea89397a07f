import { randomUUID } from 'node:crypto';
import { AccessDenied } from '../domain/access/errors.js';
import type { AuditRecordInput } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import {
  ACTIVE_STATES,
  MAX_ACTIVE_JOBS,
  actionInstant,
  applyJob,
  assertTransition,
  skipsKind,
  type RecordingJobsQuery,
} from '../domain/jobs/recording-job.js';
import { compileConversationQuery, type ConversationQuery } from '../domain/query/conversation-query.js';
import { dueAt } from '../domain/retention/lifecycle.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { JobQueue } from '../store/job-queue.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { IntegrationsRepository } from '../store/repositories/integrations.repository.js';
import type { LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { JobFailure, JobListFilter, RecordingJobRecord, RecordingJobsRepository } from '../store/repositories/recording-jobs.repository.js';
import type { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { type Caller, hasPermission } from '../domain/access/principal.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';
import type { ConversationQueryService } from './conversation-query.service.js';
import { isoList } from './retention.service.js';

/**
 * Bulk recording jobs: a query picks conversations; the job sets the delete, archive or export
 * date of their recordings (the lifecycle scheduler then acts on those dates). Totals are counted
 * in the background (PENDING → READY); the creator starts the job (→ PROCESSING), which runs in
 * batches that each commit their changes, counts and resume position together, so a worker that
 * dies mid-job resumes where the last batch ended and changes every recording once.
 */

export const PREPARE_QUEUE = 'recording-job.prepare';
export const RUN_QUEUE = 'recording-job.run';

export interface RecordingJobServiceDeps {
  readonly db: Db;
  readonly jobs: RecordingJobsRepository;
  readonly recordings: RecordingsRepository;
  readonly lifecycle: LifecycleRepository;
  readonly integrations: IntegrationsRepository;
  readonly organizations: OrganizationsRepository;
  readonly query: ConversationQueryService;
  readonly queue: JobQueue;
  readonly audit: AuditService;
  readonly clock: Clock;
  /** Conversations per committed batch. */
  readonly batchSize: number;
  /** How long one run of the handler works before yielding the worker to other jobs. */
  readonly sliceMs: number;
}

/** The resume position of a running job: the conversation cursor and how many conversations were done. */
interface Progress {
  readonly cursor?: string;
  readonly conversations: number;
}

export class RecordingJobService {
  constructor(private readonly deps: RecordingJobServiceDeps) {}

  async create(caller: Caller, query: RecordingJobsQuery): Promise<RecordingJobRecord> {
    const { orgId } = caller.principal;
    const { db, jobs, queue, audit, clock, integrations } = this.deps;
    if (query.includeRecordingsWithSensitiveData && !hasPermission(caller.principal, 'recording:recording:viewSensitiveData')) {
      throw new AccessDenied('includeRecordingsWithSensitiveData needs recording:recording:viewSensitiveData', { serviceName: 'Recording', action: 'Create', entityType: 'RecordingJob', entityId: 'new' });
    }
    if (query.integrationId && !(await integrations.get(orgId, query.integrationId))) {
      throw new DomainError('job.unknownIntegration', `integration ${query.integrationId} was not found`, query.integrationId, [
        { errorCode: 'job.unknownIntegration', fieldName: 'integrationId', entityId: query.integrationId },
      ]);
    }
    compiled(query);
    const now = clock.now();
    const job: RecordingJobRecord = {
      id: randomUUID(),
      orgId,
      createdBy: caller.principal.id,
      createdByName: caller.principal.name,
      action: query.action,
      state: 'PENDING',
      query,
      totalConversations: 0,
      totalRecordings: 0,
      totalSkipped: 0,
      totalFailed: 0,
      totalProcessed: 0,
      errorMessage: null,
      progressCursor: null,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await inTransaction(db, async (trx) => {
      await this.deps.organizations.lock(trx, orgId);
      await this.checkActive(trx, orgId);
      await jobs.insert(trx, job);
      await queue.enqueue({ queue: PREPARE_QUEUE, key: job.id, orgId, payload: { jobId: job.id }, runAtMs: now }, trx);
      await audit.record(auditOf(caller, 'Create', 'RecordingJob', { id: job.id, name: job.action }), trx);
    });
    return job;
  }

  get(orgId: string, id: string): Promise<RecordingJobRecord | undefined> {
    return this.deps.jobs.get(orgId, id);
  }

  list(orgId: string, filter: JobListFilter, page: PageRequest, withTotal: boolean) {
    return this.deps.jobs.list(orgId, filter, page, withTotal);
  }

  async failures(orgId: string, id: string, page: PageRequest, withTotal: boolean): Promise<(Page<JobFailure> & { total?: number }) | undefined> {
    if (!(await this.deps.jobs.get(orgId, id))) return undefined;
    return this.deps.jobs.failures(id, page, withTotal);
  }

  /** Starts a READY job; only its creator may. */
  async execute(caller: Caller, id: string): Promise<RecordingJobRecord | undefined> {
    const { orgId } = caller.principal;
    const { db, jobs, queue, audit, clock } = this.deps;
    return inTransaction(db, async (trx) => {
      await this.deps.organizations.lock(trx, orgId);
      const job = await jobs.lock(trx, orgId, id);
      if (!job) return undefined;
      if (job.createdBy !== caller.principal.id) {
        throw new AccessDenied(`Only the creator of job ${id} (${job.createdByName}) may execute it`, { serviceName: 'Recording', action: 'Execute', entityType: 'RecordingJob', entityId: id });
      }
      assertTransition(id, job.state, 'PROCESSING');
      await this.checkActive(trx, orgId);
      const now = clock.now();
      await jobs.setState(trx, id, 'PROCESSING', now);
      await queue.enqueue({ queue: RUN_QUEUE, key: id, orgId, payload: { jobId: id }, runAtMs: now, maxAttempts: 10 }, trx);
      await audit.record(auditOf(caller, 'Execute', 'RecordingJob', { id: job.id, name: job.action }), trx);
      return jobs.get(orgId, id, trx);
    });
  }

  /** Cancels a job that has not finished. */
  async cancel(caller: Caller, id: string): Promise<RecordingJobRecord | undefined> {
    const { orgId } = caller.principal;
    const { db, jobs, audit, clock } = this.deps;
    return inTransaction(db, async (trx) => {
      const job = await jobs.lock(trx, orgId, id);
      if (!job) return undefined;
      assertTransition(id, job.state, 'CANCELLED');
      await jobs.setState(trx, id, 'CANCELLED', clock.now());
      await audit.record(auditOf(caller, 'Cancel', 'RecordingJob', { id: job.id, name: job.action }), trx);
      return jobs.get(orgId, id, trx);
    });
  }

  /** Background: counts what the job will touch, PENDING → READY. */
  async prepare(orgId: string, id: string): Promise<void> {
    const { db, jobs, query, clock } = this.deps;
    const job = await jobs.get(orgId, id);
    if (!job || job.state !== 'PENDING') return;
    const totals = await query.totals(orgId, compiled(job.query));
    let recordings = 0;
    let skipped = 0;
    for (const [kind, n] of Object.entries(totals.recordingsByKind)) {
      if (skipsKind(job.query, kind as Parameters<typeof skipsKind>[1])) skipped += n;
      else recordings += n;
    }
    await inTransaction(db, async (trx) => {
      const current = await jobs.lock(trx, orgId, id);
      if (current?.state !== 'PENDING') return;
      const now = clock.now();
      await jobs.setTotals(trx, id, { conversations: totals.conversations, recordings, skipped }, now);
      await jobs.setState(trx, id, 'READY', now);
    });
  }

  /**
   * Background: processes batches of a PROCESSING job for one slice of time. Returns true when
   * the job has more to do (the caller runs it again).
   */
  async run(orgId: string, id: string, lastAttempt: boolean): Promise<boolean> {
    const { clock, sliceMs } = this.deps;
    const until = clock.now() + sliceMs;
    try {
      while (clock.now() < until) {
        const more = await this.runBatch(orgId, id);
        if (!more) return false;
      }
      return true;
    } catch (err) {
      if (!lastAttempt) throw err;
      await this.finish(orgId, id, 'FAILED', err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  private async runBatch(orgId: string, id: string): Promise<boolean> {
    const { db, jobs, query, recordings, lifecycle, audit, clock, batchSize } = this.deps;
    const job = await jobs.get(orgId, id);
    if (!job || job.state !== 'PROCESSING') return false;
    const q = compiled(job.query);
    const progress: Progress = job.progressCursor ? (JSON.parse(job.progressCursor) as Progress) : { conversations: 0 };
    const room = q.limit !== undefined ? q.limit - progress.conversations : batchSize;
    const page = room > 0 ? await query.page(orgId, q, Math.min(batchSize, room), progress.cursor) : { conversations: [] };
    const conversationIds = page.conversations.map((c) => c.id);
    const now = clock.now();

    await inTransaction(db, async (trx) => {
      const current = await jobs.lock(trx, orgId, id);
      // Cancelled, or another worker committed this batch already.
      if (current?.state !== 'PROCESSING' || current.progressCursor !== job.progressCursor) return;
      const decided = new Map((await lifecycle.forConversations(orgId, conversationIds, trx, true)).map((r) => [r.recordingId, r]));
      const failures: JobFailure[] = [];
      const events: AuditRecordInput[] = [];
      let processed = 0;
      for (const recording of await recordings.listForConversations(orgId, conversationIds, trx)) {
        if (recording.status === 'discarded' || skipsKind(job.query, recording.kind)) continue;
        const record = decided.get(recording.id);
        if (!record) {
          failures.push({ recordingId: recording.id, conversationId: recording.conversationId, errorCode: 'recording.notEvaluated', message: 'retention policies have not been applied to this recording yet (its conversation is still going on)' });
          continue;
        }
        const outcome = applyJob(job.query, record, actionInstant(job.query, record.kind, record.startedAtMs, now));
        if (outcome.kind === 'failed') {
          failures.push({ recordingId: record.recordingId, conversationId: record.conversationId, errorCode: outcome.errorCode, message: outcome.message });
          continue;
        }
        processed++;
        if (outcome.kind === 'skipped') continue;
        await lifecycle.update(trx, { ...record, ...outcome.state, dueAtMs: dueAt(outcome.state) }, now);
        events.push({
          orgId,
          actor: { userId: job.createdBy, name: job.createdByName },
          serviceName: 'Recording',
          action: `Schedule${job.action[0]}${job.action.slice(1).toLowerCase()}`,
          entityType: 'Recording',
          entity: { id: record.recordingId },
          status: 'SUCCESS',
          context: { conversationId: record.conversationId, jobId: id },
          propertyChanges: [changeOf(job.action, record, outcome.state)],
        });
      }
      await audit.recordAll(events, trx);
      await jobs.addFailures(trx, id, failures);
      const next: Progress = { cursor: page.cursor, conversations: progress.conversations + conversationIds.length };
      await jobs.advance(trx, id, { processed, failed: failures.length, cursor: JSON.stringify(next) }, now);
      const done = !page.cursor || (q.limit !== undefined && next.conversations >= q.limit);
      if (done) await jobs.setState(trx, id, 'FULFILLED', now);
    });
    const after = await jobs.get(orgId, id);
    return after?.state === 'PROCESSING';
  }

  private async finish(orgId: string, id: string, state: 'FAILED', message: string): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const job = await this.deps.jobs.lock(trx, orgId, id);
      if (job?.state === 'PROCESSING' || job?.state === 'PENDING') await this.deps.jobs.setState(trx, id, state, this.deps.clock.now(), message);
    });
  }

  private async checkActive(trx: Parameters<RecordingJobsRepository['countInStates']>[0], orgId: string): Promise<void> {
    if ((await this.deps.jobs.countInStates(trx, orgId, ACTIVE_STATES)) >= MAX_ACTIVE_JOBS) {
      throw new DomainError('job.tooManyActive', `an organization runs at most ${MAX_ACTIVE_JOBS} jobs at once (PENDING or PROCESSING); wait for one to finish or cancel it`);
    }
  }

}

function compiled(query: RecordingJobsQuery): ConversationQuery {
  const input = query.conversationQuery ?? { interval: query.agedConversationInterval!, order: 'asc' as const, orderBy: 'conversationStart' as const };
  const out = compileConversationQuery(input);
  if ('error' in out) {
    const fieldName = `conversationQuery.${out.error.fieldName}`;
    throw new DomainError('job.invalidQuery', out.error.message, undefined, [{ errorCode: 'query.invalidFilter', fieldName }]);
  }
  return out;
}

function changeOf(action: RecordingJobsQuery['action'], before: { archiveAtMs: number | null; deleteAtMs: number | null; exportAtMs: number | null }, after: typeof before) {
  const property = action === 'DELETE' ? 'deleteDate' : action === 'ARCHIVE' ? 'archiveDate' : 'exportDate';
  const field = action === 'DELETE' ? 'deleteAtMs' : action === 'ARCHIVE' ? 'archiveAtMs' : 'exportAtMs';
  return { property, oldValues: isoList(before[field]), newValues: isoList(after[field]) };
}
