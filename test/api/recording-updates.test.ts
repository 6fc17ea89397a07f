import { beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/policy/time.js';
import { RecordingMediaRepository } from '../../src/store/repositories/recording-media.repository.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, caller, postCall, recordMedia, TestClock } from '../support/retention.js';

/** PUT of a recording's dates and the annotations API, rendered in the reference Recording model. */
describeEachDialect('recording dates and annotations API', (db) => {
  let api: TestApi;
  let http: ReturnType<typeof caller>;
  const clock = new TestClock(at(-60));
  let recordingId: string;
  const url = () => `/api/v2/conversations/upd-1/recordings/${recordingId}`;

  beforeAll(async () => {
    api = await testApi(db(), { clock });
    http = caller(api);
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice' });
    await http('POST', '/api/v2/recording/mediaretentionpolicies', { name: 'year', mediaPolicies: { callPolicy: { actions: { retentionDuration: { archiveRetention: { days: 30 }, deleteRetention: { days: 365 } } } } } });
    clock.t = at(0);
    await postCall(api, acdCall('upd-1', { seconds: 20 }));
    recordingId = [...(await recordMedia(api.services, 'upd-1', 20)).keys()][0]!;
    await api.services.retention.worker.runUntilIdle();
  });

  it('the Recording model carries the retention dates and a link to why', async () => {
    const [recording] = (await http('GET', '/api/v2/conversations/upd-1/recordings')).json();
    expect(recording).toMatchObject({
      id: recordingId,
      fileState: 'AVAILABLE',
      archiveDate: new Date(at(0) + 30 * DAY_MS).toISOString(),
      archiveMedium: 'CLOUDARCHIVE',
      deleteDate: new Date(at(0) + 365 * DAY_MS).toISOString(),
      exportDate: null,
      capstan: { retention: { protected: false, rule: 'policy', selfUri: `/api/v2/capstan/recordings/${recordingId}/retention` } },
    });
    expect(recording.mediaUris.S.mediaUri).toMatch(/^http/);
    expect((await http('GET', '/api/v2/conversations/upd-1/recordingmetadata')).json()[0]).toMatchObject({ deleteDate: recording.deleteDate, fileState: 'AVAILABLE' });
  });

  it('PUT changes and removes dates; a delete date that has come is refused while protected', async () => {
    const later = new Date(at(0) + 400 * DAY_MS).toISOString();
    expect((await http('PUT', url(), { deleteDate: later, archiveDate: null })).json()).toMatchObject({ deleteDate: later, archiveDate: null });
    await http('PUT', '/api/v2/recordings/deletionprotection', { conversationIds: ['upd-1'] });
    const refused = await http('PUT', url(), { deleteDate: new Date(clock.t).toISOString() });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'recording.protected', status: 409 });
    await http('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['upd-1'] });
    const bad = await http('PUT', url(), { deleteDate: 'tomorrow' });
    expect(bad.json().details[0].fieldName).toBe('deleteDate');
  });

  it('editing retention needs editRetention for the recording\'s kind', async () => {
    const viewer = caller(api, 'vic', ['recording:recording:view']);
    const res = await viewer('PUT', url(), { deleteDate: null });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'access.denied', message: expect.stringContaining('recording:recording:editRetention') });
  });

  it('an archived recording has no playback URL until restored; restoring serves it again', async () => {
    await http('PUT', url(), { archiveDate: new Date(clock.t).toISOString() });
    await api.services.retention.worker.runUntilIdle();
    const archived = (await http('GET', url())).json();
    expect(archived).toMatchObject({ fileState: 'ARCHIVED', mediaUris: null });

    const until = new Date(clock.t + 3_600_000).toISOString();
    expect((await http('PUT', url(), { archiveDate: until })).json()).toMatchObject({ fileState: 'RESTORING', mediaUris: null });
    await api.services.retention.worker.runUntilIdle();
    const restored = (await http('GET', url())).json();
    expect(restored).toMatchObject({ fileState: 'RESTORED', restoreExpirationTime: until });
    const audio = await api.app.inject({ method: 'GET', url: new URL(restored.mediaUris.S.mediaUri).pathname + new URL(restored.mediaUris.S.mediaUri).search });
    expect(audio.statusCode).toBe(200);
    expect(audio.rawPayload.subarray(0, 4).toString()).toBe('RIFF');
  });

  it('a recording not evaluated yet answers 409', async () => {
    await postCall(api, liveCall());
    const [row] = (await api.services.conversations.get('default', 'upd-live'))!.recordings;
    await new RecordingMediaRepository(api.services.db).started('default', row!.id, { blobKey: 'default/recordings/x/y', keyId: 'k', format: 'WAV_ULAW', channels: 1, sampleRate: 8000 }, clock.t);
    const res = await http('PUT', `/api/v2/conversations/upd-live/recordings/${row!.id}`, { deleteDate: null });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('recording.notEvaluated');
  });

  function liveCall() {
    const call = acdCall('upd-live', { startSec: 100 });
    call.inputs.splice(call.inputs.findIndex((e) => e.type === 'participant.left'));
    return call;
  }

  describe('annotations', () => {
    const annotations = () => `${url()}/annotations`;

    it('adds a bookmark, lists, reads, changes and removes it', async () => {
      const created = await http('POST', annotations(), { name: 'promise', type: 'bookmark', location: 5000, description: 'customer agrees' });
      expect(created.statusCode).toBe(200);
      const bookmark = created.json();
      expect(bookmark).toMatchObject({ name: 'promise', type: 'bookmark', location: 5000, realtimeLocation: 5000, description: 'customer agrees', user: { id: 'system' } });
      expect((await http('GET', annotations())).json()).toEqual([bookmark]);
      expect((await http('GET', `${annotations()}/${bookmark.id}`)).json()).toEqual(bookmark);
      const changed = (await http('PUT', `${annotations()}/${bookmark.id}`, { name: 'promise', location: 6000, durationMs: 1000 })).json();
      expect(changed).toMatchObject({ id: bookmark.id, location: 6000, durationMs: 1000 });
      expect((await http('DELETE', `${annotations()}/${bookmark.id}`)).statusCode).toBe(204);
      expect((await http('GET', `${annotations()}/${bookmark.id}`)).statusCode).toBe(404);
    });

    it('bookmarks are hidden from callers without recording:annotation:view', async () => {
      await http('POST', annotations(), { name: 'secret', location: 1000 });
      expect((await caller(api, 'vic', ['recording:recording:view'])('GET', annotations())).json()).toEqual([]);
      expect((await http('GET', annotations())).json()).toHaveLength(1);
    });

    it('refuses a location past the end of the recording', async () => {
      const res = await http('POST', annotations(), { name: 'late', location: 60_000 });
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0]).toMatchObject({ errorCode: 'annotation.outOfRange', fieldName: 'location' });
    });
  });
});
