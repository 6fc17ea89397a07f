import { describe, expect, it } from 'vitest';
import { Call, kept, org, planOf, recording, spans, stationsOn } from '../support/call.js';

/**
 * The seed's table "recording outcome across various call scenarios" (recording-categories.txt),
 * row by row, for trunk-side (TS) and station-side (SS) recording; CONFORMANCE.md's scenario table
 * says what each channel holds. Each test name quotes the seed.
 */

/** Inbound ACD: IVR flow f1 (0-10 s), queue q1 (10-20 s), agent A (20-60 s); customer hangs up at 60 s. */
function inboundAcd() {
  return new Call()
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'ivr', 'ivr')
    .ivr(0, 'c')
    .join(10, 'acd', 'acd')
    .leave(10, 'ivr')
    .queue(10, 'c')
    .join(18, 'a', 'agent', { stationId: 'sa' })
    .talk(20, 'c', 'a')
    .leave(20, 'acd')
    .leave(60, 'c')
    .wrapup(60, 'a')
    .wrapupDone(70, 'a', 'sale')
    .leave(70, 'a')
    .end(70);
}

describe('Scenario 1 — inbound ACD interaction (IVR flow to queue to agent)', () => {
  it('TS: "One end-to-end recording in the customer\'s perspective."', () => {
    const { plan } = planOf(inboundAcd());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['ivr'] },
      { from: 10, to: 20, captured: true, ch1: ['c'], ch2: ['acd'] },
      { from: 20, to: 60, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
    expect(recording(plan, 'trunk:c').spec.channels).toEqual([
      { channel: 1, role: 'says', participantId: 'c' },
      { channel: 2, role: 'hears', participantId: 'c' },
    ]);
  });

  it('SS: "One recording in the agent\'s perspective, starting from agent\'s pick up to the agent\'s disconnection."', () => {
    const { plan } = planOf(inboundAcd(), org({ trunk: { recording: false }, stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual(['station:a']);
    expect(spans(plan, 'station:a')).toEqual([{ from: 20, to: 60, captured: true, ch1: ['a'], ch2: ['c'] }]);
    expect(recording(plan, 'station:a').spec.userId).toBe('ua');
  });
});

describe('Scenario 2 — inbound DID call from an external participant', () => {
  const did = () =>
    new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(2, 'c', 'a').leave(30, 'c').leave(30, 'a').end(30);

  it('TS: "One recording in a customer\'s perspective."', () => {
    const { plan } = planOf(did());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 2, captured: true, ch1: ['c'], ch2: [] },
      { from: 2, to: 30, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('SS: "One recording in the agent\'s perspective."', () => {
    const { plan } = planOf(did(), org({ trunk: { recording: false }, stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual(['station:a']);
    expect(spans(plan, 'station:a')).toEqual([{ from: 2, to: 30, captured: true, ch1: ['a'], ch2: ['c'] }]);
  });
});

describe('Scenario 3 — inbound IVR-only call, or queue-abandoned call', () => {
  const ivrOnly = (flowId = 'f1') =>
    new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'ivr', 'ivr').ivr(0, 'c', flowId).leave(25, 'c').end(25);
  const abandoned = () =>
    new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'ivr', 'ivr')
      .ivr(0, 'c')
      .join(10, 'acd', 'acd')
      .leave(10, 'ivr')
      .queue(10, 'c')
      .leave(40, 'c')
      .end(40);

  it('TS, IVR-only: "One end-to-end recording in the customer\'s perspective."', () => {
    const { plan } = planOf(ivrOnly());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 0, to: 25, captured: true, ch1: ['c'], ch2: ['ivr'] }]);
  });

  it('TS, queue-abandoned: "One end-to-end recording in the customer\'s perspective."', () => {
    const { plan } = planOf(abandoned());
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['ivr'] },
      { from: 10, to: 40, captured: true, ch1: ['c'], ch2: ['acd'] },
    ]);
  });

  it('TS with suppression: "If recording suppression is enabled, the trunk-side recording has no content."', () => {
    const { plan } = planOf(ivrOnly('f-sup'), org({ flows: { 'f-sup': { suppressRecording: true } } }));
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 0, to: 25, captured: false, reason: 'FlowOrQueue', ch1: [], ch2: [] }]);
  });

  it('SS: "it does not record IVR-only calls, queue-abandoned calls" — "No recording."', () => {
    const config = org({ trunk: { recording: false }, stations: stationsOn('ua', 'ub', 'us', 'u1', 'u2') });
    expect(kept(planOf(ivrOnly(), config).plan)).toEqual([]);
    expect(kept(planOf(abandoned(), config).plan)).toEqual([]);
  });
});

