import { beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, caller, postCall, TestClock } from '../support/retention.js';

/** Bulk recording jobs and protection from deletion, through the API and the worker. */
describeEachDialect('bulk recording jobs and deletion protection', (db) => {
  let api: TestApi;
  let http: ReturnType<typeof caller>;
  const clock = new TestClock(at(10_000));
  const work = () => api.services.retention.worker.runUntilIdle();
  const interval = `${new Date(at(0)).toISOString()}/${new Date(at(3600)).toISOString()}`;

  beforeAll(async () => {
    api = await testApi(db(), { clock, env: { CAPSTAN_PROTECTION_LIMIT: '3', CAPSTAN_JOB_BATCH: '2' } });
    http = caller(api);
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice', stationId: 'sa' });
    await http('PUT', '/api/v2/capstan/config/stations/sa', { name: 'Desk', recording: true });
    await http('PUT', '/api/v2/capstan/config/queues/q1', { name: 'Sales' });
    // Five conversations in the first hour, two recordings each (trunk-side and station-side).
    for (let i = 0; i < 5; i++) await postCall(api, acdCall(`job-${i}`, { startSec: i * 600 }));
    // One still going on: its recordings are not evaluated yet.
    await postCall(api, liveCall());
    await work();
  });

  function liveCall() {
    const call = acdCall('job-live', { startSec: 3000 });
    call.inputs.splice(call.inputs.findIndex((e) => e.type === 'participant.left' && e.participantId === 'c'));
    return call;
  }

  const job = async (id: string) => (await http('GET', `/api/v2/recording/jobs/${id}`)).json();

  describe('protection from deletion', () => {
    it('applies, answers which conversations are protected, and revokes', async () => {
      const put = await http('PUT', '/api/v2/recordings/deletionprotection?protect=true', { conversationIds: ['job-0', 'job-1'] });
      expect(put.json()).toEqual({ failedUpdates: [] });
      const query = await http('POST', '/api/v2/recordings/deletionprotection', { conversationIds: ['job-0', 'job-1', 'job-2'] });
      expect(query.json()).toEqual([
        { id: 'job-0', selfUri: '/api/v2/conversations/job-0' },
        { id: 'job-1', selfUri: '/api/v2/conversations/job-1' },
      ]);
      await http('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['job-1'] });
      expect((await http('POST', '/api/v2/recordings/deletionprotection', { conversationIds: ['job-1'] })).json()).toEqual([]);
    });

    it('reports what it could not protect: unknown conversations, none to protect, and the per-organization limit', async () => {
      const res = await http('PUT', '/api/v2/recordings/deletionprotection', { conversationIds: ['nope', 'job-2', 'job-3', 'job-4'] });
      expect(res.json().failedUpdates).toEqual([
        { conversation: { id: 'nope', selfUri: '/api/v2/conversations/nope' }, errorCode: 'not.found', errorMessage: expect.any(String) },
        { conversation: { id: 'job-4', selfUri: '/api/v2/conversations/job-4' }, errorCode: 'protection.limitReached', errorMessage: expect.stringContaining('at most 3') },
      ]);
      await http('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['job-2', 'job-3'] });
    });

    it('applying needs the apply permission, revoking the revoke permission', async () => {
      const revoker = caller(api, 'rita', ['recording:deletionProtection:revoke']);
      expect((await revoker('PUT', '/api/v2/recordings/deletionprotection?protect=true', { conversationIds: ['job-2'] })).json()).toMatchObject({ status: 403, code: 'missing.any.permissions' });
      expect((await revoker('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['job-2'] })).statusCode).toBe(200);
    });

    it('a direct deletion of a protected recording is refused; revoking restores its delete date', async () => {
      const [recording] = (await api.services.conversations.get('default', 'job-0'))!.recordings;
      const admin = { principal: { orgId: 'default', kind: 'user' as const, id: 'admin', name: 'admin', permissions: new Set(['*']) } };
      await expect(api.services.retention.retention.changeDates(admin, 'job-0', recording!.id, { deleteDate: new Date(clock.t).toISOString() })).rejects.toMatchObject({ code: 'recording.protected' });
      const future = new Date(clock.t + 86_400_000).toISOString();
      const dated = await api.services.retention.retention.changeDates(admin, 'job-0', recording!.id, { deleteDate: future });
      expect(dated).toMatchObject({ deleteAtMs: clock.t + 86_400_000, protected: true, dueAtMs: null });
      await http('PUT', '/api/v2/recordings/deletionprotection?protect=false', { conversationIds: ['job-0'] });
      expect(await api.services.retention.retention.explain('default', recording!.id)).toMatchObject({ protected: false, dueAtMs: clock.t + 86_400_000 });
      await http('PUT', '/api/v2/recordings/deletionprotection?protect=true', { conversationIds: ['job-0'] });
    });
  });

  describe('jobs', () => {
    let deleteJob: string;

    it('PENDING, then READY with totals once counted', async () => {
      const created = await http('POST', '/api/v2/recording/jobs', {
        action: 'DELETE',
        actionDate: new Date(at(20_000)).toISOString(),
        includeScreenRecordings: true,
        conversationQuery: { interval, segmentFilters: [{ type: 'or', predicates: [{ dimension: 'queueId', value: 'q1' }] }] },
      });
      expect(created.statusCode).toBe(200);
      expect(created.json()).toMatchObject({ state: 'PENDING', user: { id: 'system' }, failedRecordings: expect.stringMatching(/failedrecordings$/) });
      deleteJob = created.json().id;
      await work();
      expect(await job(deleteJob)).toMatchObject({ state: 'READY', totalConversations: 6, totalRecordings: 12, totalSkippedRecordings: 0, percentProgress: 0 });
    });

    it('only its creator may execute it', async () => {
      const other = caller(api, 'bob');
      const res = await other('PUT', `/api/v2/recording/jobs/${deleteJob}`, { state: 'PROCESSING' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'access.denied', message: expect.stringContaining('Only the creator') });
    });

    it('runs to FULFILLED in batches; protected and not-yet-evaluated recordings are listed as failed', async () => {
      expect((await http('PUT', `/api/v2/recording/jobs/${deleteJob}`, { state: 'PROCESSING' })).json().state).toBe('PROCESSING');
      await work();
      expect(await job(deleteJob)).toMatchObject({ state: 'FULFILLED', totalProcessedRecordings: 8, totalFailedRecordings: 4, percentProgress: 100 });
      const failed = (await http('GET', `/api/v2/recording/jobs/${deleteJob}/failedrecordings?pageSize=25`)).json();
      expect(failed.total).toBe(4);
      const byCode = (code: string) => failed.entities.filter((f: { errorCode: string }) => f.errorCode === code).map((f: { conversation: { id: string } }) => f.conversation.id);
      expect(byCode('recording.protected')).toEqual(['job-0', 'job-0']);
      expect(byCode('recording.notEvaluated')).toEqual(['job-live', 'job-live']);
      // The others now have the job's delete date.
      const [r2] = (await api.services.conversations.get('default', 'job-2'))!.recordings;
      expect(await api.services.retention.retention.explain('default', r2!.id)).toMatchObject({ deleteAtMs: at(20_000) });
    });

    it('pages failed recordings by cursor when includeTotal=false', async () => {
      const first = (await http('GET', `/api/v2/recording/jobs/${deleteJob}/failedrecordings?pageSize=3&includeTotal=false`)).json();
      expect(first).not.toHaveProperty('total');
      expect(first.entities).toHaveLength(3);
      const second = (await http('GET', `/api/v2/recording/jobs/${deleteJob}/failedrecordings?pageSize=3&includeTotal=false&cursor=${first.cursor}&pageNumber=2`)).json();
      expect(second.entities).toHaveLength(1);
      expect(second).not.toHaveProperty('cursor');
      expect((await http('GET', `/api/v2/recording/jobs/${deleteJob}/failedrecordings?pageNumber=2`)).json().details[0].errorCode).toBe('paging.cursorRequired');
    });

    it('at most 2 jobs PENDING or PROCESSING per organization (409); cancelling frees a place', async () => {
      const body = { action: 'ARCHIVE', actionAge: 30, conversationQuery: { interval } };
      const a = (await http('POST', '/api/v2/recording/jobs', body)).json().id;
      const b = (await http('POST', '/api/v2/recording/jobs', body)).json().id;
      const third = await http('POST', '/api/v2/recording/jobs', body);
      expect(third.statusCode).toBe(409);
      expect(third.json().code).toBe('job.tooManyActive');
      expect((await http('DELETE', `/api/v2/recording/jobs/${a}`)).statusCode).toBe(204);
      expect(await job(a)).toMatchObject({ state: 'CANCELLED' });
      expect((await http('POST', '/api/v2/recording/jobs', body)).statusCode).toBe(200);
      await work();
      const listed = (await http('GET', '/api/v2/recording/jobs?state=READY&jobType=ARCHIVE&showOnlyMyJobs=true')).json();
      expect(listed.entities.map((j: { id: string }) => j.id)).toContain(b);
      expect(listed.entities.every((j: { state: string }) => j.state === 'READY')).toBe(true);
    });

    it('rejects an invalid job with field-level details', async () => {
      const res = await http('POST', '/api/v2/recording/jobs', { action: 'EXPORT', conversationQuery: { interval: 'yesterday', conversationFilters: [{ type: 'and', predicates: [{ dimension: 'queueId', value: 'q1' }] }] } });
      expect(res.statusCode).toBe(400);
      expect(res.json().details.map((d: { fieldName: string }) => d.fieldName)).toEqual(['conversationQuery.interval', 'integrationId']);
    });
  });
});
