import { beforeAll, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/policy/time.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, caller, postCall, TestClock } from '../support/retention.js';

/** /api/v2/recording/settings: reference fields, the snippet default retention and the maximum retention. */
describeEachDialect('recording settings API', (db) => {
  let api: TestApi;
  let http: ReturnType<typeof caller>;
  const clock = new TestClock(at(0));

  beforeAll(async () => {
    api = await testApi(db(), { clock });
    http = caller(api);
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice' });
  });

  it('404 until created; createDefault=true saves and returns the defaults', async () => {
    expect((await http('GET', '/api/v2/recording/settings')).statusCode).toBe(404);
    expect((await http('GET', '/api/v2/recording/settings?createDefault=true')).json()).toEqual({
      maxSimultaneousStreams: 100,
      maxConfigurableScreenRecordingStreams: 2000,
      regionalRecordingStorageEnabled: false,
      recordingPlaybackUrlTtl: 60,
      recordingBatchDownloadUrlTtl: 60,
      stopRecordingWhenOnlyExternalParticipants: false,
      snippetRetentionDays: 90,
      maxInteractionRetentionDays: null,
      selfUri: '/api/v2/recording/settings',
    });
    expect((await http('GET', '/api/v2/recording/settings')).statusCode).toBe(200);
  });

  it('PUT changes the fields given and keeps the others', async () => {
    const res = await http('PUT', '/api/v2/recording/settings', { maxSimultaneousStreams: 10, recordingPlaybackUrlTtl: 30, recordingBatchDownloadUrlTtl: 30, regionalRecordingStorageEnabled: false });
    expect(res.json()).toMatchObject({ maxSimultaneousStreams: 10, recordingPlaybackUrlTtl: 30, recordingBatchDownloadUrlTtl: 30, snippetRetentionDays: 90 });
    expect((await http('GET', '/api/v2/recording/settings')).json()).toMatchObject({ recordingPlaybackUrlTtl: 30 });
  });

  it('URL lifetimes stay within 2–60 minutes; the server-controlled maximum of streams cannot be raised', async () => {
    const res = await http('PUT', '/api/v2/recording/settings', { recordingPlaybackUrlTtl: 1, recordingBatchDownloadUrlTtl: 61 });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { fieldName: string }) => d.fieldName)).toEqual(['recordingPlaybackUrlTtl', 'recordingBatchDownloadUrlTtl']);
    const streams = await http('PUT', '/api/v2/recording/settings', { maxSimultaneousStreams: 2000, maxConfigurableScreenRecordingStreams: 5000 });
    expect(streams.json()).toMatchObject({ maxSimultaneousStreams: 2000, maxConfigurableScreenRecordingStreams: 2000 });
  });

  it('a maximum retention longer policies conflict with is refused, naming them', async () => {
    const policy = (await http('POST', '/api/v2/recording/mediaretentionpolicies', { name: 'ten years', mediaPolicies: { callPolicy: { actions: { retentionDuration: { deleteRetention: { days: 3650 } } } } } })).json();
    const res = await http('PUT', '/api/v2/recording/settings', { maxInteractionRetentionDays: 365 });
    expect(res.statusCode).toBe(409);
    expect(res.json().details).toEqual([expect.objectContaining({ errorCode: 'settings.retentionConflict', entityId: policy.id })]);
    await http('PATCH', `/api/v2/recording/mediaretentionpolicies/${policy.id}`, { enabled: false });
  });

  it('"every recording older than that is deleted, with or without a policy": the maximum caps recordings already decided; it cannot be removed', async () => {
    await postCall(api, acdCall('set-1'));
    clock.t = at(120);
    await api.services.retention.worker.runUntilIdle();
    const [recording] = (await api.services.conversations.get('default', 'set-1'))!.recordings;
    expect(await api.services.retention.retention.explain('default', recording!.id)).toMatchObject({ deleteAtMs: null });

    const snippetConflict = await http('PUT', '/api/v2/recording/settings', { maxInteractionRetentionDays: 30 });
    expect(snippetConflict.json().details).toEqual([expect.objectContaining({ errorCode: 'settings.retentionConflict', fieldName: 'snippetRetentionDays' })]);
    expect((await http('PUT', '/api/v2/recording/settings', { maxInteractionRetentionDays: 30, snippetRetentionDays: 14 })).statusCode).toBe(200);
    await api.services.retention.worker.runUntilIdle();
    expect(await api.services.retention.retention.explain('default', recording!.id)).toMatchObject({ deleteAtMs: at(0) + 30 * DAY_MS, dueAtMs: at(0) + 30 * DAY_MS });

    const cleared = await http('PUT', '/api/v2/recording/settings', { maxInteractionRetentionDays: null });
    expect(cleared.statusCode).toBe(409);
    expect(cleared.json().code).toBe('settings.maxRetentionPermanent');
  });
});
