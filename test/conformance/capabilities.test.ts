import { describe, expect, it } from 'vitest';
import { Call, kept, org, planOf, recording, spans, stationsOn } from '../support/call.js';

/**
 * The seed's "side-by-side comparison of the trunk-side and station-side recording capabilities"
 * and the capability paragraphs before it (suppression, consent, external transfer, duplicates).
 */

/** IVR (0-10 s, flow given), queue (10-20 s, queue given), agent A (20-50 s). */
function acdCall(flowId = 'f1', queueId = 'q1') {
  return new Call()
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'ivr', 'ivr')
    .ivr(0, 'c', flowId)
    .join(10, 'acd', 'acd')
    .leave(10, 'ivr')
    .queue(10, 'c', queueId)
    .join(20, 'a', 'agent')
    .talk(20, 'c', 'a')
    .leave(20, 'acd')
    .leave(50, 'c')
    .leave(50, 'a')
    .end(50);
}

/** C talks to A; A holds the call from 10 s to 20 s. */
function heldCall() {
  return new Call()
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'a', 'agent')
    .talk(0, 'c', 'a')
    .hold(10, 'a')
    .talk(20, 'a')
    .leave(30, 'c')
    .leave(30, 'a')
    .end(30);
}

describe('Recording suppression on IVR — TS "Configurable, at flow"; SS "Not applicable. IVR portion of the call is not captured."', () => {
  const config = org({ flows: { 'f-sup': { suppressRecording: true } }, stations: stationsOn('ua') });

  it('TS: "To suppress recording at IVR, ... choose Suppress recording for the entire flow" — the IVR span is cut (FlowOrQueue)', () => {
    const { plan } = planOf(acdCall('f-sup'), config);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: false, reason: 'FlowOrQueue', ch1: [], ch2: [] },
      { from: 10, to: 20, captured: true, ch1: ['c'], ch2: ['acd'] },
      { from: 20, to: 50, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('SS: the agent\'s recording has no IVR portion, suppressed or not', () => {
    const { plan } = planOf(acdCall('f-sup'), config);
    expect(spans(plan, 'station:a')).toEqual([{ from: 20, to: 50, captured: true, ch1: ['a'], ch2: ['c'] }]);
  });
});

describe('Recording suppression at queue-wait — TS "Configurable, at queue"; SS "Not applicable. Queue-wait portion of the call is not captured."', () => {
  const config = org({ queues: { 'q-sup': { recordQueueWait: false } }, stations: stationsOn('ua') });

  it('TS: "disable Continue Voice Recording during Queue Wait" — the queue span is cut (FlowOrQueue)', () => {
    const { plan } = planOf(acdCall('f1', 'q-sup'), config);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['ivr'] },
      { from: 10, to: 20, captured: false, reason: 'FlowOrQueue', ch1: [], ch2: [] },
      { from: 20, to: 50, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('TS: "playback typically begins at when the agent picks up the ACD call" with both suppressions on', () => {
    const { plan } = planOf(acdCall('f-sup', 'q-sup'), org({ flows: { 'f-sup': { suppressRecording: true } }, queues: { 'q-sup': { recordQueueWait: false } } }));
    expect(spans(plan, 'trunk:c').filter((s) => s.captured)).toEqual([{ from: 20, to: 50, captured: true, ch1: ['c'], ch2: ['a'] }]);
  });
});

describe('Recording suppression on hold — TS "Configurable at trunk"; SS "Not supported."', () => {
  it('TS: "disable Holds in the Optional Recording subsection" — the hold span is cut (Hold)', () => {
    const { plan } = planOf(heldCall(), org({ trunk: { recordHolds: false } }));
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 10, to: 20, captured: false, reason: 'Hold', ch1: [], ch2: [] },
      { from: 20, to: 30, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('TS with holds recorded (the default): the hold stays in the media, annotated, and nobody hears the customer', () => {
    const { plan } = planOf(heldCall());
    expect(spans(plan, 'trunk:c')[1]).toEqual({ from: 10, to: 20, captured: true, reason: 'Hold', ch1: ['c'], ch2: [] });
  });

  it('SS: "Recording doesn\'t capture what the agent speaks into the microphone when the call is on hold."', () => {
    const { plan } = planOf(heldCall(), org({ stations: stationsOn('ua') }));
    expect(spans(plan, 'station:a')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['a'], ch2: ['c'] },
      { from: 10, to: 20, captured: true, reason: 'Hold', ch1: [], ch2: [] },
      { from: 20, to: 30, captured: true, ch1: ['a'], ch2: ['c'] },
    ]);
  });

  it('TS in a conference: one agent holding does not hold the customer, who still talks to the other agent', () => {
    const call = new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'a', 'agent')
      .join(0, 'b', 'agent')
      .talk(0, 'c', 'a', 'b')
      .hold(10, 'a')
      .talk(20, 'a')
      .leave(30, 'c')
      .leave(30, 'a')
      .leave(30, 'b')
      .end(30);
    const { plan } = planOf(call, org({ trunk: { recordHolds: false } }));
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['a', 'b'] },
      { from: 10, to: 20, captured: true, ch1: ['c'], ch2: ['b'] },
      { from: 20, to: 30, captured: true, ch1: ['c'], ch2: ['a', 'b'] },
    ]);
  });
});

