import { sql, type Kysely } from 'kysely';
import type { JobAction, JobState, RecordingJobsQuery } from '../../domain/jobs/recording-job.js';
import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { RecordingJobsTable } from '../retention.schema.js';
import type { Database } from '../schema.js';

/** Bulk recording jobs and the recordings they failed on. */

export interface RecordingJobRecord {
  readonly id: string;
  readonly orgId: string;
  readonly createdBy: string;
  readonly createdByName: string;
  readonly action: JobAction;
  readonly state: JobState;
  readonly query: RecordingJobsQuery;
  readonly totalConversations: number;
  readonly totalRecordings: number;
  readonly totalSkipped: number;
  readonly totalFailed: number;
  readonly totalProcessed: number;
  readonly errorMessage: string | null;
  readonly progressCursor: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface JobListFilter {
  readonly state?: JobState;
  readonly action?: JobAction;
  readonly createdBy?: string;
}

export interface JobProgress {
  readonly processed: number;
  readonly failed: number;
  readonly cursor: string | null;
}

export interface JobFailure {
  readonly recordingId: string;
  readonly conversationId: string;
  readonly errorCode: string;
  readonly message: string;
}

export class RecordingJobsRepository {
  constructor(private readonly db: Db) {}

  async insert(trx: Kysely<Database>, job: RecordingJobRecord): Promise<void> {
    await trx
      .insertInto('recording_jobs')
      .values({
        id: job.id,
        org_id: job.orgId,
        created_by: job.createdBy,
        created_by_name: job.createdByName,
        action: job.action,
        state: job.state,
        query: JSON.stringify(job.query),
        total_conversations: 0,
        total_recordings: 0,
        total_skipped: 0,
        total_failed: 0,
        total_processed: 0,
        error_message: null,
        progress_cursor: null,
        created_at: job.createdAtMs,
        updated_at: job.updatedAtMs,
      })
      .execute();
  }

  async get(orgId: string, id: string, exec: Kysely<Database> = this.db.kysely): Promise<RecordingJobRecord | undefined> {
    const row = await exec.selectFrom('recording_jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Locks the job's row for the rest of the transaction (PostgreSQL; SQLite transactions are exclusive). */
  async lock(trx: Kysely<Database>, orgId: string, id: string): Promise<RecordingJobRecord | undefined> {
    let q = trx.selectFrom('recording_jobs').selectAll().where('org_id', '=', orgId).where('id', '=', id);
    if (this.db.dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async countInStates(trx: Kysely<Database>, orgId: string, states: readonly JobState[]): Promise<number> {
    const row = await trx
      .selectFrom('recording_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('state', 'in', states)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Newest first. `total` is counted only when asked (the reference's includeTotal). */
  async list(orgId: string, filter: JobListFilter, page: PageRequest, withTotal: boolean): Promise<Page<RecordingJobRecord> & { total?: number }> {
    const after = decodeCursor(page.cursor, ['number', 'string']);
    let q = this.db.kysely.selectFrom('recording_jobs').where('org_id', '=', orgId);
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.createdBy) q = q.where('created_by', '=', filter.createdBy);
    const total = withTotal ? Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0) : undefined;
    let rows = q.selectAll();
    if (after) {
      const [createdAt, id] = after as [number, string];
      rows = rows.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
    }
    const fetched = await rows.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return { ...toPage(fetched, page.limit, fromRow, (r) => [r.created_at, r.id]), ...(total !== undefined ? { total } : {}) };
  }

  async setState(trx: Kysely<Database>, id: string, state: JobState, now: number, errorMessage: string | null = null): Promise<void> {
    await trx.updateTable('recording_jobs').set({ state, error_message: errorMessage, updated_at: now }).where('id', '=', id).execute();
  }

  async setTotals(trx: Kysely<Database>, id: string, totals: { conversations: number; recordings: number; skipped: number }, now: number): Promise<void> {
    await trx
      .updateTable('recording_jobs')
      .set({ total_conversations: totals.conversations, total_recordings: totals.recordings, total_skipped: totals.skipped, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Adds one batch's counts and moves the resume cursor, in the batch's transaction. */
  async advance(trx: Kysely<Database>, id: string, progress: JobProgress, now: number): Promise<void> {
    await trx
      .updateTable('recording_jobs')
      .set({
        total_processed: sql<number>`total_processed + ${progress.processed}`,
        total_failed: sql<number>`total_failed + ${progress.failed}`,
        progress_cursor: progress.cursor,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async addFailures(trx: Kysely<Database>, jobId: string, failures: readonly JobFailure[]): Promise<void> {
    if (failures.length === 0) return;
    await trx
      .insertInto('recording_job_failures')
      .values(failures.map((f) => ({ job_id: jobId, recording_id: f.recordingId, conversation_id: f.conversationId, error_code: f.errorCode, message: f.message })))
      .onConflict((oc) => oc.columns(['job_id', 'recording_id']).doNothing())
      .execute();
  }

  async failures(jobId: string, page: PageRequest, withTotal: boolean): Promise<Page<JobFailure> & { total?: number }> {
    const after = decodeCursor(page.cursor, ['string']);
    const base = this.db.kysely.selectFrom('recording_job_failures').where('job_id', '=', jobId);
    const total = withTotal ? Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0) : undefined;
    let q = base.selectAll();
    if (after) q = q.where('recording_id', '>', after[0] as string);
    const rows = await q.orderBy('recording_id').limit(page.limit + 1).execute();
    const pageOut = toPage(
      rows,
      page.limit,
      (r) => ({ recordingId: r.recording_id, conversationId: r.conversation_id, errorCode: r.error_code, message: r.message }),
      (r) => [r.recording_id],
    );
    return { ...pageOut, ...(total !== undefined ? { total } : {}) };
  }
}

function fromRow(r: RecordingJobsTable): RecordingJobRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    createdBy: r.created_by,
    createdByName: r.created_by_name,
    action: r.action as JobAction,
    state: r.state as JobState,
    query: JSON.parse(r.query) as RecordingJobsQuery,
    totalConversations: r.total_conversations,
    totalRecordings: r.total_recordings,
    totalSkipped: r.total_skipped,
    totalFailed: r.total_failed,
    totalProcessed: r.total_processed,
    errorMessage: r.error_message,
    progressCursor: r.progress_cursor,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
}
