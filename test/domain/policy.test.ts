import { describe, expect, it } from 'vitest';
import { foldConversation } from '../../src/domain/conversation.js';
import { mergeEvents } from '../../src/domain/timeline/order.js';
import { pendingWrapups, policyFacts, type PolicyFacts, type RecordingFacts } from '../../src/domain/policy/facts.js';
import { evaluatePolicies, type RetentionSettings } from '../../src/domain/policy/evaluate.js';
import { policyInputSchema, type MediaPolicyInput, type Policy } from '../../src/domain/policy/schema.js';
import { DAY_MS } from '../../src/domain/policy/time.js';
import { Call, org, T0 } from '../support/call.js';

/** Retention policies evaluated at conversation end (seed: "policies apply only to future interactions"). */

function facts(call: Call): PolicyFacts {
  const { events } = mergeEvents([], call.domainEvents());
  const folded = foldConversation(call.conversationId, events, org({ users: { ua: { screenRecording: true } } }), { windowMs: 0 });
  return policyFacts(folded.state.conversation, folded.applied)!;
}

/** C calls in, waits in queue q1, agent A (user ua) answers; 3 minutes; wrap-up code "sale". */
const acdCall = (language?: string) =>
  new Call('c-acd')
    .start(0, 'inbound', language ? { language } : {})
    .join(0, 'c', 'customer')
    .join(0, 'acd', 'acd')
    .queue(0, 'c', 'q1')
    .join(20, 'a', 'agent')
    .talk(20, 'c', 'a')
    .leave(20, 'acd')
    .leave(180, 'c')
    .wrapup(180, 'a')
    .end(180)
    .wrapupDone(200, 'a', 'sale');

let nextId = 0;
function policy(name: string, call: MediaPolicyInput, options: { enabledAtMs?: number | null; order?: number; enabled?: boolean } = {}): Policy {
  const definition = policyInputSchema.parse({ name, enabled: options.enabled ?? true, order: options.order, mediaPolicies: { callPolicy: call } });
  return { id: `p${++nextId}`, definition, createdAtMs: T0 - DAY_MS, modifiedAtMs: T0 - DAY_MS, enabledAtMs: options.enabledAtMs === undefined ? T0 - DAY_MS : options.enabledAtMs };
}

const SETTINGS: RetentionSettings = { snippetRetentionDays: 90, maxInteractionRetentionDays: null };
const NOW = T0 + 300_000;
const trunk: RecordingFacts = { id: 'r-trunk', kind: 'trunk', userId: null, startedAtMs: T0 };

function decide(f: PolicyFacts, policies: Policy[], recordings: RecordingFacts[] = [trunk], settings = SETTINGS) {
  return evaluatePolicies({ facts: f, recordings, policies, settings, nowMs: NOW });
}
const keep = (days: number, archiveDays?: number) => ({
  retainRecording: true,
  retentionDuration: { deleteRetention: { days }, ...(archiveDays ? { archiveRetention: { days: archiveDays } } : {}) },
});

describe('facts a policy looks at', () => {
  it('users, queues, wrap-up codes, direction, language and duration come from the timeline', () => {
    expect(facts(acdCall('fr-FR'))).toEqual({
      conversationId: 'c-acd',
      startedAtMs: T0,
      endedAtMs: T0 + 180_000,
      direction: 'inbound',
      userIds: ['ua'],
      agentUserIds: ['ua'],
      queueIds: ['q1'],
      wrapupCodes: ['sale'],
      languages: ['fr-FR'],
    });
  });

  it('an agent still in after-call work holds the evaluation back (wrap-up codes are conditions)', () => {
    const call = new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').leave(60, 'c').wrapup(60, 'a').end(60);
    const { events } = mergeEvents([], call.domainEvents());
    const folded = foldConversation(call.conversationId, events, org(), { windowMs: 0 });
    expect(pendingWrapups(folded.state.conversation)).toEqual(['a']);
  });
});

