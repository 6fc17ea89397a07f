import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { Call, iso } from '../support/call.js';
import { TEST_ADMIN, testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { caller, postCall } from '../support/retention.js';

/**
 * Interaction search, POST /api/v2/analytics/conversations/details/query: every filter the UI
 * offers, the orders, both ways of paging, who sees what, and refusals as ErrorBody.
 */

const URL = '/api/v2/analytics/conversations/details/query';
const interval = `${iso(-60)}/${iso(3600)}`;

/** An inbound call through a queue to an agent, on trunk t1 (so trunk-recorded). */
function inbound(id: string, o: { startSec: number; seconds: number; agent: 'a' | 'b'; queueId: string; ani: string; wrapupCode?: string }): Call {
  const end = o.startSec + o.seconds;
  const call = new Call(id)
    .start(o.startSec, 'inbound', { ani: o.ani, dnis: '+18005550100' })
    .join(o.startSec, 'c', 'customer')
    .queue(o.startSec, 'c', o.queueId)
    .join(o.startSec + 5, o.agent, 'agent')
    .talk(o.startSec + 5, 'c', o.agent)
    .leave(end, 'c');
  if (o.wrapupCode) return call.wrapup(end, o.agent).end(end).wrapupDone(end + 10, o.agent, o.wrapupCode);
  return call.leave(end, o.agent).end(end);
}

describeEachDialect('interaction search', (db) => {
  let api: TestApi;
  const search = async (body: Record<string, unknown>, as?: ReturnType<typeof caller>) => (as ?? caller(api))('POST', URL, { interval, ...body });
  const ids = async (body: Record<string, unknown>) => {
    const res = await search(body);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().conversations as Array<{ conversationId: string }>).map((c) => c.conversationId);
  };
  const segment = (...predicates: Array<Record<string, unknown>>) => ({ segmentFilters: [{ type: 'and', predicates }] });
  const conversation = (...predicates: Array<Record<string, unknown>>) => ({ conversationFilters: [{ type: 'and', predicates }] });

  beforeAll(async () => {
    api = await testApi(db());
    const { telephony } = api.services;
    await telephony.put(DEFAULT_ORG_ID, 'trunks', { id: 't1', name: 'Carrier' });
    await telephony.put(DEFAULT_ORG_ID, 'stations', { id: 's1', name: 'Desk', recording: true });
    await telephony.put(DEFAULT_ORG_ID, 'users', { id: 'ua', name: 'Alice' });
    await telephony.put(DEFAULT_ORG_ID, 'users', { id: 'ub', name: 'Bob', stationId: 's1' });
    await telephony.put(DEFAULT_ORG_ID, 'queues', { id: 'q1', name: 'Sales' });
    await telephony.put(DEFAULT_ORG_ID, 'queues', { id: 'q2', name: 'Support' });
    await postCall(api, inbound('c1', { startSec: 0, seconds: 30, agent: 'a', queueId: 'q1', ani: '+15551234567', wrapupCode: 'sale' }));
    await postCall(api, inbound('c2', { startSec: 100, seconds: 300, agent: 'b', queueId: 'q2', ani: '+4930111222' }));
    await postCall(
      api,
      new Call('c3').start(200, 'outbound', { ani: '+18005550100', dnis: '+15559876543' }).join(200, 'a', 'agent').join(200, 'c', 'customer').talk(200, 'a', 'c').leave(290, 'c').leave(290, 'a').end(290),
    );
    await postCall(api, new Call('c4').start(300, 'internal').join(300, 'u1', 'user').join(300, 'u2', 'user').talk(300, 'u1', 'u2').leave(360, 'u2').leave(360, 'u1').end(360));
    await postCall(api, new Call('c5').start(400, 'inbound', { ani: '+15550000000' }).join(400, 'c', 'customer'));
    await postCall(api, inbound('late', { startSec: 20_000, seconds: 30, agent: 'a', queueId: 'q1', ani: '+15551234567' }));
  });

  it('answers in the reference shape, with a summary of each row for the UI', async () => {
    const res = await search({ conversationFilters: [{ type: 'or', predicates: [{ dimension: 'conversationId', value: 'c1' }] }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      totalHits: 1,
      conversations: [
        {
          conversationId: 'c1',
          conversationStart: iso(0),
          conversationEnd: iso(30),
          originatingDirection: 'inbound',
          participants: [
            {
              participantId: 'a',
              participantName: 'Alice',
              purpose: 'agent',
              userId: 'ua',
              sessions: [
                {
                  mediaType: 'voice',
                  direction: 'inbound',
                  ani: '+15551234567',
                  addressFrom: '+15551234567',
                  dnis: '+18005550100',
                  addressTo: '+18005550100',
                  recording: true,
                  segments: [
                    { segmentStart: iso(5), segmentEnd: iso(30), segmentType: 'interact' },
                    { segmentType: 'wrapup', wrapUpCode: 'sale' },
                  ],
                },
              ],
            },
            {
              participantName: 'Sales',
              purpose: 'acd',
              sessions: [expect.objectContaining({ mediaType: 'voice', recording: true, segments: [{ segmentStart: iso(0), segmentType: 'interact', queueId: 'q1' }] })],
            },
          ],
          capstan: {
            durationMs: 30_000,
            direction: 'inbound',
            ani: '+15551234567',
            dnis: '+18005550100',
            users: [{ id: 'ua', name: 'Alice', purpose: 'agent' }],
            queues: [{ id: 'q1', name: 'Sales' }],
            wrapUpCodes: ['sale'],
            recorded: true,
            recordingKinds: ['trunk'],
            recordingCount: 1,
          },
        },
      ],
    });
    const c2 = (await search(conversation({ dimension: 'conversationId', value: 'c2' }))).json().conversations[0];
    expect(c2.capstan).toMatchObject({ recordingKinds: ['station', 'trunk'], recordingCount: 2, users: [{ id: 'ub', name: 'Bob', purpose: 'agent' }] });
    const c5 = (await search(conversation({ dimension: 'conversationId', value: 'c5' }))).json().conversations[0];
    expect(c5.conversationEnd).toBeUndefined();
    expect(c5.capstan).toMatchObject({ durationMs: null, recorded: true });
  });

  it('selects by the interval on the start, newest first or oldest first', async () => {
    expect(await ids({ order: 'desc' })).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(await ids({})).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('filters by direction, agent, queue and wrap-up code', async () => {
    expect(await ids(conversation({ dimension: 'originatingDirection', value: 'outbound' }))).toEqual(['c3']);
    expect(await ids(segment({ dimension: 'userId', value: 'ua' }))).toEqual(['c1', 'c3']);
    expect(await ids(segment({ dimension: 'queueId', value: 'q2' }))).toEqual(['c2']);
    expect(await ids(segment({ dimension: 'wrapUpCode', value: 'sale' }))).toEqual(['c1']);
    // Several agents: a clause of or-ed predicates.
    expect(await ids({ segmentFilters: [{ type: 'or', predicates: [{ dimension: 'userId', value: 'ub' }, { dimension: 'userId', value: 'u2' }] }] })).toEqual(['c2', 'c4']);
  });

  it('matches part of a phone number, on the calling or the called number', async () => {
    const number = (digits: string) => ({ conversationFilters: [{ type: 'or', predicates: ['ani', 'dnis'].map((dimension) => ({ dimension, operator: 'contains', value: digits })) }] });
    expect(await ids(number('555123'))).toEqual(['c1']);
    expect(await ids(number('0100'))).toEqual(['c1', 'c2', 'c3']);
    expect(await ids(segment({ dimension: 'addressTo', operator: 'contains', value: '9876' }))).toEqual(['c3']);
    // LIKE's wildcards are taken literally.
    expect(await ids(number('%'))).toEqual([]);
    expect(await ids(conversation({ dimension: 'ani', value: '+4930111222' }))).toEqual(['c2']);
  });

  it('filters by the conversation duration (milliseconds)', async () => {
    const duration = (range: object) => conversation({ type: 'metric', metric: 'tConversationDuration', range });
    expect(await ids(duration({ gte: 60_000 }))).toEqual(['c2', 'c3', 'c4']);
    expect(await ids(duration({ gt: 60_000, lt: 120_000 }))).toEqual(['c3']);
  });

  it('the Recorded filter and the recording kind', async () => {
    expect(await ids(segment({ dimension: 'recording', value: 'true' }))).toEqual(['c1', 'c2', 'c3', 'c5']);
    expect(await ids(segment({ dimension: 'recording', value: 'false' }))).toEqual(['c4']);
    expect(await ids(segment({ dimension: 'recordingKind', value: 'station' }))).toEqual(['c2']);
    expect(await ids(segment({ dimension: 'recordingKind', value: 'screen' }))).toEqual([]);
  });

  it('orders by the end and by the duration; conversations still going on come last', async () => {
    expect(await ids({ orderBy: 'conversationEnd', order: 'desc' })).toEqual(['c5', 'c2', 'c4', 'c3', 'c1']);
    expect(await ids({ orderBy: 'tConversationDuration' })).toEqual(['c1', 'c4', 'c3', 'c2', 'c5']);
  });

  it('pages by page number, and by keyset cursor in every order', async () => {
    const second = await search({ paging: { pageSize: 2, pageNumber: 2 } });
    expect(second.json()).toMatchObject({ totalHits: 5 });
    expect(second.json().conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(['c3', 'c4']);
    for (const [orderBy, order, expected] of [
      ['conversationStart', 'desc', ['c5', 'c4', 'c3', 'c2', 'c1']],
      ['conversationEnd', 'asc', ['c1', 'c3', 'c4', 'c2', 'c5']],
      ['tConversationDuration', 'desc', ['c5', 'c2', 'c3', 'c4', 'c1']],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = (await search({ orderBy, order, paging: { pageSize: 2, pageNumber: 1 }, includeTotal: false, ...(cursor ? { cursor } : {}) })).json();
        expect(res.totalHits).toBeUndefined();
        seen.push(...res.conversations.map((c: { conversationId: string }) => c.conversationId));
        cursor = res.cursor;
      } while (cursor);
      expect(seen, `${orderBy} ${order}`).toEqual(expected);
    }
  });

  it('refuses a cursor it did not give, or one of another order, as ErrorBody', async () => {
    const bad = await search({ cursor: 'nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'paging.invalidCursor', status: 400, contextId: expect.any(String) });
    const { cursor } = (await search({ paging: { pageSize: 1, pageNumber: 1 } })).json();
    expect((await search({ cursor, orderBy: 'conversationEnd' })).json()).toMatchObject({ code: 'paging.invalidCursor' });
  });

  it('refuses malformed queries with the field at fault', async () => {
    const refused = async (body: Record<string, unknown>, errorCode: string, fieldName: string) => {
      const res = await search(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, messageWithParams: expect.any(String), details: expect.arrayContaining([expect.objectContaining({ errorCode, fieldName })]), errors: [] });
    };
    await refused({ interval: 'yesterday' }, 'query.invalidInterval', 'interval');
    await refused(segment({ dimension: 'mood', value: 'happy' }), 'query.invalidPredicate', 'segmentFilters.0.predicates.0.dimension');
    await refused(segment({ dimension: 'recording', value: 'maybe' }), 'query.invalidPredicate', 'segmentFilters.0.predicates.0.value');
    await refused(segment({ dimension: 'ani', operator: 'contains' }), 'query.invalidPredicate', 'segmentFilters.0.predicates.0.value');
    await refused({ aggregations: [{ type: 'termFrequency', dimension: 'queueId' }] }, 'query.unsupported', 'aggregations');
    await refused({ paging: { pageSize: 100, pageNumber: 101 } }, 'query.pageTooDeep', 'paging.pageNumber');
    await refused({ paging: { pageSize: 101, pageNumber: 1 } }, 'too_big', 'paging.pageSize');
    await refused({ orderBy: 'mood' }, 'invalid_value', 'orderBy');
    await refused(conversation({ dimension: 'queueId', value: 'q1' }), 'query.invalidFilter', 'conversationFilters.0');
  });

  it('users without analytics:conversationDetail:view find only the conversations they took part in; clients without it are refused', async () => {
    const agent = caller(api, 'ua', ['recording:annotation:view']);
    const res = await search({}, agent);
    expect(res.statusCode).toBe(200);
    expect(res.json().conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(['c1', 'c3']);
    expect(res.json().totalHits).toBe(2);
    // Their own filters narrow further, never wider.
    expect((await search(segment({ dimension: 'userId', value: 'ub' }), agent)).json()).toEqual({ conversations: [], totalHits: 0 });
    const supervisor = caller(api, 'sup', ['analytics:conversationDetail:view']);
    expect((await search({}, supervisor)).json().totalHits).toBe(5);

    const { secret } = await api.services.clients.create(
      { principal: TEST_ADMIN },
      { id: 'search-client', name: 'c', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['agent'], state: 'active' },
    );
    const token = await api.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${Buffer.from(`search-client:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    const client = await api.app.inject({
      method: 'POST',
      url: URL,
      headers: { authorization: `Bearer ${token.json().access_token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ interval }),
    });
    expect(client.statusCode).toBe(403);
    expect(client.json()).toMatchObject({ code: 'access.denied', status: 403 });
  });
});
