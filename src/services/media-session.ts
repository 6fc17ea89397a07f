import type { Logger } from 'pino';
import type { FoldedConversation } from '../domain/conversation.js';
import type { Span } from '../domain/capture/types.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import type { BodyShape } from '../media/body-format.js';
import { EncryptedObjectWriter } from '../media/encrypted-object.js';
import { decodeUlaw } from '../media/codecs/g711.js';
import { interleaveUlaw, mixInterval, resample, singleVoiced, type MixTarget } from '../media/mixdown.js';
import { RecordingTrack } from '../media/recording-track.js';
import type { SourceBuffer } from '../media/source-buffer.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { NewAnnotation, RecordingHealth, RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { RecordingRow } from '../store/repositories/recordings.repository.js';

/**
 * The live media of one conversation: its sources, and a track for each audio recording its plan
 * holds. Time is rendered in order, from the cursor up to a limit the service sets (the ordering
 * window behind the high water, so the plan is final for it), and each recording gets the mix its
 * spans ask for.
 */

export interface SessionDeps {
  readonly blobs: BlobStore;
  readonly keys: KeyProvider;
  readonly media: RecordingMediaRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly flushMs: number;
  readonly counters: { writes: number; recordingsFinished: number };
  /** Told when a recording is finished or deleted, so that waiting readers can look again. */
  readonly changed: (orgId: string, conversationId: string) => void;
}

/** Longest stretch rendered at once, so that a long silent stretch never allocates much. */
const MAX_RENDER_MS = 5000;

export class ConversationMedia {
  readonly sources: SourceBuffer[] = [];
  private readonly tracks = new Map<string, RecordingTrack>();
  private readonly done = new Set<string>();
  private rows: readonly RecordingRow[] = [];
  /** Conversation time rendered so far (undefined until there is something to render). */
  cursorMs: number | undefined;
  /** Newest instant of any event the conversation has (committed). */
  eventHighWaterMs = Number.NEGATIVE_INFINITY;
  /** Media high water reported to the database at the previous tick: events before it minus the window are refused. */
  reportedHighWaterMs = Number.NEGATIVE_INFINITY;
  endedAtMs: number | undefined;
  endSeenAt: number | undefined;
  nextTickAt = 0;
  busy = false;
  finished = false;

  constructor(
    readonly orgId: string,
    readonly conversationId: string,
    private readonly deps: SessionDeps,
  ) {}

  /** The plan as the last committed change left it. */
  update(rows: readonly RecordingRow[], folded: Pick<FoldedConversation, 'applied' | 'pending' | 'rejected' | 'state'>): void {
    this.rows = rows;
    for (const list of [folded.applied, folded.pending.map((p) => p.event), folded.rejected.map((r) => r.event)]) {
      for (const e of list) if (e.atMs > this.eventHighWaterMs) this.eventHighWaterMs = e.atMs;
    }
    const ended = folded.state.conversation.endedAtMs;
    if (ended !== undefined && this.endedAtMs === undefined) {
      this.endedAtMs = ended;
      this.endSeenAt = this.deps.clock.now();
    }
  }

  replaceRows(rows: readonly RecordingRow[]): void {
    this.rows = rows;
  }

  /** Audio recordings this session still has to write. */
  private live(): RecordingRow[] {
    return this.rows.filter((r) => r.audio && !this.done.has(r.id) && (r.media.state === 'PENDING' || r.media.state === 'RECORDING'));
  }

  hasWork(): boolean {
    return this.live().length > 0;
  }

  mediaHighWaterMs(): number {
    let hw = Number.NEGATIVE_INFINITY;
    for (const s of this.sources) if (s.highWaterMs > hw) hw = s.highWaterMs;
    return hw;
  }

  /** The conversation has ended and every source has delivered up to its end (or closed, or the grace is over). */
  readyToFinish(now: number, graceMs: number): boolean {
    if (this.endedAtMs === undefined) return false;
    if (now - (this.endSeenAt ?? now) >= graceMs) return true;
    return this.sources.every((s) => s.closed || s.highWaterMs >= this.endedAtMs!);
  }

  /** Deletes what the plan discarded. */
  async discardDiscarded(): Promise<void> {
    for (const row of this.rows) {
      if (row.status !== 'discarded' || this.done.has(row.id) || row.media.state === 'DELETED') continue;
      this.done.add(row.id);
      const track = this.tracks.get(row.id);
      this.tracks.delete(row.id);
      await track?.abort();
      if (row.media.blobKey) await this.deps.blobs.delete(row.media.blobKey);
      await this.deps.media.setState(this.orgId, row.id, 'DELETED', this.deps.clock.now());
      this.deps.changed(this.orgId, this.conversationId);
    }
  }

