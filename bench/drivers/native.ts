import { RawWebSocket, binaryFrameInto, headerLength } from '../ws-client.js';
import { postJson, type BenchCall, type DriverContext, type ProtocolDriver } from './driver.js';

/**
 * The native media WebSocket: the platform posts events and opens one stream per party ahead of
 * the start. Against the bare WebSocket baseline (`baseline`) there are no events to post.
 */
export function nativeDriver(ctx: DriverContext, { baseline = false } = {}): ProtocolDriver {
  const base = `http://${ctx.host}:${ctx.port}`;
  const sockets = new Map<BenchCall, RawWebSocket>();
  const opened = new Map<BenchCall, Promise<boolean>>();
  const frameLength = 12 + ctx.payload.length;
  const perCall = 2 * (headerLength(frameLength) + frameLength);

  const postEvents = async (events: object[]) => {
    const res = await postJson(`${base}/api/v2/capstan/events`, events, ctx.auth);
    if (res.status !== 202) throw new Error(`events refused: ${res.status} ${await res.text()}`);
  };
  const startEvents = (id: string, at: string) => {
    const e = (n: number, fields: object) => ({ eventId: `${id}-s${n}`, conversationId: id, at, ...fields });
    return [
      e(1, { type: 'conversation.started', direction: 'inbound', trunkId: 'bench-trunk' }),
      e(2, { type: 'participant.joined', participantId: 'c', purpose: 'customer' }),
      e(3, { type: 'participant.joined', participantId: 'a', purpose: 'agent', userId: 'bench-agent' }),
      e(4, { type: 'segment', participantId: 'c', kind: 'interact' }),
      e(5, { type: 'segment', participantId: 'a', kind: 'interact' }),
    ];
  };

  return {
    async prepare(calls) {
      if (baseline) return;
      await postJson(`${base}/api/v2/capstan/config/trunks/bench-trunk`, { name: 'Benchmark trunk', format: 'WAV_ULAW', dualChannel: true }, ctx.auth, 'PUT');
      for (let i = 0; i < calls.length; i += 100) {
        await postEvents(calls.slice(i, i + 100).flatMap((c) => startEvents(c.id, new Date().toISOString())));
      }
    },
    async connect(call, startAt) {
      let waiting = 2;
      let failed = false;
      let resolve: (ok: boolean) => void = () => undefined;
      opened.set(call, new Promise((r) => (resolve = r)));
      const ws = await RawWebSocket.connect(ctx.host, ctx.port, '/api/v2/capstan/media', (m) => {
        if (m.type !== 'opened' && m.type !== 'error') return;
        if (m.type === 'error') failed = true;
        if (--waiting === 0) resolve(!failed);
      }, ctx.auth);
      sockets.set(call, ws);
      for (const [stream, participantId] of [[1, 'c'], [2, 'a']] as const) {
        ws.sendText({ type: 'open', stream, conversationId: call.id, participantId, codec: 'PCMU', sampleRate: 8000, startAt: new Date(startAt).toISOString() });
      }
      return opened.get(call)!;
    },
    start(call, _startAt, ready) {
      void opened.get(call)!.then(ready);
    },
    send(call) {
      const out = Buffer.allocUnsafe(perCall);
      let at = 0;
      for (const stream of [1, 2]) {
        at = binaryFrameInto(out, at, frameLength);
        out[at] = 1;
        out[at + 1] = 0;
        out.writeUInt16BE(stream, at + 2);
        out.writeUInt32BE(call.sent, at + 4);
        out.writeUInt32BE((call.sent * ctx.payload.length) >>> 0, at + 8);
        ctx.payload.copy(out, at + 12);
        at += frameLength;
      }
      sockets.get(call)!.write(out);
    },
    async end(call) {
      const ws = sockets.get(call)!;
      ws.sendText({ type: 'close', stream: 1 });
      ws.sendText({ type: 'close', stream: 2 });
      if (baseline) return;
      const at = new Date().toISOString();
      await postEvents([
        { eventId: `${call.id}-e1`, conversationId: call.id, at, type: 'participant.left', participantId: 'c' },
        { eventId: `${call.id}-e2`, conversationId: call.id, at, type: 'conversation.ended' },
      ]);
    },
    conversationId: (call) => call.id,
    backlogBytes: (call) => sockets.get(call)?.backlogBytes ?? 0,
    close: (call) => sockets.get(call)?.close(),
  };
}
