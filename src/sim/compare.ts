import type { DecodedAudio } from './audio-decode.js';
import { DEFAULT_DETECTOR, detect } from './detect.js';
import { CUT_REASONS, type ExpectedAnnotation, type ExpectedRecording, type Tolerance } from './scenario.schema.js';

/**
 * Comparing one recording with its expectation: who is audible on each channel over recording
 * time, and the annotations. Findings are sentences a person can act on: which channel, which
 * stretch, what was expected and what was heard.
 */

/** An annotation as the recordings API reports it (the reference model's fields). */
export interface ApiAnnotation {
  readonly reason?: string | null;
  readonly location?: number | null;
  readonly durationMs?: number | null;
  readonly absoluteDurationMs?: number | null;
  readonly recordingLocation?: number | null;
  readonly recordingDurationMs?: number | null;
}

const fmt = (sec: number) => sec.toFixed(1);
const UNRECOGNISED = 'sound that is no participant\'s signature';
const names = (ids: readonly string[]) => (ids.length ? ids.join(' + ') : 'nothing');

interface Mismatch {
  from: number;
  to: number;
  expected: string[];
  heard: string[];
}

/** Who should be audible on a channel at recording time `t` (both sides summed on a mono recording). */
function expectedAt(rec: ExpectedRecording, channel: 0 | 1 | 'mono', t: number): string[] {
  const span = rec.spans.find((s) => t >= s.from && t < s.to);
  if (!span) return [];
  const ids = channel === 'mono' ? [...span.ch1, ...span.ch2] : channel === 0 ? span.ch1 : span.ch2;
  return [...new Set(ids)].sort();
}

/** Instants where the expected voices on a channel change, including both ends. */
function boundaries(rec: ExpectedRecording, channel: 0 | 1 | 'mono'): number[] {
  const out = [0, rec.duration];
  for (let i = 1; i < rec.spans.length; i++) {
    const at = rec.spans[i]!.from;
    if (expectedAt(rec, channel, at - 1e-6).join() !== expectedAt(rec, channel, at).join()) out.push(at);
  }
  return out;
}

export function compareAudio(rec: ExpectedRecording, audio: DecodedAudio, signatures: ReadonlyMap<string, number>, tolerance: Tolerance): string[] {
  const findings: string[] = [];
  const actualChannels = audio.channels.length;
  if (actualChannels !== rec.channels) findings.push(`has ${actualChannels} channel(s), expected ${rec.channels}`);
  if (Math.abs(audio.durationSec - rec.duration) > tolerance.duration) {
    findings.push(`lasts ${fmt(audio.durationSec)} s of media, expected ${fmt(rec.duration)} s`);
  }
  const participants = [...signatures.keys()];
  const frequencies = participants.map((p) => signatures.get(p)!);
  const horizon = Math.min(audio.durationSec, rec.duration);
  const channels: Array<0 | 1 | 'mono'> = rec.channels === 1 ? ['mono'] : [0, 1];
  channels.forEach((channel, c) => {
    const samples = audio.channels[c];
    if (!samples) return;
    const label = channel === 'mono' ? 'mono' : `ch${channel + 1}`;
    const detection = detect(samples, audio.sampleRate, frequencies);
    const edges = boundaries(rec, channel);
    const runs: Mismatch[] = [];
    let last: Mismatch | undefined;
    let lastIndex = -2;
    for (let w = 0; w < detection.times.length; w++) {
      const t = detection.times[w]!;
      if (t >= horizon || edges.some((b) => Math.abs(t - b) < tolerance.boundary)) continue;
      const expected = expectedAt(rec, channel, t);
      const heard = participants.filter((_, i) => detection.masks[w]! & (1 << i)).sort();
      // Sound that is nobody's signature (noise, a broken mix) is a finding where silence is expected.
      if (heard.length === 0 && detection.rms[w]! >= DEFAULT_DETECTOR.threshold / 2) heard.push(UNRECOGNISED);
      if (expected.join() === heard.join()) continue;
      const half = detection.hopSec / 2;
      if (last && lastIndex === w - 1 && last.expected.join() === expected.join() && last.heard.join() === heard.join()) last.to = t + half;
      else runs.push((last = { from: Math.max(0, t - half), to: t + half, expected, heard }));
      lastIndex = w;
    }
    for (const run of runs) {
      if (run.to - run.from < tolerance.minimumMismatch) continue;
      findings.push(`${label} ${fmt(run.from)}–${fmt(run.to)} s: expected ${names(run.expected)}, heard ${names(run.heard)}`);
    }
  });
  return findings;
}

/** Position in the media and real-time length (seconds) of an API annotation, and whether it is cut. */
function readAnnotation(a: ApiAnnotation) {
  const durationMs = a.durationMs ?? a.absoluteDurationMs ?? 0;
  return {
    reason: a.reason ?? '',
    at: (a.recordingLocation ?? a.location ?? 0) / 1000,
    duration: durationMs / 1000,
    cut: a.recordingDurationMs === undefined || a.recordingDurationMs === null ? undefined : a.recordingDurationMs < durationMs / 2,
  };
}

const describeExpected = (a: ExpectedAnnotation) => `${a.reason} at ${fmt(a.at)} s for ${fmt(a.duration)} s (${a.cut ? 'cut' : 'kept'})`;

export function compareAnnotations(expected: readonly ExpectedAnnotation[], actual: readonly ApiAnnotation[], tolerance: Tolerance): string[] {
  const findings: string[] = [];
  const reasons: readonly string[] = CUT_REASONS;
  const got = actual.map(readAnnotation).filter((a) => reasons.includes(a.reason)).sort((a, b) => a.at - b.at);
  const want = [...expected].sort((a, b) => a.at - b.at);
  const unmatched = [...got];
  for (const e of want) {
    const i = unmatched.findIndex((g) => g.reason === e.reason && Math.abs(g.at - e.at) <= tolerance.duration);
    if (i < 0) {
      findings.push(`annotation missing: ${describeExpected(e)}`);
      continue;
    }
    const g = unmatched.splice(i, 1)[0]!;
    if (Math.abs(g.duration - e.duration) > tolerance.duration) {
      findings.push(`annotation ${e.reason} at ${fmt(e.at)} s: lasts ${fmt(g.duration)} s, expected ${fmt(e.duration)} s`);
    }
    if (g.cut !== undefined && g.cut !== e.cut) findings.push(`annotation ${e.reason} at ${fmt(e.at)} s: ${g.cut ? 'cut from' : 'kept in'} the media, expected ${e.cut ? 'cut' : 'kept'}`);
  }
  for (const g of unmatched) findings.push(`unexpected annotation: ${g.reason} at ${fmt(g.at)} s for ${fmt(g.duration)} s`);
  return findings;
}
