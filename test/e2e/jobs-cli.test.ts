import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress-bar.js';
import { bearer } from '../support/credentials.js';
import { exitOf, runCapstan, startCapstan, type CapstanProcess } from '../support/process.js';
import { acdCall, at } from '../support/retention.js';

/** `capstan jobs` against a running `capstan serve`, as an operator would use them. */
describe('capstan jobs', () => {
  let capstan: CapstanProcess;

  const CLIENT_ID = 'jobs-cli';
  const CLIENT_SECRET = 'jobs-cli-secret-0123456789';
  let auth: { authorization: string };

  beforeAll(async () => {
    capstan = await startCapstan({ CAPSTAN_WORKER_POLL_MS: '50', CAPSTAN_ADMIN_CLIENT_ID: CLIENT_ID, CAPSTAN_ADMIN_CLIENT_SECRET: CLIENT_SECRET });
    auth = await bearer(capstan.url, CLIENT_ID, CLIENT_SECRET);
    const send = (url: string, body: unknown, method = 'POST') =>
      fetch(`${capstan.url}${url}`, { method, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    await send('/api/v2/capstan/config/trunks/t1', { name: 'Carrier' }, 'PUT');
    await send('/api/v2/capstan/config/users/ua', { name: 'Alice' }, 'PUT');
    for (let i = 0; i < 4; i++) await send('/api/v2/capstan/events', acdCall(`cli-${i}`, { startSec: i * 60 }).inputs);
    await send('/api/v2/recordings/deletionprotection', { conversationIds: ['cli-3'] }, 'PUT');
  });
  afterAll(async () => {
    await capstan?.stop();
  });

  const run = async (...args: string[]) => {
    const child = runCapstan(['jobs', ...args, '--url', capstan.url, '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { code: await exitOf(child), out };
  };

  it('creates a job, runs it to FULFILLED with a progress bar, and lists what it could not change', async () => {
    const interval = `${new Date(at(-60)).toISOString()}/${new Date(at(3600)).toISOString()}`;
    // Policies are evaluated by the worker when conversations end: wait until every recording has its decision.
    for (let i = 0; i < 4; i++) {
      const conversation = (await (await fetch(`${capstan.url}/api/v2/capstan/conversations/cli-${i}`, { headers: auth })).json()) as { recordings: Array<{ id: string }> };
      for (const r of conversation.recordings) {
        while ((await fetch(`${capstan.url}/api/v2/capstan/recordings/${r.id}/retention`, { headers: auth })).status !== 200) await new Promise((done) => setTimeout(done, 50));
      }
    }
    const created = await run('create', '--action', 'DELETE', '--interval', interval, '--action-age', '30', '--run');
    expect(created.out).toMatch(/job [0-9a-f-]{36} created \(PENDING\)/);
    expect(created.out).toMatch(/\[█{30}\] 100%\s+4\/4 recordings, 1 failed\s+FULFILLED/);
    expect(created.code).toBe(0);
    const id = /job ([0-9a-f-]{36})/.exec(created.out)![1]!;

    const failed = await run('failed', id);
    expect(failed.out.trim().split('\n')).toEqual([expect.stringMatching(/^cli-3\s+\S+\s+recording\.protected\s+/)]);
    const listed = await run('list', '--state', 'FULFILLED', '--type', 'DELETE');
    expect(listed.out).toContain(id);
  }, 60_000);

  it('explains refusals with the API\'s reasons', async () => {
    const refused = await run('create', '--action', 'EXPORT', '--interval', 'yesterday');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/400 bad.request[\s\S]*conversationQuery.interval[\s\S]*integrationId/);
  }, 30_000);

  it('draws the bar from the job\'s counts', () => {
    expect(progressLine({ state: 'PROCESSING', percentProgress: 50, totalRecordings: 10, totalProcessedRecordings: 4, totalFailedRecordings: 1, totalSkippedRecordings: 2 }, 10)).toBe(
      '[█████░░░░░]  50%  5/10 recordings, 1 failed, 2 skipped  PROCESSING',
    );
  });
});
