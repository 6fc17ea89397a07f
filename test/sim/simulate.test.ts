import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { CapstanClient } from '../../src/sim/api-client.js';
import { detect } from '../../src/sim/detect.js';
import { loadScenarios } from '../../src/sim/scenario.js';
import { simulate } from '../../src/sim/simulate.js';
import { ROOT } from '../support/process.js';

/**
 * What the simulator sends, as a telephony peer would receive it: a small server that speaks the
 * token endpoint, the configuration and events endpoints and the native media protocol, and
 * keeps everything it is sent. The audio is decoded by ffmpeg, not by the simulator's codec.
 */

interface Received {
  puts: { path: string; body: Record<string, unknown> }[];
  users: Record<string, unknown>[];
  /** Every HTTP request, as `METHOD path`, in arrival order. */
  requests: string[];
  /** Everything in arrival order: event batches and audio frames. */
  log: Array<{ kind: 'events'; events: Array<Record<string, unknown>>; audioMsWhenAnswered?: number } | { kind: 'frame'; conversationId: string; endMs: number }>;
  /** Per conversation, the end of the newest audio received. */
  audioMs: Map<string, number>;
  streams: Map<string, { conversationId: string; participantId: string; codec: string; sampleRate: number; startAt: string; frames: { seq: number; timestamp: number; payload: Buffer; arrivedMs: number }[] }>;
  authorizations: string[];
}

