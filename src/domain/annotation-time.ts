import type { Span } from './capture/types.js';

/**
 * Where a point of a recording's audio falls in conversation time. The audio holds only the
 * captured spans (cuts are not in it), so a position in the audio maps to the conversation by
 * adding the cut time before it. Positions are milliseconds from the recording's start.
 */
export function realtimeOffset(spans: readonly Span[], startedAtMs: number, recordingMs: number): number {
  let audio = 0;
  for (const s of spans) {
    const from = Math.max(startedAtMs, s.fromMs);
    const to = s.toMs ?? Number.POSITIVE_INFINITY;
    if (to <= from) continue;
    if (!s.captured) continue;
    if (audio + (to - from) >= recordingMs) return from - startedAtMs + (recordingMs - audio);
    audio += to - from;
  }
  // Past the end of the audio: after the last captured instant.
  const last = [...spans].reverse().find((s) => s.captured);
  return last ? (last.toMs ?? last.fromMs) - startedAtMs + (recordingMs - audio) : recordingMs;
}
