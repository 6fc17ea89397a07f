import { sql, type Kysely } from 'kysely';
import type { RecordingKind } from '../../domain/capture/types.js';
import type { StoredDecision } from '../../domain/policy/evaluate.js';
import type { LifecycleFileState, LifecycleState } from '../../domain/retention/lifecycle.js';
import { inTransaction, type Db } from '../db.js';
import type { RecordingLifecycleTable } from '../retention.schema.js';
import type { Database } from '../schema.js';

/** The lifecycle row of each evaluated recording: its dates, where its media is, and why. */

export interface LifecycleRecord extends LifecycleState {
  readonly recordingId: string;
  readonly orgId: string;
  readonly conversationId: string;
  readonly kind: RecordingKind;
  readonly startedAtMs: number;
  /** Computed by the caller from the state (domain/retention/lifecycle.ts dueAt). */
  readonly dueAtMs: number | null;
  readonly decision: StoredDecision | null;
  readonly evaluatedAtMs: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** A claimed row, with the recording's media object as the scheduler needs it. */
export interface ClaimedRecord extends LifecycleRecord {
  readonly object: { readonly key: string | null; readonly mediaState: string };
}

export class LifecycleRepository {
  constructor(private readonly db: Db) {}

  /** Stores decisions for recordings that have none yet; a recording is evaluated once. */
  async insertMany(trx: Kysely<Database>, records: readonly LifecycleRecord[], now: number): Promise<void> {
    if (records.length === 0) return;
    await trx
      .insertInto('recording_lifecycle')
      .values(records.map((r) => ({ ...toRow(r, now), recording_id: r.recordingId, org_id: r.orgId, conversation_id: r.conversationId, kind: r.kind, started_at: r.startedAtMs })))
      .onConflict((oc) => oc.column('recording_id').doNothing())
      .execute();
  }

