import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from './bench-db.js';
import { BENCH_AUDIOHOOK } from './drivers/audiohook.js';
import { PROTOCOLS, type Protocol } from './drivers/driver.js';
import { BENCH_TWILIO_TOKEN } from './drivers/twilio.js';
import { startGenerators, type GeneratorPool } from './generator-pool.js';
import type { GeneratorConfig, GeneratorMessage } from './load-generator.js';
import { freePort } from '../test/support/ports.js';

/**
 * `npm run bench:ingest`: N concurrent simulated dual-channel calls on loopback against a real
 * Capstan process pinned to one core, the load generator in its own process on the other core;
 * with 100 ms frames at the target call count, then with 20 ms frames (the RTP worst case)
 * searching the highest call count Capstan sustains, and the same search against a bare WebSocket
 * server in the same run. Prints the figures, then one JSON line with the same figures.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'native' },
    calls: { type: 'string' },
    duration: { type: 'string' },
    'search-duration': { type: 'string' },
    'max-calls': { type: 'string', default: '6000' },
    frames: { type: 'string', default: '100,20' },
    'data-dir': { type: 'string', default: tmpdir() },
    'end-spread': { type: 'string', default: '60' },
    generators: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:ingest -- [--protocol native|audiohook|siprec|twilio] [--calls 1000] [--duration 30] [--search-duration 20] [--max-calls 6000] [--quick]
  --protocol         the ingest protocol the calls use: native (default), audiohook, siprec or twilio
  --calls            concurrent calls for the 100 ms frame run
  --duration         seconds every call streams in that run
  --end-spread       seconds over which the calls of that run then end, one after the other (60:
                     about 17 ends a second for 1000 calls, several times a busy contact center's rate)
  --search-duration  seconds per trial of the 20 ms frame searches
  --max-calls        upper bound of the searches
  --frames           which runs: 100 (the call-count run), 20 (the searches), or both (100,20)
  --generators       load generator processes, all on the generator's core (default 2)
  --data-dir         where the server's data folder is made (default the system temp folder;
                     /dev/shm takes the disk out of the figures on a machine whose disk is shared)
  --quick            a short run: 200 calls, shorter trials, no search (--calls, --duration and
                     --search-duration still apply)
`);
  process.exit(0);
}
if (!(PROTOCOLS as readonly string[]).includes(args.protocol!)) {
  process.stderr.write(`unknown --protocol ${args.protocol}: one of ${PROTOCOLS.join(', ')}\n`);
  process.exit(2);
}
const protocol = args.protocol as Protocol;

const CPU_SERVER = '0';
const CPU_GENERATOR = '1';
const WARMUP_S = 5;
/** The server's event-loop p99 covers its last 5 to 10 s: read only once that is all steady state. */
const LAG_WINDOW_S = 10;
const CLOCK_TICKS = 100;
/**
 * A trial counts only if the generator itself kept to real time: behind by more than this, it
 * offered less than the nominal load, and the trial measured the generator, not the server.
 */
const GENERATOR_LAG_LIMIT_MS = 500;

const BENCH_CLIENT = { id: 'bench-ingest', secret: 'bench-ingest-secret-0123456789' };

interface Target {
  readonly kind: 'capstan' | 'baseline';
  /** The Authorization header the telephony platform sends (Capstan only). */
  readonly authorization?: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** The SIPREC port (0 when SIPREC is off). */
  readonly sipPort: number;
  received(): Promise<number>;
  metrics(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

interface Trial {
  readonly calls: number;
  readonly frameMs: number;
  readonly sent: number;
  readonly framesLost: number;
  readonly keptUp: boolean;
  readonly maxBehindS: number;
  readonly generatorLagMs: number;
  /** CPU the generator processes used over the steady state, in cores (1 = their whole core). */
  readonly generatorCores: number;
  readonly cpuSecondsPerCallMinute: number;
  /** Null when the trial was too short to read a window of steady state. */
  readonly eventLoopP99Ms: number | null;
  readonly writesPerCallMinute: number;
  readonly memoryPerCallKiB: number;
  readonly playableP50Ms: number;
  readonly playableP99Ms: number;
  readonly notPlayable: number;
  /** The generator fell behind real time: the trial says nothing about the server. */
  readonly generatorBound: boolean;
  readonly sustained: boolean;
}

function pinned(cpu: string, command: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('taskset', ['-c', cpu, ...command], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`process exited with ${code}:\n${out}`)));
  });
}

