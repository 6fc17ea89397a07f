import { useState, type ReactNode } from 'react';
import { api } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { Link } from '../../router';
import { useMe, type Me } from '../../session';
import { duration, lastDays, when } from './format';
import { KIND_LABEL, type Evaluation, type Recording, type SearchAnswer } from './types';

/**
 * My recordings: the user's ad-hoc recordings (their inbox), the snippets they captured, and the
 * evaluations of them (and those they are to do). Found through the interaction search (the
 * conversations the user took part in that hold such a recording) and each conversation's
 * recording listing, which gives only what the user may play.
 */

const PERSONAL = ['adhoc', 'snippet'] as const;

/** The periods the page looks back over: the search reads every conversation of the period the user took part in. */
const PERIODS = [30, 90, 365] as const;

async function myRecordings(me: Me, days: number): Promise<Recording[]> {
  const found = await api<SearchAnswer>('POST', '/api/v2/analytics/conversations/details/query', {
    interval: lastDays(days),
    order: 'desc',
    paging: { pageSize: 100, pageNumber: 1 },
    includeTotal: false,
    segmentFilters: [
      { type: 'and', predicates: [{ dimension: 'userId', value: me.id }] },
      { type: 'or', predicates: PERSONAL.map((kind) => ({ dimension: 'recordingKind', value: kind })) },
    ],
  });
  const lists = await Promise.all(
    found.conversations.map((c) => api<Recording[]>('GET', `/api/v2/conversations/${encodeURIComponent(c.conversationId)}/recordings?maxWaitMs=0`)),
  );
  return lists.flat().filter((r) => (PERSONAL as readonly string[]).includes(r.capstan.kind) && r.capstan.userId === me.id);
}

async function myEvaluations(me: Me): Promise<{ ofMe: Evaluation[]; byMe: Evaluation[] }> {
  const list = (filter: string) => api<{ entities: Evaluation[] }>('GET', `/api/v2/quality/evaluations?${filter}=${encodeURIComponent(me.id)}&pageSize=100`).then((l) => l.entities);
  const [ofMe, byMe] = await Promise.all([list('agentUserId'), list('evaluatorUserId')]);
  return { ofMe, byMe };
}

export function MyRecordingsPage() {
  const me = useMe();
  const [days, setDays] = useState<number>(PERIODS[1]);
  const recordings = useLoad(() => myRecordings(me, days), [me, days]);
  const evaluations = useLoad(() => myEvaluations(me), [me]);
  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">My recordings</h1>
      <div className="toolbar">
        <label>
          Recorded in the last
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {d === 365 ? 'year' : `${d} days`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {PERSONAL.map((kind) => (
        <div key={kind}>
          <h2>{kind === 'adhoc' ? 'Ad-hoc recordings (your inbox)' : 'Snippets you captured'}</h2>
          {recordings.loading ? (
            <Loading what="your recordings" />
          ) : recordings.error ? (
            <ErrorState error={recordings.error} retry={recordings.reload} />
          ) : (
            <RecordingList recordings={recordings.data!.filter((r) => r.capstan.kind === kind)} kind={kind} />
          )}
        </div>
      ))}
      <h2>Evaluations of you</h2>
      {evaluations.loading ? (
        <Loading what="evaluations" />
      ) : evaluations.error ? (
        <ErrorState error={evaluations.error} retry={evaluations.reload} />
      ) : (
        <EvaluationList evaluations={evaluations.data!.ofMe} empty="No finished evaluations of you yet. Once an evaluator finishes one, it appears here with the call's recordings." />
      )}
      {evaluations.data?.byMe.length ? (
        <>
          <h2>Evaluations assigned to you</h2>
          <EvaluationList evaluations={evaluations.data.byMe} empty="" />
        </>
      ) : null}
    </section>
  );
}

function RecordingList({ recordings, kind }: { recordings: Recording[]; kind: 'adhoc' | 'snippet' }) {
  if (recordings.length === 0) {
    return (
      <Empty title={kind === 'adhoc' ? 'No ad-hoc recordings' : 'No snippets'}>
        {kind === 'adhoc' ? 'Recordings you start yourself during a call land here, for you only.' : 'Snippets you record during ACD calls appear here.'}
      </Empty>
    );
  }
  return (
    <Table columns={['Recorded', 'Kind', 'Length', 'State']}>
      {recordings.map((r) => (
        <tr key={r.id}>
          <td>{when(r.startTime)}</td>
          <td>
            <span className="badge">{KIND_LABEL[r.capstan.kind]}</span>
          </td>
          <td>{duration(r.outputDurationMs)}</td>
          <td>{r.fileState.toLowerCase()}</td>
          <td>
            <Link to={`/interactions/${encodeURIComponent(r.conversationId)}?recording=${encodeURIComponent(r.id)}`}>Play</Link>
          </td>
        </tr>
      ))}
    </Table>
  );
}

function EvaluationList({ evaluations, empty }: { evaluations: Evaluation[]; empty: string }) {
  if (evaluations.length === 0) return <Empty title="None">{empty}</Empty>;
  return (
    <Table columns={['Assigned', 'Agent', 'Evaluator', 'Status']}>
      {evaluations.map((e) => (
        <tr key={e.id}>
          <td>{when(e.dateCreated)}</td>
          <td>{e.agent.id}</td>
          <td>{e.evaluator.id}</td>
          <td>
            <span className={`badge ${e.status === 'FINISHED' ? 'ok' : 'warn'}`}>{e.status.toLowerCase()}</span>
          </td>
          <td>
            <Link to={`/interactions/${encodeURIComponent(e.conversation.id)}`}>Open the interaction</Link>
          </td>
        </tr>
      ))}
    </Table>
  );
}

/** A table whose last column opens the row (its heading is for screen readers). */
function Table({ columns, children }: { columns: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th>
              <span className="sr-only">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
