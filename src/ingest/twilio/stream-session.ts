import { parseTwilioMessage, type TwilioStart, type Track } from './messages.js';

/**
 * One Twilio Media Stream as a state machine: connected → started → stopped. Each track's audio is
 * placed by its `timestamp` (milliseconds since the stream started), not by arrival, so inbound
 * and outbound stay aligned even when Twilio interleaves them unevenly.
 */

export type StreamState = 'connecting' | 'connected' | 'started' | 'stopped';

export interface TwilioFrame {
  readonly track: Track;
  /** The track's chunk counter. */
  readonly chunk: number;
  /** Samples since the stream started (8 kHz). */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export interface StreamListener {
  start(start: TwilioStart): Promise<void>;
  media(frame: TwilioFrame): void;
  /** The stream is over (`stop`, or the connection closed); must not throw. */
  stop(): Promise<void>;
  /** A message that breaks the protocol; ignored after it is reported. */
  invalid(reason: string): void;
}

const RATE = 8000;
/** About 50 s of both tracks at 20 ms. */
const MAX_QUEUED = 5000;

export class TwilioStreamSession {
  private current: StreamState = 'connecting';
  private streamSid: string | undefined;
  private starting: Promise<void> | undefined;
  /** Media that arrived while `start` was still being handled (bounded); then straight through. */
  private queued: TwilioFrame[] | undefined = [];

  constructor(private readonly listener: StreamListener) {}

  get state(): StreamState {
    return this.current;
  }

  onText(text: string): void {
    const parsed = parseTwilioMessage(text);
    if (!parsed.ok) return this.listener.invalid(parsed.reason);
    const message = parsed.message;
    const streamSid = 'streamSid' in message ? message.streamSid : undefined;
    if (this.streamSid && streamSid && streamSid !== this.streamSid) return this.listener.invalid(`message for another stream ${streamSid}`);
    switch (message.event) {
      case 'connected':
        if (this.current === 'connecting') this.current = 'connected';
        return;
      case 'start': {
        if (this.current === 'started' || this.current === 'stopped') return this.listener.invalid('a second start');
        const format = message.start.mediaFormat;
        if (format.encoding !== 'audio/x-mulaw' || format.sampleRate !== RATE || format.channels !== 1) {
          return this.listener.invalid(`unsupported media format ${format.encoding}/${format.sampleRate}/${format.channels}`);
        }
        this.current = 'started';
        this.streamSid = message.start.streamSid;
        this.starting = this.listener.start(message.start).then(
          () => {
            const queued = this.queued ?? [];
            this.queued = undefined;
            for (const frame of queued) this.listener.media(frame);
          },
          (err: unknown) => {
            this.queued = [];
            throw err;
          },
        );
        this.starting.catch(() => undefined);
        return;
      }
      case 'media': {
        if (this.current !== 'started') return this.listener.invalid(`media in state ${this.current}`);
        const payload = Buffer.from(message.media.payload, 'base64');
        if (payload.length === 0) return;
        const frame: TwilioFrame = { track: message.media.track, chunk: message.media.chunk, timestamp: message.media.timestamp * (RATE / 1000), payload };
        if (!this.queued) this.listener.media(frame);
        else if (this.queued.length < MAX_QUEUED) this.queued.push(frame);
        else this.listener.invalid('media arriving faster than the stream could start; dropped');
        return;
      }
      case 'stop':
        void this.finish();
        return;
      default:
        return;
    }
  }

  /** The WebSocket closed; a stream that never said `stop` ends here. */
  onTransportClosed(): Promise<void> {
    return this.finish();
  }

  private async finish(): Promise<void> {
    if (this.current === 'stopped') return;
    const wasStarted = this.current === 'started';
    this.current = 'stopped';
    if (!wasStarted) return;
    await this.starting!.catch(() => undefined);
    await this.listener.stop();
  }
}
