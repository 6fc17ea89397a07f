import { beforeAll, expect, it } from 'vitest';
import { compileConversationQuery, conversationQuerySchema, type ConversationQuery } from '../../src/domain/query/conversation-query.js';
import { Call } from '../support/call.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, postCall } from '../support/retention.js';

/** The conversation query engine: the analytics filter shape over conversations and their facts, with keyset paging. */
describeEachDialect('conversation query engine', (db) => {
  let api: TestApi;
  const interval = `${new Date(at(-60)).toISOString()}/${new Date(at(10_000)).toISOString()}`;

  beforeAll(async () => {
    api = await testApi(db());
    const put = (url: string, body: unknown) => api.app.inject({ method: 'PUT', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    await put('/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await postCall(api, acdCall('q-sales-1', { startSec: 0, seconds: 30, wrapupCode: 'sale' }));
    await postCall(api, acdCall('q-sales-2', { startSec: 100, seconds: 300 }));
    const support = acdCall('q-support', { startSec: 200, seconds: 90 });
    for (const e of support.inputs) if (e.type === 'segment' && e.kind === 'queue') (e as { queueId?: string }).queueId = 'support';
    await postCall(api, support);
    await postCall(api, new Call('q-out').start(300, 'outbound', { ani: '+3311' }).join(300, 'u1', 'user').join(300, 'c', 'customer').talk(300, 'u1', 'c').leave(360, 'c').leave(360, 'u1').end(360));
    await postCall(api, acdCall('q-late', { startSec: 20_000 }));
  });

  const query = (input: Record<string, unknown>): ConversationQuery => {
    const out = compileConversationQuery(conversationQuerySchema.parse({ interval, ...input }));
    if ('error' in out) throw new Error(out.error.message);
    return out;
  };
  const ids = async (input: Record<string, unknown>) => (await api.services.retention.conversationQuery.page('default', query(input), 100)).conversations.map((c) => c.id);
  const predicates = (...p: Array<Record<string, unknown>>) => [{ type: 'and', predicates: p }];

  it('selects conversations by their start within the interval, in start order', async () => {
    expect(await ids({})).toEqual(['q-sales-1', 'q-sales-2', 'q-support', 'q-out']);
    expect(await ids({ order: 'desc' })).toEqual(['q-out', 'q-support', 'q-sales-2', 'q-sales-1']);
  });

  it('conversation dimensions: direction (any case), ani, conversationId', async () => {
    expect(await ids({ conversationFilters: predicates({ dimension: 'originatingDirection', value: 'OUTBOUND' }) })).toEqual(['q-out']);
    expect(await ids({ conversationFilters: predicates({ dimension: 'ani', value: '+3311' }) })).toEqual(['q-out']);
    expect(await ids({ conversationFilters: [{ type: 'or', predicates: [{ dimension: 'conversationId', value: 'q-sales-2' }, { dimension: 'conversationId', value: 'q-out' }] }] })).toEqual(['q-sales-2', 'q-out']);
  });

  it('fact dimensions in segment filters: queue, user, purpose, wrap-up code, and notExists', async () => {
    expect(await ids({ segmentFilters: predicates({ dimension: 'queueId', value: 'q1' }) })).toEqual(['q-sales-1', 'q-sales-2']);
    expect(await ids({ segmentFilters: predicates({ dimension: 'userId', value: 'u1' }) })).toEqual(['q-out']);
    expect(await ids({ segmentFilters: predicates({ dimension: 'purpose', value: 'Agent' }) })).toEqual(['q-sales-1', 'q-sales-2', 'q-support']);
    expect(await ids({ segmentFilters: predicates({ dimension: 'wrapUpCode', value: 'sale' }) })).toEqual(['q-sales-1']);
    expect(await ids({ segmentFilters: predicates({ dimension: 'queueId', operator: 'notExists' }) })).toEqual(['q-out']);
    // Several segment filters must all hold; clauses combine with their own and/or.
    expect(await ids({ segmentFilters: [...predicates({ dimension: 'queueId', value: 'q1' }), ...predicates({ dimension: 'wrapUpCode', operator: 'notExists' })] })).toEqual(['q-sales-2']);
    expect(
      await ids({ segmentFilters: [{ type: 'or', clauses: [{ type: 'and', predicates: [{ dimension: 'queueId', value: 'support' }] }, { type: 'and', predicates: [{ dimension: 'userId', value: 'u1' }] }] }] }),
    ).toEqual(['q-support', 'q-out']);
  });

  it('the conversation duration metric', async () => {
    expect(await ids({ conversationFilters: [{ type: 'and', predicates: [{ type: 'metric', metric: 'tConversationDuration', range: { gte: 60_000, lt: 120_000 } }] }] })).toEqual(['q-support', 'q-out']);
  });

  it('pages by keyset and counts totals with recordings by kind', async () => {
    const q = query({});
    const first = await api.services.retention.conversationQuery.page('default', q, 3);
    expect(first.conversations.map((c) => c.id)).toEqual(['q-sales-1', 'q-sales-2', 'q-support']);
    const second = await api.services.retention.conversationQuery.page('default', q, 3, first.cursor);
    expect(second).toEqual({ conversations: [{ id: 'q-out', startedAtMs: at(300) }] });
    expect(await api.services.retention.conversationQuery.totals('default', q)).toEqual({ conversations: 4, recordingsByKind: { trunk: 4 } });
    expect(await api.services.retention.conversationQuery.totals('default', query({ limit: 2 }))).toEqual({ conversations: 2, recordingsByKind: { trunk: 2 } });
  });

  it('refuses segment dimensions in conversation filters, and unknown dimensions', () => {
    expect(compileConversationQuery(conversationQuerySchema.parse({ interval, conversationFilters: predicates({ dimension: 'queueId', value: 'q1' }) }))).toMatchObject({
      error: { fieldName: 'conversationFilters.0' },
    });
    const unknown = conversationQuerySchema.safeParse({ interval, segmentFilters: predicates({ dimension: 'mood', value: 'happy' }) });
    expect(unknown.error?.issues[0]?.path).toEqual(['segmentFilters', 0, 'predicates', 0, 'dimension']);
  });
});
