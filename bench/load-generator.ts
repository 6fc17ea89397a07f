import { performance } from 'node:perf_hooks';
import { audiohookDriver } from './drivers/audiohook.js';
import type { BenchCall, DriverContext, Protocol, ProtocolDriver } from './drivers/driver.js';
import { nativeDriver } from './drivers/native.js';
import { siprecDriver } from './drivers/siprec.js';
import { twilioDriver } from './drivers/twilio.js';

/**
 * The load generator of `npm run bench:ingest`, in its own process (pinned to its own core by the
 * orchestrator): N simulated dual-channel calls over one ingest protocol (native, AudioHook,
 * SIPREC or Twilio), each party sending μ-law 8 kHz frames in real time. Against Capstan it also
 * measures, per call, the time from the end of the conversation to a playable recording.
 */

export interface GeneratorConfig {
  readonly mode: 'capstan' | 'baseline';
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
  readonly sipPort: number;
  readonly calls: number;
  readonly frameMs: number;
  readonly durationS: number;
  /** Calls end spread over this many seconds after `durationS`. */
  readonly endSpreadS: number;
  readonly runId: string;
  /** Sent with every HTTP request and the native media upgrade. */
  readonly authorization?: string;
  /** This process drives the calls whose index modulo `shards` is `shard` (bench/generator-pool.ts). */
  readonly shard: number;
  readonly shards: number;
}

/** From the orchestrator: the instant (wall clock, ms) the first call starts, once every shard is prepared. */
export interface GeneratorStart {
  readonly type: 'start';
  readonly goAt: number;
}

export type GeneratorMessage =
  | { type: 'prepared' }
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

function driverFor(ctx: DriverContext): ProtocolDriver {
  if (config.mode === 'baseline') return nativeDriver(ctx, { baseline: true });
  switch (config.protocol) {
    case 'audiohook':
      return audiohookDriver(ctx);
    case 'siprec':
      return siprecDriver(ctx);
    case 'twilio':
      return twilioDriver(ctx);
    default:
      return nativeDriver(ctx);
  }
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

async function inBatches<T>(items: T[], size: number, work: (batch: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await work(items.slice(i, i + size));
}

async function main(): Promise<void> {
  const payload = Buffer.alloc(config.frameMs * MEDIA_BYTES_PER_MS);
  // A 400 Hz tone in μ-law fills every frame with whole cycles.
  for (let i = 0; i < payload.length; i++) payload[i] = [0xff, 0x9e, 0x8f, 0x8a, 0x89, 0x8a, 0x8f, 0x9e, 0xff, 0x1e, 0x0f, 0x0a, 0x09, 0x0a, 0x0f, 0x1e, 0x7f, 0x1e, 0x0f, 0x0a][i % 20]!;
  const driver = driverFor({ host: config.host, port: config.port, sipPort: config.sipPort, frameMs: config.frameMs, payload, auth });
  const calls: BenchCall[] = [];
  for (let index = config.shard; index < config.calls; index += config.shards) {
    calls.push({
      id: `bench-${config.runId}-${index}`,
      index,
      frames: Math.round(((config.durationS + (config.endSpreadS * index) / config.calls) * 1000) / config.frameMs),
      sent: 0,
      nextDue: undefined,
      done: false,
    });
  }
  await driver.prepare(calls);
  const startMessage = new Promise<GeneratorStart>((resolve) => process.once('message', (m: GeneratorStart) => resolve(m)));
  send({ type: 'prepared' });

  // Every call starts a little later than the one before, so that frames spread over the frame interval.
  const wallAtGo = (await startMessage).goAt;
  const go = performance.now() + (wallAtGo - Date.now());
  const offset = (call: BenchCall) => (config.frameMs * call.index) / config.calls;
  let failedOpens = 0;
  const connected: BenchCall[] = [];
  await inBatches(calls, 100, async (batch) => {
    const ok = await Promise.all(batch.map((call) => driver.connect(call, wallAtGo + offset(call))));
    batch.forEach((call, i) => (ok[i] ? connected.push(call) : (failedOpens++, (call.done = true))));
  });
  while (performance.now() < go) await new Promise((r) => setTimeout(r, 1));
  send({ type: 'go', at: Date.now() });

  let sent = 0;
  let maxLag = 0;
  let lagSinceReport = 0;
  const ending: Array<Promise<void>> = [];
  const playableMs: number[] = [];
  const health = { received: 0, late: 0, lost: 0, notPlayable: 0 };

  const finish = async (call: BenchCall) => {
    await driver.end(call);
    if (config.mode === 'baseline') return;
    const started = performance.now();
    const res = await fetch(`${base}/api/v2/conversations/${driver.conversationId(call)}/recordings?maxWaitMs=30000`, { headers: auth });
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
    let active = connected.length;
    const report = setInterval(() => {
      const backlogBytes = calls.reduce((n, c) => n + driver.backlogBytes(c), 0);
      send({ type: 'progress', sent, lagMs: lagSinceReport, backlogBytes });
      lagSinceReport = 0;
    }, 1000);
    const settle = () => {
      if (--active === 0) {
        clearInterval(report);
        resolve();
      }
    };
    // Each call starts at its own time: the protocol's start (open, start, INVITE), then audio once the server is ready.
    for (const call of connected) {
      setTimeout(() => {
        driver.start(call, wallAtGo + offset(call), (ok) => {
          if (!ok) {
            failedOpens++;
            call.done = true;
            return settle();
          }
          call.nextDue = Math.max(performance.now(), go + offset(call));
        });
      }, Math.max(0, go + offset(call) - performance.now()));
    }
    const tick = () => {
      const now = performance.now();
      for (const call of calls) {
        while (!call.done && call.nextDue !== undefined && call.nextDue <= now) {
          const lag = now - call.nextDue;
          if (lag > maxLag) maxLag = lag;
          if (lag > lagSinceReport) lagSinceReport = lag;
          driver.send(call);
          call.sent++;
          sent += 2;
          call.nextDue += config.frameMs;
          if (call.sent === call.frames) {
            call.done = true;
            ending.push(orFailure(() => finish(call), () => health.notPlayable++).then(() => undefined));
            settle();
          }
        }
      }
      if (active > 0) setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(ending);
  send({ type: 'done', sent, maxLagMs: maxLag, playableMs, ...health, failedOpens });
  for (const call of calls) driver.close(call);
  setTimeout(() => process.exit(0), 200);
}

main().catch((err: unknown) => {
  process.stderr.write(`load generator failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
