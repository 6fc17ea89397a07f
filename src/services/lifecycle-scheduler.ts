import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { afterAction, dueAt, nextAction, type LifecycleAction } from '../domain/retention/lifecycle.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { ClaimedRecord, LifecycleRecord, LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { Database } from '../store/schema.js';
import type { AuditService } from './audit.service.js';
import { RETENTION_ACTOR } from './audit-events.js';
import { isoList } from './retention.service.js';

/**
 * Applies due lifecycle actions: archive, restore, return to the archive, export, delete. The
 * lifecycle table is its queue: a row's `due_at` is when it must be looked at, and workers lease
 * rows in batches (`FOR UPDATE SKIP LOCKED` on PostgreSQL). Each action is idempotent on the
 * media side and its result commits with its audit event, fenced by the lease; a worker killed
 * mid-batch leaves leases that expire, and the next run redoes the media steps and commits once.
 */

/**
 * What the scheduler asks of the media stores for each action; every method is idempotent. Each
 * gets the claimed row with the recording's object key and media state.
 */
export interface LifecycleMedia {
  /** Copies the recording's object to the archive tier, then removes it from the hot store. */
  archive(record: ClaimedRecord): Promise<void>;
  /** Copies the archived object back to the hot store (the archive keeps its copy). */
  restore(record: ClaimedRecord): Promise<void>;
  /** Removes the restored hot copy; the archived object stays. */
  rearchive(record: ClaimedRecord): Promise<void>;
  /** Removes the recording's object from every store, and checks that none is left. */
  delete(record: ClaimedRecord): Promise<void>;
  /** Writes the recording and a metadata JSON beside it to the export integration's bucket. */
  export(record: ClaimedRecord): Promise<void>;
  /** Removes what else is known of deleted recordings (annotations, media state), in the commit's transaction. */
  forget(trx: Kysely<Database>, records: readonly LifecycleRecord[]): Promise<void>;
}

export interface LifecycleSchedulerOptions {
  readonly db: Db;
  readonly lifecycle: LifecycleRepository;
  readonly media: LifecycleMedia;
  readonly audit: AuditService;
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

type Planned = { readonly record: ClaimedRecord; readonly action: LifecycleAction };
type Failed = Planned & { readonly error: Error };

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

    const wanted = claimed.map((record) => ({ record, action: nextAction(record, now) }));
    // Deletion is decided and committed before any byte goes, so protection cannot race with it.
    const deleting = new Set(
      await inTransaction(db, (trx) => lifecycle.markDeleting(trx, wanted.filter((p) => p.action === 'delete').map((p) => p.record.recordingId), owner, now)),
    );
    const work: Planned[] = [];
    for (const w of wanted) if (w.action && (w.action !== 'delete' || deleting.has(w.record.recordingId))) work.push({ record: w.record, action: w.action });
    const done: Planned[] = [];
    const failed: Failed[] = [];
    await mapLimit(work, this.o.concurrency, async (p) => {
      try {
        await this.o.media[p.action](p.record);
        done.push(p);
      } catch (err) {
        failed.push({ ...p, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
    const failedIds = new Set(failed.map((f) => f.record.recordingId));
    await this.commit(done, claimed.filter((r) => !failedIds.has(r.recordingId)), now);
    for (const f of failed) await this.postpone(f.record, f.action, f.error, now);
    return claimed.length;
  }

  /**
   * Records what was done, from the rows as they are now (dates or protection may have changed
   * meanwhile), and releases every row that did not fail; audit events commit with the change.
   */
  private async commit(done: readonly Planned[], release: readonly LifecycleRecord[], now: number): Promise<void> {
    const { db, lifecycle, owner, audit, media } = this.o;
    if (release.length === 0) return;
    const actionOf = new Map(done.map((d) => [d.record.recordingId, d.action]));
    await inTransaction(db, async (trx) => {
      const before = new Map<string, LifecycleRecord>();
      const next: LifecycleRecord[] = [];
      for (const fresh of await lifecycle.lock(trx, release.map((r) => r.recordingId))) {
        const action = actionOf.get(fresh.recordingId);
        // A DELETING row is deleted whatever happened since; other actions apply to the current row.
        const state = action ? afterAction(action === 'delete' ? { ...fresh, fileState: 'DELETING' } : fresh, action, now) : fresh;
        before.set(fresh.recordingId, fresh);
        next.push({ ...fresh, ...state, dueAtMs: dueAt(state), attempts: 0, lastError: null });
      }
      const written = await lifecycle.updateLeased(trx, next, now, owner);
      const applied = next.filter((r) => written.has(r.recordingId) && actionOf.has(r.recordingId));
      await media.forget(trx, applied.filter((r) => actionOf.get(r.recordingId) === 'delete'));
      await audit.recordAll(
        applied.map((record) => {
          const action = actionOf.get(record.recordingId)!;
          return {
            orgId: record.orgId,
            actor: RETENTION_ACTOR,
            serviceName: 'Recording' as const,
            level: 'SYSTEM' as const,
            action: AUDIT_ACTIONS[action],
            entityType: 'Recording',
            entity: { id: record.recordingId },
            status: 'SUCCESS' as const,
            message: describe(action, record),
            context: { conversationId: record.conversationId, ...(action === 'export' ? { integrationId: record.exportIntegrationId ?? '' } : {}) },
            propertyChanges: [{ property: 'fileState', oldValues: [before.get(record.recordingId)!.fileState], newValues: [record.fileState] }],
          };
        }),
        trx,
      );
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