describe('each condition', () => {
  const f = facts(acdCall('fr-FR'));
  const cases: Array<[string, MediaPolicyInput['conditions'], MediaPolicyInput['conditions']]> = [
    ['forUsers', { forUsers: [{ id: 'ub' }, { id: 'ua' }] }, { forUsers: [{ id: 'ub' }] }],
    ['directions', { directions: ['INBOUND'] }, { directions: ['OUTBOUND'] }],
    ['forQueues', { forQueues: [{ id: 'q1' }] }, { forQueues: [{ id: 'q2' }] }],
    ['wrapupCodes', { wrapupCodes: [{ id: 'sale' }] }, { wrapupCodes: [{ id: 'complaint' }] }],
    ['languages (case-insensitive)', { languages: [{ id: 'FR-fr' }] }, { languages: [{ id: 'en-US' }] }],
    ['dateRanges', { dateRanges: ['2026-01-01T00:00:00Z/2026-01-02T00:00:00Z'] }, { dateRanges: ['2026-01-02/2026-01-03'] }],
    [
      'timeAllowed (09:00 UTC on Thursday 2026-01-01 is 10:00 in Paris)',
      { timeAllowed: { timeZoneId: 'Europe/Paris', timeSlots: [{ startTime: '10:00:00.000', stopTime: '11:00:00.000', day: 4 }] } },
      { timeAllowed: { timeZoneId: 'UTC', timeSlots: [{ startTime: '10:00', stopTime: '11:00', day: 4 }] } },
    ],
    ['duration Over', { duration: { durationMode: 'Over', durationRange: 'PT2M' } }, { duration: { durationMode: 'Over', durationRange: 'PT5M' } }],
    ['duration Under', { duration: { durationMode: 'Under', durationRange: 'PT5M' } }, { duration: { durationMode: 'Under', durationRange: 'PT1M' } }],
    ['duration Between', { duration: { durationMode: 'Between', durationRange: 'PT1M/PT4M' } }, { duration: { durationMode: 'Between', durationRange: 'PT4M/PT9M' } }],
  ];
  for (const [name, matching, failing] of cases) {
    it(`${name}: applies when it holds, not otherwise`, () => {
      const yes = decide(f, [policy('yes', { conditions: matching, actions: keep(30) })]).decisions[0]!;
      expect(yes.rule).toBe('policy');
      expect(yes.deleteAtMs).toBe(T0 + 30 * DAY_MS);
      expect(yes.matched[0]!.reasons.length).toBeGreaterThan(0);
      const no = decide(f, [policy('no', { conditions: failing, actions: keep(30) })]).decisions[0]!;
      expect(no.rule).toBe('keptByDefault');
      expect(no.deleteAtMs).toBeNull();
    });
  }

  it('all conditions of a policy must hold', () => {
    const both = policy('both', { conditions: { directions: ['INBOUND'], forQueues: [{ id: 'q9' }] }, actions: keep(30) });
    expect(decide(f, [both]).decisions[0]!.matched).toEqual([]);
  });

  it('the reasons say which conditions held', () => {
    const p = policy('sales', { conditions: { directions: ['INBOUND'], forQueues: [{ id: 'q1' }], wrapupCodes: [{ id: 'sale' }] }, actions: keep(365) });
    expect(decide(f, [p]).decisions[0]!.matched[0]!.reasons).toEqual(['direction INBOUND', 'queue q1', 'wrap-up code sale']);
  });
});

describe('each action', () => {
  const f = facts(acdCall());

  it('retentionDuration: archived after N days, deleted after M days, counted from the recording\'s start', () => {
    const d = decide(f, [policy('p', { actions: keep(365, 30) })]).decisions[0]!;
    expect(d).toMatchObject({ archiveAtMs: T0 + 30 * DAY_MS, deleteAtMs: T0 + 365 * DAY_MS, rule: 'policy' });
  });

  it('retainRecording without a duration keeps it indefinitely', () => {
    expect(decide(f, [policy('p', { actions: { retainRecording: true } })]).decisions[0]).toMatchObject({ deleteAtMs: null, rule: 'policy' });
  });

  it('deleteRecording (with retainRecording false) deletes at once', () => {
    expect(decide(f, [policy('p', { actions: { retainRecording: false, deleteRecording: true } })]).decisions[0]).toMatchObject({ deleteAtMs: NOW });
  });

  it('alwaysDelete deletes at once', () => {
    expect(decide(f, [policy('p', { actions: { alwaysDelete: true } })]).decisions[0]).toMatchObject({ deleteAtMs: NOW, rule: 'alwaysDelete' });
  });

  it('integrationExport exports at once to the integration; screen recordings unless told not to', () => {
    const screen: RecordingFacts = { id: 'r-screen', kind: 'screen', userId: 'ua', startedAtMs: T0 + 20_000 };
    const out = decide(f, [policy('p', { actions: { integrationExport: { integration: { id: 's3' }, shouldExportScreenRecordings: false } } })], [trunk, screen]);
    expect(out.decisions[0]).toMatchObject({ exportAtMs: NOW, exportIntegrationId: 's3' });
    expect(out.decisions[1]).toMatchObject({ exportAtMs: null, exportIntegrationId: null });
  });

  it('assignEvaluations asks for an evaluation of the first agent connected', () => {
    const out = decide(f, [policy('qa', { actions: { assignEvaluations: [{ evaluationForm: { id: 'form-1' }, user: { id: 'ub' } }] } })]);
    expect(out.evaluations).toEqual([{ policyId: expect.any(String), evaluationFormId: 'form-1', evaluatorUserId: 'ub', agentUserId: 'ua' }]);
  });

  it('initiateScreenRecording retention governs screen recordings, not audio', () => {
    const screen: RecordingFacts = { id: 'r-screen', kind: 'screen', userId: 'ua', startedAtMs: T0 };
    const p = policy('screens', { actions: { ...keep(400), initiateScreenRecording: { deleteRetention: { days: 60 } } } });
    const [audio, video] = decide(f, [p], [trunk, screen]).decisions;
    expect(audio!.deleteAtMs).toBe(T0 + 400 * DAY_MS);
    expect(video!.deleteAtMs).toBe(T0 + 60 * DAY_MS);
  });
});

