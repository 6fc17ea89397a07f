import { ALAW_DECODE, ULAW_DECODE } from './codecs/g711.js';
import type { Codec, GapReason, PushResult, SourceDescriptor, SourceFrame, SourceStats } from './source.js';

/**
 * The jitter and reorder buffer of one source. Frames are placed by their timestamp, whatever
 * order they arrive in, and stay until the pipeline renders their stretch of conversation time;
 * what never arrived renders as silence, so every source stays aligned with the conversation
 * clock. Duplicates (a `seq` seen before), losses (a `seq` never seen) and late frames (arrived
 * after their stretch was rendered) are counted for the recording's health.
 */


interface BufferedFrame {
  /** First sample, on the source's unwrapped sample clock. */
  readonly start: number;
  readonly end: number;
  /** Encoded samples; null for a declared gap (silence). */
  readonly payload: Uint8Array | null;
}

const TWO_32 = 2 ** 32;
/** μ-law for a zero sample. */
const ULAW_SILENCE = 0xff;
const SEEN = 4096;
/**
 * How far ahead of the source's audio so far (what it sent, or the conversation time already
 * rendered while it was silent) a frame may jump: a bad timestamp must not drag the conversation
 * clock, but a sender that stalled and resumes with true timestamps is not refused.
 */
const MAX_AHEAD_MS = 10_000;

export class SourceBuffer {
  private frames: BufferedFrame[] = [];
  private head = 0;
  /** Samples before this are rendered; frames for them are late. */
  private renderedTo = Number.NEGATIVE_INFINITY;
  /** End of the newest audio received (or declared), in source samples. */
  private highSample = 0;
  private readonly seen = new Float64Array(SEEN).fill(Number.NaN);
  private maxSeq: number | undefined;
  private minSeq = 0;
  private distinct = 0;
  private received = 0;
  private late = 0;
  private duplicates = 0;
  private gapCount = 0;
  private gapSamples = 0;
  private inGap = false;
  private readonly declared: Partial<Record<GapReason, number>> = {};
  private readonly bytesPerSample: number;
  closed = false;

  constructor(readonly descriptor: SourceDescriptor) {
    this.bytesPerSample = descriptor.codec === 'L16' ? 2 : 1;
  }

  get participantId(): string {
    return this.descriptor.participantId;
  }

  get sampleRate(): number {
    return this.descriptor.sampleRate;
  }

  /** Conversation instant up to which this source has delivered audio. */
  get highWaterMs(): number {
    return this.descriptor.startAtMs + (this.highSample * 1000) / this.descriptor.sampleRate;
  }

  push(frame: SourceFrame): PushResult {
    const { payload } = frame;
    if (payload.length === 0 || payload.length % this.bytesPerSample !== 0) return 'badPayload';
    const start = this.unwrapTimestamp(frame.timestamp);
    const end = start + payload.length / this.bytesPerSample;
    if (start > Math.max(this.highSample, this.renderedTo) + (MAX_AHEAD_MS * this.descriptor.sampleRate) / 1000) return 'tooFar';
    this.received++;
    const seq = this.unwrapSeq(frame.seq);
    const slot = ((seq % SEEN) + SEEN) % SEEN;
    if (this.seen[slot] === seq) {
      this.duplicates++;
      return 'duplicate';
    }
    this.seen[slot] = seq;
    this.distinct++;
    if (end <= this.renderedTo || end <= 0) {
      this.late++;
      return 'late';
    }
    this.insert({ start, end, payload });
    return 'accepted';
  }

  /** The sender skipped `samples` on purpose from `fromTimestamp`: silence, counted by reason. */
  gap(fromTimestamp: number, samples: number, reason: GapReason): void {
    const start = this.unwrapTimestamp(fromTimestamp);
    this.declared[reason] = (this.declared[reason] ?? 0) + (samples * 1000) / this.descriptor.sampleRate;
    if (start + samples > this.renderedTo) this.insert({ start, end: start + samples, payload: null });
  }

  close(): void {
    this.closed = true;
  }

  /**
   * PCM16 at the source's own rate for conversation time [fromMs, toMs), consuming the frames it
   * covers. Anything not received is silence; within the source's lifetime it counts as a gap.
   */
  render(fromMs: number, toMs: number): Int16Array {
    const { from, to } = this.samplesOf(fromMs, toMs);
    const out = new Int16Array(to - from);
    this.consume(from, to, (frame, a, b) => this.decode(frame, a, b, out, from));
    return out;
  }

