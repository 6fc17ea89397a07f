import { afterAll, describe, expect, it } from 'vitest';
import { Call } from '../support/call.js';
import { exitOf, runCapstan, startCapstan, type CapstanProcess } from '../support/process.js';

/** `capstan serve` as a process: the operations contract of DESIGN section 11. */
describe('capstan serve', () => {
  const running: CapstanProcess[] = [];
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) await p.stop('SIGKILL');
  });

  it('starts on the embedded defaults, answers /healthz and the events endpoint, and drains on SIGTERM', async () => {
    const capstan = await startCapstan();
    running.push(capstan);
    expect((await fetch(`${capstan.url}/healthz`)).status).toBe(200);

    const events = new Call('e2e-1').start(0, 'inbound').join(0, 'c', 'customer').inputs;
    const posted = await fetch(`${capstan.url}/api/v2/capstan/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);
    const conversation = (await (await fetch(`${capstan.url}/api/v2/capstan/conversations/e2e-1`)).json()) as { events: unknown[] };
    expect(conversation.events).toHaveLength(2);

    expect(await capstan.stop('SIGTERM')).toBe(0);
  });

  it('keeps what it stored across a restart on the same data folder', async () => {
    const first = await startCapstan();
    running.push(first);
    await fetch(`${first.url}/api/v2/capstan/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(new Call('e2e-restart').start(0, 'outbound').inputs),
    });
    await first.stop();
    const second = await startCapstan({ CAPSTAN_DATA_DIR: first.dataDir });
    running.push(second);
    expect((await fetch(`${second.url}/api/v2/capstan/conversations/e2e-restart`)).status).toBe(200);
    await second.stop();
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
