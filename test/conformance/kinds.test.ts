import { describe, expect, it } from 'vitest';
import { Call, kept, org, planOf, recording, spans } from '../support/call.js';

/** The seed's three recording categories (user, policy-based, snippet) and screen recording. */

/** A non-ACD ("Communicate") call between U1 and an external party. */
function communicateCall() {
  return new Call().start(0, 'outbound').join(0, 'u1', 'user').talk(0, 'u1').join(3, 'c', 'customer').talk(3, 'c');
}

/** An ACD call: C through queue q1 to agent A. */
function acdCall() {
  return new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'acd', 'acd').queue(0, 'c').join(5, 'a', 'agent').talk(5, 'c', 'a').leave(5, 'acd');
}

describe('User (ad-hoc) recording — "A Genesys Cloud user starts the recording during a Communicate call."', () => {
  it('"users can record calls manually one at a time" — start and stop by the user, owned by that user', () => {
    const call = communicateCall().adhoc(10, 'u1', true).adhoc(20, 'u1', false).leave(30, 'c').leave(30, 'u1').end(30);
    const { plan } = planOf(call, org({ trunk: { recording: false } }));
    expect(kept(plan)).toEqual(['adhoc:u1:1']);
    const rec = recording(plan, 'adhoc:u1:1');
    expect(rec.spec).toMatchObject({ kind: 'adhoc', userId: 'u1', fileRole: 'ADHOC' });
    expect(spans(plan, 'adhoc:u1:1')).toEqual([{ from: 10, to: 20, captured: true, ch1: ['u1'], ch2: ['c'] }]);
  });

  it('"Users can make this kind of recording for interactions with both internal and external users"', () => {
    const call = new Call().start(0, 'internal').join(0, 'u1', 'user').join(0, 'u2', 'user').talk(0, 'u1', 'u2').adhoc(5, 'u2', true).leave(15, 'u1').leave(15, 'u2').end(15);
    const { plan } = planOf(call);
    expect(kept(plan)).toEqual(['adhoc:u2:1']);
    expect(spans(plan, 'adhoc:u2:1')).toEqual([{ from: 5, to: 15, captured: true, ch1: ['u2'], ch2: ['u1'] }]);
  });

  it('a user may record the same call again: each start makes a new recording', () => {
    const call = communicateCall().adhoc(5, 'u1', true).adhoc(8, 'u1', false).adhoc(12, 'u1', true).leave(20, 'c').leave(20, 'u1').end(20);
    const { plan } = planOf(call, org({ trunk: { recording: false } }));
    expect(kept(plan)).toEqual(['adhoc:u1:1', 'adhoc:u1:2']);
    expect(recording(plan, 'adhoc:u1:2').stoppedAtMs).toBeDefined();
  });

  it('ad-hoc recording is refused on ACD calls (agents record snippets there)', () => {
    expect(() => planOf(acdCall().adhoc(10, 'ua', true))).toThrow(expect.objectContaining({ code: 'capture.adhocOnAcd' }));
  });

  it('stopping an ad-hoc recording that was never started is an impossible sequence', () => {
    expect(() => planOf(communicateCall().adhoc(10, 'u1', false))).toThrow(expect.objectContaining({ code: 'capture.noAdhoc' }));
  });
});

describe('Snippet recording — "An agent starts and stops the recording when they are handling an ACD call."', () => {
  it('"capture multiple snippets within the same conversation" — each start/stop pair is one snippet from the agent\'s perspective', () => {
    const call = acdCall().snippet(10, 'a', true).snippet(15, 'a', false).snippet(20, 'a', true).snippet(28, 'a', false).leave(40, 'c').leave(40, 'a').end(40);
    const { plan } = planOf(call, org({ trunk: { recording: false } }));
    expect(kept(plan)).toEqual(['snippet:a:1', 'snippet:a:2']);
    expect(spans(plan, 'snippet:a:1')).toEqual([{ from: 10, to: 15, captured: true, ch1: ['a'], ch2: ['c'] }]);
    expect(spans(plan, 'snippet:a:2')).toEqual([{ from: 20, to: 28, captured: true, ch1: ['a'], ch2: ['c'] }]);
    expect(recording(plan, 'snippet:a:1').spec).toMatchObject({ kind: 'snippet', userId: 'ua', fileRole: 'CUSTOMER_EXPERIENCE' });
  });

  it('a snippet still running when the agent disconnects ends with the agent', () => {
    const call = acdCall().snippet(10, 'a', true).leave(30, 'c').leave(30, 'a').end(30);
    const { plan } = planOf(call);
    expect(recording(plan, 'snippet:a:1').stoppedAtMs).toBe(Date.parse('2026-01-01T09:00:30.000Z'));
  });

  it('snippets exist beside trunk-side recording ("available in the Interaction Details view ..., similar to policy-based recordings")', () => {
    const call = acdCall().snippet(10, 'a', true).snippet(15, 'a', false).leave(40, 'c').leave(40, 'a').end(40);
    expect(kept(planOf(call).plan)).toEqual(['snippet:a:1', 'trunk:c']);
  });

  it('snippets are refused on non-ACD calls', () => {
    const call = new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'u1', 'user').talk(0, 'c', 'u1').snippet(5, 'u1', true);
    expect(() => planOf(call)).toThrow(expect.objectContaining({ code: 'capture.snippetNotAcd' }));
  });
});

