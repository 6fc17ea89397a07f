import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWithFfmpeg, toneShare } from '../support/audio.js';
import { bearer } from '../support/credentials.js';
import { freePort } from '../support/ports.js';
import { ROOT, startCapstan, type CapstanProcess } from '../support/process.js';

/**
 * SIPREC acceptance: SIPp (an independent SIP implementation) plays a recording client against
 * `capstan serve`, over UDP and over TCP: an INVITE with two PCMA streams and RFC 7865 metadata,
 * RTP on both (SIPp streams the caller's 1 kHz tone, ffmpeg the agent's 440 Hz), a re-INVITE that
 * pauses both streams for 2 s, one that resumes them, BYE. The recordings are decoded by ffmpeg:
 * each party on its channel, the pause cut and annotated.
 */

const SCENARIO_DIR = path.join(ROOT, 'test/fixtures/siprec/sipp');
let capstan: CapstanProcess;
let sipPort: number;
let work: string;
let auth: { authorization: string };
const ADMIN = { CAPSTAN_ADMIN_CLIENT_ID: 'sipp-ci', CAPSTAN_ADMIN_CLIENT_SECRET: 'a-long-enough-sipp-secret' };

beforeAll(async () => {
  sipPort = await freePort();
  capstan = await startCapstan({ CAPSTAN_SIPREC_PORT: String(sipPort), CAPSTAN_SIPREC_HOST: '127.0.0.1', ...ADMIN });
  auth = await bearer(capstan.url, ADMIN.CAPSTAN_ADMIN_CLIENT_ID, ADMIN.CAPSTAN_ADMIN_CLIENT_SECRET);
  work = mkdtempSync(path.join(tmpdir(), 'capstan-sipp-'));
  for (const f of ['siprec-pause-resume.xml', 'send_rtp.sh']) copyFileSync(path.join(SCENARIO_DIR, f), path.join(work, f));
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', '-t', 'raw', path.join(work, 'tone.alaw'), 'synth', '1', 'sine', '1000', 'vol', '0.3']);
});
afterAll(async () => {
  if (capstan?.child.exitCode === null) await capstan.stop();
});

function runSipp(transport: 'u1' | 't1', ports: { sip: number; media: number; rtp2: number }): Promise<{ code: number | null; output: string }> {
  const args = [`127.0.0.1:${sipPort}`, '-sf', 'siprec-pause-resume.xml', '-m', '1', '-i', '127.0.0.1', '-p', String(ports.sip), '-mi', '127.0.0.1', '-mp', String(ports.media), '-key', 'rtp2_port', String(ports.rtp2), '-t', transport, '-nostdin', '-timeout', '40', '-timeout_error'];
  const child = spawn('sipp', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: output.slice(-2000) })));
}

async function siprecConversations(): Promise<string[]> {
  const list = (await (await fetch(`${capstan.url}/api/v2/capstan/conversations?pageSize=100`, { headers: auth })).json()) as { entities: Array<{ id: string }> };
  return list.entities.map((c) => c.id).filter((id) => id.startsWith('siprec-'));
}

describe.each([
  ['UDP', 'u1'],
  ['TCP', 't1'],
] as const)('SIPREC with SIPp over %s', (_name, transport) => {
  it('records both streams on their channels with the re-INVITE pause cut and annotated', async () => {
    const before = new Set(await siprecConversations());
    const ports = { sip: await freePort(), media: await freePort(), rtp2: await freePort() };
    const sipp = await runSipp(transport, ports);
    expect(sipp.code, sipp.output).toBe(0);

    const [conversationId] = (await siprecConversations()).filter((id) => !before.has(id));
    expect(conversationId).toBeDefined();
    const res = await fetch(`${capstan.url}/api/v2/conversations/${conversationId}/recordings?maxWaitMs=20000&formatId=WAV`, { headers: auth });
    const [recording] = (await res.json()) as any[];
    expect(recording).toMatchObject({ mediaSubtype: 'Trunk', fileState: 'AVAILABLE' });

    const pauses = recording.annotations.filter((a: any) => a.reason === 'SecurePause');
    expect(pauses, JSON.stringify(recording.annotations)).toHaveLength(1);
    expect(pauses[0].realtimeLocation).toBeGreaterThan(2500);
    expect(pauses[0].realtimeLocation).toBeLessThan(4000);
    expect(pauses[0].realtimeDurationMs).toBeGreaterThan(1700);
    expect(pauses[0].realtimeDurationMs).toBeLessThan(2600);

    const decoded = decodeWithFfmpeg(Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri, { headers: auth })).arrayBuffer()), 2, 8000);
    // About 8 s of call, of which the 2 s pause is cut.
    expect(decoded.durationMs).toBeGreaterThan(5000);
    expect(decoded.durationMs).toBeLessThan(7500);
    const [caller, agent] = decoded.channels as [Int16Array, Int16Array];
    const cutAt = pauses[0].recordingLocation * 8;
    const beforePause = (pcm: Int16Array) => pcm.subarray(cutAt - 8000, cutAt - 1600);
    const afterPause = (pcm: Int16Array) => pcm.subarray(cutAt + 4000, cutAt + 12000);
    const health = JSON.stringify({ annotations: recording.annotations, health: recording.capstan.health });
    // Each channel carries its own party's tone and nothing of the other's (on a loaded machine a
    // late RTP packet may leave a click, so the share is not required to be near 1). ffmpeg, which
    // sends the agent's stream, may start late on a busy machine: its stream is checked after the pause.
    expect(toneShare(beforePause(caller), 1000, 8000), health).toBeGreaterThan(0.5);
    expect(toneShare(beforePause(caller), 440, 8000), health).toBeLessThan(0.05);
    expect(toneShare(beforePause(agent), 1000, 8000), health).toBeLessThan(0.05);
    expect(toneShare(afterPause(caller), 1000, 8000), health).toBeGreaterThan(0.5);
    expect(toneShare(afterPause(agent), 440, 8000), health).toBeGreaterThan(0.5);
    expect(toneShare(afterPause(caller), 440, 8000), health).toBeLessThan(0.05);
    expect(toneShare(afterPause(agent), 1000, 8000), health).toBeLessThan(0.05);
  });
});
