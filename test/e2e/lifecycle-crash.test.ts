import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import type { BlobStore } from '../../src/store/blob.store.js';
import { migrate, openDatabase, type Db } from '../../src/store/db.js';
import { openBlobStore } from '../../src/store/open-blob-store.js';
import { exitOf, runCapstan } from '../support/process.js';
import { acdCall, at, postCall, recordMedia, TestClock } from '../support/retention.js';
import { S3_CREDENTIALS, startS3, type TestS3 } from '../support/s3.js';
import { AuditService } from '../../src/services/audit.service.js';
import { AuditRepository } from '../../src/store/repositories/audit.repository.js';
import { testApi } from '../support/api.js';
import { openTestDb, testDialects } from '../support/db.js';

/**
 * Kill the worker process in the middle of its work (archive, export and a bulk job) and start it
 * again: everything finishes, and nothing is done twice (one object per recording in each store,
 * bulk job counters equal to the recordings it covered).
 */

const CONVERSATIONS = 60;

for (const dialect of testDialects()) describe(`lifecycle worker killed mid-batch and restarted [${dialect}]`, () => {
  let dataDir: string;
  let config: Config;
  let s3: TestS3;
  let db: Db;
  let databaseUrl: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let jobId: string;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.bucket('crash-exports');
    dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-crash-'));
    config = loadConfig({ CAPSTAN_DATA_DIR: dataDir });
    if (dialect === 'postgres') {
      const handle = await openTestDb('postgres');
      ({ db, url: databaseUrl } = handle);
      cleanup = () => handle.cleanup();
    } else {
      db = openDatabase({ sqlitePath: path.join(dataDir, 'capstan.db') });
      await migrate(db);
      cleanup = () => db.close();
    }

    // Seed as the server would have: conversations recorded in January, a policy that exports
    // each at once and archives it after a day, and a bulk DELETE job started by its creator.
    const clock = new TestClock(at(-3600));
    const api = await testApi(db, { clock, env: { CAPSTAN_DATA_DIR: dataDir } });
    const http = (method: 'PUT' | 'POST', url: string, body: unknown) =>
      api.app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice' });
    await http('PUT', '/api/v2/capstan/integrations/s3', { name: 'Exports', bucket: 'crash-exports', endpoint: s3.endpoint, forcePathStyle: true, ...S3_CREDENTIALS });
    await http('POST', '/api/v2/recording/mediaretentionpolicies', {
      name: 'export and archive',
      mediaPolicies: { callPolicy: { actions: { retentionDuration: { archiveRetention: { days: 1 }, deleteRetention: { days: 3650 } }, integrationExport: { integration: { id: 's3' } } } } },
    });
    for (let i = 0; i < CONVERSATIONS; i++) {
      const id = `crash-${String(i).padStart(3, '0')}`;
      await postCall(api, acdCall(id, { startSec: i * 10 }));
      await recordMedia(api.services, id);
      clock.t = at(i * 10 + 120);
      expect(await api.services.retention.retention.evaluate(DEFAULT_ORG_ID, id)).toMatchObject({ status: 'evaluated', recordings: 1 });
    }
    const job = await http('POST', '/api/v2/recording/jobs', {
      action: 'DELETE',
      actionDate: '2036-01-01T00:00:00Z',
      conversationQuery: { interval: `${new Date(at(-60)).toISOString()}/${new Date(at(CONVERSATIONS * 10)).toISOString()}` },
    });
    jobId = job.json().id;
    await api.services.retention.jobs.prepare(DEFAULT_ORG_ID, jobId);
    expect((await http('PUT', `/api/v2/recording/jobs/${jobId}`, { state: 'PROCESSING' })).json().state).toBe('PROCESSING');
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
    await s3?.close();
  });

  const progress = async () => {
    const rows = await db.kysely.selectFrom('recording_lifecycle').select(['file_state', 'exported_at', 'delete_at']).execute();
    const job = await db.kysely.selectFrom('recording_jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    return {
      archived: rows.filter((r) => r.file_state === 'ARCHIVED').length,
      exported: rows.filter((r) => r.exported_at !== null).length,
      scheduled: rows.filter((r) => r.delete_at === Date.parse('2036-01-01T00:00:00Z')).length,
      job,
    };
  };
  const worker = () =>
    runCapstan(['serve'], {
      CAPSTAN_DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      CAPSTAN_PORT: '0',
      CAPSTAN_HOST: '127.0.0.1',
      CAPSTAN_ROLES: 'worker',
      CAPSTAN_WORKER_POLL_MS: '20',
      CAPSTAN_WORKER_LEASE_MS: '1500',
      CAPSTAN_LIFECYCLE_BATCH: '8',
      CAPSTAN_LIFECYCLE_CONCURRENCY: '2',
      CAPSTAN_JOB_BATCH: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });

  /** Runs a worker until `stop` holds, then kills it without warning; answers the progress at that moment. */
  async function killWhen(stop: (p: Awaited<ReturnType<typeof progress>>) => boolean, what: string) {
    const child = worker();
    const deadline = Date.now() + 60_000;
    let p = await progress();
    while (!stop(p)) {
      if (Date.now() > deadline) throw new Error(`the worker never reached ${what}: ${JSON.stringify({ ...p, job: p.job.state })}`);
      await new Promise((r) => setTimeout(r, 20));
      p = await progress();
    }
    child.kill('SIGKILL');
    await exitOf(child);
    return progress();
  }

  it('finishes every action exactly once after being killed mid-job and mid-batch', async () => {
    const midJob = await killWhen((p) => p.job.total_processed > 0, 'the middle of the bulk job');
    expect(midJob.job.state).toBe('PROCESSING');
    expect(midJob.job.total_processed).toBeLessThan(CONVERSATIONS);
    const midArchive = await killWhen((p) => p.archived > 0, 'the middle of archiving');
    expect(midArchive.archived).toBeLessThan(CONVERSATIONS);

    const last = worker();
    let after = await progress();
    const until = Date.now() + 90_000;
    while ((after.archived < CONVERSATIONS || after.exported < CONVERSATIONS || after.job.state !== 'FULFILLED') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      after = await progress();
    }
    last.kill('SIGTERM');
    expect(await exitOf(last)).toBe(0);

    expect(after).toMatchObject({ archived: CONVERSATIONS, exported: CONVERSATIONS, scheduled: CONVERSATIONS });
    expect(after.job).toMatchObject({ state: 'FULFILLED', total_recordings: CONVERSATIONS, total_processed: CONVERSATIONS, total_failed: 0 });

    const count = async (store: BlobStore) => {
      let n = 0;
      for await (const _ of store.list(`${DEFAULT_ORG_ID}/`)) n++;
      return n;
    };
    expect(await count(openBlobStore(config.storage.media))).toBe(0);
    expect(await count(openBlobStore(config.storage.archive))).toBe(CONVERSATIONS);
    const exported = await s3.keys('crash-exports');
    expect(exported.filter((k) => k.endsWith('_metadata.json'))).toHaveLength(CONVERSATIONS);
    expect(exported).toHaveLength(2 * CONVERSATIONS);

    // One audit event per recording and action: every change committed once, with its event.
    const events = await db.kysely.selectFrom('audit_events').select(['action', 'entity_id']).where('entity_type', '=', 'Recording').where('action', 'in', ['Archive', 'Export', 'ScheduleDelete']).execute();
    for (const action of ['Archive', 'Export', 'ScheduleDelete']) {
      const ids = events.filter((e) => e.action === action).map((e) => e.entity_id);
      expect(ids, action).toHaveLength(CONVERSATIONS);
      expect(new Set(ids).size, action).toBe(CONVERSATIONS);
    }
    const verdicts = await new AuditService(new AuditRepository(db), { now: () => Date.now() }, DEFAULT_ORG_ID).verify(DEFAULT_ORG_ID);
    expect(verdicts[0]!.verdict).toMatchObject({ ok: true });
  }, 180_000);
});
