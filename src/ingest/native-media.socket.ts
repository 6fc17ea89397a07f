import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Principal } from '../api/route.js';
import { hasPermission } from '../domain/access/principal.js';
import { DomainError } from '../domain/errors.js';
import type { MediaIngest, PushResult, SourceFrame, SourceSink } from '../media/source.js';
import type { UpgradeRoute } from './upgrade-dispatcher.js';

/**
 * The native media WebSocket, `/api/v2/capstan/media` (docs/media-protocol.md): JSON control
 * messages open and close *streams* (one per participant source), binary messages carry audio
 * frames with a 12-byte header. A bad message is answered with an error naming its stream and
 * changes nothing; a connection that keeps sending garbage is closed with 1008.
 */

export const NATIVE_MEDIA_PATH = '/api/v2/capstan/media';
const HEADER = 12;
const VERSION = 1;
/** Frames that arrive for a stream while its `open` is still being answered. */
const MAX_QUEUED = 500;
/** Bad messages tolerated on one connection before it is closed. */
const MAX_BAD = 50;

const streamId = z.number().int().min(1).max(65535);
const controlSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('open'),
    stream: streamId,
    conversationId: z.string().min(1).max(128),
    participantId: z.string().min(1).max(128),
    codec: z.enum(['PCMU', 'PCMA', 'L16']),
    sampleRate: z.union([z.literal(8000), z.literal(16000)]),
    startAt: z.iso.datetime({ offset: true }),
  }),
  z.strictObject({
    type: z.literal('gap'),
    stream: streamId,
    timestamp: z.number().int().min(0).max(2 ** 32 - 1),
    samples: z.number().int().min(1).max(2 ** 31),
    reason: z.enum(['Pause', 'Discarded']),
  }),
  z.strictObject({ type: z.literal('close'), stream: streamId }),
]);

type Stream = { state: 'opening'; queued: SourceFrame[]; closeRequested: boolean } | { state: 'open'; sink: SourceSink };

export interface NativeMediaDeps {
  readonly ingest: MediaIngest;
  /** Who the connection acts for (its organization); undefined refuses the upgrade with 401. */
  readonly authenticate: (request: IncomingMessage) => Promise<Principal | undefined>;
  /** Records a refused upgrade in the audit trail. */
  readonly refused: (request: IncomingMessage, principal: Principal | undefined, code: string, message: string) => Promise<void>;
  readonly logger: Logger;
}

/** Sending audio, like sending events, is for telephony integrations. */
export const MEDIA_PERMISSION = 'conversation:event:add';

export function nativeMediaRoute(deps: NativeMediaDeps): UpgradeRoute<Principal> {
  return {
    path: NATIVE_MEDIA_PATH,
    async accept(request) {
      const principal = await deps.authenticate(request);
      if (!principal) {
        const message = 'Authentication is required: send a bearer token';
        await deps.refused(request, undefined, 'authentication.required', message);
        return { accept: false, status: 401, code: 'authentication.required', message };
      }
      if (!hasPermission(principal, MEDIA_PERMISSION)) {
        const message = `Missing any of the permissions: ${MEDIA_PERMISSION}`;
        await deps.refused(request, principal, 'missing.any.permissions', message);
        return { accept: false, status: 403, code: 'missing.any.permissions', message };
      }
      return { accept: true, context: principal };
    },
    connected(socket, principal) {
      new NativeMediaConnection(socket, principal, deps);
    },
  };
}