  async get(orgId: string, recordingId: string, exec: Kysely<Database> = this.db.kysely): Promise<LifecycleRecord | undefined> {
    const row = await exec.selectFrom('recording_lifecycle').selectAll().where('org_id', '=', orgId).where('recording_id', '=', recordingId).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** `lock` holds the rows for the rest of the caller's transaction (PostgreSQL; SQLite transactions are exclusive). */
  async forConversations(orgId: string, conversationIds: readonly string[], exec: Kysely<Database> = this.db.kysely, lock = false): Promise<LifecycleRecord[]> {
    if (conversationIds.length === 0) return [];
    let q = exec
      .selectFrom('recording_lifecycle')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', conversationIds)
      .orderBy('started_at')
      .orderBy('recording_id');
    if (lock && this.db.dialect === 'postgres') q = q.forUpdate();
    return (await q.execute()).map(fromRow);
  }

  /** The rows, locked for the rest of the caller's transaction. */
  async lock(trx: Kysely<Database>, recordingIds: readonly string[]): Promise<LifecycleRecord[]> {
    if (recordingIds.length === 0) return [];
    let q = trx.selectFrom('recording_lifecycle').selectAll().where('recording_id', 'in', recordingIds).orderBy('recording_id');
    if (this.db.dialect === 'postgres') q = q.forUpdate();
    return (await q.execute()).map(fromRow);
  }

  /** Writes a record's state, dates and due instant (callers other than the scheduler: its lease stays as it is). */
  async update(trx: Kysely<Database>, record: LifecycleRecord, now: number): Promise<void> {
    await trx.updateTable('recording_lifecycle').set(toRow(record, now)).where('recording_id', '=', record.recordingId).execute();
  }

  /**
   * Commits the decision to delete, before any byte is removed: rows still held by `owner`, not
   * protected (or already being deleted) become DELETING. Returns the ids that did.
   */
  async markDeleting(trx: Kysely<Database>, recordingIds: readonly string[], owner: string, now: number): Promise<string[]> {
    if (recordingIds.length === 0) return [];
    await trx
      .updateTable('recording_lifecycle')
      .set({ file_state: 'DELETING', due_at: 0, updated_at: now })
      .where('recording_id', 'in', recordingIds)
      .where('lease_owner', '=', owner)
      .where('protected', '=', 0)
      .where('file_state', 'not in', ['DELETED', 'DELETING'])
      .execute();
    const rows = await trx
      .selectFrom('recording_lifecycle')
      .select('recording_id')
      .where('recording_id', 'in', recordingIds)
      .where('lease_owner', '=', owner)
      .where('file_state', '=', 'DELETING')
      .execute();
    return rows.map((r) => r.recording_id);
  }

  /**
   * Leases up to `limit` rows whose due instant has come, oldest first, with where each
   * recording's media object is and whether it is still being written (the media area's columns).
   */
  async claimDue(owner: string, limit: number, leaseMs: number, now: number): Promise<ClaimedRecord[]> {
    return inTransaction(this.db, async (trx) => {
      let pick = trx
        .selectFrom('recording_lifecycle')
        .select('recording_id')
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('due_at')
        .limit(limit);
      if (this.db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const ids = (await pick.execute()).map((r) => r.recording_id);
      if (ids.length === 0) return [];
      await trx.updateTable('recording_lifecycle').set({ lease_owner: owner, lease_until: now + leaseMs }).where('recording_id', 'in', ids).execute();
      const rows = await trx
        .selectFrom('recording_lifecycle as l')
        .innerJoin('recordings as r', 'r.id', 'l.recording_id')
        .selectAll('l')
        .select(['r.blob_key', 'r.media_state'])
        .where('l.recording_id', 'in', ids)
        .orderBy('l.due_at')
        .execute();
      return rows.map((r) => ({ ...fromRow(r), object: { key: r.blob_key, mediaState: r.media_state } }));
    });
  }

  /**
   * Writes the records the lease holder `owner` still holds, in one statement per chunk, and
   * releases them; returns the ids written.
   */
  async updateLeased(trx: Kysely<Database>, records: readonly LifecycleRecord[], now: number, owner: string): Promise<Set<string>> {
    const written = new Set<string>();
    const text = (v: string | null) => sql`cast(${v} as text)`;
    const big = (v: number | null) => sql`cast(${v} as bigint)`;
    for (let i = 0; i < records.length; i += 500) {
      const rows = records.slice(i, i + 500).map(
        (r) =>
          sql`(${sql.join([
            text(r.recordingId),
            text(r.fileState),
            big(r.archiveAtMs),
            big(r.deleteAtMs),
            big(r.exportAtMs),
            big(r.exportedAtMs),
            text(r.exportIntegrationId),
            big(r.restoreUntilMs),
            big(r.dueAtMs),
            big(r.attempts),
            text(r.lastError),
          ])})`,
      );
      const result = await sql<{ recording_id: string }>`
        with v(recording_id, file_state, archive_at, delete_at, export_at, exported_at, export_integration_id, restore_until, due_at, attempts, last_error) as (values ${sql.join(rows)})
        update recording_lifecycle set
          file_state = v.file_state, archive_at = v.archive_at, delete_at = v.delete_at, export_at = v.export_at, exported_at = v.exported_at,
          export_integration_id = v.export_integration_id, restore_until = v.restore_until, due_at = v.due_at, attempts = v.attempts,
          last_error = v.last_error, lease_owner = null, lease_until = null, updated_at = ${now}
        from v
        where recording_lifecycle.recording_id = v.recording_id and recording_lifecycle.lease_owner = ${owner}
        returning recording_lifecycle.recording_id`.execute(trx);
      for (const r of result.rows) written.add(r.recording_id);
    }
    return written;
  }

  /** A failed action: remembered, and tried again at `retryAtMs`. */
  async postpone(recordingId: string, owner: string, error: string, retryAtMs: number, now: number): Promise<void> {
    await this.db.kysely
      .updateTable('recording_lifecycle')
      .set({ attempts: sql<number>`attempts + 1`, last_error: error.slice(0, 2000), due_at: retryAtMs, lease_owner: null, lease_until: null, updated_at: now })
      .where('recording_id', '=', recordingId)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** The earliest due instant of any row, for the scheduler's sleep. */
  async nextDueAt(): Promise<number | null> {
    const row = await this.db.kysely.selectFrom('recording_lifecycle').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirst();
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  /**
   * The organization's maximum retention: every recording not yet deleted gets a delete date no
   * later than its start plus `maxDays`, and becomes due then unless protected.
   */
  async capDeleteDates(orgId: string, maxMs: number, now: number): Promise<number> {
    const least = this.db.dialect === 'postgres' ? 'least' : 'min';
    const cap = sql<number>`started_at + ${maxMs}`;
    const result = await this.db.kysely
      .updateTable('recording_lifecycle')
      .set({
        delete_at: cap,
        due_at: sql<number>`case when protected = 1 then due_at when due_at is null then started_at + ${maxMs} else ${sql.raw(least)}(due_at, started_at + ${maxMs}) end`,
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('file_state', '!=', 'DELETED')
      .where((eb) => eb.or([eb('delete_at', 'is', null), eb('delete_at', '>', cap)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

function toRow(r: LifecycleRecord, now: number) {
  return {
    file_state: r.fileState,
    archive_at: r.archiveAtMs,
    delete_at: r.deleteAtMs,
    export_at: r.exportAtMs,
    exported_at: r.exportedAtMs,
    export_integration_id: r.exportIntegrationId,
    restore_until: r.restoreUntilMs,
    protected: r.protected ? 1 : 0,
    due_at: r.dueAtMs,
    attempts: r.attempts,
    last_error: r.lastError,
    decision: r.decision ? JSON.stringify(r.decision) : null,
    evaluated_at: r.evaluatedAtMs,
    updated_at: now,
  };
}

function fromRow(r: RecordingLifecycleTable): LifecycleRecord {
  return {
    recordingId: r.recording_id,
    orgId: r.org_id,
    conversationId: r.conversation_id,
    kind: r.kind as RecordingKind,
    startedAtMs: r.started_at,
    fileState: r.file_state as LifecycleFileState,
    archiveAtMs: r.archive_at,
    deleteAtMs: r.delete_at,
    exportAtMs: r.export_at,
    exportedAtMs: r.exported_at,
    exportIntegrationId: r.export_integration_id,
    restoreUntilMs: r.restore_until,
    protected: r.protected === 1,
    dueAtMs: r.due_at,
    decision: r.decision ? (JSON.parse(r.decision) as StoredDecision) : null,
    evaluatedAtMs: r.evaluated_at,
    attempts: r.attempts,
    lastError: r.last_error,
  };
}
