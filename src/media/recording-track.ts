import type { BlobStat } from '../store/blob.store.js';
import { bodyEncoder, type BodyEncoder, type BodyShape } from './body-format.js';
import { ULAW_DECODE } from './codecs/g711.js';
import type { EncryptedObjectWriter } from './encrypted-object.js';

/**
 * One recording being written: its encoder, its encrypted object, how much it holds and how loud
 * each channel is. The flush policy lives here: whole chunks go out as soon as they are complete,
 * a partial tail only once it has waited `flushMs`, and never more than one write per second.
 */

export interface ChannelLevel {
  readonly channel: number;
  /** Mean level over the recording, dBFS (−∞ for digital silence, reported as null). */
  readonly rmsDbfs: number | null;
  readonly peakDbfs: number | null;
}

const MIN_WRITE_INTERVAL_MS = 1000;
/** Square and magnitude of each μ-law byte's sample, for the levels of audio kept encoded. */
const ULAW_SQUARE = Float64Array.from(ULAW_DECODE, (s) => s * s);
const ULAW_MAGNITUDE = Int16Array.from(ULAW_DECODE, (s) => Math.abs(s));
/** How often a live recording's progress (size, health) is saved for crash recovery. */
const PROGRESS_INTERVAL_MS = 30_000;

export class RecordingTrack {
  private readonly encoder: BodyEncoder;
  private readonly energy: number[];
  private readonly peak: number[];
  private samples = 0;
  private lastWriteAt: number;
  private tailSince: number | undefined;
  private progressAt: number;
  capturedMs = 0;

  constructor(
    readonly recordingId: string,
    readonly shape: BodyShape,
    readonly writer: EncryptedObjectWriter,
    now: number,
  ) {
    this.encoder = bodyEncoder(shape);
    this.energy = new Array<number>(shape.channels).fill(0);
    this.peak = new Array<number>(shape.channels).fill(0);
    this.lastWriteAt = now - MIN_WRITE_INTERVAL_MS;
    this.progressAt = now;
    writer.append(this.encoder.start());
  }

  append(pcm: Int16Array, capturedMs: number, now: number): void {
    if (pcm.length === 0) return;
    const ch = this.shape.channels;
    for (let c = 0; c < ch; c++) {
      // One pass per channel with local sums: this runs for every sample of every recording.
      let energy = 0;
      let peak = this.peak[c]!;
      for (let i = c; i < pcm.length; i += ch) {
        const s = pcm[i]!;
        energy += s * s;
        const a = s < 0 ? -s : s;
        if (a > peak) peak = a;
      }
      this.energy[c]! += energy;
      this.peak[c] = peak;
    }
    this.appended(this.encoder.encode(pcm), pcm.length / ch, capturedMs, now);
  }

  /** Interleaved μ-law, already the body of a WAV_ULAW recording: stored as it is. */
  appendUlaw(ulaw: Uint8Array, capturedMs: number, now: number): void {
    if (this.shape.format !== 'WAV_ULAW') throw new RangeError(`μ-law bytes cannot go into a ${this.shape.format} recording`);
    if (ulaw.length === 0) return;
    const ch = this.shape.channels;
    for (let c = 0; c < ch; c++) {
      let energy = 0;
      let peak = this.peak[c]!;
      for (let i = c; i < ulaw.length; i += ch) {
        energy += ULAW_SQUARE[ulaw[i]!]!;
        const a = ULAW_MAGNITUDE[ulaw[i]!]!;
        if (a > peak) peak = a;
      }
      this.energy[c]! += energy;
      this.peak[c] = peak;
    }
    this.appended(ulaw, ulaw.length / ch, capturedMs, now);
  }

  private appended(body: Uint8Array, samples: number, capturedMs: number, now: number): void {
    this.samples += samples;
    this.capturedMs += capturedMs;
    this.writer.append(body);
    this.tailSince ??= now;
  }

  /**
   * Writes what is due: complete chunks, or the partial tail once it is older than `flushMs`.
   * Resolves true when a write happened.
   */
  async flushDue(now: number, flushMs: number): Promise<boolean> {
    if (now - this.lastWriteAt < MIN_WRITE_INTERVAL_MS) return false;
    const tail = this.tailSince !== undefined && now - this.tailSince >= flushMs;
    const wrote = await this.writer.flush(tail);
    if (wrote) {
      this.lastWriteAt = now;
      if (tail) this.tailSince = undefined;
    }
    return wrote;
  }

  /** Whether it is time to save progress again (true at most every 30 s). */
  progressDue(now: number): boolean {
    if (now - this.progressAt < PROGRESS_INTERVAL_MS) return false;
    this.progressAt = now;
    return true;
  }

  async finish(): Promise<BlobStat> {
    this.writer.append(this.encoder.finish());
    return this.writer.finish();
  }

  async abort(): Promise<void> {
    this.encoder.close();
    await this.writer.abort();
  }

  levels(): ChannelLevel[] {
    return this.energy.map((e, i) => ({
      channel: i + 1,
      rmsDbfs: dbfs(this.samples ? Math.sqrt(e / this.samples) : 0),
      peakDbfs: dbfs(this.peak[i]!),
    }));
  }
}

function dbfs(amplitude: number): number | null {
  return amplitude > 0 ? Math.round(20 * Math.log10(amplitude / 32768) * 10) / 10 : null;
}