describe('Scenario 4 — internal call', () => {
  const internal = () =>
    new Call()
      .start(0, 'internal')
      .join(0, 'u1', 'user')
      .talk(0, 'u1')
      .join(0, 'u2', 'user')
      .talk(5, 'u2')
      .leave(45, 'u1')
      .leave(45, 'u2')
      .end(45);

  it('TS: "Internal call — No recording."', () => {
    expect(kept(planOf(internal()).plan)).toEqual([]);
  });

  it('SS: "One recording in the agent\'s perspective."', () => {
    const { plan } = planOf(internal(), org({ stations: stationsOn('u1') }));
    expect(kept(plan)).toEqual(['station:u1']);
    expect(spans(plan, 'station:u1')).toEqual([
      { from: 0, to: 5, captured: true, ch1: ['u1'], ch2: [] },
      { from: 5, to: 45, captured: true, ch1: ['u1'], ch2: ['u2'] },
    ]);
  });

  it('SS: "If the other party also has station-side recording enabled, two recordings (one from each party)."', () => {
    const { plan } = planOf(internal(), org({ stations: stationsOn('u1', 'u2') }));
    expect(kept(plan)).toEqual(['station:u1', 'station:u2']);
    expect(spans(plan, 'station:u2')).toEqual([{ from: 5, to: 45, captured: true, ch1: ['u2'], ch2: ['u1'] }]);
  });
});

describe('Scenario 5 — outbound call to an external participant', () => {
  const outbound = () =>
    new Call()
      .start(0, 'outbound')
      .join(0, 'a', 'agent')
      .talk(0, 'a')
      .join(8, 'c', 'customer')
      .talk(8, 'c')
      .leave(50, 'a')
      .leave(50, 'c')
      .end(50);

  it('TS: "One end-to-end recording in the customer\'s perspective." (from the customer\'s answer)', () => {
    const { plan } = planOf(outbound());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 8, to: 50, captured: true, ch1: ['c'], ch2: ['a'] }]);
  });

  it('TS: the recording starts when the customer answers, not while their phone rings', () => {
    const ringing = new Call().start(0, 'outbound').join(0, 'a', 'agent').talk(0, 'a').join(3, 'c', 'customer').talk(8, 'c').leave(50, 'a').leave(50, 'c').end(50);
    const { plan } = planOf(ringing);
    expect(recording(plan, 'trunk:c').startedAtMs).toBe(Date.parse('2026-01-01T09:00:08.000Z'));
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 8, to: 50, captured: true, ch1: ['c'], ch2: ['a'] }]);
  });

  it('SS: "One recording in the agent\'s perspective." (from dialing)', () => {
    const { plan } = planOf(outbound(), org({ trunk: { recording: false }, stations: stationsOn('ua') }));
    expect(spans(plan, 'station:a')).toEqual([
      { from: 0, to: 8, captured: true, ch1: ['a'], ch2: [] },
      { from: 8, to: 50, captured: true, ch1: ['a'], ch2: ['c'] },
    ]);
  });
});

