import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { afterAction, dueAt, nextAction, type LifecycleAction } from '../domain/retention/lifecycle.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { LifecycleRecord, LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { Database } from '../store/schema.js';
import { SYSTEM_ACTOR, type AuditTrail } from './audit-bridge.js';
import { isoList } from './retention.service.js';

/**
 * Applies due lifecycle actions: archive, restore, return to the archive, export, delete. The
 * lifecycle table is its queue: a row's `due_at` is when it must be looked at, and workers lease
 * rows in batches (`FOR UPDATE SKIP LOCKED` on PostgreSQL). Each action is idempotent on the
 * media side and its result commits with its audit event, fenced by the lease; a worker killed
 * mid-batch leaves leases that expire, and the next run redoes the media steps and commits once.
 */

/** What the scheduler asks of the media stores for each action; every method is idempotent. */
export interface LifecycleMedia {
  /** Copies the recording's objects to the archive tier, then removes them from the hot store. */
  archive(record: LifecycleRecord): Promise<void>;
  /** Copies the archived objects back to the hot store (the archive keeps its copy). */
  restore(record: LifecycleRecord): Promise<void>;
  /** Removes the restored hot copy; the archived objects stay. */
  rearchive(record: LifecycleRecord): Promise<void>;
  /** Removes every object of the recording from every store, and checks that none is left. */
  delete(record: LifecycleRecord): Promise<void>;
  /** Writes the recording and a metadata JSON beside it to the export integration's bucket. */
  export(record: LifecycleRecord): Promise<void>;
  /** Removes what else is known of a deleted recording (annotations, object metadata), in the commit's transaction. */
  forget(trx: Kysely<Database>, record: LifecycleRecord): Promise<void>;
}

export interface LifecycleSchedulerOptions {
  readonly db: Db;
  readonly lifecycle: LifecycleRepository;
  readonly media: LifecycleMedia;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Names this worker in leases. */
  readonly owner: string;
  readonly batchSize: number;
  readonly leaseMs: number;
  /** Media actions in flight at once. */
  readonly concurrency: number;
}

const AUDIT_ACTIONS: Readonly<Record<LifecycleAction, string>> = {
  archive: 'Archive',
  restore: 'Restore',
  rearchive: 'Archive',
  delete: 'Delete',
  export: 'Export',
};

type Outcome = { record: LifecycleRecord; action: LifecycleAction } | { record: LifecycleRecord; error: Error; action: LifecycleAction };

export class LifecycleScheduler {
  readonly name = 'lifecycle';

  constructor(private readonly o: LifecycleSchedulerOptions) {}

  nextDueAt(): Promise<number | null> {
    return this.o.lifecycle.nextDueAt();
  }

  /** Claims one batch of due rows and applies the action each is due for; returns how many rows it claimed. */
  async runDue(): Promise<number> {
    const { lifecycle, clock, owner, batchSize, leaseMs, db } = this.o;
    const now = clock.now();
    const claimed = await lifecycle.claimDue(owner, batchSize, leaseMs, now);
    if (claimed.length === 0) return 0;

    const planned = claimed.map((record) => ({ record, action: nextAction(record, now) }));
    // Deletion is decided and committed before any byte goes, so protection cannot race with it.
    const deleting = new Set(
      await inTransaction(db, (trx) => lifecycle.markDeleting(trx, planned.filter((p) => p.action === 'delete').map((p) => p.record.recordingId), owner, now)),
    );
    const outcomes: Outcome[] = [];
    const idle: LifecycleRecord[] = [];
    const work = planned.filter((p): p is { record: LifecycleRecord; action: LifecycleAction } => {
      if (p.action === undefined || (p.action === 'delete' && !deleting.has(p.record.recordingId))) {
        idle.push(p.record);
        return false;
      }
      return true;
    });
    await mapLimit(work, this.o.concurrency, async ({ record, action }) => {
      try {
        await this.o.media[action](record);
        outcomes.push({ record, action });
      } catch (err) {
        outcomes.push({ record, action, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
    await this.commit(outcomes.filter((o) => !('error' in o)), idle, now);
    for (const o of outcomes) if ('error' in o) await this.postpone(o.record, o.action, o.error, now);
    return claimed.length;
  }

  /** Records what was done from the rows as they are now (dates or protection may have changed meanwhile). */
  private async commit(done: readonly { record: LifecycleRecord; action: LifecycleAction }[], idle: readonly LifecycleRecord[], now: number): Promise<void> {
    const { db, lifecycle, owner, audit, media } = this.o;
    const actionOf = new Map(done.map((d) => [d.record.recordingId, d.action]));
    const ids = [...actionOf.keys(), ...idle.map((r) => r.recordingId)];
    if (ids.length === 0) return;
    await inTransaction(db, async (trx) => {
      for (const fresh of await lifecycle.lock(trx, ids)) {
        const action = actionOf.get(fresh.recordingId);
        // A DELETING row is deleted whatever happened since; other actions apply to the current row.
        const state = action ? afterAction(action === 'delete' ? { ...fresh, fileState: 'DELETING' } : fresh, action, now) : fresh;
        const record = { ...fresh, ...state, dueAtMs: dueAt(state), attempts: 0, lastError: null };
        if (!(await lifecycle.update(trx, record, now, owner)) || !action) continue;
        if (action === 'delete') await media.forget(trx, record);
        await audit.record(
          {
            orgId: record.orgId,
            actor: SYSTEM_ACTOR,
            serviceName: 'Recording',
            level: 'SYSTEM',
            action: AUDIT_ACTIONS[action],
            entityType: 'Recording',
            entity: { id: record.recordingId },
            status: 'SUCCESS',
            message: describe(action, record),
            context: { conversationId: record.conversationId, ...(action === 'export' ? { integrationId: record.exportIntegrationId ?? '' } : {}) },
            propertyChanges: [{ property: 'fileState', oldValues: [fresh.fileState], newValues: [record.fileState] }],
          },
          trx,
        );
      }
    });
  }

  /** A failed media step: logged, remembered on the row, and tried again with a growing pause. */
  private async postpone(record: LifecycleRecord, action: LifecycleAction, error: Error, now: number): Promise<void> {
    const attempts = record.attempts + 1;
    const retryAt = now + Math.min(3_600_000, 5_000 * 2 ** Math.min(attempts - 1, 10));
    this.o.logger.warn({ recordingId: record.recordingId, action, attempts, err: error }, 'lifecycle action failed; will retry');
    await this.o.lifecycle.postpone(record.recordingId, this.o.owner, `${action}: ${error.message}`, retryAt, now);
  }
}

function describe(action: LifecycleAction, r: LifecycleRecord): string {
  switch (action) {
    case 'archive':
      return 'moved to the archive tier';
    case 'restore':
      return `restored from the archive until ${isoList(r.restoreUntilMs)[0] ?? 'further notice'}`;
    case 'rearchive':
      return 'restored copy removed: back in the archive';
    case 'delete':
      return 'media deleted from every store';
    case 'export':
      return `exported to integration ${r.exportIntegrationId}`;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