function procStat(pid: number): { cpuS: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return { cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, rssBytes: rssPages * 4096 };
}

/** The connector configuration each protocol needs (every protocol's server runs the same build). */
async function protocolEnv(): Promise<Record<string, string>> {
  return {
    CAPSTAN_SIPREC_PORT: String(protocol === 'siprec' ? await freePort() : 0),
    CAPSTAN_SIPREC_MAX_SESSIONS: '100000',
    CAPSTAN_AUDIOHOOK_API_KEY: BENCH_AUDIOHOOK.apiKey,
    CAPSTAN_AUDIOHOOK_CLIENT_SECRET: BENCH_AUDIOHOOK.clientSecret,
    CAPSTAN_TWILIO_AUTH_TOKEN: BENCH_TWILIO_TOKEN,
  };
}

async function startCapstanServer(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(args['data-dir']!, 'capstan-bench-'));
  const env = await protocolEnv();
  const child = pinned(CPU_SERVER, [process.execPath, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'dist/cli/main.js', 'serve'], {
    CAPSTAN_PORT: '0',
    CAPSTAN_HOST: '127.0.0.1',
    CAPSTAN_DATA_DIR: dataDir,
    CAPSTAN_LOG_LEVEL: 'warn',
    CAPSTAN_ADMIN_CLIENT_ID: BENCH_CLIENT.id,
    CAPSTAN_ADMIN_CLIENT_SECRET: BENCH_CLIENT.secret,
    ...env,
  });
  const [, port] = await waitFor(child, /Capstan is running at http:\/\/127\.0\.0\.1:(\d+)/);
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[capstan] ${d.toString()}`));
  child.stdout!.on('data', (d: Buffer) => process.stderr.write(`[capstan] ${d.toString()}`));
  const url = `http://127.0.0.1:${port}`;
  const token = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${BENCH_CLIENT.id}:${BENCH_CLIENT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const metrics = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.split(' ')[0]!, Number(l.split(' ')[1])]));
  };
  return {
    kind: 'capstan',
    authorization: `Bearer ${accessToken}`,
    child,
    port: Number(port),
    sipPort: Number(env.CAPSTAN_SIPREC_PORT),
    metrics,
    received: async () => (await metrics()).capstan_media_frames_received_total ?? 0,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBaselineServer(): Promise<Target> {
  const child = pinned(CPU_SERVER, [process.execPath, '--import', 'tsx', 'bench/baseline-server.ts']);
  const [, port] = await waitFor(child, /LISTENING (\d+)/);
  const received = async () => ((await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { frames: number }).frames;
  return {
    kind: 'baseline',
    child,
    port: Number(port),
    sipPort: 0,
    received,
    metrics: async () => ({}),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function trial(kind: 'capstan' | 'baseline', calls: number, frameMs: number, durationS: number, endSpreadS = 10): Promise<Trial> {
  const target = kind === 'capstan' ? await startCapstanServer() : await startBaselineServer();
  const idle = procStat(target.child.pid!);
  const config: Omit<GeneratorConfig, 'shard' | 'shards'> = {
    mode: kind,
    protocol,
    host: '127.0.0.1',
    port: target.port,
    sipPort: target.sipPort,
    calls,
    frameMs,
    durationS,
    endSpreadS: kind === 'capstan' ? endSpreadS : 0,
    runId: `${Date.now().toString(36)}`,
    authorization: target.authorization,
  };
  const generators = startGenerators(config, Number(args.generators), (c) =>
    pinned(CPU_GENERATOR, [process.execPath, '--import', 'tsx', 'bench/load-generator.ts', JSON.stringify(c)]),
  );
  try {
    return await measure(kind, target, generators, idle, calls, frameMs, durationS);
  } finally {
    generators.kill();
    if (target.child.exitCode === null && target.child.signalCode === null) await target.stop();
  }
}

async function measure(
  kind: 'capstan' | 'baseline',
  target: Target,
  generators: GeneratorPool,
  idle: { rssBytes: number },
  calls: number,
  frameMs: number,
  durationS: number,
): Promise<Trial> {
  for (const g of generators.children) g.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const generatorCpuS = () => generators.children.reduce((n, g) => n + (g.exitCode === null ? procStat(g.pid!).cpuS : 0), 0);
  let sent = 0;
  let generatorLag = 0;
  let maxBehindS = 0;
  let window: { cpuS: number; at: number; writes: number; generatorCpuS: number } | undefined;
  let windowEnd: typeof window;
  let eventLoopP99: number | null = null;
  let rssPeak = idle.rssBytes;
  let goAt = 0;
  const framesPerSecond = (2 * calls * 1000) / frameMs;
  const sampler = async () => {
    if (!goAt) return;
    const elapsed = (Date.now() - goAt) / 1000;
    const [received, metrics] = await Promise.all([target.received(), target.metrics()]);
    const stat = procStat(target.child.pid!);
    if (elapsed < durationS) maxBehindS = Math.max(maxBehindS, (sent - received) / framesPerSecond);
    if (elapsed >= WARMUP_S && elapsed <= durationS) {
      const point = { cpuS: stat.cpuS, at: Date.now(), writes: metrics.capstan_media_blob_writes_total ?? 0, generatorCpuS: generatorCpuS() };
      window ??= point;
      windowEnd = point;
      rssPeak = Math.max(rssPeak, stat.rssBytes);
      if (elapsed >= WARMUP_S + LAG_WINDOW_S) eventLoopP99 = Math.max(eventLoopP99 ?? 0, metrics.capstan_event_loop_delay_p99_seconds ?? 0);
    }
  };
  const timer = setInterval(() => void sampler().catch(() => undefined), 1000);
  const done = await new Promise<Extract<GeneratorMessage, { type: 'done' }>>((resolve, reject) => {
    generators.onMessage((m: GeneratorMessage) => {
      if (m.type === 'go') goAt = m.at;
      if (m.type === 'progress') {
        sent = m.sent;
        if ((Date.now() - goAt) / 1000 < durationS) generatorLag = Math.max(generatorLag, m.lagMs);
      }
      if (m.type === 'done') resolve(m);
    });
    generators.failed.catch(reject);
  });
  clearInterval(timer);
  // Whatever the server has not counted a second after the last frame was sent, it did not keep up with.
  await new Promise((r) => setTimeout(r, 1000));
  const received = await target.received();
  await target.stop();
  const windowMinutes = window && windowEnd ? (windowEnd.at - window.at) / 60_000 : 0;
  const callMinutes = windowMinutes * calls;
  const framesLost = kind === "capstan" ? done.lost : Math.max(0, done.sent - received);
  const keptUp = maxBehindS < 1 && received >= done.sent;
  const result: Trial = {
    calls,
    frameMs,
    sent: done.sent,
    framesLost,
    keptUp,
    maxBehindS: round(maxBehindS, 2),
    generatorLagMs: Math.round(generatorLag),
    generatorCores: windowMinutes > 0 ? round((windowEnd!.generatorCpuS - window!.generatorCpuS) / (windowMinutes * 60), 2) : 0,
    cpuSecondsPerCallMinute: callMinutes > 0 ? round((windowEnd!.cpuS - window!.cpuS) / callMinutes, 4) : 0,
    eventLoopP99Ms: kind === 'capstan' && eventLoopP99 !== null ? round(eventLoopP99 * 1000, 1) : null,
    writesPerCallMinute: callMinutes > 0 ? round((windowEnd!.writes - window!.writes) / callMinutes, 2) : 0,
    memoryPerCallKiB: Math.round((rssPeak - idle.rssBytes) / 1024 / calls),
    playableP50Ms: Math.round(percentile(done.playableMs, 50)),
    playableP99Ms: Math.round(percentile(done.playableMs, 99)),
    notPlayable: done.notPlayable + done.failedOpens,
    generatorBound: generatorLag > GENERATOR_LAG_LIMIT_MS,
    sustained: keptUp && framesLost === 0 && done.notPlayable === 0 && done.failedOpens === 0 && generatorLag <= GENERATOR_LAG_LIMIT_MS,
  };
  const verdict = result.sustained ? 'sustained' : result.generatorBound ? 'GENERATOR-BOUND' : 'NOT sustained';
  process.stdout.write(
    `  ${kind} ${calls} calls, ${frameMs} ms frames: ${verdict} (lost ${framesLost}, not playable ${result.notPlayable}, behind ≤ ${result.maxBehindS} s, generator lag ${result.generatorLagMs} ms using ${result.generatorCores} core, playable p99 ${result.playableP99Ms} ms)\n`,
  );
  return result;
}

/** The highest call count a target sustains with `frameMs` frames: doubling, then two bisection steps. */
async function search(kind: 'capstan' | 'baseline', frameMs: number, durationS: number, start: number, max: number) {
  let good: Trial | undefined;
  let bad: number | undefined;
  let generatorBound = false;
  for (let calls = start; calls <= max; calls *= 2) {
    const t = await trial(kind, calls, frameMs, durationS);
    if (!t.sustained) {
      bad = calls;
      generatorBound = t.generatorBound;
      break;
    }
    good = t;
  }
  for (let step = 0; step < 2 && bad !== undefined; step++) {
    const low = good?.calls ?? 0;
    const mid = Math.round((low + bad) / 2 / 50) * 50;
    if (mid <= low || mid >= bad) break;
    const t = await trial(kind, mid, frameMs, durationS);
    if (t.sustained) good = t;
    else {
      bad = mid;
      generatorBound = t.generatorBound;
    }
  }
  return { best: good, limitedByMax: bad === undefined, generatorBound };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

async function main() {
  const quick = args.quick;
  const runs = new Set(args.frames!.split(',').map((f) => f.trim()));
  const calls = Number(args.calls ?? (quick ? 200 : 1000));
  const duration = Number(args.duration ?? (quick ? 10 : 30));
  const searchDuration = Number(args['search-duration'] ?? (quick ? 8 : 20));
  const maxCalls = Number(args['max-calls']);
  process.stdout.write(`bench:ingest — protocol ${protocol}, server on CPU ${CPU_SERVER}, load generator on CPU ${CPU_GENERATOR}, data in ${args['data-dir']}\n`);

  let at100: Trial | undefined;
  if (runs.has('100')) {
    process.stdout.write(`\n100 ms frames, ${calls} calls, ${duration} s:\n`);
    at100 = await trial('capstan', calls, 100, duration, Number(args['end-spread']));
  }
  let capstan20: Trial | undefined;
  let baseline20: Trial | undefined;
  let baselineAtMax = false;
  let baselineGeneratorBound = false;
  let capstanGeneratorBound = false;
  if (!runs.has('20')) {
    // The 20 ms runs were not asked for.
  } else if (quick) {
    capstan20 = await trial('capstan', calls, 20, searchDuration);
    baseline20 = await trial('baseline', calls, 20, searchDuration);
  } else {
    process.stdout.write(`\n20 ms frames, baseline (bare WebSocket server) search:\n`);
    const base = await search('baseline', 20, searchDuration, 500, maxCalls);
    baseline20 = base.best;
    baselineAtMax = base.limitedByMax;
    baselineGeneratorBound = base.generatorBound;
    process.stdout.write(`\n20 ms frames, Capstan search:\n`);
    const found = await search('capstan', 20, searchDuration, 250, maxCalls);
    capstan20 = found.best;
    capstanGeneratorBound = found.generatorBound;
  }
  const ratio = baseline20 && capstan20 ? capstan20.calls / baseline20.calls : 0;
  // When the generator, not a server, ends a search, the call counts say little; the CPU each
  // server spends per call says what the ratio would be with both servers the bottleneck.
  const cpuRatio = baseline20 && capstan20 && capstan20.cpuSecondsPerCallMinute > 0 ? baseline20.cpuSecondsPerCallMinute / capstan20.cpuSecondsPerCallMinute : 0;
  const figures = {
    protocol,
    dataDir: args['data-dir'],
    frames100ms: at100 ?? null,
    frames20ms: capstan20 ?? null,
    baseline20ms: baseline20 ?? null,
    baselineLimitedByMaxCalls: baselineAtMax,
    baselineLimitedByGenerator: baselineGeneratorBound,
    capstanLimitedByGenerator: capstanGeneratorBound,
    ratio20msToBaseline: round(ratio, 3),
    cpuProjectedRatio20ms: round(cpuRatio, 3),
    targets: {
      calls100msZeroLoss: at100 ? at100.calls >= 1000 && at100.framesLost === 0 && at100.sustained : null,
      ratio20msAtLeast70Percent: runs.has('20') ? ratio >= 0.7 : null,
      playableP99Within1s: [at100, capstan20].every((t) => !t || t.playableP99Ms <= 1000),
      atMostOneWritePerCallSecond: [at100, capstan20].every((t) => !t || t.writesPerCallMinute <= 60),
    },
  };
  const show = (label: string, t: Trial | undefined) => {
    if (!t) return process.stdout.write(`${label}: no call count sustained\n`);
    process.stdout.write(
      `${label}\n` +
        `  concurrent calls            ${t.calls}${t.sustained ? '' : ' (not sustained)'}\n` +
        `  frames sent / lost          ${t.sent} / ${t.framesLost}\n` +
        `  CPU-seconds per call-minute ${t.cpuSecondsPerCallMinute}\n` +
        `  event-loop lag p99          ${t.eventLoopP99Ms === null ? 'n/a (trial shorter than warm-up + 10 s)' : `${t.eventLoopP99Ms} ms`}\n` +
        `  writes per call-minute      ${t.writesPerCallMinute}\n` +
        `  memory per call             ${t.memoryPerCallKiB} KiB\n` +
        `  end to playable p50 / p99   ${t.playableP50Ms} / ${t.playableP99Ms} ms\n`,
    );
  };
  process.stdout.write('\nResults\n');
  if (runs.has('100')) show('100 ms frames (Capstan)', at100);
  if (runs.has('20')) show('20 ms frames (Capstan, highest sustained)', capstan20);
  if (baseline20) {
    const limit = baselineAtMax ? ' (the search stopped at --max-calls)' : baselineGeneratorBound ? ' (the load generator, not the server, stopped the search: a lower bound)' : '';
    process.stdout.write(`20 ms frames (bare WebSocket baseline, highest sustained): ${baseline20.calls} calls${limit}\n`);
  }
  if (capstanGeneratorBound) process.stdout.write('Capstan at 20 ms: the load generator, not the server, stopped the search (a lower bound)\n');
  if (runs.has('20')) {
    process.stdout.write(`Capstan / baseline at 20 ms: ${(ratio * 100).toFixed(0)} % of the call count\n`);
    process.stdout.write(`  projected from CPU per call (both servers the bottleneck): ${(cpuRatio * 100).toFixed(0)} %\n`);
  }
  process.stdout.write(`Targets: ${JSON.stringify(figures.targets)}\n`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
