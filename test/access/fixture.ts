import type { RecordingKind } from '../../src/domain/capture/types.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import type { RecordingRow } from '../../src/store/repositories/recordings.repository.js';
import { Call } from '../support/call.js';
import { recordCall } from '../support/recorded-call.js';
import { TEST_ADMIN, signedIn, type TestApi } from '../support/api.js';

/**
 * The world the authorization matrix runs in. One user per default role, each in the
 * relationship the seeds' rules talk about:
 *
 * - admin, supervisor: hold their role's permissions and nothing else ties them to the calls;
 * - evaluator: assigned to evaluate the agent on the ACD call and on the consult call;
 * - agent: handled the ACD call (station-side and screen recorded), captured a snippet on it,
 *   took part in the consult, and both evaluations of them are FINISHED (they may review them);
 * - user: made an ad-hoc recording of an internal (non-ACD) call.
 *
 * Plus two bystanders: an agent and an evaluator with no tie to any call.
 */

export const SUBJECTS = ['admin', 'supervisor', 'evaluator', 'agent', 'user'] as const;
export type Subject = (typeof SUBJECTS)[number];
export const BYSTANDERS = { 'other-agent': 'agent', 'other-evaluator': 'evaluator' } as const;
export type Bystander = keyof typeof BYSTANDERS;

export const userIdOf = (who: Subject | Bystander) => `m-${who}`;

export interface Fixture {
  readonly api: TestApi;
  /** The cookie header of each subject's web session. */
  readonly sessions: Record<Subject | Bystander, { cookie: string }>;
  /** One recording of every kind. */
  readonly recordings: Record<RecordingKind, RecordingRow>;
  /** The evaluation of the agent on the ACD call (FINISHED, by the evaluator). */
  readonly evaluation: { readonly id: string; readonly conversationId: string };
}

export async function buildFixture(api: TestApi): Promise<Fixture> {
  const { services } = api;
  const admin = { principal: TEST_ADMIN };
  const sessions = {} as Fixture['sessions'];
  for (const who of [...SUBJECTS, ...(Object.keys(BYSTANDERS) as Bystander[])]) {
    const role = who in BYSTANDERS ? BYSTANDERS[who as Bystander] : (who as Subject);
    sessions[who] = await signedIn(api, { id: userIdOf(who), roleIds: [role] });
  }
  await services.telephony.put(DEFAULT_ORG_ID, 'trunks', { id: 'm-trunk', name: 'Carrier', consultRecording: true });
  await services.telephony.put(DEFAULT_ORG_ID, 'stations', { id: 'm-station', name: 'Desk', recording: true });
  await services.telephony.put(DEFAULT_ORG_ID, 'users', { id: userIdOf('agent'), name: 'Agent', stationId: 'm-station', screenRecording: true });

  const agent = { userId: userIdOf('agent') };
  await services.media.start();
  await recordCall(
    services,
    new Call('m-acd')
      .start(0, 'inbound', { trunkId: 'm-trunk' })
      .join(0, 'c', 'customer')
      .queue(1, 'c', 'm-queue')
      .join(3, 'a', 'agent', agent)
      .talk(3, 'c', 'a')
      .snippet(4, 'a', true)
      .snippet(6, 'a', false)
      .leave(8, 'c')
      .wrapup(8, 'a')
      .wrapupDone(9, 'a')
      .leave(9, 'a')
      .end(9),
    [
      { participantId: 'c', fromSec: 0, toSec: 8, hz: 440 },
      { participantId: 'a', fromSec: 3, toSec: 9, hz: 1000 },
    ],
  );
  await recordCall(
    services,
    new Call('m-consult')
      .start(0, 'inbound', { trunkId: 'm-trunk' })
      .join(0, 'c', 'customer')
      .join(1, 'a', 'agent', agent)
      .talk(1, 'c', 'a')
      .join(3, 'b', 'agent', { userId: 'm-colleague' })
      .hold(3, 'c')
      .consult(3, 'a', 'b')
      .consultEnd(5)
      .leave(5, 'b')
      .talk(5, 'c')
      .end(7),
    [
      { participantId: 'c', fromSec: 0, toSec: 7, hz: 440 },
      { participantId: 'a', fromSec: 1, toSec: 7, hz: 1000 },
      { participantId: 'b', fromSec: 3, toSec: 5, hz: 1500 },
    ],
  );
  await recordCall(
    services,
    new Call('m-internal')
      .start(0, 'internal')
      .join(0, 'u1', 'user', { userId: userIdOf('user') })
      .join(0, 'u2', 'user', { userId: 'm-callee' })
      .talk(1, 'u1', 'u2')
      .adhoc(2, userIdOf('user'), true)
      .adhoc(5, userIdOf('user'), false)
      .end(6),
    [
      { participantId: 'u1', fromSec: 0, toSec: 6, hz: 600 },
      { participantId: 'u2', fromSec: 0, toSec: 6, hz: 800 },
    ],
  );

  let evaluation: Fixture['evaluation'] | undefined;
  for (const conversationId of ['m-acd', 'm-consult']) {
    const created = await services.evaluations.create(admin, { conversationId, evaluatorUserId: userIdOf('evaluator'), agentUserId: userIdOf('agent'), status: 'FINISHED' });
    evaluation ??= { id: created.id, conversationId };
  }

  const rows = [
    ...(await services.conversations.get(DEFAULT_ORG_ID, 'm-acd'))!.recordings,
    ...(await services.conversations.get(DEFAULT_ORG_ID, 'm-consult'))!.recordings,
    ...(await services.conversations.get(DEFAULT_ORG_ID, 'm-internal'))!.recordings,
  ].filter((r) => r.status !== 'discarded');
  const recordings = {} as Fixture['recordings'];
  for (const kind of ['trunk', 'station', 'consult', 'adhoc', 'snippet', 'screen'] as const) {
    const row = rows.find((r) => r.kind === kind);
    if (!row) throw new Error(`the matrix fixture has no ${kind} recording; it has ${rows.map((r) => r.planKey).join(', ')}`);
    recordings[kind] = row;
  }
  return { api, sessions, recordings, evaluation: evaluation! };
}
