import { describe, expect, it } from 'vitest';
import { maskPcm16 } from '../../src/domain/access/mask.js';
import { queueTimeline, segmentAccess } from '../../src/domain/access/segments.js';
import { mergeEvents } from '../../src/domain/timeline/order.js';
import { Call, T0, org, planOf, queueTransfer, recording, stationsOn } from '../support/call.js';

/** Segment access: a listener limited to some queues hears only what was handled there. */

const s = (sec: number) => T0 + sec * 1000;
const events = (call: Call) => mergeEvents([], call.domainEvents()).events;

const transferred = () => queueTransfer('seg');

describe('queue timeline', () => {
  it('attributes each stretch of the conversation to the queue handling it', () => {
    expect(queueTimeline(events(transferred()))).toEqual([
      { fromMs: s(0), toMs: s(2), queueId: null },
      { fromMs: s(2), toMs: s(8), queueId: 'sales' },
      { fromMs: s(8), toMs: s(14), queueId: 'support' },
    ]);
  });

  it('takes the queue an agent names on pick-up, and a caller back in IVR out of any queue', () => {
    const call = new Call('seg2').start(0, 'inbound').join(0, 'c', 'customer').ivr(0, 'c').join(5, 'a', 'agent');
    call.event(5, 'segment', { participantId: 'a', kind: 'interact', queueId: 'vip' }).talk(5, 'c').ivr(30, 'c');
    expect(queueTimeline(events(call))).toEqual([
      { fromMs: s(0), toMs: s(5), queueId: null },
      { fromMs: s(5), toMs: s(30), queueId: 'vip' },
      { fromMs: s(30), toMs: Number.POSITIVE_INFINITY, queueId: null },
    ]);
  });
});

describe('segment access', () => {
  it('trunk-side: only the spans handled in the permitted queues, in media time', () => {
    const call = transferred();
    const trunk = recording(planOf(call).plan, 'trunk:c');
    const sales = segmentAccess({ ...trunk, kind: 'trunk' }, queueTimeline(events(call)), new Set(['sales']));
    expect(sales.permitted).toEqual([{ startMs: 2000, endMs: 8000 }]);
    expect(sales.withheld.map((w) => [w.startMs, w.endMs, w.queueId])).toEqual([
      [0, 2000, null],
      [8000, 14_000, 'support'],
    ]);
    const both = segmentAccess({ ...trunk, kind: 'trunk' }, queueTimeline(events(call)), new Set(['sales', 'support']));
    expect(both.permitted).toEqual([{ startMs: 2000, endMs: 14_000 }]);
  });

  it('media time skips cut spans: a suppressed IVR shifts everything after it', () => {
    const call = transferred();
    const { plan } = planOf(call, org({ flows: { f1: { suppressRecording: true } } }));
    const trunk = recording(plan, 'trunk:c');
    const access = segmentAccess({ ...trunk, kind: 'trunk' }, queueTimeline(events(call)), new Set(['support']));
    // The IVR (0-2 s) is not in the media: sales is media 0-6 s, support media 6-12 s.
    expect(access.permitted).toEqual([{ startMs: 6000, endMs: 12_000 }]);
    expect(access.withheld).toEqual([{ fromMs: s(2), toMs: s(8), startMs: 0, endMs: 6000, queueId: 'sales' }]);
  });

  it('station-side: "each station-side recording considered as one recording segment"', () => {
    const call = transferred();
    const { plan } = planOf(call, org({ stations: stationsOn('ua', 'ub') }));
    const timeline = queueTimeline(events(call));
    const first = recording(plan, 'station:a');
    expect(segmentAccess({ ...first, kind: 'station' }, timeline, new Set(['sales'])).withheld).toEqual([]);
    expect(segmentAccess({ ...first, kind: 'station' }, timeline, new Set(['support'])).permitted).toEqual([]);
    const second = recording(plan, 'station:b');
    expect(segmentAccess({ ...second, kind: 'station' }, timeline, new Set(['support'])).permitted).toEqual([{ startMs: 0, endMs: 4000 }]);
  });
});

describe('masking decoded audio', () => {
  const pcm = (frames: number, channels: number, value: number) => new Uint8Array(Int16Array.from({ length: frames * channels }, () => value).buffer);
  const samples = (bytes: Uint8Array) => [...new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)];

  it('silences every frame outside the permitted ranges', () => {
    // 1 kHz makes one frame a millisecond.
    const stereo = maskPcm16(pcm(100, 2, 1000), { byteOffset: 0, channels: 2, sampleRate: 1000 }, [{ startMs: 20, endMs: 50 }]);
    const frame = (i: number) => samples(stereo).slice(2 * i, 2 * i + 2);
    expect(frame(19)).toEqual([0, 0]);
    expect(frame(20)).toEqual([1000, 1000]);
    expect(frame(49)).toEqual([1000, 1000]);
    expect(frame(50)).toEqual([0, 0]);
  });

  it('works on a stretch that starts and ends inside a sample, as an HTTP Range does', () => {
    const whole = maskPcm16(pcm(100, 1, 0x0707), { byteOffset: 0, channels: 1, sampleRate: 1000 }, [{ startMs: 20, endMs: 50 }, { startMs: 65, endMs: Number.POSITIVE_INFINITY }]);
    const piece = pcm(100, 1, 0x0707).subarray(81, 141);
    maskPcm16(piece, { byteOffset: 81, channels: 1, sampleRate: 1000 }, [{ startMs: 20, endMs: 50 }, { startMs: 65, endMs: Number.POSITIVE_INFINITY }]);
    expect([...piece]).toEqual([...whole.subarray(81, 141)]);
    // Byte 81 is the second half of frame 40 (heard), byte 100 starts frame 50 (silent), 140 is frame 70 (heard).
    expect([piece[0], piece[100 - 81], piece[129 - 81], piece[130 - 81], piece[140 - 81]]).toEqual([7, 0, 0, 7, 7]);
  });
});
