import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, ROOT, runCapstan, startCapstan, type CapstanProcess } from '../support/process.js';

/**
 * The whole scenario library, end to end: a real server process, `capstan simulate` playing every
 * scenario (accelerated) over HTTP and the media WebSocket, and `capstan verify` listening to
 * every stored recording. Then a deliberately wrong expectation must fail, naming the span.
 */

let capstan: CapstanProcess;
const work = mkdtempSync(path.join(tmpdir(), 'capstan-library-'));
const runFile = path.join(work, 'run.json');
const library = path.join(ROOT, 'scenarios');
/** The simulator and the verifier sign in as an API client with the admin role, as a telephony platform would. */
const admin = { id: 'library-admin', secret: 'library-admin-secret-0123456789' };

async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = runCapstan(args, { CAPSTAN_CLIENT_ID: admin.id, CAPSTAN_CLIENT_SECRET: admin.secret });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { code: await exitOf(child), output };
}

beforeAll(async () => {
  capstan = await startCapstan({ CAPSTAN_ADMIN_CLIENT_ID: admin.id, CAPSTAN_ADMIN_CLIENT_SECRET: admin.secret });
});

afterAll(async () => {
  if (capstan?.child.exitCode === null) await capstan.stop();
});

describe('the scenario library against a running Capstan', () => {
  it('is recorded as every scenario expects, as verify hears it', async () => {
    const started = Date.now();
    const simulated = await cli(['simulate', library, '--url', capstan.url, '--speed', 'max', '--concurrency', '4', '--frame-ms', '100', '--run-file', runFile, '--quiet']);
    const simulatedSec = (Date.now() - started) / 1000;
    expect(simulated.output).toMatch(/\d+ conversations \(0 failed\)/);
    expect(simulated.code, simulated.output).toBe(0);

    const verified = await cli(['verify', library, '--url', capstan.url, '--run-file', runFile]);
    const totalSec = (Date.now() - started) / 1000;
    process.stdout.write(`library: simulated in ${simulatedSec.toFixed(1)} s, simulated and verified in ${totalSec.toFixed(1)} s\n${verified.output.split('\n').slice(-1)[0]}\n`);
    expect(verified.output, verified.output).toMatch(/^\d+ passed, 0 failed$/m);
    expect(verified.code).toBe(0);
  });

  it('fails verify with a diff at the span when a scenario claims the customer is audible through a suppressed hold', async () => {
    const original = readFileSync(path.join(library, 'capabilities/hold-suppressed.trunk.yaml'), 'utf8');
    const wrong = original.replace(
      /expect:[\s\S]*$/,
      [
        'expect:',
        '  recordings:',
        '    - kind: trunk',
        '      perspective: c',
        '      duration: 25',
        '      annotations:',
        '        - { reason: Hold, at: 8, duration: 8, cut: false }',
        '      spans:',
        '        - { from: 0, to: 8, ch1: [c], ch2: [a] }',
        '        - { from: 8, to: 16, ch1: [c], ch2: [] }',
        '        - { from: 16, to: 25, ch1: [c], ch2: [a] }',
        '',
      ].join('\n'),
    );
    const file = path.join(work, 'hold-suppressed.trunk.yaml');
    writeFileSync(file, wrong);

    const verified = await cli(['verify', file, '--url', capstan.url, '--run-file', runFile]);
    expect(verified.code).toBe(1);
    expect(verified.output).toContain('FAIL hold-suppressed-trunk');
    expect(verified.output).toMatch(/trunk recording of c \[[^\]]+17\.0 s\]/);
    expect(verified.output).toContain('lasts 17.0 s of media, expected 25.0 s');
    expect(verified.output).toMatch(/ch2 8\.[1-3]–15\.[7-9] s: expected nothing, heard a/);
    expect(verified.output).toContain('annotation Hold at 8.0 s: cut from the media, expected kept');
    expect(verified.output).toMatch(/^0 passed, 1 failed$/m);
  });
});
