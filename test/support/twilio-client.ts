import WebSocket from 'ws';
import { twilioSignature } from '../../src/ingest/twilio/signature.js';

/** A Twilio Media Streams sender as Twilio behaves: signed upgrade, connected, start, media per track, stop. */

export interface TwilioClientOptions {
  readonly url: string;
  readonly authToken: string;
  readonly callSid?: string;
  readonly customParameters?: Record<string, string>;
}

export class TwilioTestClient {
  private seq = 0;
  private readonly chunks = { inbound: 0, outbound: 0 };
  readonly streamSid = `MZ${Math.random().toString(16).slice(2).padEnd(32, '0')}`;

  private constructor(
    readonly ws: WebSocket,
    readonly options: TwilioClientOptions,
  ) {}

  static connect(options: TwilioClientOptions, signature = twilioSignature(options.authToken, options.url)): Promise<TwilioTestClient> {
    const ws = new WebSocket(options.url, { headers: { 'x-twilio-signature': signature } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TwilioTestClient(ws, options)));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  private send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ ...message, sequenceNumber: String(++this.seq) }));
  }

  start(): void {
    this.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.send({
      event: 'start',
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: 'AC00000000000000000000000000000001',
        callSid: this.options.callSid ?? `CA${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
        tracks: ['inbound', 'outbound'],
        customParameters: this.options.customParameters ?? {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  }

  /** One µ-law chunk of `track` at `timestampMs` since the stream started. */
  media(track: 'inbound' | 'outbound', timestampMs: number, payload: Uint8Array): void {
    this.send({
      event: 'media',
      streamSid: this.streamSid,
      media: { track, chunk: String(++this.chunks[track]), timestamp: String(timestampMs), payload: Buffer.from(payload).toString('base64') },
    });
  }

  async stop(): Promise<void> {
    this.send({ event: 'stop', streamSid: this.streamSid, stop: { accountSid: 'AC00000000000000000000000000000001', callSid: 'CA0' } });
    await new Promise((r) => setTimeout(r, 50));
    this.ws.close();
    await new Promise((r) => this.ws.once('close', r));
  }
}
