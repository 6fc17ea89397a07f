import type { MediaRange } from './segments.js';

/**
 * Applies segment access to decoded audio: everything outside the permitted media ranges becomes
 * silence. Works on any stretch of PCM16 little-endian audio, even one that starts or ends in
 * the middle of a sample (an HTTP Range), so the playback path can mask block by block as it
 * streams. `byteOffset` is where the stretch starts in the audio data (after any file header).
 */
export function maskPcm16(
  bytes: Uint8Array,
  at: { readonly byteOffset: number; readonly channels: number; readonly sampleRate: number },
  permitted: readonly MediaRange[],
): Uint8Array {
  const frameBytes = 2 * at.channels;
  const byteAt = (ms: number) => (ms === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : Math.round((ms * at.sampleRate) / 1000) * frameBytes);
  const end = at.byteOffset + bytes.length;
  let cursor = at.byteOffset;
  const silence = (until: number) => {
    const stop = Math.min(end, until);
    if (stop > cursor) bytes.fill(0, cursor - at.byteOffset, stop - at.byteOffset);
    cursor = Math.max(cursor, stop);
  };
  for (const range of permitted) {
    if (cursor >= end) break;
    silence(byteAt(range.startMs));
    cursor = Math.max(cursor, Math.min(end, byteAt(range.endMs)));
  }
  silence(end);
  return bytes;
}
