import dgram from 'node:dgram';
import type { RecordingMetadata } from './metadata.js';
import { parseRtp, RtpTimeline, type PlacedFrame } from './rtp.js';
import { buildAnswer, isSending, type SessionDescription } from './sdp.js';
import type { Assignment, StreamAssignment } from './streams.js';

/**
 * One SIPREC recording session (RFC 7866) once its INVITE is accepted: an RTP socket per offered
 * audio stream, each stream's send state (pause = `inactive`), and the answer SDP. What arrives is
 * handed to the recorder's sink; the session knows nothing of conversations.
 */

export interface SrsCallInfo {
  readonly callId: string;
  /** An id for the recorded call: the Session-ID (RFC 7989) or metadata sipSessionID, else derived from the Call-ID. */
  readonly recordingId: string;
  readonly remote: string;
  readonly metadata: RecordingMetadata | undefined;
  readonly assignment: Assignment;
  readonly startedAtMs: number;
}

export interface SrsCallSink {
  frame(stream: StreamAssignment, frame: PlacedFrame): void;
  /** The stream stopped sending on purpose at `atSamples` (a re-INVITE with `a=inactive`). */
  pause(stream: StreamAssignment, atSamples: number): void;
  /** The stream sends again; the `samples` since `fromSamples` were paused. */
  resume(stream: StreamAssignment, fromSamples: number, samples: number): void;
  metadata(metadata: RecordingMetadata): void;
  /** The recording ends; `atMs` is when the SRC ended it (the BYE), even though the last RTP is read a little later. */
  end(reason: string, atMs: number): Promise<void>;
}

export interface SrsRecorder {
  /** Accepts a call; throws SrsRefusal to answer with a SIP error instead. */
  begin(call: SrsCallInfo): Promise<SrsCallSink>;
}

export class SrsRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MediaSocketOptions {
  readonly host: string;
  readonly portMin: number;
  readonly portMax: number;
}

interface StreamState {
  readonly assignment: StreamAssignment | undefined;
  socket: dgram.Socket | undefined;
  port: number | undefined;
  timeline: RtpTimeline | undefined;
  sending: boolean;
  pausedAt: number | undefined;
}

const RATE = 8000;
/** RTP sent just before a BYE may still be queued when the BYE is read; it is taken for this long. */
const RTP_DRAIN_MS = 500;
const RTP_RECV_BUFFER = 1024 * 1024;

export class SrsSession {
  private readonly streams: StreamState[] = [];
  private sink: SrsCallSink | undefined;
  private version = 1;
  private ended = false;
  lastActivityMs: number;
  packets = 0;

  constructor(
    readonly info: SrsCallInfo,
    private offer: SessionDescription,
    private readonly now: () => number,
    private readonly onPacket: (bytes: number) => void,
  ) {
    this.lastActivityMs = now();
  }

  /** Binds one RTP socket per recorded or unattributed audio stream. */
  async bindMedia(options: MediaSocketOptions): Promise<void> {
    const byIndex = new Map(this.info.assignment.streams.map((s) => [s.mediaIndex, s]));
    for (let i = 0; i < this.offer.media.length; i++) {
      const assignment = byIndex.get(i);
      const state: StreamState = { assignment, socket: undefined, port: undefined, timeline: undefined, sending: isSending(this.offer.media[i]!), pausedAt: undefined };
      this.streams.push(state);
      if (!assignment) continue;
      state.socket = await bindRtp(options);
      state.port = state.socket.address().port;
      state.timeline = new RtpTimeline(assignment.payloadType, RATE);
      state.socket.on('message', (data) => this.onRtp(state, data));
    }
  }

  attach(sink: SrsCallSink): void {
    this.sink = sink;
    for (const s of this.streams) {
      if (s.assignment && !s.sending) {
        s.pausedAt = 0;
        sink.pause(s.assignment, 0);
      }
    }
  }

  answer(address: string): string {
    return buildAnswer(
      this.offer,
      this.streams.map((s) => ({ port: s.port, payloadType: s.assignment?.payloadType })),
      address,
      this.version,
    );
  }

  /** A re-INVITE or UPDATE offer: pauses and resumes streams; new m-lines are refused (port 0). */
  update(offer: SessionDescription): void {
    this.touch();
    for (let i = 0; i < this.streams.length; i++) {
      const state = this.streams[i]!;
      const next = offer.media[i];
      if (!next || !state.assignment) continue;
      const sending = isSending(next) && next.port !== 0;
      if (sending === state.sending) continue;
      state.sending = sending;
      const at = this.position();
      if (!sending) {
        state.pausedAt = at;
        this.sink?.pause(state.assignment, at);
      } else {
        const from = state.pausedAt ?? at;
        state.pausedAt = undefined;
        state.timeline?.reanchor();
        this.sink?.resume(state.assignment, from, Math.max(0, at - from));
      }
    }
    this.offer = offer;
    this.version++;
  }

  metadata(metadata: RecordingMetadata): void {
    this.touch();
    this.sink?.metadata(metadata);
  }

  touch(): void {
    this.lastActivityMs = this.now();
  }

  get isPaused(): boolean {
    return this.streams.every((s) => !s.assignment || !s.sending);
  }

  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const endedAt = this.now();
    // A BYE often follows the last RTP packets at once: read what is already queued before closing.
    if (this.sink && reason === 'BYE') await new Promise((resolve) => setTimeout(resolve, RTP_DRAIN_MS));
    for (const s of this.streams) s.socket?.close();
    await this.sink?.end(reason, endedAt);
  }

  get rtpStats() {
    return this.streams.filter((s) => s.timeline).map((s) => ({ label: s.assignment!.label, ...s.timeline!.stats }));
  }

  private position(): number {
    return Math.round(((this.now() - this.info.startedAtMs) * RATE) / 1000);
  }

  private onRtp(state: StreamState, data: Buffer): void {
    if (!this.sink || !state.sending || !state.timeline || !state.assignment) return;
    const packet = parseRtp(data);
    if (!packet) return;
    this.packets++;
    this.lastActivityMs = this.now();
    const placed = state.timeline.place(packet, this.position());
    if (!placed) return;
    this.onPacket(data.length);
    this.sink.frame(state.assignment, placed);
  }
}

async function bindRtp(options: MediaSocketOptions): Promise<dgram.Socket> {
  const family = options.host.includes(':') ? 'udp6' : 'udp4';
  const ports = options.portMin === 0 ? [0] : shuffledRange(options.portMin, options.portMax);
  for (const port of ports) {
    // A larger receive buffer rides out event-loop stalls without dropping RTP (UDP has no backpressure).
    const socket = dgram.createSocket({ type: family, recvBufferSize: RTP_RECV_BUFFER });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, options.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.on('error', () => undefined);
      return socket;
    } catch {
      socket.close();
    }
  }
  throw new SrsRefusal(503, 'no free RTP port');
}

function shuffledRange(min: number, max: number): number[] {
  const start = min + Math.floor(Math.random() * (max - min + 1));
  const out: number[] = [];
  for (let i = 0; i <= max - min && out.length < 64; i++) out.push(min + ((start - min + i) % (max - min + 1)));
  return out;
}
