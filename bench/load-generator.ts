import { performance } from 'node:perf_hooks';
import { RawWebSocket, binaryFrameInto, headerLength } from './ws-client.js';

/**
 * The load generator of `npm run bench:ingest`, in its own process (pinned to its own core by the
 * orchestrator): N simulated dual-channel calls, each a WebSocket with two streams (customer and
 * agent, μ-law 8 kHz) sending frames in real time. Against Capstan it also plays the telephony
 * platform (conversation events over HTTP) and measures, per call, the time from the end of the
 * conversation to a playable recording.
 */

export interface GeneratorConfig {
  readonly mode: 'capstan' | 'baseline';
  readonly host: string;
  readonly port: number;
  readonly calls: number;
  readonly frameMs: number;
  readonly durationS: number;
  /** Calls end spread over this many seconds after `durationS`. */
  readonly endSpreadS: number;
  readonly runId: string;
  /** Sent with every HTTP request and the WebSocket upgrade. */
  readonly authorization?: string;
}

export type GeneratorMessage =
  | { type: 'go'; at: number }
  | { type: 'progress'; sent: number; lagMs: number; backlogBytes: number }
  | {
      type: 'done';
      sent: number;
      maxLagMs: number;
      playableMs: number[];
      received: number;
      late: number;
      lost: number;
      notPlayable: number;
      failedOpens: number;
    };

const config = JSON.parse(process.argv[2]!) as GeneratorConfig;
const send = (m: GeneratorMessage) => process.send!(m);
const base = `http://${config.host}:${config.port}`;
const auth: Record<string, string> = config.authorization ? { authorization: config.authorization } : {};
const MEDIA_BYTES_PER_MS = 8;

interface Call {
  readonly id: string;
  readonly index: number;
  ws?: RawWebSocket;
  opened: number;
  frames: number;
  sent: number;
  nextDue: number;
  done: boolean;
}