  /**
   * A PCMU source's own μ-law bytes for [fromMs, toMs), silence as 0xFF: what `render` gives,
   * still encoded, for recordings that store μ-law as it came (no decoding, no re-encoding).
   */
  renderUlaw(fromMs: number, toMs: number): Uint8Array {
    if (this.descriptor.codec !== 'PCMU') throw new RangeError(`renderUlaw needs a PCMU source, not ${this.descriptor.codec}`);
    const { from, to } = this.samplesOf(fromMs, toMs);
    const out = new Uint8Array(to - from).fill(ULAW_SILENCE);
    this.consume(from, to, (frame, a, b) => {
      const payload = frame.payload!;
      // A whole frame (the usual case) is copied without making a view of it first.
      out.set(a === frame.start && b === frame.end ? payload : payload.subarray(a - frame.start, b - frame.start), a - from);
    });
    return out;
  }

  private samplesOf(fromMs: number, toMs: number): { from: number; to: number } {
    const rate = this.descriptor.sampleRate / 1000;
    return { from: (fromMs - this.descriptor.startAtMs) * rate, to: (toMs - this.descriptor.startAtMs) * rate };
  }

  /**
   * Hands every received stretch of samples [a, b) within [from, to) to `copy`, counts what is
   * missing as gaps, and releases the frames before `to`.
   */
  private consume(from: number, to: number, copy: (frame: BufferedFrame, a: number, b: number) => void): void {
    let covered = Math.max(from, 0);
    const lifetimeEnd = this.closed ? Math.min(to, this.highSample) : to;
    for (let i = this.head; i < this.frames.length; i++) {
      const frame = this.frames[i]!;
      if (frame.start >= to) break;
      const a = Math.max(frame.start, from);
      const b = Math.min(frame.end, to);
      if (b <= a) continue;
      if (a > covered) this.countGap(Math.min(a, lifetimeEnd) - covered);
      if (frame.payload) copy(frame, a, b);
      covered = Math.max(covered, b);
      this.inGap = false;
    }
    if (lifetimeEnd > covered) this.countGap(lifetimeEnd - covered);
    this.release(to);
  }

  /** Drops everything before conversation instant `toMs` unheard (no recording needs it). */
  skip(toMs: number): void {
    this.release((toMs - this.descriptor.startAtMs) * (this.descriptor.sampleRate / 1000));
  }

  stats(): SourceStats {
    const expected = this.maxSeq === undefined ? 0 : this.maxSeq - this.minSeq + 1;
    return {
      framesReceived: this.received,
      framesLost: Math.max(0, expected - this.distinct),
      framesLate: this.late,
      duplicates: this.duplicates,
      gaps: this.gapCount,
      gapMs: Math.round((this.gapSamples * 1000) / this.descriptor.sampleRate),
      declaredGapMs: { ...this.declared },
    };
  }

  private countGap(samples: number): void {
    if (samples <= 0) return;
    if (!this.inGap) this.gapCount++;
    this.inGap = true;
    this.gapSamples += samples;
  }

  private decode(frame: BufferedFrame, a: number, b: number, out: Int16Array, outStart: number): void {
    const p = frame.payload!;
    const codec: Codec = this.descriptor.codec;
    let j = (a - frame.start) * this.bytesPerSample;
    if (codec === 'PCMU') for (let i = a - outStart; i < b - outStart; i++) out[i] = ULAW_DECODE[p[j++]!]!;
    else if (codec === 'PCMA') for (let i = a - outStart; i < b - outStart; i++) out[i] = ALAW_DECODE[p[j++]!]!;
    else
      for (let i = a - outStart; i < b - outStart; i++, j += 2) out[i] = ((p[j]! | (p[j + 1]! << 8)) << 16) >> 16;
  }

  private insert(frame: BufferedFrame): void {
    if (frame.end > this.highSample) this.highSample = frame.end;
    const frames = this.frames;
    if (frames.length === this.head || frames[frames.length - 1]!.start <= frame.start) {
      frames.push(frame);
      return;
    }
    let lo = this.head;
    let hi = frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (frames[mid]!.start <= frame.start) lo = mid + 1;
      else hi = mid;
    }
    frames.splice(lo, 0, frame);
  }

  private release(to: number): void {
    this.renderedTo = to;
    while (this.head < this.frames.length && this.frames[this.head]!.end <= to) this.head++;
    if (this.head > 256 || this.head === this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  private unwrapSeq(seq: number): number {
    if (this.maxSeq === undefined) {
      this.maxSeq = this.minSeq = seq;
      return seq;
    }
    const ext = this.maxSeq + ((seq - (this.maxSeq % TWO_32)) | 0);
    if (ext > this.maxSeq) this.maxSeq = ext;
    if (ext < this.minSeq) this.minSeq = ext;
    return ext;
  }

  private unwrapTimestamp(timestamp: number): number {
    return this.highSample + ((timestamp - (this.highSample % TWO_32)) | 0);
  }
}
