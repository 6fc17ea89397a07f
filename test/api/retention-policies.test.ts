import { beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';

/** /api/v2/recording/mediaretentionpolicies, as the reference SDK calls it. */
describeEachDialect('media retention policies API', (db) => {
  let api: TestApi;
  const json = { 'content-type': 'application/json' };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    api.app.inject({ method, url, headers: json, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

  beforeAll(async () => {
    api = await testApi(db());
    await call('PUT', '/api/v2/capstan/config/users/u1', { name: 'Una' });
    await call('PUT', '/api/v2/capstan/config/queues/q1', { name: 'Billing' });
  });

  const salesPolicy = (name = 'p1') => ({
    name,
    enabled: true,
    mediaPolicies: {
      callPolicy: {
        conditions: { directions: ['INBOUND'], forUsers: [{ id: 'u1' }], forQueues: [{ id: 'q1' }] },
        actions: { retainRecording: true, retentionDuration: { archiveRetention: { days: 30, storageMedium: 'CLOUDARCHIVE' }, deleteRetention: { days: 365 } } },
      },
    },
  });

  it('creates a policy with the reference field names and reads it back with names and links', async () => {
    const created = await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy());
    expect(created.statusCode).toBe(200);
    const policy = created.json();
    expect(policy).toMatchObject({
      name: 'p1',
      enabled: true,
      mediaPolicies: {
        callPolicy: {
          conditions: {
            directions: ['INBOUND'],
            forUsers: [{ id: 'u1', name: 'Una', selfUri: '/api/v2/users/u1' }],
            forQueues: [{ id: 'q1', name: 'Billing', selfUri: '/api/v2/routing/queues/q1' }],
          },
          actions: { retainRecording: true, retentionDuration: { archiveRetention: { days: 30, storageMedium: 'CLOUDARCHIVE' }, deleteRetention: { days: 365 } } },
        },
      },
      policyErrors: { policyErrorMessages: [] },
      selfUri: `/api/v2/recording/mediaretentionpolicies/${policy.id}`,
    });
    expect(Date.parse(policy.createdDate)).toBeGreaterThan(0);
    expect((await call('GET', policy.selfUri)).json()).toEqual(policy);
  });

  it('lists with the SDK\'s filters and the listing envelope', async () => {
    await call('POST', '/api/v2/recording/mediaretentionpolicies', { ...salesPolicy('archive later'), enabled: false });
    await call('POST', '/api/v2/recording/mediaretentionpolicies', { name: 'keep forever', mediaPolicies: { callPolicy: { actions: { retainRecording: true } } } });
    const page = (await call('GET', '/api/v2/recording/mediaretentionpolicies?pageSize=2&pageNumber=1')).json();
    expect(page).toMatchObject({ pageSize: 2, pageNumber: 1, total: 3, pageCount: 2, nextUri: expect.stringContaining('pageNumber=2') });
    expect(page.entities.map((p: { name: string }) => p.name)).toEqual(['archive later', 'keep forever']);
    const second = (await call('GET', page.nextUri)).json();
    expect(second.entities.map((p: { name: string }) => p.name)).toEqual(['p1']);

    const byName = (await call('GET', '/api/v2/recording/mediaretentionpolicies?name=P1&enabled=true')).json();
    expect(byName.entities.map((p: { name: string }) => p.name)).toEqual(['p1']);
    const disabled = (await call('GET', '/api/v2/recording/mediaretentionpolicies?enabled=false')).json();
    expect(disabled.entities.map((p: { name: string }) => p.name)).toEqual(['archive later']);
    const long = (await call('GET', '/api/v2/recording/mediaretentionpolicies?deleteDaysThreshold=364&summary=true')).json();
    expect(long.entities.map((p: { name: string }) => p.name)).toEqual(['archive later', 'p1']);
    expect(long.entities[0]).not.toHaveProperty('mediaPolicies');
  });

  it('PATCH {enabled} switches a policy; PUT replaces it', async () => {
    const id = (await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('toggle'))).json().id;
    expect((await call('PATCH', `/api/v2/recording/mediaretentionpolicies/${id}`, { enabled: false })).json()).toMatchObject({ enabled: false });
    expect((await call('GET', `/api/v2/recording/mediaretentionpolicies/${id}`)).json().enabled).toBe(false);
    const replaced = await call('PUT', `/api/v2/recording/mediaretentionpolicies/${id}`, {
      name: 'toggle',
      enabled: true,
      mediaPolicies: { callPolicy: { actions: { alwaysDelete: true } } },
    });
    expect(replaced.json()).toMatchObject({ enabled: true, mediaPolicies: { callPolicy: { actions: { alwaysDelete: true } } } });
    expect(replaced.json().mediaPolicies.callPolicy).not.toHaveProperty('conditions');
  });

  it('deletes one (then 404 as an ErrorBody), and several by ?ids=a,b ignoring unknown ids', async () => {
    const a = (await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('a'))).json().id;
    const b = (await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('b'))).json().id;
    const c = (await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('c'))).json().id;
    expect((await call('DELETE', `/api/v2/recording/mediaretentionpolicies/${a}`)).statusCode).toBe(204);
    const gone = await call('GET', `/api/v2/recording/mediaretentionpolicies/${a}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ status: 404, code: 'not.found', contextId: expect.any(String) });
    // The SDK sends Content-Type: application/json with an empty body on DELETE.
    expect((await call('DELETE', `/api/v2/recording/mediaretentionpolicies?ids=${b},${c},nope`)).statusCode).toBe(204);
    expect((await call('GET', `/api/v2/recording/mediaretentionpolicies/${c}`)).statusCode).toBe(404);
  });

  it('rejects an invalid policy with one detail per field at fault', async () => {
    const res = await call('POST', '/api/v2/recording/mediaretentionpolicies', {
      name: 'bad',
      mediaPolicies: {
        callPolicy: {
          conditions: { directions: ['SIDEWAYS'], timeAllowed: { timeZoneId: 'Nowhere/Land', timeSlots: [{ startTime: '18:00', stopTime: '09:00', day: 8 }] } },
          actions: { retentionDuration: { archiveRetention: { days: 90 }, deleteRetention: { days: 30 } } },
        },
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('bad.request');
    const fields = body.details.map((d: { fieldName: string; errorCode: string }) => `${d.fieldName} ${d.errorCode}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'mediaPolicies.callPolicy.conditions.directions.0 invalid_value',
        'mediaPolicies.callPolicy.conditions.timeAllowed.timeSlots.0.day too_big',
        'mediaPolicies.callPolicy.conditions.timeAllowed.timeZoneId policy.unknownTimeZone',
        'mediaPolicies.callPolicy.actions.retentionDuration.archiveRetention.days policy.archiveAfterDelete',
      ]),
    );
  });

  it('rejects references to users, queues or integrations that do not exist, naming each field', async () => {
    const res = await call('POST', '/api/v2/recording/mediaretentionpolicies', {
      name: 'dangling',
      mediaPolicies: { callPolicy: { conditions: { forUsers: [{ id: 'u1' }, { id: 'ghost' }] }, actions: { integrationExport: { integration: { id: 'nowhere' } } } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([
      { errorCode: 'policy.unknownReference', fieldName: 'mediaPolicies.callPolicy.conditions.forUsers.1.id', entityId: 'ghost', entityName: 'no such user' },
      { errorCode: 'policy.unknownReference', fieldName: 'mediaPolicies.callPolicy.actions.integrationExport.integration.id', entityId: 'nowhere', entityName: 'no such integration' },
    ]);
  });

  it('names are unique regardless of case (409)', async () => {
    await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('Unique'));
    const res = await call('POST', '/api/v2/recording/mediaretentionpolicies', salesPolicy('UNIQUE'));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'policy.nameTaken', details: [{ fieldName: 'name' }] });
  });

  it('a policy whose user was removed reports it in policyErrors (and the hasErrors filter finds it)', async () => {
    await call('PUT', '/api/v2/capstan/config/users/u9', { name: 'Leaver' });
    const id = (await call('POST', '/api/v2/recording/mediaretentionpolicies', { name: 'leaver', mediaPolicies: { callPolicy: { conditions: { forUsers: [{ id: 'u9' }] } } } })).json().id;
    await call('DELETE', '/api/v2/capstan/config/users/u9');
    const policy = (await call('GET', `/api/v2/recording/mediaretentionpolicies/${id}`)).json();
    expect(policy.policyErrors.policyErrorMessages).toEqual([expect.objectContaining({ errorCode: 'policy.unknownReference', userParams: [{ key: 'fieldName', value: 'mediaPolicies.callPolicy.conditions.forUsers.0.id' }, { key: 'entityId', value: 'u9' }] })]);
    const withErrors = (await call('GET', '/api/v2/recording/mediaretentionpolicies?hasErrors=true')).json();
    expect(withErrors.entities.map((p: { id: string }) => p.id)).toEqual([id]);
  });
});