describe('non-retroactivity — "Policies run against any interactions that occur after you publish the policy"', () => {
  const f = facts(acdCall());

  it('a policy enabled after the conversation started does not apply, and the decision says why', () => {
    const late = policy('late', { actions: { alwaysDelete: true } }, { enabledAtMs: T0 + 1 });
    const d = decide(f, [late]).decisions[0]!;
    expect(d.rule).toBe('keptByDefault');
    expect(d.deleteAtMs).toBeNull();
    expect(d.notYetEnabled).toEqual([{ policyId: late.id, name: 'late', enabledAtMs: T0 + 1 }]);
    expect(d.explanation[0]).toMatch(/not retroactive/);
  });

  it('a policy enabled at the very instant the conversation started applies', () => {
    expect(decide(f, [policy('on time', { actions: keep(10) }, { enabledAtMs: T0 })]).decisions[0]!.rule).toBe('policy');
  });

  it('a disabled policy does not apply', () => {
    expect(decide(f, [policy('off', { actions: keep(10) }, { enabled: false, enabledAtMs: null })]).decisions[0]!.matched).toEqual([]);
  });
});

describe('overlapping policies — "the recording is kept for the longest of their retentions"', () => {
  const f = facts(acdCall());

  it('the longest retention wins, and the archive date is the winner\'s', () => {
    const d = decide(f, [policy('short', { actions: keep(30, 10) }), policy('long', { actions: keep(400, 100) }), policy('mid', { actions: keep(90) })]).decisions[0]!;
    expect(d).toMatchObject({ deleteAtMs: T0 + 400 * DAY_MS, archiveAtMs: T0 + 100 * DAY_MS });
    expect(d.matched.map((m) => m.name).sort()).toEqual(['long', 'mid', 'short']);
    expect(d.explanation.join(' ')).toMatch(/"long" matched .* keeps for 400 days, archiving after 100 days.*3 policies matched and the longest retention wins/);
  });

  it('indefinite retention outlasts any number of days; deleting at once loses to keeping', () => {
    expect(decide(f, [policy('a', { actions: keep(3650) }), policy('b', { actions: { retainRecording: true } })]).decisions[0]!.deleteAtMs).toBeNull();
    expect(decide(f, [policy('a', { actions: { retainRecording: false, deleteRecording: true } }), policy('b', { actions: keep(7) })]).decisions[0]!.deleteAtMs).toBe(T0 + 7 * DAY_MS);
  });

  it('an explicit alwaysDelete wins over retention', () => {
    const d = decide(f, [policy('keep', { actions: keep(3650) }), policy('purge', { actions: { alwaysDelete: true } })]).decisions[0]!;
    expect(d).toMatchObject({ rule: 'alwaysDelete', deleteAtMs: NOW, archiveAtMs: null });
  });

  it('a policy with no retention action (evaluations only) does not shorten or lengthen another\'s', () => {
    const qa = policy('qa', { actions: { assignEvaluations: [{ evaluationForm: { id: 'f' }, user: { id: 'ub' } }] } });
    expect(decide(f, [qa, policy('p', { actions: keep(30) })]).decisions[0]!.deleteAtMs).toBe(T0 + 30 * DAY_MS);
  });
});

