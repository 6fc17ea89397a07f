import WebSocket from 'ws';
import type { CapstanClient } from './api-client.js';
import { bytesPerSample, signaturePayload, type SampleRate, type SourceCodec } from './signature.js';

/**
 * The client side of the native media protocol (docs/media-protocol.md): one WebSocket per
 * conversation carrying one stream per source. Built to be a cheap load generator: every frame's
 * payload is a precomputed signature pattern, frame buffers come from a per-stream pool and go
 * back to it once the socket has written them, and client frames use the all-zero mask so `ws`
 * sends them without copying.
 */

export const MEDIA_PATH = '/api/v2/capstan/media';
const HEADER_BYTES = 12;
const REPLY_TIMEOUT_MS = 15_000;

export interface StreamSpec {
  readonly conversationId: string;
  readonly participantId: string;
  readonly codec: SourceCodec;
  readonly sampleRate: SampleRate;
  /** Conversation-clock instant of sample 0. */
  readonly startAt: string;
  readonly hz: number;
  readonly frameMs: number;
  readonly duplicateFrames?: boolean;
  readonly reorderFrames?: boolean;
}

export interface StreamReport {
  readonly participantId: string;
  readonly framesSent: number;
  readonly framesReceived?: number;
  readonly framesLost?: number;
  readonly duplicates?: number;
}

interface Waiter {
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
}

interface ServerMessage {
  readonly type: string;
  readonly stream?: number;
  readonly code?: string;
  readonly message?: string;
  readonly framesReceived?: number;
  readonly framesLost?: number;
  readonly duplicates?: number;
}

