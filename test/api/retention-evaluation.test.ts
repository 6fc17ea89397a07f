import { beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/policy/time.js';
import { EvaluationsRepository } from '../../src/store/repositories/evaluations.repository.js';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';
import { acdCall, at, caller, postCall, TestClock } from '../support/retention.js';

/** Policies evaluated when conversations end, through the events endpoint and the worker. */
describeEachDialect('retention evaluation at conversation end', (db) => {
  let api: TestApi;
  let http: ReturnType<typeof caller>;
  const clock = new TestClock(at(-86_400));

  beforeAll(async () => {
    api = await testApi(db(), { clock, env: { CAPSTAN_RETENTION_WRAPUP_WAIT_MS: '600000' } });
    http = caller(api);
    await http('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    await http('PUT', '/api/v2/capstan/config/users/ua', { name: 'Alice' });
    await http('PUT', '/api/v2/capstan/config/queues/q1', { name: 'Sales' });
  });

  const work = () => api.services.retention.worker.runUntilIdle();
  const recordingsOf = async (conversationId: string) => (await api.services.conversations.get('default', conversationId))!.recordings;
  const retentionOf = async (conversationId: string) => {
    const [recording] = await recordingsOf(conversationId);
    return (await http('GET', `/api/v2/capstan/recordings/${recording!.id}/retention`)).json();
  };
  const policy = async (body: Record<string, unknown>) => (await http('POST', '/api/v2/recording/mediaretentionpolicies', body)).json();

  it('"Policies run against any interactions that occur after you publish the policy" — end to end', async () => {
    const early = await policy({ name: 'sales 1y', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q1' }] }, actions: { retainRecording: true, retentionDuration: { deleteRetention: { days: 365 }, archiveRetention: { days: 30 } } } } } });
    await postCall(api, acdCall('conv-nonretro'));
    clock.t = at(30);
    // Published while the conversation is going on: it must not apply to it.
    const late = await policy({ name: 'purge sales', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q1' }] }, actions: { alwaysDelete: true } } } });
    clock.t = at(120);
    await work();

    const r = await retentionOf('conv-nonretro');
    expect(r).toMatchObject({
      fileState: 'AVAILABLE',
      archiveDate: new Date(at(0) + 30 * DAY_MS).toISOString(),
      deleteDate: new Date(at(0) + 365 * DAY_MS).toISOString(),
      protected: false,
      decision: {
        rule: 'policy',
        winningPolicyId: early.id,
        matchedPolicies: [{ id: early.id, name: 'sales 1y', reasons: ['queue q1'] }],
        notYetEnabledPolicies: [{ id: late.id, name: 'purge sales', enabledDate: new Date(at(30)).toISOString() }],
      },
    });
    expect(r.decision.explanation.join(' ')).toMatch(/"purge sales" would have matched, but it was enabled at .*not retroactive.*"sales 1y" matched \(queue q1\) and keeps for 365 days, archiving after 30 days/);

    // The next conversation starts after it was published: always delete wins.
    await postCall(api, acdCall('conv-after', { startSec: 200 }));
    clock.t = at(400);
    await work();
    expect((await retentionOf('conv-after')).decision).toMatchObject({ rule: 'alwaysDelete', winningPolicyId: late.id });
    await http('PATCH', `/api/v2/recording/mediaretentionpolicies/${late.id}`, { enabled: false });
  });

  it('waits for wrap-up codes (they are conditions) before evaluating', async () => {
    const byCode = await policy({ name: 'complaints 7y', mediaPolicies: { callPolicy: { conditions: { wrapupCodes: [{ id: 'complaint' }] }, actions: { retainRecording: true, retentionDuration: { deleteRetention: { days: 2555 } } } } } });
    clock.t = at(900);
    const call = acdCall('conv-wrapup', { startSec: 1000, wrapupCode: 'complaint' });
    const beforeWrapup = call.inputs.slice(0, -1);
    await api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(beforeWrapup) });
    clock.t = at(1065);
    await work();
    const [recording] = await recordingsOf('conv-wrapup');
    expect(await api.services.retention.retention.explain('default', recording!.id)).toBeUndefined();

    await api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(call.inputs.slice(-1)) });
    clock.t = at(1075);
    await work();
    const { decision } = await retentionOf('conv-wrapup');
    expect(decision).toMatchObject({ rule: 'policy', winningPolicyId: byCode.id });
    expect(decision.matchedPolicies.find((m: { id: string }) => m.id === byCode.id).reasons).toEqual(['wrap-up code complaint']);
  });

  it('an agent who never finishes wrap-up holds evaluation back only until the wait runs out', async () => {
    const call = acdCall('conv-stuck', { startSec: 2000, wrapupCode: 'x' });
    await api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(call.inputs.slice(0, -1)) });
    clock.t = at(2100);
    await work();
    const [recording] = await recordingsOf('conv-stuck');
    expect(await api.services.retention.retention.explain('default', recording!.id)).toBeUndefined();
    clock.t = at(2060 + 601);
    await work();
    // Evaluated without a wrap-up code: the complaints policy does not match, the queue policy does.
    expect((await retentionOf('conv-stuck')).decision.matchedPolicies.map((m: { name: string }) => m.name)).toEqual(['sales 1y']);
  });

  it('assignEvaluations assigns the first agent to the policy\'s evaluator, once, who may then listen', async () => {
    await http('PUT', '/api/v2/capstan/config/users/ub', { name: 'Bea' });
    const qa = await policy({ name: 'qa sales', mediaPolicies: { callPolicy: { conditions: { forQueues: [{ id: 'q1' }] }, actions: { assignEvaluations: [{ evaluationForm: { id: 'form-1' }, user: { id: 'ub' } }] } } } });
    clock.t = at(2900);
    await postCall(api, acdCall('conv-qa', { startSec: 3000 }));
    clock.t = at(3100);
    await work();
    await api.services.retention.retention.evaluate('default', 'conv-qa');
    const assigned = await new EvaluationsRepository(api.services.db).forConversation('default', 'conv-qa');
    expect(assigned).toEqual([expect.objectContaining({ evaluatorUserId: 'ub', agentUserId: 'ua', status: 'PENDING' })]);
    expect((await retentionOf('conv-qa')).decision.evaluations).toEqual([{ policyId: qa.id, evaluationFormId: 'form-1', evaluatorUserId: 'ub', agentUserId: 'ua' }]);
    await http('PATCH', `/api/v2/recording/mediaretentionpolicies/${qa.id}`, { enabled: false });
  });

  describe('the retention explanation', () => {
    it('is 404 for a recording not evaluated yet', async () => {
      expect((await http('GET', '/api/v2/capstan/recordings/nope/retention')).statusCode).toBe(404);
    });
  });
});