describe('defaults and caps', () => {
  const f = facts(acdCall());

  it('"If you enable recording on the SIP trunk, then Genesys Cloud retains recordings of all external calls by default, even without any defined policies"', () => {
    const d = decide(f, []).decisions[0]!;
    expect(d).toMatchObject({ rule: 'keptByDefault', deleteAtMs: null, archiveAtMs: null });
    expect(d.explanation[0]).toMatch(/external calls are kept indefinitely/);
  });

  it('"The default retention period of the snippet recording can be configured" — unless a policy says otherwise', () => {
    const snippet: RecordingFacts = { id: 'r-snip', kind: 'snippet', userId: 'ua', startedAtMs: T0 + 60_000 };
    expect(decide(f, [], [snippet], { ...SETTINGS, snippetRetentionDays: 14 }).decisions[0]).toMatchObject({ rule: 'snippetDefault', deleteAtMs: T0 + 60_000 + 14 * DAY_MS });
    expect(decide(f, [policy('p', { actions: keep(100) })], [snippet]).decisions[0]).toMatchObject({ rule: 'policy', deleteAtMs: T0 + 60_000 + 100 * DAY_MS });
  });

  it('screen recordings are kept at most one year, whatever a policy says', () => {
    const screen: RecordingFacts = { id: 'r-screen', kind: 'screen', userId: 'ua', startedAtMs: T0 };
    expect(decide(f, [policy('forever', { actions: { retainRecording: true } })], [screen]).decisions[0]).toMatchObject({ deleteAtMs: T0 + 365 * DAY_MS, caps: ['screenMaximum'] });
    expect(decide(f, [], [screen]).decisions[0]).toMatchObject({ rule: 'screenDefault', deleteAtMs: T0 + 365 * DAY_MS });
  });

  it('the organization\'s maximum retention caps every recording, with or without a policy', () => {
    const settings = { ...SETTINGS, maxInteractionRetentionDays: 180 };
    expect(decide(f, [], [trunk], settings).decisions[0]).toMatchObject({ deleteAtMs: T0 + 180 * DAY_MS, caps: ['orgMaximum'] });
    expect(decide(f, [policy('p', { actions: keep(365, 200) })], [trunk], settings).decisions[0]).toMatchObject({ deleteAtMs: T0 + 180 * DAY_MS, archiveAtMs: null });
    expect(decide(f, [policy('p', { actions: keep(30) })], [trunk], settings).decisions[0]).toMatchObject({ deleteAtMs: T0 + 30 * DAY_MS, caps: [] });
  });

  it('ad-hoc recordings are their owner\'s: policies do not govern them', () => {
    const adhoc: RecordingFacts = { id: 'r-adhoc', kind: 'adhoc', userId: 'u1', startedAtMs: T0 };
    expect(decide(f, [policy('purge', { actions: { alwaysDelete: true } })], [adhoc]).decisions[0]).toMatchObject({ rule: 'userRecording', deleteAtMs: null });
  });
});

describe('validation', () => {
  const issues = (body: unknown) =>
    policyInputSchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${(i as { params?: { errorCode?: string } }).params?.errorCode ?? i.code}`) ?? [];
  const call = (p: unknown) => ({ name: 'x', mediaPolicies: { callPolicy: p } });

  it('names every invalid field with a stable code', () => {
    expect(issues({})).toEqual(['name: invalid_type']);
    expect(issues(call({ actions: { retentionDuration: { archiveRetention: { days: 400 }, deleteRetention: { days: 365 } } } }))).toEqual([
      'mediaPolicies.callPolicy.actions.retentionDuration.archiveRetention.days: policy.archiveAfterDelete',
    ]);
    expect(issues(call({ actions: { retainRecording: false } }))).toEqual(['mediaPolicies.callPolicy.actions.retainRecording: policy.noRetentionAction']);
    expect(issues(call({ actions: { initiateScreenRecording: { deleteRetention: { days: 400 } } } }))).toEqual([
      'mediaPolicies.callPolicy.actions.initiateScreenRecording.deleteRetention.days: policy.screenRetentionTooLong',
    ]);
    expect(issues(call({ conditions: { duration: { durationMode: 'Between', durationRange: 'PT5M' } } }))).toEqual([
      'mediaPolicies.callPolicy.conditions.duration.durationRange: policy.invalidDuration',
    ]);
    expect(issues(call({ conditions: { directions: ['SIDEWAYS'] } }))).toEqual(['mediaPolicies.callPolicy.conditions.directions.0: invalid_value']);
    expect(issues(call({ actions: { integrationExport: {} } }))).toEqual(['mediaPolicies.callPolicy.actions.integrationExport.integration: invalid_type']);
  });

  it('accepts what the reference SDK sends, ignoring fields it does not know', () => {
    const parsed = policyInputSchema.parse({
      name: 'p1',
      enabled: true,
      selfUri: '/x',
      mediaPolicies: {
        callPolicy: {
          conditions: { directions: ['INBOUND'], forUsers: [{ id: 'u1', name: 'U', selfUri: '/api/v2/users/u1' }], teams: [] },
          actions: { retainRecording: true, mediaTranscriptions: [], retentionDuration: { archiveRetention: { days: 30, storageMedium: 'CLOUDARCHIVE' }, deleteRetention: { days: 365 } } },
        },
      },
    });
    expect(parsed.mediaPolicies!.callPolicy!.conditions!.forUsers).toEqual([{ id: 'u1' }]);
    expect(parsed).not.toHaveProperty('selfUri');
  });
});