let server: Server;
let url: string;
const got: Received = { puts: [], users: [], requests: [], audioMs: new Map(), log: [], streams: new Map(), authorizations: [] };
/** Whether the peer has sign-in (POST /api/v2/users); without it, it answers as a server without the route. */
let withIdentity = true;
/** How long the peer takes to answer `open` and `close` (a busy server). */
let answerDelayMs = 0;
/** How long the peer takes to answer a batch of events (a busy server). */
let eventsDelayMs = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.authorizations.push(req.headers.authorization ?? '');
      got.requests.push(`${req.method} ${req.url}`);
      if (req.url === '/oauth/token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-1', token_type: 'bearer', expires_in: 3600 }));
        return;
      }
      if (req.url === '/api/v2/users') {
        if (!withIdentity) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'not.found', message: 'No route POST /api/v2/users' }));
          return;
        }
        got.users.push(JSON.parse(body) as Record<string, unknown>);
      }
      if (req.method === 'PUT') got.puts.push({ path: req.url!, body: JSON.parse(body) as Record<string, unknown> });
      const batch = req.url === '/api/v2/capstan/events' ? { kind: 'events' as const, events: JSON.parse(body) as Array<Record<string, unknown>>, audioMsWhenAnswered: undefined as number | undefined } : undefined;
      if (batch) got.log.push(batch);
      const answer = () => {
        // The sender waits for this answer: every frame it sent before the batch has been read by now.
        if (batch) batch.audioMsWhenAnswered = got.audioMs.get(batch.events[0]!.conversationId as string);
        res.writeHead(req.method === 'PUT' ? 201 : 202, { 'content-type': 'application/json' }).end('{}');
      };
      if (req.url === '/api/v2/capstan/events' && eventsDelayMs) setTimeout(answer, eventsDelayMs);
      else answer();
    });
  });
  const wss = new WebSocketServer({ server, path: '/api/v2/capstan/media' });
  wss.on('connection', (ws, req) => {
    got.authorizations.push(req.headers.authorization ?? '');
    const open = new Map<number, string>();
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse(data.toString()) as { type: string; stream: number; conversationId: string; participantId: string; codec: string; sampleRate: number; startAt: string };
        if (m.type === 'open') {
          const key = `${m.conversationId}/${m.participantId}/${m.startAt}`;
          open.set(m.stream, key);
          got.streams.set(key, { ...m, frames: [] });
          setTimeout(() => ws.send(JSON.stringify({ type: 'opened', stream: m.stream })), answerDelayMs);
        } else if (m.type === 'close') {
          const s = got.streams.get(open.get(m.stream)!)!;
          setTimeout(() => ws.send(JSON.stringify({ type: 'closed', stream: m.stream, framesReceived: s.frames.length, framesLost: 0, duplicates: 0 })), answerDelayMs);
        }
        return;
      }
      const stream = got.streams.get(open.get(data.readUInt16BE(2))!)!;
      const frame = { seq: data.readUInt32BE(4), timestamp: data.readUInt32BE(8), payload: Buffer.from(data.subarray(12)), arrivedMs: Date.now() };
      stream.frames.push(frame);
      const bytes = stream.codec === 'L16' ? 2 : 1;
      const endMs = Date.parse(stream.startAt) + ((frame.timestamp + frame.payload.length / bytes) / stream.sampleRate) * 1000;
      got.log.push({ kind: 'frame', conversationId: stream.conversationId, endMs });
      got.audioMs.set(stream.conversationId, Math.max(got.audioMs.get(stream.conversationId) ?? endMs, endMs));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** ffmpeg's reading of a stream's payloads, as mono PCM16 at the stream's rate. */
function decodeWithFfmpeg(codec: string, sampleRate: number, payload: Buffer): Float32Array {
  const format = { PCMU: 'mulaw', PCMA: 'alaw', L16: 's16le' }[codec]!;
  const pcm = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', format, '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:0', '-f', 's16le', 'pipe:1'], { input: payload });
  return Float32Array.from({ length: pcm.length / 2 }, (_, i) => pcm.readInt16LE(i * 2) / 32768);
}

describe('capstan simulate, as a telephony peer receives it', () => {
  it('sends the configuration, the events in order before any audio past them, and each voice as its signature', async () => {
    const scenarios = await loadScenarios([path.join(ROOT, 'scenarios/media/codecs.yaml'), path.join(ROOT, 'scenarios/seed-table/07-consult-transfer.trunk.yaml')]);
    const started = Date.now();
    const result = await simulate({
      client: new CapstanClient(url, { clientId: 'sim', clientSecret: 'secret' }),
      scenarios,
      speed: 20,
      concurrency: 2,
      repeat: 2,
      frameMs: 20,
      namespace: true,
      runId: 'run1',
    });
    const wallSec = (Date.now() - started) / 1000;

    expect(result.conversations.map((c) => c.conversationId)).toEqual([
      'source-codecs-run1-1',
      'source-codecs-run1-2',
      'consult-transfer-trunk-run1-1',
      'consult-transfer-trunk-run1-2',
    ]);
    expect(result.conversations.flatMap((c) => c.problems)).toEqual([]);
    // 30 s of conversation at 20x, two at a time: about 1.5 s per pair.
    expect(wallSec).toBeGreaterThan(1.4);
    expect(wallSec).toBeLessThan(8);

    // Configuration ids are scoped to the run and the scenario, references included.
    expect(got.puts).toContainEqual({ path: '/api/v2/capstan/config/users/run1.source-codecs.alice', body: { name: 'alice', stationId: 'run1.source-codecs.sa' } });
    expect(got.authorizations.filter((a) => a !== '' && !a.startsWith('Basic'))).not.toHaveLength(0);
    expect(got.authorizations.filter((a) => a.startsWith('Bearer')).every((a) => a === 'Bearer tok-1')).toBe(true);

    // Never audio past an instant before the events up to it have been posted.
    for (const id of result.conversations.map((c) => c.conversationId)) {
      let nextEventMs = Infinity;
      let framesChecked = 0;
      for (let i = got.log.length - 1; i >= 0; i--) {
        const entry = got.log[i]!;
        if (entry.kind === 'events') {
          for (const e of entry.events) if (e.conversationId === id) nextEventMs = Math.min(nextEventMs, Date.parse(e.at as string));
        } else if (entry.conversationId === id) {
          framesChecked++;
          if (entry.endMs > nextEventMs + 1) expect.fail(`a frame of ${id} reaching ${new Date(entry.endMs).toISOString()} came before the event at ${new Date(nextEventMs).toISOString()}`);
        }
      }
      expect(framesChecked).toBeGreaterThan(1000);
    }

    // Each source: whole, gap-free, numbered frames carrying its own signature and nobody else's.
    const run = result.conversations[0]!;
    const sources = [...got.streams.values()].filter((s) => s.conversationId === run.conversationId);
    expect(sources.map((s) => `${s.participantId}:${s.codec}/${s.sampleRate}`).sort()).toEqual(['a:L16/16000', 'c:PCMA/8000', 'x:PCMU/8000']);
    const signatures = scenarios[0]!.signatures;
    for (const s of sources) {
      expect(s.frames.map((f) => f.seq)).toEqual(s.frames.map((_, i) => i));
      const bytes = s.codec === 'L16' ? 2 : 1;
      s.frames.forEach((f, i) => i > 0 && expect(f.timestamp).toBe(s.frames[i - 1]!.timestamp + s.frames[i - 1]!.payload.length / bytes));
      const samples = decodeWithFfmpeg(s.codec, s.sampleRate, Buffer.concat(s.frames.map((f) => f.payload)));
      const seconds = s.participantId === 'x' ? 8 : 16;
      expect(samples.length).toBe(seconds * s.sampleRate);
      const heard = detect(samples, s.sampleRate, [...signatures.values()]);
      const own = [...signatures.keys()].indexOf(s.participantId);
      expect(new Set(heard.masks)).toEqual(new Set([1 << own]));
    }
  });

  it('repeats events and frames and swaps frames in pairs when a scenario asks for unreliable delivery', async () => {
    const scenarios = await loadScenarios([path.join(ROOT, 'scenarios/media/unreliable-delivery.yaml')]);
    const result = await simulate({ client: new CapstanClient(url), scenarios, speed: 'max', concurrency: 1, repeat: 1, frameMs: 100, namespace: false, runId: 'run2' });
    expect(result.conversations[0]!.problems).toEqual([]);
    const batches = got.log.filter((e) => e.kind === 'events' && e.events[0]!.conversationId === 'unreliable-delivery-run2');
    expect(batches.length % 2).toBe(0);
    expect(batches[0]).toEqual(batches[1]);
    const customer = [...got.streams.values()].find((s) => s.conversationId === 'unreliable-delivery-run2' && s.participantId === 'c')!;
    const seqs = customer.frames.map((f) => f.seq);
    expect(seqs.slice(0, 13)).toEqual([1, 0, 3, 2, 5, 4, 7, 6, 9, 9, 8, 11, 10]);
    expect(new Set(seqs).size).toBe(200);
    expect(got.puts.some((p) => p.path === '/api/v2/capstan/config/trunks/t1')).toBe(true);
  });

  it('gives the scenario\'s owners of ad-hoc recordings a sign-in, before their telephony settings, and keeps it for verify', async () => {
    const scenarios = await loadScenarios([path.join(ROOT, 'scenarios/kinds/adhoc-external.non-acd.yaml')]);
    const client = new CapstanClient(url);
    const result = await simulate({ client, scenarios, speed: 'max', concurrency: 1, repeat: 1, frameMs: 100, namespace: true, runId: 'run3' });
    expect(result.conversations[0]!.problems).toEqual([]);
    expect(got.users).toEqual([{ id: 'run3.adhoc-external.una', name: 'run3.adhoc-external.una', username: 'run3.adhoc-external.una', password: expect.stringMatching(/^[\w-]{24}$/), roleIds: ['user'] }]);
    expect(result.conversations[0]!.accounts).toEqual({ una: { username: 'run3.adhoc-external.una', password: got.users[0]!.password } });
    expect(got.requests.indexOf('POST /api/v2/users')).toBeLessThan(got.requests.indexOf('PUT /api/v2/capstan/config/users/run3.adhoc-external.una'));

    withIdentity = false;
    const without = await simulate({ client, scenarios, speed: 'max', concurrency: 1, repeat: 1, frameMs: 100, namespace: true, runId: 'run4' });
    expect(without.conversations[0]!.problems).toEqual([]);
    expect(without.conversations[0]!.accounts).toBeUndefined();
  });

  it('keeps every voice flowing while the server takes its time to answer streams opening and closing', async () => {
    const scenarios = await loadScenarios([path.join(ROOT, 'scenarios/seed-table/06-blind-transfer.trunk.yaml')]);
    answerDelayMs = 800;
    try {
      const result = await simulate({ client: new CapstanClient(url), scenarios, speed: 10, concurrency: 1, repeat: 1, frameMs: 20, namespace: true, runId: 'run5' });
      expect(result.conversations[0]!.problems).toEqual([]);
      expect(result.conversations[0]!.streams.map((s) => s.participantId).sort()).toEqual(['a', 'b', 'c']);
    } finally {
      answerDelayMs = 0;
    }
    // The customer talks through the transfer (a's stream closes, b's opens at 10 s): no pause in their audio.
    const customer = [...got.streams.values()].find((s) => s.conversationId === 'blind-transfer-trunk-run5' && s.participantId === 'c')!;
    const gaps = customer.frames.slice(1).map((f, i) => f.arrivedMs - customer.frames[i]!.arrivedMs);
    expect(Math.max(...gaps)).toBeLessThan(300);
  });

  it('catches up in steps when the server answers events slowly, so that events never run far ahead of the audio', async () => {
    const scenarios = await loadScenarios([path.join(ROOT, 'scenarios/seed-table/07-consult-transfer.trunk.yaml')]);
    eventsDelayMs = 1500;
    try {
      const result = await simulate({ client: new CapstanClient(url), scenarios, speed: 10, concurrency: 1, repeat: 1, frameMs: 20, namespace: true, runId: 'run6' });
      expect(result.conversations[0]!.problems).toEqual([]);
    } finally {
      eventsDelayMs = 0;
    }
    // Each batch of events goes out when the audio sent before it is at most a second behind it.
    let checked = 0;
    for (const entry of got.log) {
      if (entry.kind !== 'events' || entry.events[0]!.conversationId !== 'consult-transfer-trunk-run6' || entry.audioMsWhenAnswered === undefined) continue;
      const newest = Math.max(...entry.events.map((e) => Date.parse(e.at as string)));
      expect(newest - entry.audioMsWhenAnswered).toBeLessThanOrEqual(1000);
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
  });
});
