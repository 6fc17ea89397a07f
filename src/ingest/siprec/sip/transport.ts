import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { MAX_SIP_MESSAGE, headerEnd, parseSipMessage, type SipMessage } from './message.js';

/**
 * SIP over UDP, TCP and TLS (RFC 3261 §18). UDP: one message per datagram. TCP/TLS: a byte stream
 * framed by the empty line and Content-Length; CRLF keep-alives between messages are skipped. A
 * stream that exceeds the largest message or sends garbage is closed; nothing else is affected.
 */

export type TransportName = 'UDP' | 'TCP' | 'TLS';

/** SBCs keep a few long-lived connections; more than this from anyone is refused. */
const MAX_STREAMS = 4096;

export interface Peer {
  readonly transport: TransportName;
  readonly address: string;
  readonly port: number;
  /** The local address the message arrived on (the unspecified address for a wildcard UDP bind). */
  readonly localAddress: string;
  /** The local port the message arrived on (goes into Contact). */
  readonly localPort: number;
  send(data: Buffer): void;
}

export interface TransportHandlers {
  message(message: SipMessage, peer: Peer): void;
  /** Bytes that are not a SIP message; `peer` can still be answered on streams. */
  malformed(peer: Peer, reason: string): void;
}

export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly port: number; readonly key: Buffer; readonly cert: Buffer };
  /** Streams idle this long are closed. */
  readonly idleTimeoutMs?: number;
}

export interface SipListeners {
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number | undefined;
  close(): Promise<void>;
}

export async function listenSip(options: TransportOptions, handlers: TransportHandlers): Promise<SipListeners> {
  const udp = dgram.createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (data, rinfo) => {
    const peer: Peer = {
      transport: 'UDP',
      address: rinfo.address,
      port: rinfo.port,
      localAddress: options.host,
      localPort: udp.address().port,
      send: (out) => udp.send(out, rinfo.port, rinfo.address),
    };
    if (data.length <= 4 && data.toString('latin1').trim() === '') return;
    const message = parseSipMessage(data);
    if (message) handlers.message(message, peer);
    else handlers.malformed(peer, `unparseable datagram of ${data.length} bytes`);
  });
  udp.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(options.port, options.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const udpPort = udp.address().port;

  const sockets = new Set<net.Socket>();
  const onStream = (transport: TransportName) => (socket: net.Socket) => {
    sockets.add(socket);
    socket.setTimeout(options.idleTimeoutMs ?? 300_000, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const peer: Peer = {
      transport,
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? options.host,
      localPort: socket.localPort ?? 0,
      send: (out) => {
        if (!socket.destroyed) socket.write(out);
      },
    };
    let buffer: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        let skip = 0;
        while (skip < buffer.length && (buffer[skip] === 0x0d || buffer[skip] === 0x0a)) skip++;
        if (skip) buffer = buffer.subarray(skip);
        const split = headerEnd(buffer);
        if (!split) {
          if (buffer.length > MAX_SIP_MESSAGE) {
            handlers.malformed(peer, 'header section too large');
            socket.destroy();
          }
          return;
        }
        const head = buffer.subarray(0, split.end).toString('latin1');
        const length = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,6})[ \t]*$/im.exec(head);
        if (!length) {
          handlers.malformed(peer, 'no Content-Length on a stream transport');
          socket.destroy();
          return;
        }
        const total = split.bodyStart + Number(length[1]);
        if (total > MAX_SIP_MESSAGE) {
          handlers.malformed(peer, `message of ${total} bytes is too large`);
          socket.destroy();
          return;
        }
        if (buffer.length < total) return;
        const raw = buffer.subarray(0, total);
        buffer = buffer.subarray(total);
        const message = parseSipMessage(Buffer.from(raw));
        if (message) handlers.message(message, peer);
        else handlers.malformed(peer, 'unparseable message');
      }
    });
  };
  const tcp = net.createServer(onStream('TCP'));
  tcp.maxConnections = MAX_STREAMS;
  // TCP takes the UDP port number (one port for the SRC to configure), or any when that is taken.
  await listen(tcp, udpPort, options.host).catch((err: unknown) => (options.port === 0 ? listen(tcp, 0, options.host) : Promise.reject(err)));
  const tcpPort = (tcp.address() as net.AddressInfo).port;

  let tlsServer: tls.Server | undefined;
  if (options.tls) {
    tlsServer = tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onStream('TLS'));
    tlsServer.maxConnections = MAX_STREAMS;
    await listen(tlsServer, options.tls.port, options.host);
  }

  return {
    udpPort,
    tcpPort,
    tlsPort: tlsServer ? (tlsServer.address() as net.AddressInfo).port : undefined,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        tlsServer ? new Promise<void>((resolve) => tlsServer!.close(() => resolve())) : undefined,
      ]);
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
