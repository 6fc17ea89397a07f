import { beforeAll, describe, expect, it } from 'vitest';
import { ConversationsRepository } from '../../src/store/repositories/conversations.repository.js';
import { Call, iso, T0 } from '../support/call.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';

/** The events endpoint and the conversation view, on each database dialect. */
describeEachDialect('events endpoint', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(db());
    await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/trunks/t1', payload: { name: 'Carrier' } });
    await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/users/ua', payload: { name: 'Alice', stationId: 'sa' } });
    await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/stations/sa', payload: { name: 'Desk 1', recording: true } });
  });

  const post = (payload: unknown) => api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', payload: payload as object });
  const view = async (id: string) => (await api.app.inject({ method: 'GET', url: `/api/v2/capstan/conversations/${id}` })).json();

  it('accepts a batch and answers with the timeline and the recording plan so far', async () => {
    const call = new Call('conv-plan').start(0, 'inbound').join(0, 'c', 'customer').join(1, 'a', 'agent').talk(2, 'c', 'a');
    const res = await post({ events: call.inputs });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 5, duplicates: 0 });

    const conversation = await view('conv-plan');
    expect(conversation).toMatchObject({ id: 'conv-plan', direction: 'inbound', state: 'active', startTime: iso(0) });
    expect(conversation.events).toHaveLength(5);
    expect(conversation.recordings.map((r: { key: string }) => r.key).sort()).toEqual(['station:a', 'trunk:c']);
    const trunk = conversation.recordings.find((r: { key: string }) => r.key === 'trunk:c');
    expect(trunk.spans.at(-1)).toMatchObject({ start: iso(2), end: null, captured: true, ch1: ['c'], ch2: ['a'] });
  });

  it('keeps the conversation\'s facts queryable: users, queues, wrap-up codes and duration', async () => {
    const call = new Call('conv-facts')
      .start(0, 'inbound')
      .join(0, 'c', 'customer')
      .join(0, 'acd', 'acd')
      .queue(0, 'c', 'billing')
      .join(5, 'a', 'agent')
      .talk(5, 'c', 'a')
      .leave(5, 'acd')
      .join(8, 's', 'monitor')
      .monitor(8, 's', 'a', 'monitor')
      .leave(20, 's')
      .leave(30, 'c')
      .wrapup(30, 'a')
      .end(30)
      .wrapupDone(40, 'a', 'sale');
    await post(call.inputs);
    const repo = new ConversationsRepository(db());
    expect(await repo.facts('default', 'conv-facts')).toEqual({
      users: [
        { userId: 'ua', purpose: 'agent', firstAtMs: T0 + 5000 },
        { userId: 'us', purpose: 'monitor', firstAtMs: T0 + 8000 },
      ],
      queueIds: ['billing'],
      wrapups: [{ participantId: 'a', userId: 'ua', code: 'sale' }],
      durationMs: 30_000,
    });
  });

  it('accepts one event alone and an array, and drops repeated eventIds', async () => {
    const call = new Call('conv-dup').start(0, 'inbound').join(0, 'c', 'customer');
    expect((await post(call.inputs[0])).json()).toMatchObject({ accepted: 1 });
    expect((await post(call.inputs)).json()).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await view('conv-dup')).eventCount).toBe(2);
  });

  it('keeps the recording ids stable as the plan grows', async () => {
    const call = new Call('conv-ids').start(0, 'inbound').join(0, 'c', 'customer');
    await post(call.inputs);
    const first = (await view('conv-ids')).recordings[0].id;
    await post(new Call('conv-ids').leave(9, 'c').end(9).inputs.map((e) => ({ ...e, eventId: `late-${e.eventId}` })));
    const after = (await view('conv-ids')).recordings[0];
    expect(after).toMatchObject({ id: first, status: 'stopped', endTime: iso(9) });
  });

  it('refuses a malformed event with a field-level error and stores nothing of the batch', async () => {
    const call = new Call('conv-bad').start(0, 'inbound').join(0, 'c', 'customer');
    const bad = { ...call.inputs[1], at: 'yesterday' };
    const res = await post([call.inputs[0], bad]);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'bad.request' });
    expect(body.contextId).toEqual(res.headers['inin-correlation-id']);
    expect(body.details).toContainEqual(expect.objectContaining({ fieldName: 'events.1.at' }));
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations/conv-bad' })).statusCode).toBe(404);
  });

  it('refuses an impossible sequence with its stable code, atomically', async () => {
    const call = new Call('conv-seq').start(0, 'inbound').join(0, 'c', 'customer').end(5).join(6, 'a', 'agent');
    const res = await post(call.inputs);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'timeline.ended', status: 409, entityId: call.inputs[3]!.eventId });
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations/conv-seq' })).statusCode).toBe(404);
  });

  it('refuses an eventId reused for a different event', async () => {
    const [start] = new Call('conv-idc').start(0, 'inbound').inputs;
    await post(start);
    const res = await post({ ...start, direction: 'outbound' });
    expect(res.json()).toMatchObject({ status: 409, code: 'event.idConflict' });
  });

  it('refuses events that arrive after the ordering window', async () => {
    await post(new Call('conv-late').start(0, 'inbound').join(0, 'c', 'customer').talk(30, 'c').inputs);
    const res = await post(new Call('conv-late').join(10, 'a', 'agent').inputs.map((e) => ({ ...e, eventId: 'late-join' })));
    expect(res.json()).toMatchObject({ status: 409, code: 'event.late' });
  });

  it('answers 404 in the error body shape for an unknown conversation', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not.found', status: 404, message: 'conversation nope was not found' });
  });

  it('accepts the reference SDK\'s empty JSON bodies on bodiless requests', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(res.statusCode).toBe(200);
  });

  it('pages conversations newest first with a keyset cursor', async () => {
    for (let i = 0; i < 5; i++) await post(new Call(`conv-page-${i}`).start(100 + i, 'inbound').inputs);
    const first = (await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations?pageSize=3' })).json();
    expect(first.entities.map((c: { id: string }) => c.id)).toEqual(['conv-page-4', 'conv-page-3', 'conv-page-2']);
    const second = (await api.app.inject({ method: 'GET', url: `/api/v2/capstan/conversations?pageSize=3&cursor=${first.cursor}` })).json();
    expect(second.entities.map((c: { id: string }) => c.id).slice(0, 2)).toEqual(['conv-page-1', 'conv-page-0']);
    const bad = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations?cursor=garbage' });
    expect(bad.json()).toMatchObject({ status: 400, code: 'paging.invalidCursor' });
  });
});