describe('Call recording consent — "if declined, no recording occurs"', () => {
  /** The flow asks for consent at 5 s. */
  const consentCall = (granted: boolean | null) => {
    const call = new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'ivr', 'ivr').ivr(0, 'c', 'f-consent');
    if (granted !== null) call.consent(5, granted);
    return call.join(10, 'a', 'agent').leave(10, 'ivr').talk(10, 'c', 'a').leave(40, 'c').leave(40, 'a').end(40);
  };
  const flows = { 'f-consent': { consentPrompt: true } };

  it('TS: "If the user says no, then the Genesys Cloud media layer does not record at all."', () => {
    const { plan } = planOf(consentCall(false), org({ flows, trunk: { consentRequired: true } }));
    expect(kept(plan)).toEqual([]);
    expect(recording(plan, 'trunk:c').discardReason).toBe('consentDeclined');
  });

  it('TS: a declined consent discards the recording even on a trunk that does not require consent ("allows inbound callers to opt out")', () => {
    const { plan } = planOf(consentCall(false), org({ flows }));
    expect(kept(plan)).toEqual([]);
  });

  it('TS: "If the user says yes, then the Genesys Cloud media layer starts capturing recordings as normal"', () => {
    const { plan } = planOf(consentCall(true), org({ flows, trunk: { consentRequired: true } }));
    expect(kept(plan)).toEqual(['trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['ivr'] },
      { from: 10, to: 40, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('TS: "Recording only by consent" — on a consent-only trunk a call that never consented is not kept', () => {
    const { plan } = planOf(consentCall(null), org({ flows, trunk: { consentRequired: true } }));
    expect(kept(plan)).toEqual([]);
    expect(recording(plan, 'trunk:c').discardReason).toBe('consentMissing');
  });

  it('SS: "Comply with consent status, if the corresponding trunk has enabled consent recording."', () => {
    const { plan } = planOf(consentCall(false), org({ flows, trunk: { consentRequired: true }, stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual([]);
  });

  it('SS: "If trunk-side recording is not enabled, consent recording is not supported." — the station records anyway', () => {
    const { plan } = planOf(consentCall(false), org({ flows, trunk: { recording: false, consentRequired: true }, stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual(['station:a']);
  });

  it('After a declined consent no snippet can be started either', () => {
    const call = consentCall(false);
    call.inputs.splice(call.inputs.length - 4, 0, ...new Call().snippet(20, 'a', true).inputs.map((e) => ({ ...e, eventId: 'snip' })));
    expect(() => planOf(call, org({ flows }))).toThrow(/declined/);
  });
});

describe('Secure pause — TS and SS: "Stops capturing during a secure pause."', () => {
  const paused = () =>
    new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'a', 'agent')
      .talk(0, 'c', 'a')
      .securePause(10, true)
      .securePause(25, false)
      .leave(40, 'c')
      .leave(40, 'a')
      .end(40);

  it('TS: the paused span is cut (SecurePause)', () => {
    const { plan } = planOf(paused());
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 10, to: 25, captured: false, reason: 'SecurePause', ch1: [], ch2: [] },
      { from: 25, to: 40, captured: true, ch1: ['c'], ch2: ['a'] },
    ]);
  });

  it('SS: the paused span is cut (SecurePause)', () => {
    const { plan } = planOf(paused(), org({ trunk: { recording: false }, stations: stationsOn('ua') }));
    expect(spans(plan, 'station:a')[1]).toEqual({ from: 10, to: 25, captured: false, reason: 'SecurePause', ch1: [], ch2: [] });
  });
});

describe('Continue on external transfer — TS "Configurable at trunk"; SS "always continues"', () => {
  /** A transfers C to an external party X at 20 s and leaves; C and X talk until 40 s. */
  const external = () =>
    new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'a', 'agent')
      .talk(0, 'c', 'a')
      .join(15, 'x', 'external')
      .talk(15, 'x')
      .transfer(20, 'external', 'a', 'x')
      .leave(20, 'a')
      .leave(40, 'c')
      .leave(40, 'x')
      .end(40);

  it('TS: "By default, Genesys Cloud does not continue recording after an external transfer that results in an external to external connected call."', () => {
    const { plan } = planOf(external());
    expect(recording(plan, 'trunk:c').stoppedAtMs).toBe(Date.parse('2026-01-01T09:00:20.000Z'));
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 15, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 15, to: 20, captured: true, ch1: ['c'], ch2: ['a', 'x'] },
    ]);
  });

  it('TS: "you can enable this behavior in the external trunk settings under Media" — the recording goes on with the external party', () => {
    const { plan } = planOf(external(), org({ trunk: { continueOnExternalTransfer: true } }));
    expect(spans(plan, 'trunk:c')).toEqual([
      { from: 0, to: 15, captured: true, ch1: ['c'], ch2: ['a'] },
      { from: 15, to: 20, captured: true, ch1: ['c'], ch2: ['a', 'x'] },
      { from: 20, to: 40, captured: true, ch1: ['c'], ch2: ['x'] },
    ]);
  });

  it('SS: "Station-side recording always continues when the call is transferred to an external participant." — until its user disconnects', () => {
    const call = new Call()
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'a', 'agent')
      .talk(0, 'c', 'a')
      .join(15, 'x', 'external')
      .talk(15, 'x')
      .transfer(20, 'external', 'a', 'x')
      .leave(30, 'a')
      .leave(40, 'c')
      .leave(40, 'x')
      .end(40);
    const { plan } = planOf(call, org({ trunk: { recording: false }, stations: stationsOn('ua') }));
    expect(spans(plan, 'station:a')).toEqual([
      { from: 0, to: 15, captured: true, ch1: ['a'], ch2: ['c'] },
      { from: 15, to: 30, captured: true, ch1: ['a'], ch2: ['c', 'x'] },
    ]);
  });
});

describe('Duplicates — "When both trunk-side and station-side recordings are enabled for the same user on external calls, duplicate recordings are generated"', () => {
  it('an external call with both enabled gives a trunk-side and a station-side recording', () => {
    const call = new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').leave(20, 'c').leave(20, 'a').end(20);
    const { plan } = planOf(call, org({ stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual(['station:a', 'trunk:c']);
    expect(spans(plan, 'trunk:c')).toEqual([{ from: 0, to: 20, captured: true, ch1: ['c'], ch2: ['a'] }]);
    expect(spans(plan, 'station:a')).toEqual([{ from: 0, to: 20, captured: true, ch1: ['a'], ch2: ['c'] }]);
  });
});

describe('Station exception — "the only exception is when the customer is the internal user with station-side recording enabled"', () => {
  /** Internal user U1 calls the IT helpdesk: flow, queue, then agent A. */
  const helpdesk = (flowId: string, queueId: string) =>
    new Call()
      .start(0, 'internal')
      .join(0, 'u1', 'customer', { userId: 'u1' })
      .join(0, 'ivr', 'ivr')
      .ivr(0, 'u1', flowId)
      .join(10, 'acd', 'acd')
      .leave(10, 'ivr')
      .queue(10, 'u1', queueId)
      .join(20, 'a', 'agent')
      .talk(20, 'u1', 'a')
      .leave(20, 'acd')
      .leave(40, 'u1')
      .leave(40, 'a')
      .end(40);

  it('"suppression settings on the queue or flow are applied to the station-side recording of the user"', () => {
    const config = org({
      flows: { 'f-sup': { suppressRecording: true } },
      queues: { 'q-sup': { recordQueueWait: false } },
      stations: stationsOn('u1'),
    });
    const { plan } = planOf(helpdesk('f-sup', 'q-sup'), config);
    expect(kept(plan)).toEqual(['station:u1']);
    expect(spans(plan, 'station:u1')).toEqual([
      { from: 0, to: 20, captured: false, reason: 'FlowOrQueue', ch1: [], ch2: [] },
      { from: 20, to: 40, captured: true, ch1: ['u1'], ch2: ['a'] },
    ]);
  });

  it('without suppression the internal caller\'s recording includes the flow and the queue', () => {
    const { plan } = planOf(helpdesk('f1', 'q1'), org({ stations: stationsOn('u1') }));
    expect(spans(plan, 'station:u1')).toEqual([
      { from: 0, to: 10, captured: true, ch1: ['u1'], ch2: ['ivr'] },
      { from: 10, to: 20, captured: true, ch1: ['u1'], ch2: ['acd'] },
      { from: 20, to: 40, captured: true, ch1: ['u1'], ch2: ['a'] },
    ]);
  });

  it('an internal helpdesk call has no trunk-side recording ("Internal call — No recording.")', () => {
    const { plan } = planOf(helpdesk('f1', 'q1'), org({ stations: stationsOn('ua') }));
    expect(kept(plan)).toEqual(['station:a']);
  });
});

describe('Audio settings — "Choice in audio format", "Dual channel support", "Beep tone support: Yes / No"', () => {
  const simple = () => new Call().start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').leave(9, 'c').leave(9, 'a').end(9);

  it('TS takes format, channels, region and beep tone from the trunk', () => {
    const { plan } = planOf(simple(), org({ trunk: { format: 'OGG_OPUS', dualChannel: false, beepTone: true, region: 'eu-west-1' } }));
    expect(recording(plan, 'trunk:c').spec.audio).toEqual({ format: 'OGG_OPUS', dualChannel: false, sampleRate: 8000, region: 'eu-west-1', beepTone: true });
  });

  it('SS takes format, channels and region from the station, with no beep tone ("Beep tone support: No")', () => {
    const { plan } = planOf(simple(), org({ stations: { sa: { recording: true, format: 'WAV', sampleRate: 16000, region: 'us-east-1' } } }));
    expect(recording(plan, 'station:a').spec.audio).toEqual({ format: 'WAV', dualChannel: true, sampleRate: 16000, region: 'us-east-1', beepTone: false });
  });
});
