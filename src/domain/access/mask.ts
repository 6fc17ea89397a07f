import type { MediaRange } from './segments.js';

/**
 * Applies segment access to decoded audio: every frame outside the permitted media ranges
 * becomes silence. Works on any slice of a recording (`firstFrame` is the slice's position), so
 * the playback path can mask block by block while it streams.
 */
export function maskPcm16(
  samples: Int16Array,
  options: { readonly channels: number; readonly sampleRate: number; readonly firstFrame?: number },
  permitted: readonly MediaRange[],
): Int16Array {
  const { channels, sampleRate } = options;
  const firstFrame = options.firstFrame ?? 0;
  const frames = Math.floor(samples.length / channels);
  const frameAt = (ms: number) => (ms === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : Math.round((ms * sampleRate) / 1000));
  let cursor = 0;
  const silence = (untilFrame: number) => {
    const end = Math.min(frames, Math.max(cursor, untilFrame - firstFrame));
    samples.fill(0, cursor * channels, end * channels);
    cursor = end;
  };
  for (const range of permitted) {
    silence(frameAt(range.startMs));
    cursor = Math.min(frames, Math.max(cursor, frameAt(range.endMs) - firstFrame));
  }
  silence(Number.POSITIVE_INFINITY);
  return samples;
}