async function postEvents(events: object[]): Promise<void> {
  const res = await fetch(`${base}/api/v2/capstan/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(events) });
  if (res.status !== 202) throw new Error(`events refused: ${res.status} ${await res.text()}`);
}

/** What a call's end reports when the server could not be reached at all. */
async function orFailure<T>(work: () => Promise<T>, failed: () => void): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    process.stderr.write(`load generator: ${err instanceof Error ? (err.cause ?? err.message) : String(err)}\n`);
    failed();
    return undefined;
  }
}

function startEvents(id: string, at: string): object[] {
  const e = (n: number, fields: object) => ({ eventId: `${id}-s${n}`, conversationId: id, at, ...fields });
  return [
    e(1, { type: 'conversation.started', direction: 'inbound', trunkId: 'bench-trunk' }),
    e(2, { type: 'participant.joined', participantId: 'c', purpose: 'customer' }),
    e(3, { type: 'participant.joined', participantId: 'a', purpose: 'agent', userId: 'bench-agent' }),
    e(4, { type: 'segment', participantId: 'c', kind: 'interact' }),
    e(5, { type: 'segment', participantId: 'a', kind: 'interact' }),
  ];
}

async function inBatches<T>(items: T[], size: number, work: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await work(items.slice(i, i + size));
}

async function main(): Promise<void> {
  const calls: Call[] = Array.from({ length: config.calls }, (_, index) => ({
    id: `bench-${config.runId}-${index}`,
    index,
    opened: 0,
    frames: Math.round(((config.durationS + (config.endSpreadS * index) / config.calls) * 1000) / config.frameMs),
    sent: 0,
    nextDue: 0,
    done: false,
  }));
  let failedOpens = 0;
  if (config.mode === 'capstan') {
    await fetch(`${base}/api/v2/capstan/config/trunks/bench-trunk`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Benchmark trunk', format: 'WAV_ULAW', dualChannel: true }),
    });
    await inBatches(calls, 100, (batch) => postEvents(batch.flatMap((c) => startEvents(c.id, new Date().toISOString()))));
  }
  let waiting = calls.length * 2;
  let opened: () => void = () => undefined;
  const allOpened = new Promise<void>((resolve) => (opened = resolve));
  const onText = (call: Call, m: Record<string, unknown>) => {
    if (call.opened >= 2 || (m.type !== 'opened' && m.type !== 'error')) return;
    if (m.type === 'error') failedOpens++;
    call.opened++;
    if (--waiting === 0) opened();
  };
  await inBatches(calls, 100, async (batch) => {
    await Promise.all(
      batch.map(async (call) => {
        call.ws = await RawWebSocket.connect(config.host, config.port, '/api/v2/capstan/media', (m) => onText(call, m), auth);
      }),
    );
  });

  // Every call starts a little later than the one before, so that frames spread over the frame interval.
  const go = performance.now() + 1000 + config.calls;
  const wallAtGo = Date.now() + (go - performance.now());
  for (const call of calls) {
    const offset = (config.frameMs * call.index) / config.calls;
    call.nextDue = go + offset;
    const startAt = new Date(wallAtGo + offset).toISOString();
    for (const [stream, participantId] of [[1, 'c'], [2, 'a']] as const) {
      call.ws!.sendText({ type: 'open', stream, conversationId: call.id, participantId, codec: 'PCMU', sampleRate: 8000, startAt });
    }
  }
  await allOpened;
  while (performance.now() < go) await new Promise((r) => setTimeout(r, 1));
  send({ type: 'go', at: Date.now() });

  const payloadBytes = config.frameMs * MEDIA_BYTES_PER_MS;
  const payload = Buffer.alloc(payloadBytes);
  // A 400 Hz tone in μ-law fills every frame with whole cycles.
  for (let i = 0; i < payloadBytes; i++) payload[i] = [0xff, 0x9e, 0x8f, 0x8a, 0x89, 0x8a, 0x8f, 0x9e, 0xff, 0x1e, 0x0f, 0x0a, 0x09, 0x0a, 0x0f, 0x1e, 0x7f, 0x1e, 0x0f, 0x0a][i % 20]!;
  const frameLength = 12 + payloadBytes;
  const perCall = 2 * (headerLength(frameLength) + frameLength);
  let sent = 0;
  let maxLag = 0;
  let lagSinceReport = 0;
  const ending: Array<Promise<void>> = [];
  const playableMs: number[] = [];
  const health = { received: 0, late: 0, lost: 0, notPlayable: 0 };

  const finish = async (call: Call) => {
    call.ws!.sendText({ type: 'close', stream: 1 });
    call.ws!.sendText({ type: 'close', stream: 2 });
    if (config.mode === 'baseline') return;
    const at = new Date().toISOString();
    const started = performance.now();
    await postEvents([
      { eventId: `${call.id}-e1`, conversationId: call.id, at, type: 'participant.left', participantId: 'c' },
      { eventId: `${call.id}-e2`, conversationId: call.id, at, type: 'conversation.ended' },
    ]);
    const res = await fetch(`${base}/api/v2/conversations/${call.id}/recordings?maxWaitMs=30000`, { headers: auth });
    const body = (await res.json()) as Array<{ fileState: string; capstan: { health: { sources: Array<{ framesReceived: number; framesLate: number; framesLost: number }> } } }>;
    if (res.status !== 200 || body.length !== 1 || body[0]!.fileState !== 'AVAILABLE') {
      health.notPlayable++;
      return;
    }
    playableMs.push(performance.now() - started);
    const sources = body[0]!.capstan.health.sources;
    const received = sources.reduce((n, s) => n + s.framesReceived, 0);
    health.received += received;
    health.late += sources.reduce((n, s) => n + s.framesLate, 0);
    health.lost += Math.max(0, 2 * call.frames - received) + sources.reduce((n, s) => n + s.framesLate, 0);
  };

  await new Promise<void>((resolve) => {
    let active = calls.length;
    const report = setInterval(() => {
      const backlogBytes = calls.reduce((n, c) => n + (c.ws?.backlogBytes ?? 0), 0);
      send({ type: 'progress', sent, lagMs: lagSinceReport, backlogBytes });
      lagSinceReport = 0;
    }, 1000);
    const tick = () => {
      const now = performance.now();
      for (const call of calls) {
        while (!call.done && call.nextDue <= now) {
          const lag = now - call.nextDue;
          if (lag > maxLag) maxLag = lag;
          if (lag > lagSinceReport) lagSinceReport = lag;
          const out = Buffer.allocUnsafe(perCall);
          let at = 0;
          for (const stream of [1, 2]) {
            at = binaryFrameInto(out, at, frameLength);
            out[at] = 1;
            out[at + 1] = 0;
            out.writeUInt16BE(stream, at + 2);
            out.writeUInt32BE(call.sent, at + 4);
            out.writeUInt32BE((call.sent * payloadBytes) >>> 0, at + 8);
            payload.copy(out, at + 12);
            at += frameLength;
          }
          call.ws!.write(out);
          call.sent++;
          sent += 2;
          call.nextDue += config.frameMs;
          if (call.sent === call.frames) {
            call.done = true;
            ending.push(orFailure(() => finish(call), () => health.notPlayable++).then(() => undefined));
            if (--active === 0) {
              clearInterval(report);
              return resolve();
            }
          }
        }
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(ending);
  send({ type: 'done', sent, maxLagMs: maxLag, playableMs, ...health, failedOpens });
  for (const call of calls) call.ws!.close();
  setTimeout(() => process.exit(0), 200);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
