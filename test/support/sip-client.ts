import dgram from 'node:dgram';
import net from 'node:net';
import { parseSipMessage, type SipResponse } from '../../src/ingest/siprec/sip/message.js';

/** A minimal SIP client over UDP or TCP for tests: send raw requests, collect responses. */

export interface SipTestClient {
  readonly localPort: number;
  send(data: Buffer | string): void;
  /** Resolves with the next response matching `filter` (responses already received count). */
  next(filter?: (r: SipResponse) => boolean, timeoutMs?: number): Promise<SipResponse>;
  responses: SipResponse[];
  close(): void;
}

export async function sipClient(transport: 'UDP' | 'TCP', port: number): Promise<SipTestClient> {
  const responses: SipResponse[] = [];
  const waiters: Array<{ filter: (r: SipResponse) => boolean; resolve: (r: SipResponse) => void }> = [];
  const taken = new Set<SipResponse>();
  const deliver = (data: Buffer) => {
    const message = parseSipMessage(data);
    if (message?.kind !== 'response') return;
    responses.push(message);
    for (const w of [...waiters]) {
      if (!taken.has(message) && w.filter(message)) {
        taken.add(message);
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  };
  let send: (b: Buffer) => void;
  let close: () => void;
  let localPort: number;
  if (transport === 'UDP') {
    const socket = dgram.createSocket('udp4');
    socket.on('message', deliver);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    localPort = socket.address().port;
    send = (b) => socket.send(b, port, '127.0.0.1');
    close = () => socket.close();
  } else {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    localPort = socket.localPort!;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        deliver(buffer.subarray(0, end + 4 + length));
        buffer = buffer.subarray(end + 4 + length);
      }
    });
    send = (b) => socket.write(b);
    close = () => socket.destroy();
  }
  return {
    localPort,
    responses,
    send: (d) => send(Buffer.isBuffer(d) ? d : Buffer.from(d)),
    next: (filter = () => true, timeoutMs = 3000) => {
      const ready = responses.find((r) => !taken.has(r) && filter(r));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching SIP response')), timeoutMs);
        waiters.push({ filter, resolve: (r) => (clearTimeout(timer), resolve(r)) });
      });
    },
    close: () => close(),
  };
}

/** An RTP packet: version 2, no CSRC, the given header fields and payload. */
export function rtpPacket(o: { pt: number; seq: number; ts: number; ssrc: number; payload: Uint8Array }): Buffer {
  const b = Buffer.alloc(12 + o.payload.length);
  b[0] = 0x80;
  b[1] = o.pt & 0x7f;
  b.writeUInt16BE(o.seq & 0xffff, 2);
  b.writeUInt32BE(o.ts >>> 0, 4);
  b.writeUInt32BE(o.ssrc >>> 0, 8);
  b.set(o.payload, 12);
  return b;
}
