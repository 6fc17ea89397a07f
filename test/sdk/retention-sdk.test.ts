import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { bearer } from '../support/credentials.js';
import { acdCall, at } from '../support/retention.js';

/**
 * The official JavaScript SDK (purecloud-platform-client-v2) against a Capstan started here, as
 * a Genesys Cloud customer's script would use it: client-credentials login, policies, settings, a
 * bulk job to FULFILLED, its failed recordings, protection from deletion, a recording's dates and
 * annotations, and errors as ErrorBody.
 */

// The SDK is CommonJS without usable typings for ESM; these are the calls this test makes.
interface Sdk {
  ApiClient: { instance: { setGateway(g: object): void; loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string }> } };
  RecordingApi: new () => Record<string, (...args: unknown[]) => Promise<any>>;
}
const sdk = createRequire(import.meta.url)('purecloud-platform-client-v2') as Sdk;
const CLIENT_ID = 'sdk-test-client';
const CLIENT_SECRET = 'sdk-test-secret-0123456789';

describe('the reference SDK against Capstan', () => {
  let server: RunningServer;
  let rec: Record<string, (...args: unknown[]) => Promise<any>>;

  beforeAll(async () => {
    const config = loadConfig({
      CAPSTAN_PORT: '0',
      CAPSTAN_HOST: '127.0.0.1',
      CAPSTAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'capstan-sdk-')),
      CAPSTAN_WORKER_POLL_MS: '50',
      CAPSTAN_ADMIN_CLIENT_ID: CLIENT_ID,
      CAPSTAN_ADMIN_CLIENT_SECRET: CLIENT_SECRET,
    });
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    const { port } = new URL(server.url);
    const client = sdk.ApiClient.instance;
    client.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(port) });
    await client.loginClientCredentialsGrant(CLIENT_ID, CLIENT_SECRET);
    rec = new sdk.RecordingApi();

    const auth = await bearer(server.url, CLIENT_ID, CLIENT_SECRET);
    const post = (url: string, body: unknown, method = 'POST') =>
      fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    await post('/api/v2/capstan/config/trunks/t1', { name: 'Carrier' }, 'PUT');
    await post('/api/v2/capstan/config/users/ua', { name: 'Alice' }, 'PUT');
    await post('/api/v2/capstan/config/users/u1', { name: 'Una' }, 'PUT');
    await post('/api/v2/capstan/config/queues/q1', { name: 'Sales' }, 'PUT');
    for (const id of ['sdk-1', 'sdk-2', 'sdk-3']) await post('/api/v2/capstan/events', acdCall(id, { startSec: -7200 }).inputs);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const eventually = async <T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (done(v) || Date.now() > until) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('creates, lists, reads, replaces, patches and deletes media retention policies', async () => {
    const body = {
      name: 'p1',
      enabled: true,
      mediaPolicies: {
        callPolicy: {
          conditions: { directions: ['INBOUND'], forUsers: [{ id: 'u1' }] },
          actions: { retainRecording: true, retentionDuration: { archiveRetention: { days: 30, storageMedium: 'CLOUDARCHIVE' }, deleteRetention: { days: 365 } } },
        },
      },
    };
    const p1 = await rec.postRecordingMediaretentionpolicies!(body);
    expect(p1).toMatchObject({ id: expect.any(String), name: 'p1', enabled: true });
    const p2 = await rec.postRecordingMediaretentionpolicies!({ ...body, name: 'p2' });

    const listing = await rec.getRecordingMediaretentionpolicies!({ pageSize: 25, pageNumber: 1, enabled: true, name: 'p1' });
    expect(listing.entities.map((p: { id: string }) => p.id)).toEqual([p1.id]);
    expect(listing).toMatchObject({ pageSize: 25, pageNumber: 1, total: 1 });

    const replaced = await rec.putRecordingMediaretentionpolicy!(p2.id, { ...body, name: 'p2', description: 'replaced' });
    expect(replaced.description).toBe('replaced');

    await rec.patchRecordingMediaretentionpolicy!(p1.id, { enabled: false });
    expect((await rec.getRecordingMediaretentionpolicy!(p1.id)).enabled).toBe(false);

    const p3 = await rec.postRecordingMediaretentionpolicies!({ ...body, name: 'p3' });
    expect(await rec.deleteRecordingMediaretentionpolicy!(p3.id)).toBeUndefined();
    expect(await rec.deleteRecordingMediaretentionpolicies!(`${p1.id},${p2.id}`)).toBeUndefined();
    await expect(rec.getRecordingMediaretentionpolicy!(p1.id)).rejects.toMatchObject({ status: 404, code: 'not.found', contextId: expect.any(String) });
  });

  it('gets an ErrorBody with field details for an invalid policy', async () => {
    const error = await rec.postRecordingMediaretentionpolicies!({ name: 'bad', mediaPolicies: { callPolicy: { actions: { retainRecording: false } } } }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: 'bad.request',
      details: [{ errorCode: 'policy.noRetentionAction', fieldName: 'mediaPolicies.callPolicy.actions.retainRecording' }],
    });
  });

  it('reads and updates recording settings', async () => {
    expect(await rec.getRecordingSettings!({ createDefault: true })).toMatchObject({ recordingPlaybackUrlTtl: 60, recordingBatchDownloadUrlTtl: 60 });
    const updated = await rec.putRecordingSettings!({ maxSimultaneousStreams: 10, recordingPlaybackUrlTtl: 30, recordingBatchDownloadUrlTtl: 30, regionalRecordingStorageEnabled: false });
    expect(updated).toMatchObject({ maxSimultaneousStreams: 10, recordingPlaybackUrlTtl: 30 });
    expect((await rec.getRecordingSettings!({})).recordingBatchDownloadUrlTtl).toBe(30);
  });

  it('protects a conversation from deletion and asks which are protected', async () => {
    const result = await rec.putRecordingsDeletionprotection!({ protect: true, body: { conversationIds: ['sdk-1'] } });
    expect(result).toEqual({ failedUpdates: [] });
    expect(await rec.postRecordingsDeletionprotection!({ conversationIds: ['sdk-1', 'sdk-2'] })).toEqual([{ id: 'sdk-1', selfUri: '/api/v2/conversations/sdk-1' }]);
  });

  it('runs a bulk DELETE job to FULFILLED and reads its failed recordings (the protected conversation)', async () => {
    // Policies are evaluated by the worker once the conversations have ended.
    await eventually(() => server.services.retention.lifecycle.forConversations('default', ['sdk-1', 'sdk-2', 'sdk-3']), (rows) => rows.length === 3);
    const job = await rec.postRecordingJobs!({
      action: 'DELETE',
      actionDate: new Date(Date.now() + 86_400_000).toISOString(),
      includeScreenRecordings: true,
      conversationQuery: { interval: `${new Date(at(-10_800)).toISOString()}/${new Date(at(0)).toISOString()}` },
    });
    expect(job.state).toBe('PENDING');
    const ready = await eventually(() => rec.getRecordingJob!(job.id), (j) => j.state === 'READY');
    expect(ready).toMatchObject({ state: 'READY', totalConversations: 3, totalRecordings: 3 });

    await rec.putRecordingJob!(job.id, { state: 'PROCESSING' });
    const done = await eventually(() => rec.getRecordingJob!(job.id), (j) => j.state === 'FULFILLED');
    expect(done).toMatchObject({ state: 'FULFILLED', totalProcessedRecordings: 2, totalFailedRecordings: 1, percentProgress: 100 });

    const mine = await rec.getRecordingJobs!({ state: 'FULFILLED', jobType: 'DELETE', showOnlyMyJobs: true });
    expect(mine.entities.map((j: { id: string }) => j.id)).toContain(job.id);
    const failed = await rec.getRecordingJobFailedrecordings!(job.id, { pageSize: 25 });
    expect(failed.entities).toEqual([expect.objectContaining({ conversation: expect.objectContaining({ id: 'sdk-1' }), errorCode: 'recording.protected' })]);
  });

  it('changes a recording\'s dates, refuses deleting a protected one, and manages its annotations', async () => {
    const [recording] = await eventually(() => rec.getConversationRecordings!('sdk-2', { maxWaitMs: 5000 }), (list) => list?.[0]?.fileState === 'AVAILABLE');
    expect(recording).toMatchObject({ conversationId: 'sdk-2', mediaSubtype: 'Trunk', fileState: 'AVAILABLE' });
    const updated = await rec.putConversationRecording!('sdk-2', recording.id, { archiveDate: '2030-01-01T00:00:00.000Z', deleteDate: '2031-01-01T00:00:00.000Z' });
    expect(updated).toMatchObject({ id: recording.id, archiveDate: '2030-01-01T00:00:00.000Z', deleteDate: '2031-01-01T00:00:00.000Z' });
    expect((await rec.getConversationRecordingmetadata!('sdk-2'))[0]).toMatchObject({ deleteDate: '2031-01-01T00:00:00.000Z' });

    const [protectedOne] = await rec.getConversationRecordings!('sdk-1', { maxWaitMs: 5000 });
    await expect(rec.putConversationRecording!('sdk-1', protectedOne.id, { deleteDate: new Date().toISOString() })).rejects.toMatchObject({ status: 409, code: 'recording.protected' });

    const bookmark = await rec.postConversationRecordingAnnotations!('sdk-2', recording.id, { name: 'bm', type: 'bookmark', location: 1000, description: 'x' });
    expect(bookmark).toMatchObject({ id: expect.any(String), name: 'bm', location: 1000, description: 'x' });
    expect((await rec.getConversationRecordingAnnotations!('sdk-2', recording.id)).map((a: { id: string }) => a.id)).toContain(bookmark.id);
    await rec.putConversationRecordingAnnotation!('sdk-2', recording.id, bookmark.id, { name: 'bm2', type: 'bookmark', location: 2000 });
    expect(await rec.getConversationRecordingAnnotation!('sdk-2', recording.id, bookmark.id)).toMatchObject({ name: 'bm2', location: 2000 });
    expect(await rec.deleteConversationRecordingAnnotation!('sdk-2', recording.id, bookmark.id)).toBeUndefined();
    await expect(rec.getConversationRecordingAnnotation!('sdk-2', recording.id, bookmark.id)).rejects.toMatchObject({ status: 404 });
  });

  it('a third job while two are PENDING or PROCESSING is refused with 409; cancelling frees a place', async () => {
    // With the worker paused, created jobs stay PENDING.
    await server.services.retention.worker.stop();
    const body = { action: 'ARCHIVE', actionAge: 10, conversationQuery: { interval: `${new Date(at(-10_800)).toISOString()}/${new Date(at(0)).toISOString()}` } };
    const a = await rec.postRecordingJobs!(body);
    await rec.postRecordingJobs!(body);
    await expect(rec.postRecordingJobs!(body)).rejects.toMatchObject({ status: 409, code: 'job.tooManyActive' });
    expect(await rec.deleteRecordingJob!(a.id)).toBeUndefined();
    expect((await rec.getRecordingJob!(a.id)).state).toBe('CANCELLED');
    expect((await rec.postRecordingJobs!(body)).state).toBe('PENDING');
    server.services.retention.worker.start();
  });
});