describeEachDialect('telephony configuration', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(db());
  });

  it('fills the seed defaults: trunk recording on, holds recorded, no continuation after external transfer', async () => {
    const res = await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/trunks/edge-1', payload: { name: 'Edge 1' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ recording: true, recordHolds: true, continueOnExternalTransfer: false, consultRecording: false });
    const again = await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/trunks/edge-1', payload: { name: 'Edge 1', recordHolds: false } });
    expect(again.statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/config/trunks/edge-1' })).json().recordHolds).toBe(false);
  });

  it('station recording is off unless enabled, and users are not external partners by default', async () => {
    expect((await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/stations/s-9', payload: { name: 'Desk' } })).json().recording).toBe(false);
    expect((await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/users/u-9', payload: { name: 'Bob' } })).json()).toMatchObject({
      externalPartner: false,
      screenRecording: false,
    });
  });

  it('rejects invalid settings with field-level details', async () => {
    const res = await api.app.inject({ method: 'PUT', url: '/api/v2/capstan/config/trunks/t-bad', payload: { name: '', format: 'MP9' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { fieldName: string }) => d.fieldName).sort()).toEqual(['format', 'name']);
  });

  it('lists with keyset paging and deletes', async () => {
    for (const id of ['q-a', 'q-b', 'q-c']) await api.app.inject({ method: 'PUT', url: `/api/v2/capstan/config/queues/${id}`, payload: { name: id } });
    const page = (await api.app.inject({ method: 'GET', url: '/api/v2/capstan/config/queues?pageSize=2' })).json();
    expect(page.entities.map((q: { id: string }) => q.id)).toEqual(['q-a', 'q-b']);
    const rest = (await api.app.inject({ method: 'GET', url: `/api/v2/capstan/config/queues?pageSize=2&cursor=${page.cursor}` })).json();
    expect(rest.entities.map((q: { id: string }) => q.id)).toEqual(['q-c']);
    expect(rest.cursor).toBeUndefined();
    expect((await api.app.inject({ method: 'DELETE', url: '/api/v2/capstan/config/queues/q-b' })).statusCode).toBe(204);
    expect((await api.app.inject({ method: 'DELETE', url: '/api/v2/capstan/config/queues/q-b' })).statusCode).toBe(404);
  });

  it('an unknown kind is a 400, not a crash', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/config/gateways' });
    expect(res.json()).toMatchObject({ status: 400, code: 'bad.request' });
  });
});

describe('operations', () => {
  it('serves its own OpenAPI description, generated from the route table', async () => {
    const { openTestDb } = await import('../support/db.js');
    const handle = await openTestDb('sqlite');
    const api = await testApi(handle.db);
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v2/capstan/conversations/{conversationId}');
    expect(doc.paths['/api/v2/capstan/events'].post['x-permissions']).toEqual({ anyOf: ['conversation:event:add'] });
    await handle.cleanup();
  });
});
