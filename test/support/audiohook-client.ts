import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { upgradeHeaders } from '../../src/ingest/audiohook/protocol/signature.js';

/**
 * An AudioHook client as Genesys Cloud behaves: a signed upgrade, `open` with media offers,
 * interleaved audio frames, pause/resume, close. Used by tests and the ingest benchmark.
 */

export interface AudioHookClientOptions {
  readonly url: string;
  readonly apiKey: string;
  /** Base64 client secret. */
  readonly clientSecret: string;
  readonly organizationId?: string;
  readonly conversationId?: string;
  readonly participantId?: string;
  readonly media?: ReadonlyArray<{ type: 'audio'; format: 'PCMU' | 'L16'; channels: string[]; rate: number }>;
  readonly continuedSessions?: ReadonlyArray<{ id: string; serverseq: number; clientseq: number }>;
}

export class AudioHookTestClient {
  readonly sessionId = randomUUID();
  readonly received: any[] = [];
  private seq = 0;
  private serverSeq = 0;
  private positionSamples = 0;
  private readonly waiters: Array<{ type: string; resolve: (m: any) => void }> = [];

  private constructor(
    readonly ws: WebSocket,
    readonly options: AudioHookClientOptions,
  ) {
    ws.on('message', (data, binary) => {
      if (binary) return;
      const message = JSON.parse(data.toString());
      this.serverSeq = message.seq;
      this.received.push(message);
      for (const w of [...this.waiters]) {
        if (w.type === message.type) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    });
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(options: AudioHookClientOptions): Promise<AudioHookTestClient> {
    const url = new URL(options.url);
    const organizationId = options.organizationId ?? randomUUID();
    const sessionId = randomUUID();
    const headers = upgradeHeaders({
      apiKey: options.apiKey,
      secret: new Uint8Array(Buffer.from(options.clientSecret, 'base64')),
      organizationId,
      sessionId,
      requestTarget: url.pathname + url.search,
      authority: url.host,
    });
    const ws = new WebSocket(options.url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        const client = new AudioHookTestClient(ws, { ...options, organizationId });
        (client as { sessionId: string }).sessionId = sessionId;
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  next(type: string, timeoutMs = 5000): Promise<any> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ type, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  send(type: string, parameters: Record<string, unknown>): void {
    this.ws.send(
      JSON.stringify({ version: '2', id: this.sessionId, type, seq: ++this.seq, serverseq: this.serverSeq, position: `PT${this.positionSamples / 8000}S`, parameters }),
    );
  }

  async open(): Promise<any> {
    const o = this.options;
    const opened = this.next('opened');
    this.send('open', {
      organizationId: o.organizationId,
      conversationId: o.conversationId ?? randomUUID(),
      participant: { id: o.participantId ?? randomUUID(), ani: '+15551230001', aniName: 'Test Caller', dnis: '+18005550100' },
      media: o.media ?? [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }],
      ...(o.continuedSessions ? { continuedSessions: o.continuedSessions } : {}),
    });
    return opened;
  }

  /** Sends one frame of 8-bit samples (PCMU), interleaved in the order of the selected channels. */
  audio(...channels: Uint8Array[]): void {
    const samples = channels[0]!.length;
    const frame = new Uint8Array(samples * channels.length);
    for (let s = 0; s < samples; s++) for (let c = 0; c < channels.length; c++) frame[s * channels.length + c] = channels[c]![s]!;
    this.ws.send(frame);
    this.positionSamples += samples;
  }

  /** The client paused for `seconds` (the audio it did not send is declared with `resumed`). */
  pauseFor(seconds: number): { resume(): void } {
    this.send('paused', {});
    const start = this.positionSamples;
    return {
      resume: () => {
        this.positionSamples += seconds * 8000;
        this.send('resumed', { start: `PT${start / 8000}S`, discarded: `PT${seconds}S` });
      },
    };
  }

  async close(reason: 'end' | 'reconnect' = 'end'): Promise<void> {
    const closed = this.next('closed', 15_000);
    this.send('close', { reason });
    await closed;
    this.ws.close();
  }
}