describe('Scenario 6 — blind transfer', () => {
  const blind = () =>
    new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'a', 'agent')
      .talk(0, 'c', 'a')
      .join(20, 'b', 'agent')
      .transfer(20, 'blind', 'a', 'b')
      .leave(20, 'a')
      .talk(22, 'b')
      .leave(50, 'c')
      .leave(50, 'b')
      .end(50);

  it('TS: "One end-to-end recording in the customer\'s perspective."', () => {
    const { plan } = planOf(blind());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 20, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 20, to: 22, captured: true, ch1: ['c'], ch2: [] },
      { from: 22, to: 50, captured: true, ch1: ['c'], ch2: ['b'] },
    ]);
  });

  it('SS: "Two recordings (if both agents have station-side recordings enabled): One recording in the first agent\'s perspective. One recording in the second agent\'s perspective."', () => {
    const { plan } = planOf(blind(), org({ trunk: { recording: false }, stations: stationsOn('ua', 'ub') }));
    expect(kept(plan)).toEqual(['station:a', 'station:b']);
    expect(spans(plan, 'station:a')).toEqual([{ from: 0, to: 20, captured: true, ch1: ['a'], ch2: ['c'] }]);
    expect(spans(plan, 'station:b')).toEqual([{ from: 22, to: 50, captured: true, ch1: ['b'], ch2: ['c'] }]);
  });

  it('SS with only the second agent recorded: one recording, from the second agent\'s pick up', () => {
    const { plan } = planOf(blind(), org({ trunk: { recording: false }, stations: stationsOn('ub') }));
    expect(kept(plan)).toEqual(['station:b']);
  });
});

/** A consults B (30-40 s) while C waits, then transfers C to B. */
function consultTransfer() {
  return new Call()
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'a', 'agent')
    .talk(0, 'c', 'a')
    .join(30, 'b', 'agent')
    .talk(30, 'b')
    .consult(30, 'a', 'b')
    .transfer(40, 'consult', 'a', 'b')
    .consultEnd(40)
    .leave(40, 'a')
    .leave(70, 'c')
    .leave(70, 'b')
    .end(70);
}

describe('Scenario 7 — consult transfer', () => {
  it('TS: "Two recordings (when consult recording is enabled): One end-to-end recording in a customer\'s perspective. One consult recording capturing the private conversation between the first agent and second agent during consultation."', () => {
    const { plan } = planOf(consultTransfer(), org({ trunk: { consultRecording: true } }));
    expect(kept(plan)).toEqual(['consult:1', 'trunk:c']);
    expect(spans(plan, 'consult:1')).toEqual([{ from: 30, to: 40, captured: true, ch1: ['a'], ch2: ['b'] }]);
    expect(recording(plan, 'consult:1').spec.channels).toEqual([
      { channel: 1, role: 'says', participantId: 'a' },
      { channel: 2, role: 'says', participantId: 'b' },
    ]);
    // The customer is held during the consult; holds are recorded by default, and annotated.
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 30, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 30, to: 40, captured: true, reason: 'Hold', ch1: ['c'], ch2: [] },
      { from: 40, to: 70, captured: true, ch1: ['c'], ch2: ['b'] },
    ]);
  });

  it('TS without consult recording: one end-to-end recording only ("Consult recording: Configurable at trunk")', () => {
    const { plan } = planOf(consultTransfer());
    expect(kept(plan)).toEqual(['trunk:c']);
  });

  it('TS with hold suppression: the customer\'s wait during the consult is cut as a hold', () => {
    const { plan } = planOf(consultTransfer(), org({ trunk: { recordHolds: false } }));
    expect(spans(plan, 'trunk:c')[1]).toEqual({ from: 30, to: 40, captured: false, reason: 'Hold', ch1: [], ch2: [] });
  });

  it('SS: "Two recordings: One recording in the first agent\'s perspective. One recording in the second agent\'s perspective." — "Consult portion of the call is inherently captured by either party\'s station-side recording."', () => {
    const { plan } = planOf(consultTransfer(), org({ trunk: { recording: false }, stations: stationsOn('ua', 'ub') }));
    expect(kept(plan)).toEqual(['station:a', 'station:b']);
    expect(spans(plan, 'station:a')).toEqual([
      { from: 0, to: 30, captured: true, ch1: ['a'], ch2: ['c'] },
      { from: 30, to: 40, captured: true, ch1: ['a'], ch2: ['b'] },
    ]);
    expect(spans(plan, 'station:b')).toEqual([
      { from: 30, to: 40, captured: true, ch1: ['b'], ch2: ['a'] },
      { from: 40, to: 70, captured: true, ch1: ['b'], ch2: ['c'] },
    ]);
  });
});

