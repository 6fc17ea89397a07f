import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/sim/audio-decode.js';
import { compareAnnotations, compareAudio } from '../../src/sim/compare.js';
import { DEFAULT_TOLERANCE, type ExpectedRecording } from '../../src/sim/scenario.schema.js';
import { soxRecording } from '../support/sox.js';

/**
 * The verifier judges audio made by someone else (sox, ffmpeg's Opus encoder): it must hear who
 * speaks when, accept what matches, and point at the exact stretch that does not.
 */

const voices = new Map([
  ['c', 400],
  ['a', 900],
  ['b', 1550],
]);

/** A held call as a trunk-side recording: C throughout on ch1; A, then nobody (hold), then A and B on ch2. */
const held = [
  [
    [8, [400]],
    [8, [400]],
    [6, [400]],
  ],
  [
    [8, [900]],
    [8, []],
    [6, [900, 1550]],
  ],
] as const;

const expectation = (ch2During: string[] = []): ExpectedRecording => ({
  kind: 'trunk',
  perspective: 'c',
  duration: 22,
  channels: 2,
  annotations: [],
  spans: [
    { from: 0, to: 8, ch1: ['c'], ch2: ['a'] },
    { from: 8, to: 16, ch1: ['c'], ch2: ch2During },
    { from: 16, to: 22, ch1: ['c'], ch2: ['a', 'b'] },
  ],
});

describe('verifier', () => {
  for (const encoding of ['WAV', 'WAV_ULAW', 'OGG_OPUS'] as const) {
    it(`hears who is audible on each channel of a ${encoding} recording and accepts a matching expectation`, async () => {
      const audio = await decodeAudio(soxRecording(held, { encoding }));
      expect(audio.format).toBe(encoding);
      expect(audio.channels).toHaveLength(2);
      expect(audio.durationSec).toBeCloseTo(22, 1);
      expect(compareAudio(expectation(), audio, voices, DEFAULT_TOLERANCE)).toEqual([]);
    });
  }

  it('points at the stretch, the channel and the voices when an expectation is wrong', async () => {
    const audio = await decodeAudio(soxRecording(held, { encoding: 'WAV_ULAW' }));
    const findings = compareAudio(expectation(['c']), audio, voices, DEFAULT_TOLERANCE);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^ch2 8\.[1-3]–15\.[7-9] s: expected c, heard nothing$/);
  });

  it('reports a recording that is longer than expected, and what is heard past the expected spans', async () => {
    const audio = await decodeAudio(soxRecording([[[10, [400]]], [[10, [900]]]]));
    const short: ExpectedRecording = { ...expectation(), duration: 6, spans: [{ from: 0, to: 6, ch1: ['c'], ch2: ['a'] }] };
    expect(compareAudio(short, audio, voices, DEFAULT_TOLERANCE)).toEqual(['lasts 10.0 s of media, expected 6.0 s']);
  });

  it('reads a mono recording as the sum of both sides', async () => {
    const audio = await decodeAudio(soxRecording([[[6, [400, 900]]]], { rate: 16000 }));
    const mono: ExpectedRecording = { ...expectation(), channels: 1, duration: 6, spans: [{ from: 0, to: 6, ch1: ['c'], ch2: ['a'] }] };
    expect(compareAudio(mono, audio, voices, DEFAULT_TOLERANCE)).toEqual([]);
    const stereo = { ...mono, channels: 2 as const };
    expect(compareAudio(stereo, audio, voices, DEFAULT_TOLERANCE)[0]).toBe('has 1 channel(s), expected 2');
  });

  it('matches annotations by reason and position, and names what is missing, extra or different', () => {
    const expected = [
      { reason: 'Hold' as const, at: 8, duration: 8, cut: true },
      { reason: 'SecurePause' as const, at: 12, duration: 5, cut: true },
    ];
    expect(
      compareAnnotations(expected, [
        { reason: 'Hold', recordingLocation: 8050, durationMs: 7900, recordingDurationMs: 0 },
        { reason: 'SecurePause', recordingLocation: 12000, durationMs: 5000, recordingDurationMs: 0 },
      ], DEFAULT_TOLERANCE),
    ).toEqual([]);
    expect(
      compareAnnotations(expected, [
        { reason: 'Hold', recordingLocation: 8000, durationMs: 3000, recordingDurationMs: 3000 },
        { reason: 'FlowOrQueue', recordingLocation: 0, durationMs: 4000 },
      ], DEFAULT_TOLERANCE),
    ).toEqual([
      'annotation Hold at 8.0 s: lasts 3.0 s, expected 8.0 s',
      'annotation Hold at 8.0 s: kept in the media, expected cut',
      'annotation missing: SecurePause at 12.0 s for 5.0 s (cut)',
      'unexpected annotation: FlowOrQueue at 0.0 s for 4.0 s',
    ]);
  });

  it('refuses bytes that are neither WAV nor Ogg, saying what they are', async () => {
    await expect(decodeAudio(Buffer.from('{"message":"nope"}'))).rejects.toThrow(/not a WAV or Ogg file/);
  });

  it('hears sound that is nobody\'s signature where silence is expected', async () => {
    const pcm = soxRecording([[[6, [400]]], [[3, []], [3, [3300]]]]);
    const audio = await decodeAudio(pcm);
    const expected: ExpectedRecording = { ...expectation(), duration: 6, spans: [{ from: 0, to: 6, ch1: ['c'], ch2: [] }] };
    expect(compareAudio(expected, audio, voices, DEFAULT_TOLERANCE)).toEqual([expect.stringMatching(/^ch2 3\.[0-2]–5\.[89] s: expected nothing, heard sound that is no participant's signature$/)]);
  });
});
