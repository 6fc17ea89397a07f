import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, holds, invalidPermission, patternCovers } from '../../src/domain/access/permissions.js';
import { recordingAccess, type EvaluationFacts, type Viewer } from '../../src/domain/access/recording-access.js';
import { DEFAULT_ROLES, grantsOf, roleInputSchema, type DefaultRoleId } from '../../src/domain/access/roles.js';
import type { RecordingKind } from '../../src/domain/capture/types.js';

/** The seed's "Who can listen to the recording?" table and screen-recording rules, as pure decisions. */

function viewer(role: DefaultRoleId | readonly string[], userId?: string, extra: Partial<Viewer> = {}): Viewer {
  const permissions = typeof role === 'string' ? DEFAULT_ROLES[role].permissions : role;
  const grants = grantsOf([{ permissions: [...permissions], queueScopes: {} }]);
  return { userId, permissions: grants.permissions, queueScopes: grants.queueScopes, externalPartner: false, ...extra };
}

const rec = (kind: RecordingKind, userId: string | null = null) => ({ kind, userId });
const evaluation = (evaluatorUserId: string, agentUserId: string, status: EvaluationFacts['status'] = 'PENDING'): EvaluationFacts => ({ evaluatorUserId, agentUserId, status });

describe('permissions', () => {
  it('match exactly, or through * in any segment', () => {
    expect(patternCovers('recording:recording:view', 'recording:recording:view')).toBe(true);
    expect(patternCovers('recording:*:view', 'recording:screenRecording:view')).toBe(true);
    expect(patternCovers('recording:*:*', 'recording:annotation:delete')).toBe(true);
    expect(patternCovers('*', 'audit:audit:view')).toBe(true);
    expect(patternCovers('recording:*:view', 'recording:recording:download')).toBe(false);
    expect(patternCovers('recording:recording:*', 'recording:recordingSegment:view')).toBe(false);
  });

  it('refuses malformed and unknown permissions in a role, naming them', () => {
    expect(invalidPermission('recording:recording')).toMatch(/not a permission/);
    expect(invalidPermission('recording:recordng:view')).toMatch(/names no permission/);
    expect(invalidPermission('quality:*:*')).toBeUndefined();
    const parsed = roleInputSchema.safeParse({ name: 'x', permissions: ['recording:recording:view', 'bogus:thing:do'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['permissions', 1]);
  });

  it('limit queue scopes to permissions the role grants', () => {
    const ok = roleInputSchema.safeParse({ name: 'Sales QA', permissions: ['recording:recordingSegment:view'], queueScopes: { 'recording:recordingSegment:view': ['sales'] } });
    expect(ok.success).toBe(true);
    const wrong = roleInputSchema.safeParse({ name: 'x', permissions: [], queueScopes: { 'recording:recordingSegment:view': ['sales'] } });
    expect(wrong.success).toBe(false);
  });

  it('union grants: a scope stays only when every role granting the permission is scoped', () => {
    const sales = { permissions: ['recording:recordingSegment:view'], queueScopes: { 'recording:recordingSegment:view': ['sales'] } };
    const support = { permissions: ['recording:recordingSegment:view'], queueScopes: { 'recording:recordingSegment:view': ['support'] } };
    expect([...grantsOf([sales, support]).queueScopes.get('recording:recordingSegment:view')!].sort()).toEqual(['sales', 'support']);
    expect(grantsOf([sales, { permissions: ['recording:*:view'], queueScopes: {} }]).queueScopes.has('recording:recordingSegment:view')).toBe(false);
  });

  it('every default role names only known permissions; admin holds them all', () => {
    for (const role of Object.values(DEFAULT_ROLES)) for (const p of role.permissions) expect(invalidPermission(p)).toBeUndefined();
    expect(ALL_PERMISSIONS.every((p) => holds(DEFAULT_ROLES.admin.permissions, p))).toBe(true);
  });
});

describe('who can listen to the recording (seed table)', () => {
  it('ad-hoc: "The user who made the recording." — nobody else, not even an administrator', () => {
    expect(recordingAccess(viewer('user', 'u1'), rec('adhoc', 'u1'), [])).toMatchObject({ view: 'full', download: true, basis: 'owner' });
    expect(recordingAccess(viewer('admin', 'boss'), rec('adhoc', 'u1'), [])).toMatchObject({ view: 'none' });
    expect(recordingAccess(viewer('supervisor', 's1'), rec('adhoc', 'u1'), [evaluation('s1', 'u1', 'FINISHED')])).toMatchObject({ view: 'none' });
  });

  it('policy-based: "Supervisors with the correct permissions."', () => {
    for (const kind of ['trunk', 'station', 'consult'] as const) {
      expect(recordingAccess(viewer('supervisor', 's1'), rec(kind, 'a1'), [])).toMatchObject({ view: 'full', download: true, basis: 'permission' });
    }
  });

  it('policy-based: "Evaluators assigned to evaluate an interaction." — only when assigned', () => {
    expect(recordingAccess(viewer('evaluator', 'e1'), rec('trunk'), [evaluation('e1', 'a1')])).toMatchObject({ view: 'full', download: false, basis: 'assignedEvaluator' });
    expect(recordingAccess(viewer('evaluator', 'e2'), rec('trunk'), [evaluation('e1', 'a1')])).toMatchObject({ view: 'none' });
  });

  it('policy-based: "Agents reviewing an evaluation of themselves." — once the evaluation is finished', () => {
    expect(recordingAccess(viewer('agent', 'a1'), rec('station', 'a1'), [evaluation('e1', 'a1', 'INPROGRESS')])).toMatchObject({ view: 'none' });
    expect(recordingAccess(viewer('agent', 'a1'), rec('trunk'), [evaluation('e1', 'a1', 'FINISHED')])).toMatchObject({ view: 'full', basis: 'evaluatedAgent' });
    expect(recordingAccess(viewer('agent', 'a2'), rec('trunk'), [evaluation('e1', 'a1', 'FINISHED')])).toMatchObject({ view: 'none' });
  });

  it('snippets: "Supervisors with the correct permissions." and "Agents can review their own snippet recordings that they captured"', () => {
    expect(recordingAccess(viewer('supervisor', 's1'), rec('snippet', 'a1'), [])).toMatchObject({ view: 'full', basis: 'permission' });
    expect(recordingAccess(viewer('agent', 'a1'), rec('snippet', 'a1'), [])).toMatchObject({ view: 'full', download: false, basis: 'capturedBy' });
    expect(recordingAccess(viewer('agent', 'a2'), rec('snippet', 'a1'), [])).toMatchObject({ view: 'none' });
    expect(recordingAccess(viewer('evaluator', 'e1'), rec('snippet', 'a1'), [evaluation('e1', 'a1')])).toMatchObject({ view: 'none' });
  });

  it('screen: "granted to management and supervisors by default today—but not to agents", "not downloaded"', () => {
    expect(recordingAccess(viewer('supervisor', 's1'), rec('screen', 'a1'), [])).toMatchObject({ view: 'full', download: false });
    expect(recordingAccess(viewer('admin', 'boss'), rec('screen', 'a1'), [])).toMatchObject({ view: 'full', download: false });
  });

  it('screen: "Agents do not currently have permission to view their own screen recordings."', () => {
    expect(recordingAccess(viewer('agent', 'a1'), rec('screen', 'a1'), [evaluation('e1', 'a1', 'FINISHED')])).toMatchObject({ view: 'none' });
  });

  it('screen: "External customers cannot view screen recordings." — even with the permission', () => {
    expect(recordingAccess(viewer('supervisor', 'p1', { externalPartner: true }), rec('screen', 'a1'), [])).toMatchObject({ view: 'none' });
  });

  it('segment permission limited to queues gives segments, never a download; unlimited gives the whole recording', () => {
    const scoped = grantsOf([{ permissions: ['recording:recordingSegment:view', 'recording:recording:download'], queueScopes: { 'recording:recordingSegment:view': ['q1'] } }]);
    const access = recordingAccess({ userId: 'x', ...scoped, externalPartner: false }, rec('trunk'), []);
    expect(access).toMatchObject({ view: 'segments', download: false });
    expect(access.view === 'segments' && [...access.queueIds]).toEqual(['q1']);
    expect(recordingAccess(viewer(['recording:recordingSegment:view'], 'x'), rec('trunk'), [])).toMatchObject({ view: 'full', basis: 'segmentPermission' });
    expect(recordingAccess({ userId: 'x', ...scoped, externalPartner: false }, rec('snippet', 'a1'), [])).toMatchObject({ view: 'none' });
  });
});