class NativeMediaConnection {
  private readonly streams = new Map<number, Stream>();
  private bad = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly principal: Principal,
    private readonly deps: NativeMediaDeps,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? this.onFrame(data) : this.onControl(data)));
    socket.on('close', () => this.closeAll());
    socket.on('error', () => this.closeAll());
  }

  private onFrame(data: Buffer): void {
    if (data.length <= HEADER || data[0] !== VERSION || data[1] !== 0) {
      return this.error('media.badFrame', 'a frame is a 12-byte header (version 1, flags 0) followed by samples', data.length >= 4 ? data.readUInt16BE(2) : undefined);
    }
    const id = data.readUInt16BE(2);
    const stream = this.streams.get(id);
    if (!stream) return this.error('media.unknownStream', `stream ${id} is not open on this connection`, id);
    const frame: SourceFrame = { seq: data.readUInt32BE(4), timestamp: data.readUInt32BE(8), payload: data.subarray(HEADER) };
    if (stream.state === 'opening') {
      if (stream.queued.length < MAX_QUEUED) stream.queued.push(frame);
      else this.error('media.badFrame', `stream ${id} is not open yet; wait for "opened"`, id);
      return;
    }
    this.pushed(id, stream.sink.push(frame));
  }

  private pushed(id: number, result: PushResult): void {
    if (result === 'tooFar') this.error('media.badFrame', `stream ${id}: the timestamp jumps more than 10 s ahead of the stream's audio so far (sent, or conversation time already recorded)`, id);
    else if (result === 'badPayload') this.error('media.badFrame', `stream ${id}: the payload is not whole samples of the stream's codec`, id);
  }

  private onControl(data: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString('utf8'));
    } catch {
      return this.error('media.badMessage', 'control messages are JSON objects with a "type"');
    }
    const result = controlSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const stream = (raw as { stream?: unknown } | null)?.stream;
      return this.error('media.badMessage', `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`, typeof stream === 'number' ? stream : undefined);
    }
    const parsed = result.data;
    if (parsed.type === 'open') return void this.open(parsed);
    const stream = this.streams.get(parsed.stream);
    if (!stream) return this.error('media.unknownStream', `stream ${parsed.stream} is not open on this connection`, parsed.stream);
    if (parsed.type === 'gap') {
      if (stream.state === 'open') stream.sink.gap(parsed.timestamp, parsed.samples, parsed.reason);
      return;
    }
    if (stream.state === 'opening') {
      stream.closeRequested = true;
      return;
    }
    this.close(parsed.stream, stream.sink);
  }

  private async open(message: Extract<z.infer<typeof controlSchema>, { type: 'open' }>): Promise<void> {
    if (this.streams.has(message.stream)) return this.error('media.streamInUse', `stream ${message.stream} is already open on this connection`, message.stream);
    const opening: Stream = { state: 'opening', queued: [], closeRequested: false };
    this.streams.set(message.stream, opening);
    let sink: SourceSink;
    try {
      sink = await this.deps.ingest.open({
        orgId: this.principal.orgId,
        conversationId: message.conversationId,
        participantId: message.participantId,
        codec: message.codec,
        sampleRate: message.sampleRate,
        startAtMs: Date.parse(message.startAt),
        connector: 'native',
      });
    } catch (err) {
      this.streams.delete(message.stream);
      if (err instanceof DomainError) return this.error(err.code, err.message, message.stream, false);
      this.deps.logger.error({ err }, 'could not open a media stream');
      return this.error('media.unavailable', 'the stream could not be opened; try again', message.stream, false);
    }
    if (this.socket.readyState !== this.socket.OPEN) {
      sink.close();
      return;
    }
    this.streams.set(message.stream, { state: 'open', sink });
    this.send({ type: 'opened', stream: message.stream });
    for (const frame of opening.queued) this.pushed(message.stream, sink.push(frame));
    if (opening.closeRequested) this.close(message.stream, sink);
  }

  private close(id: number, sink: SourceSink): void {
    this.streams.delete(id);
    const stats = sink.close();
    this.send({ type: 'closed', stream: id, framesReceived: stats.framesReceived, framesLost: stats.framesLost, duplicates: stats.duplicates });
  }

  private closeAll(): void {
    for (const [id, stream] of this.streams) {
      if (stream.state === 'open') stream.sink.close();
      this.streams.delete(id);
    }
  }

  private error(code: string, message: string, stream?: number, counts = true): void {
    this.send({ type: 'error', ...(stream !== undefined ? { stream } : {}), code, message });
    if (counts && ++this.bad > MAX_BAD) this.socket.close(1008, 'too many bad messages');
  }

  private send(message: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
