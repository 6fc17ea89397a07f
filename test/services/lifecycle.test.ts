import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/policy/time.js';
import { exportKey } from '../../src/domain/retention/integration.js';
import type { BlobStore } from '../../src/store/blob.store.js';
import { LifecycleScheduler } from '../../src/services/lifecycle-scheduler.js';
import { openBlobStore } from '../../src/store/open-blob-store.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, caller, postCall, recordMedia, TestClock } from '../support/retention.js';
import { S3_CREDENTIALS, startS3, type TestS3 } from '../support/s3.js';

/** The lifecycle scheduler on real blob stores: archive, restore, return, delete, export, and protection against policy deletion. */
describeEachDialect('recording lifecycle', (db) => {
  let api: TestApi;
  let http: ReturnType<typeof caller>;
  let archive: BlobStore;
  let s3: TestS3;
  const clock = new TestClock(at(-DAY_MS / 1000));
  const admin = { principal: { orgId: 'default', kind: 'user' as const, id: 'admin', name: 'admin', permissions: new Set(['*']) } };

  beforeAll(async () => {
    api = await testApi(db(), { clock });
    http = caller(api);
    archive = openBlobStore(api.config.storage.archive);
    s3 = await startS3();
    await s3.bucket('exports');
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice' });
    for (const q of ['q1', 'q-arch', 'q-purge', 'q-export', 'q-live', 'q-race']) await http('PUT', `/api/v2/capstan/config/queues/${q}`, { name: q });
    await http('PUT', '/api/v2/capstan/integrations/s3', { name: 'Exports', bucket: 'exports', endpoint: s3.endpoint, forcePathStyle: true, ...S3_CREDENTIALS });
  });
  afterAll(async () => {
    await s3?.close();
  });

  const work = () => api.services.retention.worker.runUntilIdle();
  const lifecycleOf = (id: string) => api.services.retention.retention.explain('default', id);
  /** A call of its own (queue `queue`) with media, evaluated under the policies in force. */
  async function recorded(id: string, startSec: number, queue = 'q1') {
    const call = acdCall(id, { startSec });
    if (queue !== 'q1') for (const e of call.inputs) if (e.type === 'segment' && e.kind === 'queue') (e as { queueId?: string }).queueId = queue;
    await postCall(api, call);
    const bodies = await recordMedia(api.services, id);
    await work();
    const [recordingId] = [...bodies.keys()];
    return { recordingId: recordingId!, body: bodies.get(recordingId!)!, key: (await api.services.conversations.get('default', id))!.recordings[0]!.media.blobKey! };
  }
  const policy = async (body: Record<string, unknown>) => {
    const res = await http('POST', '/api/v2/recording/mediaretentionpolicies', body);
    if (res.statusCode !== 200) throw new Error(res.body);
  };

  it('archives on the archive date, restores on request for a set time, returns, and deletes on the delete date — verified on both stores', async () => {
    await policy({ name: 'archive q-arch', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q-arch' }] }, actions: { retentionDuration: { archiveRetention: { days: 2 }, deleteRetention: { days: 10 } } } } } });
    clock.t = at(0);
    const { recordingId, key } = await recorded('life-1', 0, 'q-arch');
    expect(await lifecycleOf(recordingId)).toMatchObject({ fileState: 'AVAILABLE', archiveAtMs: at(0) + 2 * DAY_MS, deleteAtMs: at(0) + 10 * DAY_MS });
    expect(await api.services.blobs.stat(key)).toBeDefined();

    clock.t = at(0) + 2 * DAY_MS;
    await work();
    expect((await lifecycleOf(recordingId))!.fileState).toBe('ARCHIVED');
    expect(await api.services.blobs.stat(key)).toBeUndefined();
    const archived = await archive.stat(key);
    expect(archived?.size).toBeGreaterThan(8000);

    // "A new archiveDate on an ARCHIVED recording = restore until that date."
    const until = clock.t + 3_600_000;
    const restoring = await api.services.retention.retention.changeDates(admin, 'life-1', recordingId, { archiveDate: new Date(until).toISOString() });
    expect(restoring).toMatchObject({ fileState: 'RESTORING', restoreUntilMs: until });
    await work();
    expect(await lifecycleOf(recordingId)).toMatchObject({ fileState: 'RESTORED', restoreUntilMs: until });
    expect((await api.services.blobs.stat(key))?.size).toBe(archived!.size);

    clock.t = until;
    await work();
    expect((await lifecycleOf(recordingId))!.fileState).toBe('ARCHIVED');
    expect(await api.services.blobs.stat(key)).toBeUndefined();
    expect(await archive.stat(key)).toBeDefined();

    clock.t = at(0) + 10 * DAY_MS;
    await work();
    expect((await lifecycleOf(recordingId))!.fileState).toBe('DELETED');
    expect(await api.services.blobs.stat(key)).toBeUndefined();
    expect(await archive.stat(key)).toBeUndefined();
    const row = (await api.services.conversations.get('default', 'life-1'))!.recordings[0]!;
    expect(row.media.state).toBe('DELETED');
  });

  it('a protected recording survives an always-delete policy; revoking lets the policy delete it', async () => {
    await policy({ name: 'purge q-purge', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q-purge' }] }, actions: { alwaysDelete: true } } } });
    clock.t = at(0) + 20 * DAY_MS;
    const call = acdCall('life-protected', { startSec: 20 * 86_400 });
    for (const e of call.inputs) if (e.type === 'segment' && e.kind === 'queue') (e as { queueId?: string }).queueId = 'q-purge';
    await postCall(api, call);
    const bodies = await recordMedia(api.services, 'life-protected');
    await http('PUT', '/api/v2/recordings/deletionprotection', { conversationIds: ['life-protected'] });
    await work();
    const [recordingId] = [...bodies.keys()];
    const key = (await api.services.conversations.get('default', 'life-protected'))!.recordings[0]!.media.blobKey!;
    expect(await lifecycleOf(recordingId!)).toMatchObject({ fileState: 'AVAILABLE', protected: true, deleteAtMs: clock.t, decision: { rule: 'alwaysDelete' } });
    clock.t += DAY_MS;
    await work();
    expect((await lifecycleOf(recordingId!))!.fileState).toBe('AVAILABLE');
    expect(await api.services.blobs.stat(key)).toBeDefined();

    await http('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['life-protected'] });
    await work();
    expect((await lifecycleOf(recordingId!))!.fileState).toBe('DELETED');
    expect(await api.services.blobs.stat(key)).toBeUndefined();
  });

  it('exports to the S3 bucket with the reference key layout and a metadata JSON beside it', async () => {
    await policy({ name: 'export q-export', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q-export' }] }, actions: { integrationExport: { integration: { id: 's3' } } } } } });
    clock.t = at(0) + 30 * DAY_MS;
    const startSec = 30 * 86_400 + 3600;
    const { recordingId, body } = await recorded('life-export', startSec, 'q-export');
    const record = (await lifecycleOf(recordingId))!;
    expect(record.exportedAtMs).toBe(clock.t);
    const key = exportKey({ prefix: '' }, 'default', 'life-export', at(startSec), recordingId);
    expect(key).toBe(`default/year=2026/month=01/day=31/hour=10/conversation_id=life-export/${recordingId}`);
    expect(await s3.keys('exports', 'default/year=2026/month=01/day=31/')).toEqual([key, `${key}_metadata.json`]);

    const exported = await s3.object('exports', key);
    expect(exported.subarray(0, 4).toString()).toBe('RIFF');
    expect(exported.subarray(exported.length - body.length).equals(body)).toBe(true);
    const metadata = JSON.parse((await s3.object('exports', `${key}_metadata.json`)).toString());
    expect(metadata).toMatchObject({
      conversationId: 'life-export',
      recordingId,
      conversation: { direction: 'inbound', queueIds: ['q-export'], users: [{ userId: 'ua', purpose: 'agent' }] },
      recording: { mediaSubtype: 'Trunk', format: 'WAV_ULAW', contentType: 'audio/wav', sizeInBytes: exported.length },
      retention: { policies: [{ name: 'export q-export' }] },
    });
  });

  it('keeps a bucket\'s secret access key sealed in the database, never in the clear, and still uses it', async () => {
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    await http('PUT', '/api/v2/capstan/integrations/sealed', { name: 'Sealed', bucket: 'exports', endpoint: s3.endpoint, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret });
    const stored = await api.services.db.kysely.selectFrom('integrations').select('config').where('id', '=', 'sealed').executeTakeFirstOrThrow();
    expect(stored.config).not.toContain(secret);
    expect(JSON.parse(stored.config)).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', sealedSecretAccessKey: { keyId: expect.any(String) } });
    const shown = await http('GET', '/api/v2/capstan/integrations/sealed');
    expect(shown.body).not.toContain(secret);
    expect(shown.json()).toMatchObject({ hasSecret: true });
    expect((await api.services.retention.integrations.settings('default', 'sealed'))?.secretAccessKey).toBe(secret);

    // A change that leaves the secret out keeps it; a new access key id without a secret drops it.
    await http('PUT', '/api/v2/capstan/integrations/sealed', { name: 'Sealed, renamed', bucket: 'exports', endpoint: s3.endpoint, accessKeyId: 'AKIDEXAMPLE' });
    expect((await api.services.retention.integrations.settings('default', 'sealed'))?.secretAccessKey).toBe(secret);
    await http('PUT', '/api/v2/capstan/integrations/sealed', { name: 'Sealed', bucket: 'exports', endpoint: s3.endpoint, accessKeyId: 'AKIDOTHER' });
    expect((await http('GET', '/api/v2/capstan/integrations/sealed')).json()).toMatchObject({ hasSecret: false });
    await http('DELETE', '/api/v2/capstan/integrations/sealed');
  });

  it('a deletion waits while the recording\'s audio is still being written', async () => {
    clock.t = at(0) + 40 * DAY_MS;
    await policy({ name: 'purge q-live', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q-live' }] }, actions: { alwaysDelete: true } } } });
    const call = acdCall('life-live', { startSec: 40 * 86_400 });
    for (const e of call.inputs) if (e.type === 'segment' && e.kind === 'queue') (e as { queueId?: string }).queueId = 'q-live';
    await postCall(api, call);
    await work();
    const [row] = (await api.services.conversations.get('default', 'life-live'))!.recordings;
    // The media pipeline has not finished writing: the deletion is decided, and retried later.
    const waiting = (await lifecycleOf(row!.id))!;
    expect(waiting).toMatchObject({ fileState: 'DELETING', attempts: 1 });
    expect(waiting.lastError).toMatch(/still being written/);
    expect(waiting.dueAtMs).toBeGreaterThan(clock.t);
    await recordMedia(api.services, 'life-live');
    clock.t = waiting.dueAtMs!;
    await work();
    expect((await lifecycleOf(row!.id))!.fileState).toBe('DELETED');
  });

  it('two workers sharing the database apply each due action once (leases; SKIP LOCKED on PostgreSQL)', async () => {
    await policy({ name: 'archive q-race', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q-race' }] }, actions: { retentionDuration: { archiveRetention: { days: 1 } } } } } });
    clock.t = at(0) + 50 * DAY_MS;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const call = acdCall(`race-${i}`, { startSec: 50 * 86_400 + i });
      for (const e of call.inputs) if (e.type === 'segment' && e.kind === 'queue') (e as { queueId?: string }).queueId = 'q-race';
      await postCall(api, call);
      ids.push(...(await recordMedia(api.services, `race-${i}`)).keys());
    }
    await work();
    clock.t += 2 * DAY_MS;
    const { services } = api;
    const scheduler = (owner: string) =>
      new LifecycleScheduler({
        db: services.db,
        lifecycle: services.retention.lifecycle,
        media: services.retention.lifecycleMedia,
        audit: services.audit,
        clock,
        logger: services.logger,
        owner,
        batchSize: 4,
        leaseMs: 60_000,
        concurrency: 2,
      });
    const drain = async (s: LifecycleScheduler) => {
      while ((await s.runDue()) > 0);
    };
    await Promise.all([drain(scheduler('worker-a')), drain(scheduler('worker-b'))]);
    for (const id of ids) expect((await lifecycleOf(id))!.fileState).toBe('ARCHIVED');
    const events = await services.db.kysely.selectFrom('audit_events').select('entity_id').where('action', '=', 'Archive').where('entity_id', 'in', ids).execute();
    expect(events).toHaveLength(ids.length);
  });
});
