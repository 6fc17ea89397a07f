/**
 * A recording's life after capture (pure): where its media is (the hot store, the archive, a
 * temporary restored copy, or gone), which dated actions are pending, and which is due first.
 * The scheduler asks `nextAction` for a recording whose `dueAtMs` has come, performs it, applies
 * `afterAction`, and stores `dueAt` of the result as the recording's next due instant.
 */

/**
 * The reference's `fileState` values a recording passes through here, plus DELETING: a deletion
 * decided and committed before any byte is removed, so that it finishes after a crash and cannot
 * race with protection being applied meanwhile.
 */
export type LifecycleFileState = 'AVAILABLE' | 'ARCHIVED' | 'RESTORING' | 'RESTORED' | 'DELETING' | 'DELETED';

export interface LifecycleState {
  readonly fileState: LifecycleFileState;
  readonly archiveAtMs: number | null;
  readonly deleteAtMs: number | null;
  readonly exportAtMs: number | null;
  readonly exportedAtMs: number | null;
  readonly exportIntegrationId: string | null;
  /** While RESTORED: when the restored copy goes back to the archive. */
  readonly restoreUntilMs: number | null;
  /** Protection from deletion: "overrides every deletion date while it is in place". */
  readonly protected: boolean;
}

export type LifecycleAction = 'export' | 'delete' | 'restore' | 'rearchive' | 'archive';

const exportPending = (s: LifecycleState) =>
  s.exportAtMs !== null && s.exportIntegrationId !== null && (s.exportedAtMs === null || s.exportedAtMs < s.exportAtMs);

/** Each pending action with its instant; delete is absent while protected. */
function pending(s: LifecycleState): Array<[LifecycleAction, number]> {
  if (s.fileState === 'DELETED') return [];
  if (s.fileState === 'DELETING') return [['delete', Number.NEGATIVE_INFINITY]];
  const out: Array<[LifecycleAction, number]> = [];
  // Export before delete: a recording due for both leaves a copy first.
  if (exportPending(s)) out.push(['export', s.exportAtMs!]);
  if (s.deleteAtMs !== null && !s.protected) out.push(['delete', s.deleteAtMs]);
  if (s.fileState === 'RESTORING') out.push(['restore', Number.NEGATIVE_INFINITY]);
  if (s.fileState === 'RESTORED' && s.restoreUntilMs !== null) out.push(['rearchive', s.restoreUntilMs]);
  if (s.fileState === 'AVAILABLE' && s.archiveAtMs !== null) out.push(['archive', s.archiveAtMs]);
  return out;
}

/** The action to perform now, if any: the first in the order above among those due. */
export function nextAction(s: LifecycleState, nowMs: number): LifecycleAction | undefined {
  return pending(s).find(([, at]) => at <= nowMs)?.[0];
}

/** When the scheduler must look at the recording next; null when nothing is pending. */
export function dueAt(s: LifecycleState): number | null {
  const times = pending(s).map(([, at]) => at);
  if (times.length === 0) return null;
  const first = Math.min(...times);
  return first === Number.NEGATIVE_INFINITY ? 0 : first;
}

/** The state once `action` has been carried out at `nowMs`. */
export function afterAction(s: LifecycleState, action: LifecycleAction, nowMs: number): LifecycleState {
  switch (action) {
    case 'export':
      return { ...s, exportedAtMs: nowMs };
    case 'delete':
      return { ...s, fileState: 'DELETED', restoreUntilMs: null };
    case 'archive':
      return { ...s, fileState: 'ARCHIVED' };
    case 'restore':
      return { ...s, fileState: 'RESTORED' };
    case 'rearchive':
      return { ...s, fileState: 'ARCHIVED', restoreUntilMs: null };
  }
}
