import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/sim/audio-decode.js';
import { freePort } from '../support/ports.js';
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
  it('seeds users with each role and the demo organization, records its calls so that they play, and stays away on the next start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-demo-'));
    // As `npm start` runs it: the SIPREC connector listening (its trunk created at start does not count as data).
    const sipPort = await freePort();
    const first = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_DATA_DIR: dataDir, CAPSTAN_SIPREC_PORT: String(sipPort), CAPSTAN_SIPREC_HOST: '127.0.0.1' });
    running.push(first);
    const [, calls, recordings, heard] = await waitFor(first, /(\d+) demo calls recorded: (\d+) recordings, (\d+) of \d+ calls verified by ear/);
    expect(Number(calls)).toBe(5);
    expect(Number(heard)).toBe(5);
    expect(Number(recordings)).toBeGreaterThanOrEqual(10);

    // Erin, the demo evaluator, signs in with the printed password and plays the call she evaluates.
    const [, password] = await waitFor(first, /^ {2}erin +evaluator +password (\S+)$/m);
    const [, listing] = await waitFor(first, /Erin is assigned to evaluate Alice's sales call: (\S+)/);
    const signIn = await fetch(`${first.url}/api/v2/capstan/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'erin', password }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const recs = (await (await fetch(listing!, { headers: { cookie } })).json()) as Array<{ capstan: { kind: string }; mediaUris: { S: { mediaUri: string } } }>;
    expect(recs.map((r) => r.capstan.kind).sort()).toEqual(['trunk']);
    const audio = await decodeAudio(Buffer.from(await (await fetch(recs[0]!.mediaUris.S.mediaUri)).arrayBuffer()));
    expect(audio.durationSec).toBeCloseTo(110, 0);

    const [, clientId, secret] = await waitFor(first, /client id (\S+) +secret (\S+)/);
    const token = (await (await fetch(`${first.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).json()) as { access_token: string };
    const users = (await (await fetch(`${first.url}/api/v2/users`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()) as { entities: Array<{ id: string; roleIds: string[] }> };
    expect(Object.fromEntries(users.entities.map((u) => [u.id, u.roleIds.join()]))).toEqual({ admin: 'admin', alice: 'agent', bob: 'agent', carol: 'supervisor', dave: 'user', erin: 'evaluator' });
    await first.stop();

    const again = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_DATA_DIR: dataDir, CAPSTAN_LOG_LEVEL: 'info' });
    running.push(again);
    await waitFor(again, /"reason":"this is not the first start: someone can already sign in","msg":"no demo"/);
    expect(again.output()).not.toContain('Fresh install');
  });

  it('does not run when a bootstrap administrator is configured', async () => {
    const capstan = await startCapstan({ CAPSTAN_DEMO: 'auto', CAPSTAN_ADMIN_USER: 'root', CAPSTAN_ADMIN_PASSWORD: 'correct horse battery', CAPSTAN_LOG_LEVEL: 'info' });
    running.push(capstan);
    await waitFor(capstan, /"msg":"no demo"/);
    expect(capstan.output()).toContain('a bootstrap administrator is configured (CAPSTAN_ADMIN_USER)');
  });
});