  /** Renders conversation time up to `limitMs`, then finishes recordings that stopped and writes what is due. */
  async advance(limitMs: number, partial = false): Promise<void> {
    await this.discardDiscarded();
    const live = this.live();
    // Audio before the first recording starts is not kept; with none planned yet, up to the limit.
    this.cursorMs ??= Math.min(limitMs, ...live.filter((r) => r.status !== 'discarded').map((r) => r.startedAtMs));
    for (const row of live) {
      if (row.status !== 'discarded' && row.startedAtMs < limitMs && !this.tracks.has(row.id)) await this.openTrack(row);
    }
    this.render(limitMs);
    const now = this.deps.clock.now();
    for (const row of live) {
      const track = this.tracks.get(row.id);
      if (!track) continue;
      const stopped = row.status === 'stopped' && row.stoppedAtMs !== null && row.stoppedAtMs <= this.cursorMs!;
      if (stopped || partial) {
        await this.finishTrack(row, track, partial && !stopped);
        continue;
      }
      if (!(await track.flushDue(now, this.deps.flushMs))) continue;
      this.deps.counters.writes++;
      if (track.progressDue(now)) {
        await this.deps.media.progressed(this.orgId, row.id, { bodyBytes: track.writer.size, durationMs: track.capturedMs, health: this.health(row, track, false) }, now);
      }
    }
  }

  /** Finishes every recording at the conversation's end (or now, at shutdown). */
  async finishAll(untilMs: number, partial: boolean): Promise<void> {
    await this.advance(untilMs, partial);
    for (const row of this.live()) {
      if (row.status === 'discarded') continue;
      const track = this.tracks.get(row.id) ?? (await this.openTrack(row));
      await this.finishTrack(row, track, partial);
    }
    this.finished = true;
  }

  private render(limitMs: number): void {
    while (this.cursorMs! < limitMs) {
      const from = this.cursorMs!;
      const to = Math.min(limitMs, from + MAX_RENDER_MS);
      if (this.tracks.size > 0) {
        this.mixInto(from, to);
      } else {
        for (const source of this.sources) source.skip(to);
      }
      this.cursorMs = to;
    }
  }

  /**
   * Renders every source's stretch [from, to) and appends each recording's mix of it. PCMU
   * sources are rendered as the μ-law they came in: a μ-law 8 kHz recording with at most one
   * voice per channel (the common telephony case) stores those bytes as they are, and only the
   * recordings that mix, resample or encode otherwise get them decoded.
   */
  private mixInto(from: number, to: number): void {
    const now = this.deps.clock.now();
    const rendered = new Map<SourceBuffer, Int16Array>();
    const encoded = new Map<SourceBuffer, Uint8Array>();
    for (const source of this.sources) {
      if (source.descriptor.codec === 'PCMU') encoded.set(source, source.renderUlaw(from, to));
      else rendered.set(source, source.render(from, to));
    }
    const pcmOf = (source: SourceBuffer): Int16Array => {
      let pcm = rendered.get(source);
      if (!pcm) rendered.set(source, (pcm = decodeUlaw(encoded.get(source)!)));
      return pcm;
    };
    // μ-law as it came, by participant: only when each has a single 8 kHz PCMU source.
    const ulawVoices = new Map<string, Uint8Array>();
    let allSingleUlaw = true;
    for (const source of this.sources) {
      const bytes = encoded.get(source);
      if (bytes && source.sampleRate === 8000 && !ulawVoices.has(source.participantId)) ulawVoices.set(source.participantId, bytes);
      else allSingleUlaw = false;
    }
    const storedAsIs = (target: MixTarget, format: string): boolean =>
      allSingleUlaw && format === 'WAV_ULAW' && target.sampleRate === 8000 && singleVoiced(target, from, to, (id) => ulawVoices.has(id));
    const voices = new Map<string, Int16Array | undefined>();
    const voice = (participantId: string, rate: number): Int16Array | undefined => {
      const key = `${rate}:${participantId}`;
      if (voices.has(key)) return voices.get(key);
      // One source per participant is the rule: its PCM is used as is. A second one is summed
      // into a copy, since the rendered arrays are shared by every recording.
      let sum: Int16Array | undefined;
      let copied = false;
      for (const source of this.sources) {
        if (source.participantId !== participantId) continue;
        const pcm = resample(pcmOf(source), source.sampleRate, rate);
        if (!sum) {
          sum = pcm;
          continue;
        }
        if (!copied) sum = Int16Array.from(sum);
        copied = true;
        addClipped(sum, pcm);
      }
      voices.set(key, sum);
      return sum;
    };
    for (const row of this.rows) {
      const track = this.tracks.get(row.id);
      if (!track || this.done.has(row.id)) continue;
      const { channels, sampleRate } = track.shape;
      const target: MixTarget = { startedAtMs: row.startedAtMs, stoppedAtMs: row.stoppedAtMs, spans: row.spans, channels, sampleRate };
      if (storedAsIs(target, track.shape.format)) {
        const { ulaw, capturedMs } = interleaveUlaw(target, from, to, (id) => ulawVoices.get(id));
        track.appendUlaw(ulaw, capturedMs, now);
        continue;
      }
      const mixed = mixInterval(target, from, to, (id) => voice(id, sampleRate));
      track.append(mixed.pcm, mixed.capturedMs, now);
    }
  }

