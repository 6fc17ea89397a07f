import { describe, expect, it } from 'vitest';
import { mixInterval, resample } from '../../src/media/mixdown.js';
import { SourceBuffer } from '../../src/media/source-buffer.js';
import type { Span } from '../../src/domain/capture/types.js';

/** The jitter buffer and the mixer with plain data: ordering, wrap-around, losses, cuts. */

const T = 1_700_000_000_000;
const l16 = (values: number[]) => Buffer.from(Int16Array.from(values).buffer);
const source = (startAtMs = T) => new SourceBuffer({ orgId: 'o', conversationId: 'c', participantId: 'p', codec: 'L16', sampleRate: 8000, startAtMs, connector: 'native' });

describe('the source buffer', () => {
  it('places frames by timestamp whatever their order, and renders silence where none arrived', () => {
    const s = source();
    expect(s.push({ seq: 2, timestamp: 8, payload: l16([3, 3, 3, 3, 3, 3, 3, 3]) })).toBe('accepted');
    expect(s.push({ seq: 0, timestamp: 0, payload: l16([1, 1, 1, 1, 1, 1, 1, 1]) })).toBe('accepted');
    expect(s.push({ seq: 0, timestamp: 0, payload: l16([9, 9, 9, 9, 9, 9, 9, 9]) })).toBe('duplicate');
    expect([...s.render(T, T + 3)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.push({ seq: 1, timestamp: 4, payload: l16([2, 2, 2, 2]) })).toBe('late');
    expect(s.stats()).toMatchObject({ framesReceived: 4, framesLost: 0, framesLate: 1, duplicates: 1 });
  });

  it('counts holes in seq as lost frames and their time as a gap', () => {
    const s = source();
    for (const seq of [0, 1, 3, 4]) s.push({ seq, timestamp: seq * 8, payload: l16(new Array(8).fill(seq + 1)) });
    const out = s.render(T, T + 5);
    expect([...out.subarray(16, 24)]).toEqual(new Array(8).fill(0));
    expect(s.stats()).toMatchObject({ framesLost: 1, gaps: 1, gapMs: 1 });
  });

  it('follows seq across its 2^32 wrap', () => {
    const s = source();
    const seqs = [2 ** 32 - 2, 2 ** 32 - 1, 0, 2];
    seqs.forEach((seq, i) => s.push({ seq, timestamp: i * 8, payload: l16(new Array(8).fill(i + 1)) }));
    s.push({ seq: 0, timestamp: 16, payload: l16(new Array(8).fill(7)) });
    expect(s.stats()).toMatchObject({ framesReceived: 5, duplicates: 1, framesLost: 1 });
  });

  it('refuses a frame that jumps more than 10 s ahead, without counting it', () => {
    const s = source();
    expect(s.push({ seq: 0, timestamp: 8000 * 11, payload: l16([1]) })).toBe('tooFar');
    expect(s.push({ seq: 1, timestamp: 0, payload: l16([1, 2]) })).toBe('accepted');
    expect(s.push({ seq: 2, timestamp: 2, payload: Buffer.from([1, 2, 3]) })).toBe('badPayload');
    expect(s.stats()).toMatchObject({ framesReceived: 1, framesLost: 0 });
  });

  it('takes back a sender that stalled for longer than 10 s while the conversation went on, as a gap', () => {
    const s = source();
    expect(s.push({ seq: 0, timestamp: 0, payload: l16(new Array(8).fill(1)) })).toBe('accepted');
    s.render(T, T + 15_000);
    expect(s.push({ seq: 1, timestamp: 8 * 15_000, payload: l16(new Array(8).fill(2)) })).toBe('accepted');
    expect([...s.render(T + 15_000, T + 15_001)]).toEqual(new Array(8).fill(2));
    expect(s.stats()).toMatchObject({ framesReceived: 2, gaps: 1 });
  });
});

describe('the mixer', () => {
  const spans: Span[] = [
    { fromMs: 0, toMs: 2, captured: true, ch1: ['c'], ch2: ['a'] },
    { fromMs: 2, toMs: 3, captured: false, reason: 'Hold', ch1: [], ch2: [] },
    { fromMs: 3, toMs: 4, captured: true, reason: 'Hold', ch1: [], ch2: ['a', 'b'] },
  ];
  const voices: Record<string, Int16Array> = {
    c: Int16Array.from({ length: 32 }, () => 100),
    a: Int16Array.from({ length: 32 }, () => 30000),
    b: Int16Array.from({ length: 32 }, () => 30000),
  };

  it('puts each voice on its channel, leaves cut spans out and clips sums', () => {
    const mixed = mixInterval({ startedAtMs: 0, stoppedAtMs: 4, spans, channels: 2, sampleRate: 8000 }, 0, 4, (id) => voices[id]);
    expect(mixed.capturedMs).toBe(3);
    expect(mixed.pcm.length).toBe(3 * 8 * 2);
    expect([...mixed.pcm.subarray(0, 4)]).toEqual([100, 30000, 100, 30000]);
    expect([...mixed.pcm.subarray(32, 36)]).toEqual([0, 32767, 0, 32767]);
  });

  it('sums both channels for mono', () => {
    const mixed = mixInterval({ startedAtMs: 0, stoppedAtMs: 2, spans, channels: 1, sampleRate: 8000 }, 0, 4, (id) => voices[id]);
    expect([...mixed.pcm.subarray(0, 2)]).toEqual([30100, 30100]);
  });

  it('resamples between 8 and 16 kHz', () => {
    expect([...resample(Int16Array.from([0, 100, 200]), 8000, 16000)]).toEqual([0, 50, 100, 150, 200, 200]);
    expect([...resample(Int16Array.from([0, 100, 200, 300]), 16000, 8000)]).toEqual([50, 250]);
  });
});
