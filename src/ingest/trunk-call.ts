import { randomBytes } from 'node:crypto';
import type { ConversationEventInput } from '../domain/events.js';
import { DomainError } from '../domain/errors.js';
import type { Codec, GapReason, MediaIngest, SourceConnector, SourceFrame, SourceSink } from '../media/source.js';
import type { ConversationService } from '../services/conversation.service.js';
import type { Clock } from '../store/clock.js';

/**
 * A connector session as Capstan sees it: a trunk-side call. The connector says who is on it (the
 * external party and the internal one(s)); this turns that into conversation events, so the
 * capture rules decide what is recorded exactly as for any other call, and opens one source per
 * party through MediaIngest. Protocol pauses become secure pauses (the span is cut and annotated).
 */

export interface CallParty {
  readonly participantId: string;
  readonly purpose: 'customer' | 'agent';
  readonly userId?: string;
  readonly name?: string;
  readonly address?: string;
}

export interface TrunkCallSpec {
  readonly orgId: string;
  readonly conversationId: string;
  readonly connector: SourceConnector;
  readonly trunkId: string;
  readonly region?: string;
  readonly direction: 'inbound' | 'outbound';
  readonly ani?: string;
  readonly dnis?: string;
  readonly parties: readonly CallParty[];
}

export interface TrunkCallDeps {
  readonly conversations: Pick<ConversationService, 'ingest' | 'get'>;
  readonly media: MediaIngest;
  readonly clock: Clock;
}

const clip = (v: string | undefined, max: number) => (v === undefined || v === '' ? undefined : v.slice(0, max));

export class TrunkCall {
  private events = 0;
  /** Event ids are this call's own: another session on the same conversation (a restart, a second connector) never collides. */
  private readonly eventPrefix = `${randomBytes(4).toString('hex')}`;
  private readonly sinks = new Set<TrackedSink>();
  /** Where the audio of the sources already closed ends, in conversation time. */
  private audioEndMs = 0;
  private paused = false;
  private ended = false;
  /** Set when the conversation was started by someone else (its events came over the API). */
  private attached = false;

  private constructor(
    private readonly deps: TrunkCallDeps,
    readonly spec: TrunkCallSpec,
    readonly startedAtMs: number,
  ) {}