  private async openTrack(row: RecordingRow): Promise<RecordingTrack> {
    const audio = row.audio!;
    const shape: BodyShape = { format: audio.format, channels: audio.dualChannel ? 2 : 1, sampleRate: audio.sampleRate };
    const blobKey = blobKeyFor(this.orgId, row.id, row.startedAtMs);
    const writer = await EncryptedObjectWriter.create(this.deps.blobs, this.deps.keys, blobKey);
    const track = new RecordingTrack(row.id, shape, writer, this.deps.clock.now());
    this.tracks.set(row.id, track);
    await this.deps.media.started(this.orgId, row.id, { blobKey, keyId: writer.keyId, ...shape }, this.deps.clock.now());
    return track;
  }

  private async finishTrack(row: RecordingRow, track: RecordingTrack, partial: boolean): Promise<void> {
    this.done.add(row.id);
    this.tracks.delete(row.id);
    const stat = await track.finish();
    this.deps.counters.writes++;
    this.deps.counters.recordingsFinished++;
    const endMs = partial ? this.cursorMs! : (row.stoppedAtMs ?? this.cursorMs!);
    await this.deps.media.finished(
      this.orgId,
      row.id,
      {
        bodyBytes: track.writer.size,
        sizeBytes: stat.size,
        durationMs: track.capturedMs,
        partial,
        health: this.health(row, track, partial),
        annotations: annotationsOf(row.spans, row.startedAtMs, endMs),
      },
      this.deps.clock.now(),
    );
    this.deps.changed(this.orgId, this.conversationId);
  }

  private health(row: RecordingRow, track: RecordingTrack, partial: boolean): RecordingHealth {
    const endMs = Math.min(row.stoppedAtMs ?? this.cursorMs!, this.cursorMs!);
    const participants = new Set(row.spans.flatMap((s) => [...s.ch1, ...s.ch2]));
    const sources = this.sources.filter((s) => participants.has(s.participantId));
    const silentParticipants = [...participants].filter((p) => !sources.some((s) => s.participantId === p)).sort();
    const expectedMs = capturedWithin(row.spans, row.startedAtMs, endMs);
    const channels = track.levels();
    const sourceHealth = sources.map((s) => ({
      participantId: s.participantId,
      connector: s.descriptor.connector,
      codec: s.descriptor.codec,
      sampleRate: s.descriptor.sampleRate,
      ...s.stats(),
    }));
    const warnings: string[] = [];
    if (partial) warnings.push('partial');
    if (participants.size > 0 && sources.length === 0) warnings.push('noAudio');
    else if (silentParticipants.length > 0) warnings.push('participantWithoutAudio');
    if (sourceHealth.some((s) => s.framesLost + s.framesLate > 0)) warnings.push('framesLost');
    if (track.capturedMs > 0) for (const c of channels) if (c.rmsDbfs === null) warnings.push(`channel${c.channel}Silent`);
    if (track.capturedMs + 1 < expectedMs) warnings.push('shorterThanPlanned');
    return {
      sources: sourceHealth,
      silentParticipants,
      channels,
      durationMs: track.capturedMs,
      expectedMs,
      conversationMs: Math.max(0, endMs - row.startedAtMs),
      warnings,
    };
  }
}

/** Object keys carry the organization, a date and the recording's random id: nothing about the people on the call. */
export function blobKeyFor(orgId: string, recordingId: string, startedAtMs: number): string {
  const day = new Date(startedAtMs).toISOString().slice(0, 10);
  return `${orgId}/recordings/${day}/${recordingId}`;
}

function capturedWithin(spans: readonly Span[], startMs: number, endMs: number): number {
  let total = 0;
  for (const s of spans) {
    if (!s.captured) continue;
    total += Math.max(0, Math.min(endMs, s.toMs ?? endMs) - Math.max(startMs, s.fromMs));
  }
  return total;
}

/**
 * The plan's cut and annotated spans as annotations: real-time position and length from the
 * recording's start, and position and length in the recording's audio (a cut takes none).
 */
export function annotationsOf(spans: readonly Span[], startMs: number, endMs: number): NewAnnotation[] {
  const out: NewAnnotation[] = [];
  let recordingMs = 0;
  for (const s of spans) {
    const a = Math.max(startMs, s.fromMs);
    const b = Math.min(endMs, s.toMs ?? endMs);
    if (b <= a) continue;
    const length = b - a;
    if (!s.captured || s.reason) {
      out.push({
        type: s.captured ? (s.reason ?? 'annotation').toLowerCase() : 'pause',
        reason: s.reason ?? null,
        locationMs: recordingMs,
        durationMs: s.captured ? length : 0,
        realtimeLocationMs: a - startMs,
        realtimeDurationMs: length,
      });
    }
    if (s.captured) recordingMs += length;
  }
  return out;
}

function addClipped(into: Int16Array, pcm: Int16Array): void {
  for (let i = 0; i < into.length; i++) {
    const s = into[i]! + pcm[i]!;
    into[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
}