describe('Screen recording (screen-recording.txt)', () => {
  const screenOrg = (user: Record<string, unknown> = {}) => org({ users: { ua: { screenRecording: true, ...user }, ub: { screenRecording: true } } });
  const acw = () => acdCall().leave(40, 'c').wrapup(40, 'a').end(40).wrapupDone(55, 'a', 'resolved');

  it('"Screen recordings start when the agent answers the ACD call, and end after the ACW (wrap-up) work has been completed."', () => {
    const { plan } = planOf(acw(), screenOrg());
    const rec = recording(plan, 'screen:a');
    expect(rec.status).toBe('stopped');
    expect(rec.startedAtMs).toBe(Date.parse('2026-01-01T09:00:05.000Z'));
    expect(rec.stoppedAtMs).toBe(Date.parse('2026-01-01T09:00:55.000Z'));
    expect(rec.spec).toMatchObject({ kind: 'screen', userId: 'ua', maxMonitors: 4 });
  });

  it('"All audio and all monitors (up to a max of 4 screens) are recorded."', () => {
    expect(recording(planOf(acw(), screenOrg()).plan, 'screen:a').spec.maxMonitors).toBe(4);
  });

  it('"Screen recordings are only captured for ACD calls."', () => {
    const call = communicateCall().leave(20, 'c').leave(20, 'u1').end(20);
    const { plan } = planOf(call, org({ users: { u1: { screenRecording: true } } }));
    expect(plan.recordings.filter((r) => r.spec.kind === 'screen')).toEqual([]);
  });

  it('"Screen recordings are not generated for external partners/users"', () => {
    const { plan, state } = planOf(acw(), screenOrg({ externalPartner: true }));
    expect(plan.recordings.filter((r) => r.spec.kind === 'screen')).toEqual([]);
    expect(state.notes).toContainEqual(expect.objectContaining({ kind: 'screen', participantId: 'a', reason: 'externalPartner' }));
  });

  it('"When a call is passed between multiple users" there is no screen recording (ours: for none of them)', () => {
    const call = acdCall()
      .join(20, 'b', 'agent')
      .transfer(20, 'blind', 'a', 'b')
      .wrapup(20, 'a')
      .talk(21, 'b')
      .wrapupDone(25, 'a')
      .leave(25, 'a')
      .leave(40, 'c')
      .leave(40, 'b')
      .end(40);
    const { plan, state } = planOf(call, screenOrg());
    expect(recording(plan, 'screen:a')).toMatchObject({ status: 'discarded', discardReason: 'passedBetweenUsers' });
    expect(plan.recordings.some((r) => r.spec.key === 'screen:b')).toBe(false);
    expect(state.screenBlocked).toBe('passedBetweenUsers');
  });

  it('a monitoring supervisor does not count as the call being passed to another user', () => {
    const call = acdCall().join(10, 's', 'monitor').monitor(10, 's', 'a', 'monitor').monitorEnd(20, 's').leave(20, 's').leave(40, 'c').wrapup(40, 'a').end(40).wrapupDone(45, 'a');
    expect(recording(planOf(call, screenOrg()).plan, 'screen:a').status).toBe('stopped');
  });

  it('"Stops capturing during a secure pause" applies to the screen too', () => {
    const call = acdCall().securePause(10, true).securePause(20, false).leave(40, 'c').wrapup(40, 'a').end(40).wrapupDone(45, 'a');
    expect(spans(planOf(call, screenOrg()).plan, 'screen:a')).toEqual([
      { from: 5, to: 10, captured: true, ch1: [], ch2: [] },
      { from: 10, to: 20, captured: false, reason: 'SecurePause', ch1: [], ch2: [] },
      { from: 20, to: 45, captured: true, ch1: [], ch2: [] },
    ]);
  });
});
