import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/sim/audio-decode.js';
import { startCapstan, type CapstanProcess } from '../support/process.js';

/** `npm start` on a fresh install shows a demo; on anything else it stays out of the way. */

const running: CapstanProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.stop();
});

async function waitFor(capstan: CapstanProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(capstan.output());
    if (match) return match;
    if (Date.now() > deadline || capstan.child.exitCode !== null) throw new Error(`no ${pattern} in:\n${capstan.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the fresh-install demo', () => {
  it('seeds the demo organization, records its calls so that they play, and stays away on the next start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-demo-'));
    const first = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_DATA_DIR: dataDir });
    running.push(first);
    const [, calls, recordings, heard] = await waitFor(first, /(\d+) demo calls recorded: (\d+) recordings, (\d+) of \d+ calls verified by ear/);
    expect(Number(calls)).toBe(5);
    expect(Number(heard)).toBe(5);
    expect(Number(recordings)).toBeGreaterThanOrEqual(10);

    const [, listing] = await waitFor(first, /List one call's recordings: (\S+)/);
    const recs = (await (await fetch(listing!)).json()) as Array<{ mediaUris: { S: { mediaUri: string } } }>;
    const audio = await decodeAudio(Buffer.from(await (await fetch(recs[0]!.mediaUris.S.mediaUri)).arrayBuffer()));
    expect(audio.durationSec).toBeGreaterThan(10);
    const telephony = (await (await fetch(`${first.url}/api/v2/capstan/config/users`)).json()) as { entities: Array<{ id: string }> };
    expect(telephony.entities.map((u) => u.id).sort()).toEqual(['admin', 'alice', 'bob', 'carol', 'dave', 'erin']);
    await first.stop();

    const again = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_DATA_DIR: dataDir, CAPSTAN_LOG_LEVEL: 'info' });
    running.push(again);
    await waitFor(again, /"reason":"the database already holds conversations","msg":"no demo"/);
    expect(again.output()).not.toContain('Fresh install');
  });

  it('does not run when a bootstrap administrator is configured', async () => {
    const capstan = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_ADMIN_USER: 'root', CAPSTAN_ADMIN_PASSWORD: 'correct horse battery', CAPSTAN_LOG_LEVEL: 'info' });
    running.push(capstan);
    await waitFor(capstan, /"msg":"no demo"/);
    expect(capstan.output()).toContain('a bootstrap administrator is configured (CAPSTAN_ADMIN_USER, CAPSTAN_ADMIN_PASSWORD)');
  });
});