export class MediaConnection {
  /** Errors the server reported, as `code: message (participant)`. */
  readonly problems: string[] = [];
  private nextStreamId = 1;
  private readonly waiters = new Map<string, Waiter>();
  private readonly participants = new Map<number, string>();
  private closedWith: Error | undefined;
  private unwritten = 0;
  private drainWaiters: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on('close', (code, reason) => this.failAll(new Error(`media connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)));
    ws.on('error', (err) => this.failAll(err));
  }

  static async connect(client: CapstanClient): Promise<MediaConnection> {
    const ws = new WebSocket(client.url(MEDIA_PATH, true), {
      headers: await client.authHeaders(),
      generateMask: (mask) => mask.fill(0),
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`media WebSocket refused: HTTP ${res.statusCode}`)));
    });
    return new MediaConnection(ws);
  }

  /** Resolves once the socket has handed every frame queued so far to the kernel. */
  drained(): Promise<void> {
    if (this.unwritten === 0 || this.closedWith) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Opens a stream. Its frames may follow at once, as a telephony platform's would: the server
   * queues them until it has answered, and nothing else on the connection waits for the answer.
   */
  openStream(spec: StreamSpec): MediaStream {
    const id = this.nextStreamId++;
    this.participants.set(id, spec.participantId);
    const opened = this.expect(`opened:${id}`);
    // A refusal is also reported in `problems`; the stream's close() rethrows it.
    opened.catch(() => undefined);
    this.sendJson({ type: 'open', stream: id, conversationId: spec.conversationId, participantId: spec.participantId, codec: spec.codec, sampleRate: spec.sampleRate, startAt: spec.startAt });
    return new MediaStream(this, id, spec, opened);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(1000);
    const timedOut = await Promise.race([closed.then(() => false), sleep(2000).then(() => true)]);
    if (timedOut) this.ws.terminate();
  }

  /** @internal */
  sendFrame(frame: Buffer, done: () => void): void {
    this.unwritten++;
    this.ws.send(frame, { binary: true }, () => {
      done();
      if (--this.unwritten === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
    });
  }

  /** @internal Sends the close now; the promise is the server's answer. */
  closeStream(id: number): Promise<ServerMessage> {
    const closed = this.expect(`closed:${id}`);
    this.sendJson({ type: 'close', stream: id });
    return closed;
  }

  private sendJson(message: object) {
    if (this.closedWith) throw this.closedWith;
    this.ws.send(JSON.stringify(message));
  }

  private expect(key: string): Promise<ServerMessage> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`no ${key.split(':')[0]} reply from the media server within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.waiters.set(key, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  private onMessage(text: string) {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.problems.push(`unreadable message from the server: ${text.slice(0, 200)}`);
      return;
    }
    const key = `${message.type}:${message.stream}`;
    if (message.type === 'error') {
      const who = message.stream === undefined ? '' : ` (stream of ${this.participants.get(message.stream) ?? message.stream})`;
      const problem = `${message.code}: ${message.message}${who}`;
      this.problems.push(problem);
      for (const pending of [`opened:${message.stream}`, `closed:${message.stream}`]) {
        const waiter = this.waiters.get(pending);
        this.waiters.delete(pending);
        waiter?.reject(new Error(problem));
      }
      return;
    }
    const waiter = this.waiters.get(key);
    this.waiters.delete(key);
    waiter?.resolve(message);
  }

  private failAll(error: Error) {
    this.closedWith ??= error;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}

/** One source: frames of a fixed length carrying the participant's signature. */
export class MediaStream {
  private readonly frameSamples: number;
  private readonly bytesPerSample: number;
  private readonly template: Buffer;
  private readonly pool: Buffer[] = [];
  private seq = 0;
  private sentSamples = 0;
  private framesSent = 0;
  private held: { frame: Buffer; parent: Buffer; copies: number } | undefined;

  constructor(
    private readonly connection: MediaConnection,
    readonly id: number,
    private readonly spec: StreamSpec,
    private readonly opened: Promise<unknown>,
  ) {
    this.frameSamples = (spec.sampleRate * spec.frameMs) / 1000;
    this.bytesPerSample = bytesPerSample(spec.codec);
    this.template = Buffer.concat([Buffer.alloc(HEADER_BYTES), signaturePayload(spec.hz, spec.codec, spec.sampleRate, spec.frameMs)]);
    this.template[0] = 1;
    this.template.writeUInt16BE(id, 2);
  }

  /** Sends whole frames until `samples` samples from the start have been sent (a shorter last frame when `final`). */
  sendUntil(samples: number, final = false): void {
    while (this.sentSamples + this.frameSamples <= samples || (final && this.sentSamples < samples)) {
      const count = Math.min(this.frameSamples, samples - this.sentSamples);
      const parent = this.pool.pop() ?? Buffer.from(this.template);
      parent.writeUInt32BE(this.seq >>> 0, 4);
      parent.writeUInt32BE(this.sentSamples >>> 0, 8);
      const frame = count === this.frameSamples ? parent : parent.subarray(0, HEADER_BYTES + count * this.bytesPerSample);
      this.seq = (this.seq + 1) >>> 0;
      this.sentSamples += count;
      this.framesSent++;
      this.deliver(frame, parent);
    }
  }

  /** Sends the stream's last frames and its close at once; resolves with the server's count of what it got. */
  async close(): Promise<StreamReport> {
    if (this.held) this.transmit(this.held.frame, this.held.parent, this.held.copies);
    this.held = undefined;
    const answer = this.connection.closeStream(this.id);
    answer.catch(() => undefined);
    await this.opened;
    const closed = await answer;
    return {
      participantId: this.spec.participantId,
      framesSent: this.framesSent,
      framesReceived: closed.framesReceived,
      framesLost: closed.framesLost,
      duplicates: closed.duplicates,
    };
  }

  private deliver(frame: Buffer, parent: Buffer) {
    const copies = this.spec.duplicateFrames && this.framesSent % 10 === 0 ? 2 : 1;
    if (!this.spec.reorderFrames) return this.transmit(frame, parent, copies);
    if (!this.held) {
      this.held = { frame, parent, copies };
      return;
    }
    this.transmit(frame, parent, copies);
    this.transmit(this.held.frame, this.held.parent, this.held.copies);
    this.held = undefined;
  }

  private transmit(frame: Buffer, parent: Buffer, copies: number) {
    let pending = copies;
    const release = () => {
      if (--pending === 0) this.pool.push(parent);
    };
    for (let i = 0; i < copies; i++) this.connection.sendFrame(frame, release);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
