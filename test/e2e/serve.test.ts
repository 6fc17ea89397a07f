import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Call } from '../support/call.js';
import { bearer, firstRunCredentials } from '../support/credentials.js';
import { exitOf, runCapstan, startCapstan, type CapstanProcess } from '../support/process.js';

/** `capstan serve` as a process: the operations contract of DESIGN section 11. */
describe('capstan serve', () => {
  const running: CapstanProcess[] = [];
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) await p.stop('SIGKILL');
  });

  it('starts on the embedded defaults, prints a first administrator, answers /healthz and the events endpoint, and drains on SIGTERM', async () => {
    const capstan = await startCapstan();
    running.push(capstan);
    expect((await fetch(`${capstan.url}/healthz`)).status).toBe(200);
    const admin = firstRunCredentials(capstan.output());
    expect(admin, capstan.output()).toMatchObject({ clientId: 'admin', username: 'admin' });

    const events = new Call('e2e-1').start(0, 'inbound').join(0, 'c', 'customer').inputs;
    const post = (headers: Record<string, string>) =>
      fetch(`${capstan.url}/api/v2/capstan/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(events) });
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ status: 401, code: 'authentication.required' });

    const token = await bearer(capstan.url, admin!.clientId, admin!.secret);
    expect((await post(token)).status).toBe(202);
    const conversation = (await (await fetch(`${capstan.url}/api/v2/capstan/conversations/e2e-1`, { headers: token })).json()) as { events: unknown[] };
    expect(conversation.events).toHaveLength(2);

    const signIn = await fetch(`${capstan.url}/api/v2/capstan/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: admin!.username, password: admin!.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${capstan.url}/api/v2/capstan/conversations/e2e-1`, { headers: { cookie } })).status).toBe(200);

    expect(await capstan.stop('SIGTERM')).toBe(0);
  });

  it('keeps what it stored across a restart, and the bootstrap variables give the same administrator every time', async () => {
    const bootstrap = { CAPSTAN_ADMIN_CLIENT_ID: 'ops-ci', CAPSTAN_ADMIN_CLIENT_SECRET: 'a-long-enough-secret', CAPSTAN_ADMIN_USER: 'ops', CAPSTAN_ADMIN_PASSWORD: 'ops password' };
    const first = await startCapstan(bootstrap);
    running.push(first);
    expect(firstRunCredentials(first.output())).toBeUndefined();
    await fetch(`${first.url}/api/v2/capstan/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(first.url, 'ops-ci', 'a-long-enough-secret')) },
      body: JSON.stringify(new Call('e2e-restart').start(0, 'outbound').inputs),
    });
    await first.stop();
    const second = await startCapstan({ ...bootstrap, CAPSTAN_DATA_DIR: first.dataDir, CAPSTAN_ADMIN_CLIENT_SECRET: 'a-rotated-long-secret' });
    running.push(second);
    await expect(bearer(second.url, 'ops-ci', 'a-long-enough-secret')).rejects.toThrow(/401/);
    const token = await bearer(second.url, 'ops-ci', 'a-rotated-long-secret');
    expect((await fetch(`${second.url}/api/v2/capstan/conversations/e2e-restart`, { headers: token })).status).toBe(200);
    const signIn = await fetch(`${second.url}/api/v2/capstan/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password: 'ops password' }),
    });
    expect(await signIn.json()).toMatchObject({ id: 'ops', roles: [{ id: 'admin' }] });
    await second.stop();
  });

  it('a SIGTERM that arrives while it is still starting stops it cleanly once it is up', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-early-stop-'));
    const child = runCapstan(['serve'], { CAPSTAN_PORT: '0', CAPSTAN_DATA_DIR: dataDir, CAPSTAN_SIPREC_PORT: '0', CAPSTAN_DEMO: 'off', CAPSTAN_LOG_LEVEL: 'info' });
    let output = '';
    const migrating = new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('"migrations"')) resolve();
      }),
    );
    await migrating; // the database is being opened: the HTTP listener is not up yet
    expect(output).not.toContain('Capstan is running');
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(output).toContain('draining before exit');
  });

  it('refuses an invalid configuration with a readable message and exit code 2', async () => {
    const child = runCapstan(['serve'], { CAPSTAN_PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitOf(child)).toBe(2);
    expect(stderr).toContain('CAPSTAN_PORT');
    expect(stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  it('prints its commands with --help', async () => {
    const child = runCapstan(['--help']);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    expect(await exitOf(child)).toBe(0);
    expect(stdout).toContain('serve');
  });
});
