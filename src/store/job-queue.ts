import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A durable queue of background jobs (policy evaluation, bulk recording jobs, retention
 * maintenance). Jobs are claimed with a lease: a worker that dies mid-job loses the lease and the
 * job runs again, so handlers are idempotent. A job is named by (queue, key): enqueueing a key
 * that exists schedules that job again instead of adding a second one.
 */

export interface JobRequest {
  readonly queue: string;
  readonly key: string;
  readonly orgId?: string;
  readonly payload: unknown;
  readonly runAtMs: number;
  /** Attempts before the job is given up as failed (default 5). */
  readonly maxAttempts?: number;
}

export interface ClaimedJob {
  readonly id: string;
  readonly queue: string;
  readonly key: string;
  readonly orgId: string | null;
  readonly payload: unknown;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Proves the lease: completing or failing needs it. */
  readonly leaseToken: string;
}

export interface JobQueue {
  /** Adds or reschedules a job; inside `trx` it commits with the caller's changes. */
  enqueue(job: JobRequest, trx?: Kysely<Database>): Promise<void>;
  /** Takes up to `limit` runnable jobs of the queues (waiting and due, or whose lease expired). */
  claim(queues: readonly string[], owner: string, limit: number, leaseMs: number, nowMs: number): Promise<ClaimedJob[]>;
  /** Marks a job done; false when its lease was lost (someone rescheduled or reclaimed it). */
  complete(job: ClaimedJob, nowMs: number, trx?: Kysely<Database>): Promise<boolean>;
  /** Runs the job again at `retryAtMs`, or fails it for good once its attempts are used up. */
  fail(job: ClaimedJob, error: string, retryAtMs: number, nowMs: number): Promise<void>;
  /** The earliest instant a job of these queues becomes runnable, for a worker's sleep. */
  nextRunAt(queues: readonly string[]): Promise<number | null>;
}
