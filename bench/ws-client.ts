import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A minimal WebSocket client on a raw socket, for the load generator: frames are built by hand
 * (masked with a zero key, which the protocol allows and which costs no copy), and both sources'
 * frames of a call go out in one write. The generator must stay cheap, or it and not the server
 * would be what the benchmark measures.
 */

export type TextHandler = (message: Record<string, unknown>) => void;

export class RawWebSocket {
  private pending: Buffer = Buffer.alloc(0);

  private constructor(
    readonly socket: net.Socket,
    private readonly onText: TextHandler,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number, path: string, onText: TextHandler, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      let head = Buffer.alloc(0);
      const onData = (data: Buffer) => {
        head = Buffer.concat([head, data]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!head.toString('latin1', 0, 12).includes('101')) {
          socket.destroy();
          return reject(new Error(`upgrade refused: ${head.toString('latin1', 0, end)}`));
        }
        const ws = new RawWebSocket(socket, onText);
        if (head.length > end + 4) ws.receive(head.subarray(end + 4));
        resolve(ws);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
            Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
            '\r\n',
        );
      });
    });
  }

  sendText(message: object): void {
    this.socket.write(frame(0x1, Buffer.from(JSON.stringify(message))));
  }

  /** Writes already framed bytes (see `binaryFrameInto`). */
  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  get backlogBytes(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
  }

  private receive(data: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    for (;;) {
      if (this.pending.length < 2) return;
      const opcode = this.pending[0]! & 0x0f;
      let length = this.pending[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (this.pending.length < 4) return;
        length = this.pending.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (this.pending.length < 10) return;
        length = Number(this.pending.readBigUInt64BE(2));
        at = 10;
      }
      if (this.pending.length < at + length) return;
      const payload = this.pending.subarray(at, at + length);
      this.pending = this.pending.subarray(at + length);
      if (opcode === 0x1) this.onText(JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    }
  }
}

/** Header bytes of a masked client frame with `length` payload bytes (zero mask key). */
export function headerLength(length: number): number {
  return length < 126 ? 6 : 8;
}

/** Writes a masked binary frame header at `at`; the payload follows it. Returns the payload offset. */
export function binaryFrameInto(out: Buffer, at: number, length: number): number {
  out[at] = 0x82;
  if (length < 126) {
    out[at + 1] = 0x80 | length;
    out.writeUInt32BE(0, at + 2);
    return at + 6;
  }
  out[at + 1] = 0x80 | 126;
  out.writeUInt16BE(length, at + 2);
  out.writeUInt32BE(0, at + 4);
  return at + 8;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(headerLength(payload.length) + payload.length);
  const at = binaryFrameInto(out, 0, payload.length);
  out[0] = 0x80 | opcode;
  payload.copy(out, at);
  return out;
}