describe('Scenario 8 — ACD conference', () => {
  const conference = () =>
    new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'acd', 'acd')
      .queue(0, 'c')
      .join(5, 'a', 'agent')
      .talk(5, 'c', 'a')
      .leave(5, 'acd')
      .join(20, 'b', 'agent')
      .talk(20, 'b')
      .leave(50, 'c')
      .leave(50, 'a')
      .leave(50, 'b')
      .end(50);

  it('TS: "One end-to-end recording in the customer\'s perspective." (ch2 = both agents mixed)', () => {
    const { plan } = planOf(conference());
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 5, captured: true, ch1: ['c'], ch2: ['acd'] },
      { from: 5, to: 20, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 20, to: 50, captured: true, ch1: ['c'], ch2: ['a', 'b'] },
    ]);
  });

  it('SS: "Multiple recordings, each based on each agent\'s perspective."', () => {
    const { plan } = planOf(conference(), org({ trunk: { recording: false }, stations: stationsOn('ua', 'ub') }));
    expect(kept(plan)).toEqual(['station:a', 'station:b']);
    expect(spans(plan, 'station:a')).toEqual([
      { from: 5, to: 20, captured: true, ch1: ['a'], ch2: ['c'] },
      { from: 20, to: 50, captured: true, ch1: ['a'], ch2: ['b', 'c'] },
    ]);
    expect(spans(plan, 'station:b')).toEqual([{ from: 20, to: 50, captured: true, ch1: ['b'], ch2: ['a', 'c'] }]);
  });
});

/** C talks to A; supervisor S listens in from 10 s to 30 s in the given mode. */
function supervised(mode: 'monitor' | 'coach' | 'barge') {
  return new Call()
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'a', 'agent')
    .talk(0, 'c', 'a')
    .join(10, 's', mode)
    .monitor(10, 's', 'a', mode)
    .monitorEnd(30, 's')
    .leave(30, 's')
    .leave(40, 'c')
    .leave(40, 'a')
    .end(40);
}

describe('Scenario 9 — voice monitoring', () => {
  const config = org({ stations: stationsOn('ua', 'us') });

  it('TS: "Transparent in recording." — the supervisor is never heard', () => {
    const { plan } = planOf(supervised('monitor'), config);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 0, to: 40, captured: true, ch1: ['c'], ch2: ['a'] }]);
  });

  it('SS: "Transparent in recording." — not heard in the agent\'s recording, and no recording of the supervisor (ours)', () => {
    const { plan } = planOf(supervised('monitor'), config);
    expect(kept(plan)).toEqual(['station:a', 'trunk:c']);
    expect(spans(plan, 'station:a')).toEqual([{ from: 0, to: 40, captured: true, ch1: ['a'], ch2: ['c'] }]);
  });
});

describe('Scenario 10 — voice coaching', () => {
  const config = org({ stations: stationsOn('ua') });

  it('TS: "Transparent in recording." — the customer does not hear the coach', () => {
    const { plan } = planOf(supervised('coach'), config);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 0, to: 40, captured: true, ch1: ['c'], ch2: ['a'] }]);
  });

  it('SS: "Coaching audio is recorded."', () => {
    const { plan } = planOf(supervised('coach'), config);
    expect(spans(plan, 'station:a')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['a'], ch2: ['c'] },
      { from: 10, to: 30, captured: true, ch1: ['a'], ch2: ['c', 's'] },
      { from: 30, to: 40, captured: true, ch1: ['a'], ch2: ['c'] },
    ]);
  });
});

describe('Scenario 11 — voice barge-in', () => {
  const config = org({ stations: stationsOn('ua') });

  it('TS: "Barge-in audio is recorded."', () => {
    const { plan } = planOf(supervised('barge'), config);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 10, to: 30, captured: true, ch1: ['c'], ch2: ['a', 's'] },
      { from: 30, to: 40, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('SS: "Barge-in audio is recorded."', () => {
    const { plan } = planOf(supervised('barge'), config);
    expect(spans(plan, 'station:a')[1]).toEqual({ from: 10, to: 30, captured: true, ch1: ['a'], ch2: ['c', 's'] });
  });
});
