import WebSocket from 'ws';

/** A native media protocol client for tests (docs/media-protocol.md). */

export interface OpenOptions {
  conversationId: string;
  participantId: string;
  codec: 'PCMU' | 'PCMA' | 'L16';
  sampleRate: 8000 | 16000;
  startAt: string;
}

export class MediaClient {
  readonly messages: Array<Record<string, unknown>> = [];
  private waiters: Array<{ match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<MediaClient> {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/api/v2/capstan/media', { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new MediaClient(socket);
  }

  next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message; got ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  control(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  async open(stream: number, options: OpenOptions): Promise<Record<string, unknown>> {
    this.control({ type: 'open', stream, ...options });
    return this.next((m) => m.stream === stream && (m.type === 'opened' || m.type === 'error'));
  }

  frame(stream: number, seq: number, timestamp: number, payload: Uint8Array): void {
    this.socket.send(encodeFrame(stream, seq, timestamp, payload));
  }

  async close(stream: number): Promise<Record<string, unknown>> {
    this.control({ type: 'close', stream });
    return this.next((m) => m.stream === stream && m.type === 'closed');
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export function encodeFrame(stream: number, seq: number, timestamp: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + payload.length);
  out.writeUInt8(1, 0);
  out.writeUInt8(0, 1);
  out.writeUInt16BE(stream, 2);
  out.writeUInt32BE(seq >>> 0, 4);
  out.writeUInt32BE(timestamp >>> 0, 8);
  out.set(payload, 12);
  return out;
}

/** PCM16 as little-endian bytes (the L16 codec of the native protocol). */
export function l16(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}
