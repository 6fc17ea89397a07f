import type { Span } from '../domain/capture/types.js';

/**
 * Mixing one recording's stretch of conversation time from its participants' voices, as its
 * plan's spans say (DESIGN section 3): channel 1 sums the voices the span lists for it, channel 2
 * likewise, mono sums both. Cut spans (`captured: false`) produce nothing, so the recording's
 * time skips them; kept spans with no one listed are silence.
 */

export interface MixTarget {
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly spans: readonly Span[];
  readonly channels: 1 | 2;
  readonly sampleRate: number;
}

export interface Mixed {
  /** Interleaved PCM16 of the captured parts of [fromMs, toMs), in order. */
  readonly pcm: Int16Array;
  readonly capturedMs: number;
}

/** `voice(participantId)` returns that participant's PCM16 for [fromMs, toMs) at the target's rate, or undefined (silence). */
export function mixInterval(target: MixTarget, fromMs: number, toMs: number, voice: (participantId: string) => Int16Array | undefined): Mixed {
  const { pieces, capturedMs } = capturedPieces(target, fromMs, toMs);
  const perMs = target.sampleRate / 1000;
  const ch = target.channels;
  const pcm = new Int16Array(capturedMs * perMs * ch);
  let at = 0;
  for (const { span, a, b } of pieces) {
    const offset = (a - fromMs) * perMs;
    const n = (b - a) * perMs;
    if (ch === 2) {
      addVoices(pcm, at, 2, span.ch1, voice, offset, n);
      addVoices(pcm, at + 1, 2, span.ch2, voice, offset, n);
    } else {
      addVoices(pcm, at, 1, [...span.ch1, ...span.ch2], voice, offset, n);
    }
    at += n * ch;
  }
  return { pcm, capturedMs };
}

/** `n` bytes of `v` from `offset` into every `stride`th byte of `out` from `first`; 0x7F (μ-law's negative zero) as 0xFF, as decoding and encoding again would give. */
function copyUlaw(out: Uint8Array, first: number, stride: number, v: Uint8Array, offset: number, n: number): void {
  for (let i = 0, o = first; i < n; i++, o += stride) {
    const b = v[offset + i]!;
    out[o] = b === 0x7f ? 0xff : b;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `copyUlaw` of both channels of a stereo stretch at once, one 16-bit store per sample pair (left
 * byte first): half the stores of two strided copies. `at` is even, as every stereo piece starts
 * on a whole sample pair; needs a little-endian platform.
 */
function pairUlaw(out: Uint8Array, at: number, left: Uint8Array, right: Uint8Array, offset: number, n: number): void {
  const pairs = new Uint16Array(out.buffer, out.byteOffset + at, n);
  for (let i = 0; i < n; i++) {
    const l = left[offset + i]!;
    const r = right[offset + i]!;
    pairs[i] = (l === 0x7f ? 0xff : l) | ((r === 0x7f ? 0xff : r) << 8);
  }
}

/**
 * The same stretch as `mixInterval`, for a μ-law 8 kHz recording whose every channel carries at
 * most one voice in it (see `singleVoiced`): the voices' μ-law bytes are interleaved as they
 * are, silence as 0xFF. Byte for byte what mixing the decoded voices and encoding would give.
 */
export function interleaveUlaw(target: MixTarget, fromMs: number, toMs: number, voice: (participantId: string) => Uint8Array | undefined): { ulaw: Uint8Array; capturedMs: number } {
  const { pieces, capturedMs } = capturedPieces(target, fromMs, toMs);
  const perMs = target.sampleRate / 1000;
  const ch = target.channels;
  const out = new Uint8Array(capturedMs * perMs * ch).fill(0xff);
  let at = 0;
  for (const { span, a, b } of pieces) {
    const offset = (a - fromMs) * perMs;
    const n = (b - a) * perMs;
    const lists = ch === 2 ? [span.ch1, span.ch2] : [[...span.ch1, ...span.ch2]];
    const vs = lists.map((ids) => ids.map(voice).find((x) => x !== undefined));
    if (ch === 2 && vs[0] && vs[1] && LITTLE_ENDIAN) {
      pairUlaw(out, at, vs[0], vs[1], offset, n);
    } else {
      for (let c = 0; c < ch; c++) if (vs[c]) copyUlaw(out, at + c, ch, vs[c]!, offset, n);
    }
    at += n * ch;
  }
  return { ulaw: out, capturedMs };
}

/** Whether every channel of `target` has at most one voice (`hasVoice`) in [fromMs, toMs): nothing to mix. */
export function singleVoiced(target: MixTarget, fromMs: number, toMs: number, hasVoice: (participantId: string) => boolean): boolean {
  for (const { span } of capturedPieces(target, fromMs, toMs).pieces) {
    const lists = target.channels === 2 ? [span.ch1, span.ch2] : [[...span.ch1, ...span.ch2]];
    if (lists.some((ids) => ids.filter(hasVoice).length > 1)) return false;
  }
  return true;
}

/** The captured spans of the target within [fromMs, toMs), clipped to it, and how long they are. */
function capturedPieces(target: MixTarget, fromMs: number, toMs: number): { pieces: Array<{ span: Span; a: number; b: number }>; capturedMs: number } {
  const start = Math.max(fromMs, target.startedAtMs);
  const stop = Math.min(toMs, target.stoppedAtMs ?? Number.POSITIVE_INFINITY);
  const pieces: Array<{ span: Span; a: number; b: number }> = [];
  let capturedMs = 0;
  for (const span of target.spans) {
    if (!span.captured) continue;
    const a = Math.max(start, span.fromMs);
    const b = Math.min(stop, span.toMs ?? Number.POSITIVE_INFINITY);
    if (b <= a) continue;
    pieces.push({ span, a, b });
    capturedMs += b - a;
  }
  return { pieces, capturedMs };
}

function addVoices(out: Int16Array, first: number, stride: number, ids: readonly string[], voice: (id: string) => Int16Array | undefined, offset: number, n: number) {
  let written = false;
  for (const id of ids) {
    const v = voice(id);
    if (!v) continue;
    if (!written) {
      // The first voice is copied: the output starts as silence, nothing to add to or clip.
      for (let i = 0, o = first; i < n; i++, o += stride) out[o] = v[offset + i]!;
      written = true;
      continue;
    }
    for (let i = 0, o = first; i < n; i++, o += stride) {
      const s = out[o]! + v[offset + i]!;
      out[o] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
    }
  }
}

/** PCM16 from 8 or 16 kHz to 8 or 16 kHz: pairs averaged going down, linear interpolation going up. */
export function resample(pcm: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return pcm;
  if (from === 2 * to) {
    const out = new Int16Array(pcm.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) >> 1;
    return out;
  }
  if (to === 2 * from) {
    const out = new Int16Array(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) {
      const a = pcm[i]!;
      out[2 * i] = a;
      out[2 * i + 1] = (a + (pcm[i + 1] ?? a)) >> 1;
    }
    return out;
  }
  throw new RangeError(`cannot resample ${from} Hz to ${to} Hz`);
}
