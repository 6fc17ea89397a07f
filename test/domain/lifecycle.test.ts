import { describe, expect, it } from 'vitest';
import { applyJob, actionInstant, assertTransition, recordingJobsQuerySchema, skipsKind } from '../../src/domain/jobs/recording-job.js';
import { afterAction, dueAt, nextAction, type LifecycleState } from '../../src/domain/retention/lifecycle.js';

const base: LifecycleState = {
  fileState: 'AVAILABLE',
  archiveAtMs: null,
  deleteAtMs: null,
  exportAtMs: null,
  exportedAtMs: null,
  exportIntegrationId: null,
  restoreUntilMs: null,
  protected: false,
};

describe('recording lifecycle', () => {
  it('nothing pending: nothing due', () => {
    expect(dueAt(base)).toBeNull();
    expect(nextAction(base, 1e15)).toBeUndefined();
  });

  it('archive, then delete, each at its date', () => {
    let s: LifecycleState = { ...base, archiveAtMs: 100, deleteAtMs: 500 };
    expect(dueAt(s)).toBe(100);
    expect(nextAction(s, 99)).toBeUndefined();
    expect(nextAction(s, 100)).toBe('archive');
    s = afterAction(s, 'archive', 100);
    expect(s.fileState).toBe('ARCHIVED');
    expect(dueAt(s)).toBe(500);
    expect(nextAction(s, 500)).toBe('delete');
    s = afterAction(s, 'delete', 500);
    expect(s.fileState).toBe('DELETED');
    expect(dueAt(s)).toBeNull();
  });

  it('a recording due for export and deletion is exported first', () => {
    const s: LifecycleState = { ...base, exportAtMs: 100, exportIntegrationId: 's3', deleteAtMs: 100 };
    expect(nextAction(s, 100)).toBe('export');
    expect(nextAction(afterAction(s, 'export', 100), 100)).toBe('delete');
  });

  it('an export needs an integration, and runs again when a later export date is set', () => {
    expect(dueAt({ ...base, exportAtMs: 100 })).toBeNull();
    const exported = afterAction({ ...base, exportAtMs: 100, exportIntegrationId: 's3' }, 'export', 150);
    expect(dueAt(exported)).toBeNull();
    expect(nextAction({ ...exported, exportAtMs: 200 }, 200)).toBe('export');
  });

  it('"Protection from deletion overrides every deletion date while it is in place"; revoking restores it', () => {
    const s: LifecycleState = { ...base, deleteAtMs: 100, protected: true };
    expect(nextAction(s, 1000)).toBeUndefined();
    expect(dueAt(s)).toBeNull();
    expect(nextAction({ ...s, protected: false }, 1000)).toBe('delete');
  });

  it('a deletion once under way completes, protected or not (it was decided first)', () => {
    const deleting: LifecycleState = { ...base, fileState: 'DELETING', deleteAtMs: 100, protected: true };
    expect(nextAction(deleting, 0)).toBe('delete');
    expect(dueAt(deleting)).toBe(0);
  });

  it('restoring brings an archived recording back at once, until a set time, then it returns to the archive', () => {
    const restoring: LifecycleState = { ...base, fileState: 'RESTORING', restoreUntilMs: 900 };
    expect(dueAt(restoring)).toBe(0);
    expect(nextAction(restoring, 10)).toBe('restore');
    const restored = afterAction(restoring, 'restore', 10);
    expect(restored.fileState).toBe('RESTORED');
    expect(dueAt(restored)).toBe(900);
    expect(nextAction(restored, 900)).toBe('rearchive');
    expect(afterAction(restored, 'rearchive', 900)).toMatchObject({ fileState: 'ARCHIVED', restoreUntilMs: null });
  });
});

describe('bulk job rules', () => {
  const q = (body: Record<string, unknown>) =>
    recordingJobsQuerySchema.parse({ conversationQuery: { interval: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' }, ...body });

  it('states move PENDING → READY → PROCESSING → FULFILLED, and may be cancelled until finished', () => {
    expect(() => assertTransition('j', 'PENDING', 'READY')).not.toThrow();
    expect(() => assertTransition('j', 'READY', 'PROCESSING')).not.toThrow();
    expect(() => assertTransition('j', 'PROCESSING', 'CANCELLED')).not.toThrow();
    expect(() => assertTransition('j', 'PENDING', 'PROCESSING')).toThrow(expect.objectContaining({ code: 'job.invalidState' }));
    expect(() => assertTransition('j', 'FULFILLED', 'CANCELLED')).toThrow(expect.objectContaining({ code: 'job.invalidState' }));
  });

  it('include flags leave recordings out by kind; ad-hoc recordings are never touched', () => {
    const job = q({ action: 'DELETE', actionAge: 1, includeScreenRecordings: false });
    expect(skipsKind(job, 'screen')).toBe(true);
    expect(skipsKind(job, 'trunk')).toBe(false);
    expect(skipsKind(job, 'adhoc')).toBe(true);
  });

  it('actionAge counts from each recording\'s start; screen recordings may have their own date', () => {
    const job = q({ action: 'ARCHIVE', actionAge: 2, screenRecordingActionDate: '2027-01-01T00:00:00Z' });
    expect(actionInstant(job, 'trunk', 1000, 5)).toBe(1000 + 2 * 86_400_000);
    expect(actionInstant(job, 'screen', 1000, 5)).toBe(Date.parse('2027-01-01T00:00:00Z'));
  });

  it('DELETE fails on protected recordings; EXPORT does not outlive the delete date', () => {
    const del = q({ action: 'DELETE', actionDate: '2026-02-01T00:00:00Z' });
    expect(applyJob(del, { ...base, protected: true }, 5)).toMatchObject({ kind: 'failed', errorCode: 'recording.protected' });
    expect(applyJob(del, { ...base, fileState: 'DELETED' }, 5)).toMatchObject({ kind: 'skipped' });
    const exp = q({ action: 'EXPORT', integrationId: 's3' });
    expect(applyJob(exp, { ...base, deleteAtMs: 10 }, 50)).toMatchObject({ kind: 'applied', state: { exportAtMs: 10, exportIntegrationId: 's3' } });
  });

  it('rejects inconsistent jobs with field-level reasons', () => {
    const codes = (body: Record<string, unknown>) =>
      recordingJobsQuerySchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${(i as { params?: { errorCode?: string } }).params?.errorCode ?? i.code}`);
    expect(codes({ action: 'DELETE', conversationQuery: { interval: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' } })).toEqual(['actionDate: job.missingDate']);
    expect(codes({ action: 'EXPORT', conversationQuery: { interval: 'yesterday' } })).toEqual(['conversationQuery.interval: query.invalidInterval', 'integrationId: job.missingIntegration']);
    expect(codes({ action: 'ARCHIVE', actionAge: 1 })).toEqual(['conversationQuery: job.missingQuery']);
  });
});
