import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { inTransaction, type Db } from './db.js';
import type { ClaimedJob, JobQueue, JobRequest } from './job-queue.js';
import type { Database } from './schema.js';

/**
 * The job queue on a table of the metadata database. On PostgreSQL workers claim with
 * `FOR UPDATE SKIP LOCKED`, so several nodes share the queue without waiting on each other; on
 * SQLite a transaction is already exclusive. A job enqueued inside a caller's transaction
 * commits (or not) with the change that asked for it.
 */
export class SqlJobQueue implements JobQueue {
  constructor(private readonly db: Db) {}

  async enqueue(job: JobRequest, trx: Kysely<Database> = this.db.kysely): Promise<void> {
    const values = {
      payload: JSON.stringify(job.payload),
      state: 'queued',
      run_at: job.runAtMs,
      attempts: 0,
      max_attempts: job.maxAttempts ?? 5,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      updated_at: job.runAtMs,
    };
    await trx
      .insertInto('jobs')
      .values({ id: randomUUID(), queue: job.queue, key: job.key, org_id: job.orgId ?? null, created_at: job.runAtMs, ...values })
      .onConflict((oc) => oc.columns(['queue', 'key']).doUpdateSet(values))
      .execute();
  }

  async claim(queues: readonly string[], owner: string, limit: number, leaseMs: number, nowMs: number): Promise<ClaimedJob[]> {
    if (queues.length === 0) return [];
    const token = `${owner}:${randomUUID()}`;
    return inTransaction(this.db, async (trx) => {
      let pick = trx
        .selectFrom('jobs')
        .select('id')
        .where('queue', 'in', queues)
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', nowMs)]),
            eb.and([eb('state', '=', 'active'), eb('lease_until', '<', nowMs)]),
          ]),
        )
        .orderBy('run_at')
        .limit(limit);
      if (this.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const ids = (await pick.execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      await trx
        .updateTable('jobs')
        .set({ state: 'active', lease_owner: token, lease_until: nowMs + leaseMs, attempts: sql<number>`attempts + 1`, updated_at: nowMs })
        .where('id', 'in', ids)
        .execute();
      const rows = await trx.selectFrom('jobs').selectAll().where('id', 'in', ids).orderBy('run_at').execute();
      return rows.map((r) => ({
        id: r.id,
        queue: r.queue,
        key: r.key,
        orgId: r.org_id,
        payload: JSON.parse(r.payload) as unknown,
        attempt: r.attempts,
        maxAttempts: r.max_attempts,
        leaseToken: token,
      }));
    });
  }

  async complete(job: ClaimedJob, nowMs: number, trx: Kysely<Database> = this.db.kysely): Promise<boolean> {
    const result = await trx
      .updateTable('jobs')
      .set({ state: 'done', lease_owner: null, lease_until: null, last_error: null, updated_at: nowMs })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.leaseToken)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async fail(job: ClaimedJob, error: string, retryAtMs: number, nowMs: number): Promise<void> {
    const final = job.attempt >= job.maxAttempts;
    await this.db.kysely
      .updateTable('jobs')
      .set({ state: final ? 'failed' : 'queued', run_at: retryAtMs, lease_owner: null, lease_until: null, last_error: error.slice(0, 2000), updated_at: nowMs })
      .where('id', '=', job.id)
      .where('lease_owner', '=', job.leaseToken)
      .execute();
  }

  async nextRunAt(queues: readonly string[]): Promise<number | null> {
    if (queues.length === 0) return null;
    const row = await this.db.kysely
      .selectFrom('jobs')
      .select((eb) => [eb.fn.min('run_at').as('queued'), eb.fn.min('lease_until').as('leased')])
      .where('queue', 'in', queues)
      .where('state', 'in', ['queued', 'active'])
      .executeTakeFirst();
    const times = [row?.queued, row?.leased].filter((v): v is number => v !== null && v !== undefined).map(Number);
    return times.length ? Math.min(...times) : null;
  }
}
