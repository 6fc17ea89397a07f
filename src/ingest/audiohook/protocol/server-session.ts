import {
  NIL_UUID,
  durationSamples,
  parseClientMessage,
  usableOffer,
  type ClientMessage,
  type ClientMessageOf,
  type DisconnectReason,
  type MediaOffer,
  type OpenParameters,
  type ServerMessage,
} from './messages.js';
import { deinterleave, type AudioFrame } from './audio.js';

/**
 * The server side of one AudioHook session, as an explicit state machine independent of the
 * transport: feed it the client's text and binary frames, and it answers through `send`.
 *
 *   preparing --open--> opening --(authorized, media chosen)--> active | paused
 *   active --pause()--> pausing --paused--> paused --resume()--> resuming --resumed--> active
 *   active --paused (client-initiated)--> paused --resumed--> active
 *   any open state --close--> closing --(flushed)--> closed
 *   any state --disconnect()--> disconnecting --close--> closing --> closed
 *   transport lost before closed --> lost
 */

export type SessionState =
  | 'preparing'
  | 'opening'
  | 'active'
  | 'pausing'
  | 'paused'
  | 'resuming'
  | 'closing'
  | 'closed'
  | 'disconnecting'
  | 'lost';

export interface OpenContext {
  readonly sessionId: string;
  readonly open: OpenParameters;
  /** The offer the session records, exactly as offered; undefined when none is usable. */
  readonly media: MediaOffer | undefined;
  /** A connection probe (nil conversation and participant): complete the handshake, record nothing. */
  readonly probe: boolean;
}

export interface OpenDecision {
  readonly startPaused?: boolean;
}

export interface SessionListener {
  /** Resolves undefined to accept the session, or the reason it is unauthorized. */
  authorize(ctx: OpenContext): Promise<string | undefined>;
  /** The session is accepted; throwing disconnects it with reason `error`. */
  open(ctx: OpenContext): Promise<OpenDecision | void>;
  /** Audio at `position` samples on the stream timeline (which includes paused and discarded spans). */
  audio(frame: AudioFrame, position: number): void;
  /** The client skipped `samples` from `start` on purpose (`resumed` after a pause, or `discarded`). */
  gap(kind: 'paused' | 'discarded', start: number, samples: number): void;
  paused(position: number): void;
  /** The client sends again from `position` (after `resumed`). */
  resumed(position: number): void;
  update(language: string | undefined): void;
  clientError(code: number, message: string): void;
  /** The client closes: flush what was received before `closed` is sent. */
  close(reason: ClientMessageOf<'close'>['parameters']['reason']): Promise<void>;
  /** The session is over (closed, or the transport went away); called once. */
  ended(state: 'closed' | 'lost'): void;
  /** A protocol violation, logged by the glue before the session is disconnected. */
  rejected(reason: string): void;
}

export interface Transport {
  send(text: string): void;
  close(): void;
}

const RECEIVING: ReadonlySet<SessionState> = new Set(['active', 'pausing']);
const OPEN: ReadonlySet<SessionState> = new Set(['active', 'pausing', 'paused', 'resuming']);

export class AudioHookServerSession {
  private current: SessionState = 'preparing';
  private seq = 0;
  private clientSeq = 0;
  private media: MediaOffer | undefined;
  /** Samples on the stream timeline so far: received audio plus skipped spans. */
  private position = 0;
  private rate = 8000;
  private endedCalled = false;

  constructor(
    private readonly transport: Transport,
    private readonly listener: SessionListener,
    /** From the Audiohook-Session-Id header; every message must carry it as `id`. */
    private sessionId: string | undefined,
  ) {}

  get state(): SessionState {
    return this.current;
  }

  get selectedMedia(): MediaOffer | undefined {
    return this.media;
  }

  get positionSamples(): number {
    return this.position;
  }

  onText(text: string): void {
    if (this.current === 'closed' || this.current === 'lost') return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.protocolError(parsed.reason);
    const message = parsed.message;
    this.sessionId ??= message.id;
    if (message.id !== this.sessionId) return this.protocolError(`message id ${message.id} is not this session's id`);
    // After a disconnect only the client's close matters, whatever its numbering.
    if (this.current === 'disconnecting') {
      this.clientSeq = message.seq;
      if (message.type === 'close') this.dispatch(message);
      return;
    }
    if (message.seq !== this.clientSeq + 1) return this.protocolError(`seq ${message.seq} where ${this.clientSeq + 1} was expected`);
    if (message.serverseq > this.seq) return this.protocolError(`serverseq ${message.serverseq} is ahead of the server's ${this.seq}`);
    this.clientSeq = message.seq;
    this.dispatch(message);
  }

  onBinary(data: Uint8Array): void {
    if (this.current === 'closed' || this.current === 'lost' || this.current === 'disconnecting' || this.current === 'closing') return;
    if (!RECEIVING.has(this.current)) return this.protocolError(`audio received in state ${this.current}`);
    if (!this.media) return this.protocolError('audio received but no media format was selected');
    const frame = deinterleave(data, this.media);
    if (!frame) return this.protocolError(`audio frame of ${data.length} bytes is not a whole number of ${this.media.format} samples for ${this.media.channels.length} channel(s)`);
    if (frame.samples === 0) return;
    const at = this.position;
    this.position += frame.samples;
    this.listener.audio(frame, at);
  }

