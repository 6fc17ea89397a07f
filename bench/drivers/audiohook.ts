import { randomUUID } from 'node:crypto';
import { upgradeHeaders } from '../../src/ingest/audiohook/protocol/signature.js';
import { RawWebSocket, binaryFrameInto, headerLength } from '../ws-client.js';
import type { BenchCall, DriverContext, ProtocolDriver } from './driver.js';

/** The bench's AudioHook credentials (the protocol docs' sample key and secret). */
export const BENCH_AUDIOHOOK = { apiKey: 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh', clientSecret: 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=' };

interface Session {
  readonly ws: RawWebSocket;
  readonly sessionId: string;
  readonly conversationId: string;
  seq: number;
  serverSeq: number;
  waiting?: { type: string; resolve: (m: Record<string, unknown>) => void };
}

/** AudioHook as Genesys Cloud drives it: a signed upgrade, `open` when the call starts, stereo μ-law frames, `close`. */
export function audiohookDriver(ctx: DriverContext): ProtocolDriver {
  const sessions = new Map<BenchCall, Session>();
  const secret = new Uint8Array(Buffer.from(BENCH_AUDIOHOOK.clientSecret, 'base64'));
  const organizationId = randomUUID();
  // Both channels carry the frame's audio, interleaved sample by sample.
  const interleaved = Buffer.alloc(ctx.payload.length * 2);
  for (let i = 0; i < ctx.payload.length; i++) interleaved[2 * i] = interleaved[2 * i + 1] = ctx.payload[i]!;
  const frameBytes = headerLength(interleaved.length) + interleaved.length;

  const send = (s: Session, type: string, parameters: object, positionMs: number) =>
    s.ws.sendText({ version: '2', id: s.sessionId, type, seq: ++s.seq, serverseq: s.serverSeq, position: `PT${positionMs / 1000}S`, parameters });
  const next = (s: Session, type: string) => new Promise<Record<string, unknown>>((resolve) => (s.waiting = { type, resolve }));

  return {
    async prepare() {},
    async connect(call) {
      const sessionId = randomUUID();
      const headers = upgradeHeaders({ apiKey: BENCH_AUDIOHOOK.apiKey, secret, organizationId, sessionId, requestTarget: '/audiohook', authority: `${ctx.host}:${ctx.port}` });
      let session: Session | undefined;
      try {
        const ws = await RawWebSocket.connect(ctx.host, ctx.port, '/audiohook', (m) => {
          if (!session) return;
          session.serverSeq = m.seq as number;
          if (session.waiting && (m.type === session.waiting.type || m.type === 'disconnect')) session.waiting.resolve(m);
        }, headers);
        session = { ws, sessionId, conversationId: randomUUID(), seq: 0, serverSeq: 0 };
        sessions.set(call, session);
        return true;
      } catch {
        return false;
      }
    },
    start(call, _startAt, ready) {
      const s = sessions.get(call)!;
      const opened = next(s, 'opened');
      send(s, 'open', {
        organizationId,
        conversationId: s.conversationId,
        participant: { id: randomUUID(), ani: '+15551230001', aniName: 'Bench caller', dnis: '+18005550100' },
        media: [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }],
      }, 0);
      void opened.then((m) => ready(m.type === 'opened'));
    },
    send(call) {
      const out = Buffer.allocUnsafe(frameBytes);
      interleaved.copy(out, binaryFrameInto(out, 0, interleaved.length));
      sessions.get(call)!.ws.write(out);
    },
    async end(call) {
      const s = sessions.get(call)!;
      const closed = next(s, 'closed');
      send(s, 'close', { reason: 'end' }, call.sent * ctx.frameMs);
      await closed;
    },
    conversationId: (call) => sessions.get(call)!.conversationId,
    backlogBytes: (call) => sessions.get(call)?.ws.backlogBytes ?? 0,
    close: (call) => sessions.get(call)?.ws.close(),
  };
}
