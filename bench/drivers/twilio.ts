import { twilioSignature } from '../../src/ingest/twilio/signature.js';
import { RawWebSocket } from '../ws-client.js';
import type { BenchCall, DriverContext, ProtocolDriver } from './driver.js';

export const BENCH_TWILIO_TOKEN = 'bench-twilio-auth-token';

/** Twilio Media Streams as Twilio sends them: a signed upgrade, `connected` and `start`, one JSON `media` per track per frame, `stop`. */
export function twilioDriver(ctx: DriverContext): ProtocolDriver {
  const sockets = new Map<BenchCall, RawWebSocket>();
  const payload = ctx.payload.toString('base64');
  const signature = twilioSignature(BENCH_TWILIO_TOKEN, `ws://${ctx.host}:${ctx.port}/twilio/media`);
  const streamSid = (call: BenchCall) => `MZbench${call.index.toString(16).padStart(25, '0')}`;
  let seq = 0;

  return {
    async prepare() {},
    async connect(call) {
      try {
        sockets.set(call, await RawWebSocket.connect(ctx.host, ctx.port, '/twilio/media', () => undefined, { 'x-twilio-signature': signature }));
        return true;
      } catch {
        return false;
      }
    },
    start(call, _startAt, ready) {
      const ws = sockets.get(call)!;
      ws.sendText({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      ws.sendText({
        event: 'start',
        sequenceNumber: String(++seq),
        streamSid: streamSid(call),
        start: {
          streamSid: streamSid(call),
          accountSid: 'ACbench00000000000000000000000000',
          callSid: `CAbench${call.index.toString(16).padStart(25, '0')}`,
          tracks: ['inbound', 'outbound'],
          customParameters: { conversationId: call.id },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
      ready(true);
    },
    send(call) {
      const ws = sockets.get(call)!;
      const timestamp = String(call.sent * ctx.frameMs);
      const chunk = String(call.sent + 1);
      for (const track of ['inbound', 'outbound']) {
        ws.sendText({ event: 'media', sequenceNumber: String(++seq), streamSid: streamSid(call), media: { track, chunk, timestamp, payload } });
      }
    },
    async end(call) {
      sockets.get(call)!.sendText({ event: 'stop', sequenceNumber: String(++seq), streamSid: streamSid(call), stop: {} });
    },
    conversationId: (call) => call.id,
    backlogBytes: (call) => sockets.get(call)?.backlogBytes ?? 0,
    close: (call) => sockets.get(call)?.close(),
  };
}