  /** Starts the conversation (or joins one that the platform already described with events). */
  static async start(deps: TrunkCallDeps, spec: TrunkCallSpec): Promise<TrunkCall> {
    const call = new TrunkCall(deps, spec, deps.clock.now());
    const customer = spec.parties.find((p) => p.purpose === 'customer');
    const started: ConversationEventInput[] = [
      {
        ...call.base(call.startedAtMs),
        type: 'conversation.started',
        direction: spec.direction,
        trunkId: spec.trunkId,
        ...(clip(spec.ani, 64) ? { ani: clip(spec.ani, 64) } : {}),
        ...(clip(spec.dnis, 64) ? { dnis: clip(spec.dnis, 64) } : {}),
        ...(spec.region ? { region: spec.region } : {}),
      },
    ];
    for (const p of spec.parties) {
      started.push({
        ...call.base(call.startedAtMs),
        type: 'participant.joined',
        participantId: p.participantId,
        purpose: p.purpose,
        ...(p.userId ? { userId: p.userId } : {}),
        ...(p === customer ? { trunkId: spec.trunkId } : {}),
        ...(clip(p.name, 200) ? { name: clip(p.name, 200) } : {}),
        ...(clip(p.address, 128) ? { address: clip(p.address, 128) } : {}),
      });
    }
    for (const p of spec.parties) {
      started.push({ ...call.base(call.startedAtMs), type: 'segment', participantId: p.participantId, kind: 'interact' });
    }
    // A conversation the platform (or an earlier session) already started gets audio only: a second
    // start would wait as pending in its timeline and poison later batches.
    if (await deps.conversations.get(spec.orgId, spec.conversationId)) {
      call.attached = true;
      return call;
    }
    try {
      await deps.conversations.ingest(spec.orgId, started);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'timeline.alreadyStarted') throw err;
      call.attached = true;
    }
    return call;
  }

  get isAttached(): boolean {
    return this.attached;
  }

  /** Conversation-clock instant (epoch ms) of a position on a source that started with the call. */
  at(offsetMs: number): number {
    return this.startedAtMs + offsetMs;
  }

  async openSource(participantId: string, codec: Codec, sampleRate: 8000 | 16000, startAtMs = this.startedAtMs): Promise<SourceSink> {
    const sink = await this.deps.media.open({
      orgId: this.spec.orgId,
      conversationId: this.spec.conversationId,
      participantId,
      codec,
      sampleRate,
      startAtMs,
      connector: this.spec.connector,
    });
    const tracked = new TrackedSink(sink, startAtMs, sampleRate, codec === 'L16' ? 2 : 1);
    this.sinks.add(tracked);
    return tracked;
  }

  closeSource(sink: SourceSink): void {
    if (!this.sinks.delete(sink as TrackedSink)) return;
    this.audioEndMs = Math.max(this.audioEndMs, Math.ceil((sink as TrackedSink).highWaterMs));
    sink.close();
  }

  /** The platform stopped sending on purpose (AudioHook `paused`, every SIPREC stream `inactive`). */
  async pause(atMs: number): Promise<void> {
    if (this.paused || this.ended || this.attached) return;
    this.paused = true;
    await this.deps.conversations.ingest(this.spec.orgId, [{ ...this.base(atMs), type: 'recording.state', state: 'paused' }]);
  }

  async resume(atMs: number): Promise<void> {
    if (!this.paused || this.ended || this.attached) return;
    this.paused = false;
    await this.deps.conversations.ingest(this.spec.orgId, [{ ...this.base(atMs), type: 'recording.state', state: 'active' }]);
  }

  /**
   * Closes every source, then ends the conversation (participants leave, conversation.ended), no
   * earlier than the newest audio of any source, open or already closed: a sender whose start was
   * read late under load, or that sends each frame at the start of its interval and closes right
   * after the last one (the AudioHook reference client), places audio after the wall clock, and
   * an end before it would cut that audio off.
   */
  async end(atMs = this.deps.clock.now()): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    atMs = Math.max(atMs, this.audioEndMs);
    for (const sink of this.sinks) {
      atMs = Math.max(atMs, Math.ceil(sink.highWaterMs));
      sink.close();
    }
    this.sinks.clear();
    if (this.attached) return;
    const events: ConversationEventInput[] = this.spec.parties.map((p) => ({ ...this.base(atMs), type: 'participant.left', participantId: p.participantId }));
    events.push({ ...this.base(atMs), type: 'conversation.ended' });
    await this.deps.conversations.ingest(this.spec.orgId, events);
  }

  private base(atMs: number) {
    return {
      eventId: `${this.spec.connector}.${this.eventPrefix}.${++this.events}`,
      conversationId: this.spec.conversationId,
      at: new Date(Math.max(atMs, this.startedAtMs)).toISOString(),
    };
  }
}

/** A sender silent this long (RTP silence suppression, a stalled stream) gets the silence declared. */
const STALL_S = 8;

/**
 * A source as the connector feeds it, with how far its audio has reached. MediaIngest refuses a
 * frame that jumps far past what its source has sent (a bad timestamp must not drag the clock); a
 * connector's source can legitimately go quiet for longer, so a frame that lands more than STALL_S
 * seconds after the newest audio is preceded by a declared gap.
 */
class TrackedSink implements SourceSink {
  /** End of the newest audio, in samples since the source's start (wrapping at 2^32). */
  private high = 0;
  /** The same, unwrapped, for the conversation clock. */
  private reached = 0;

  constructor(
    private readonly sink: SourceSink,
    private readonly startAtMs: number,
    private readonly sampleRate: number,
    private readonly width: 1 | 2,
  ) {}

  get highWaterMs(): number {
    return this.startAtMs + (this.reached * 1000) / this.sampleRate;
  }

  push(frame: SourceFrame) {
    const ahead = (frame.timestamp - this.high) >>> 0;
    if (ahead < 2 ** 31 && ahead > STALL_S * this.sampleRate) this.sink.gap(this.high >>> 0, ahead, 'Discarded');
    this.advance(frame.timestamp, frame.payload.length / this.width);
    return this.sink.push(frame);
  }

  gap(from: number, samples: number, reason: GapReason): void {
    this.advance(from, samples);
    this.sink.gap(from, samples, reason);
  }

  close() {
    return this.sink.close();
  }

  private advance(from: number, samples: number): void {
    const forward = (((from + samples) >>> 0) - this.high) >>> 0;
    if (forward < 2 ** 31) {
      this.high = (this.high + forward) >>> 0;
      this.reached += forward;
    }
  }
}