  /** The transport closed (or failed). */
  onTransportClosed(): void {
    if (this.current === 'closed' || this.current === 'lost') return;
    this.current = 'lost';
    this.end('lost');
  }

  /** Asks the client to pause the audio (idempotent). */
  pause(): void {
    if (this.current !== 'active') return;
    this.current = 'pausing';
    this.send('pause', {});
  }

  /** Asks the client to resume the audio (idempotent). */
  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'resuming';
    this.send('resume', {});
  }

  /** Asks the client to open a new session that continues this one (e.g. before this node drains). */
  reconnect(info?: string): void {
    if (OPEN.has(this.current)) this.send('reconnect', info ? { info } : {});
  }

  /** Ends the session from the server's side; the client answers with `close`. */
  disconnect(reason: DisconnectReason, info?: string): void {
    if (this.current === 'closing' || this.current === 'closed' || this.current === 'lost' || this.current === 'disconnecting') return;
    this.current = 'disconnecting';
    this.send('disconnect', info ? { reason, info } : { reason });
  }

  private dispatch(message: ClientMessage): void {
    switch (message.type) {
      case 'open':
        if (this.current !== 'preparing') return this.protocolError(`open received in state ${this.current}`);
        this.current = 'opening';
        void this.runOpen(message).catch((err: unknown) => {
          this.listener.rejected(`open failed: ${(err as Error).message}`);
          this.disconnect('error', 'the session could not be opened');
        });
        return;
      case 'ping':
        this.send('pong', {});
        return;
      case 'update':
        this.listener.update(message.parameters.language);
        if (OPEN.has(this.current)) this.send('updated', {});
        return;
      case 'paused':
        if (this.current === 'active' || this.current === 'pausing') {
          this.current = 'paused';
          this.listener.paused(this.position);
        }
        return;
      case 'resumed':
        if (this.current !== 'paused' && this.current !== 'resuming') return;
        this.current = 'active';
        this.skip('paused', message.parameters.start, message.parameters.discarded);
        this.listener.resumed(this.position);
        return;
      case 'discarded':
        if (!OPEN.has(this.current)) return;
        this.skip('discarded', message.parameters.start, message.parameters.discarded);
        return;
      case 'error':
        this.listener.clientError(message.parameters.code, message.parameters.message);
        return;
      case 'close':
        if (this.current === 'preparing' || this.current === 'closing') return;
        this.current = 'closing';
        this.listener.close(message.parameters.reason).then(
          () => this.finishClose(),
          (err: unknown) => {
            this.listener.rejected(`close failed: ${(err as Error).message}`);
            this.finishClose();
          },
        );
        return;
    }
  }

  private async runOpen(message: ClientMessageOf<'open'>): Promise<void> {
    const open = message.parameters;
    const offers = open.media.map((offer) => ({ offer, usable: usableOffer(offer) })).filter((o) => o.usable);
    // Both parties on their own channel if offered, else the first usable offer; copied exactly as offered.
    const chosen = offers.find((o) => o.usable!.channels.length === 2) ?? offers[0];
    const ctx: OpenContext = {
      sessionId: this.sessionId!,
      open,
      media: chosen?.usable,
      probe: open.conversationId === NIL_UUID && open.participant.id === NIL_UUID,
    };
    const unauthorized = await this.listener.authorize(ctx);
    if (this.current !== 'opening') return;
    if (unauthorized !== undefined) {
      this.disconnect('unauthorized', unauthorized);
      return;
    }
    const decision = (await this.listener.open(ctx)) ?? {};
    if (this.current !== 'opening') return;
    this.media = ctx.media;
    this.rate = ctx.media?.rate ?? 8000;
    this.current = decision.startPaused ? 'paused' : 'active';
    this.send('opened', { media: chosen ? [chosen.offer] : [], startPaused: decision.startPaused ?? false });
  }

  private skip(kind: 'paused' | 'discarded', start: string, discarded: string): void {
    const from = durationSamples(start, this.rate);
    const samples = durationSamples(discarded, this.rate);
    if (samples > 0) this.listener.gap(kind, from, samples);
    this.position = Math.max(this.position, from + samples);
  }

  private finishClose(): void {
    if (this.current !== 'closing') return;
    this.send('closed', {});
    this.current = 'closed';
    this.end('closed');
  }

  private end(state: 'closed' | 'lost'): void {
    if (this.endedCalled) return;
    this.endedCalled = true;
    this.listener.ended(state);
  }

  private protocolError(reason: string): void {
    this.listener.rejected(reason);
    this.disconnect('error', reason);
  }

  private send(type: ServerMessage['type'], parameters: Record<string, unknown>): void {
    const message: ServerMessage = { version: '2', id: this.sessionId ?? NIL_UUID, type, seq: ++this.seq, clientseq: this.clientSeq, parameters };
    this.transport.send(JSON.stringify(message));
  }
}
