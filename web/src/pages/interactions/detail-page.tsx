import { useState } from 'react';
import { ApiFailure, api } from '../../api';
import { Empty, ErrorState, Loading, advice } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { Link, navigate, useLocation } from '../../router';
import { can, useMe, type Me } from '../../session';
import { around, duration, lastDays, when } from './format';
import { Player } from './player';
import { RetentionPanel } from './retention-panel';
import { buildTimeline } from './timeline';
import { TimelineView } from './timeline-view';
import { KIND_LABEL, type Conversation, type ConversationRow, type Recording, type SearchAnswer } from './types';

/**
 * One interaction: who took part and what happened when (the timeline, for holders of
 * conversation:conversation:view), every recording the user may see with its kind, perspective
 * and channels, the player, and each recording's retention state.
 */

interface Loaded {
  readonly conversation: Conversation | null;
  readonly summary: ConversationRow | null;
  readonly recordings: Recording[];
}

/** How far back the summary of a call without recordings is looked for. */
const SUMMARY_DAYS = 90;

async function loadInteraction(me: Me, id: string): Promise<Loaded> {
  const enc = encodeURIComponent(id);
  // A 403 (a call the user did not take part in, opened by its address) says none of its
  // recordings is theirs to hear: the page says so in its own words.
  const recordings = api<Recording[]>('GET', `/api/v2/conversations/${enc}/recordings?maxWaitMs=0&formatId=WAV`).catch((err: unknown) => {
    if (err instanceof ApiFailure && err.status === 403) return [];
    throw err;
  });
  const conversation = can(me, 'conversation:conversation:view') ? api<Conversation>('GET', `/api/v2/capstan/conversations/${enc}`) : Promise.resolve(null);
  // Without the conversation API, the search says what the user may know of the call: searched
  // around its recordings' start (a short interval keeps the search cheap), else over recent days.
  const summary = Promise.all([conversation, recordings]).then(([c, list]) =>
    c
      ? null
      : api<SearchAnswer>('POST', '/api/v2/analytics/conversations/details/query', {
          interval: list[0]?.startTime ? around(list[0].startTime) : lastDays(SUMMARY_DAYS),
          conversationFilters: [{ type: 'and', predicates: [{ dimension: 'conversationId', value: id }] }],
          paging: { pageSize: 1, pageNumber: 1 },
          includeTotal: false,
        }).then((a) => a.conversations[0] ?? null, () => null),
  );
  return { recordings: await recordings, conversation: await conversation, summary: await summary };
}

export function InteractionDetailPage({ params }: { params: Record<string, string> }) {
  const me = useMe();
  const id = params.conversationId!;
  const loaded = useLoad(() => loadInteraction(me, id), [id, me]);
  const { search } = useLocation();
  const chosen = new URLSearchParams(search).get('recording');

  if (loaded.loading && !loaded.data) return <Loading what="the interaction" />;
  if (loaded.error) {
    return (
      <section>
        <h1>Interaction</h1>
        <ErrorState error={loaded.error} retry={loaded.reload} />
        <p>
          <Link to="/interactions">Back to the interactions</Link>
        </p>
      </section>
    );
  }
  const { conversation, summary, recordings } = loaded.data!;
  const nameOf = (participantId: string) => {
    const p = conversation?.participants.find((x) => x.id === participantId);
    return p ? `${p.name ?? p.userId ?? p.id} (${p.purpose})` : participantId;
  };
  const playable = recordings.filter((r) => r.capstan.kind !== 'screen' && r.mediaUris);
  const selected = recordings.find((r) => r.id === chosen) ?? playable[0];
  const start = conversation?.startTime ?? summary?.conversationStart;
  const end = conversation?.endTime ?? summary?.conversationEnd;
  const direction = conversation?.direction ?? summary?.capstan.direction;
  const ani = conversation?.ani ?? summary?.capstan.ani;
  const dnis = conversation?.dnis ?? summary?.capstan.dnis;

  return (
    <section aria-labelledby="detail-title">
      <p>
        <Link to="/interactions">← Interactions</Link>
      </p>
      <h1 id="detail-title">
        {direction ? `${direction[0]!.toUpperCase()}${direction.slice(1)} call` : 'Interaction'} {start ? `· ${when(start)}` : ''}
      </h1>
      <dl className="facts panel">
        <dt>From</dt>
        <dd>{ani ?? '—'}</dd>
        <dt>To</dt>
        <dd>{dnis ?? '—'}</dd>
        <dt>Duration</dt>
        <dd>{start && end ? duration(Date.parse(end) - Date.parse(start)) : end === undefined || end === null ? 'ongoing' : '—'}</dd>
        {summary ? (
          <>
            <dt>People</dt>
            <dd>{summary.capstan.users.map((u) => u.name ?? u.id).join(', ') || '—'}</dd>
            <dt>Wrap-up</dt>
            <dd>{summary.capstan.wrapUpCodes.join(', ') || '—'}</dd>
          </>
        ) : null}
        <dt>Conversation id</dt>
        <dd>
          <code>{id}</code>
        </dd>
      </dl>

      <h2>Timeline</h2>
      {conversation ? (
        <TimelineView timeline={buildTimeline(conversation)} />
      ) : (
        <p className="muted">The timeline of the call is shown to holders of conversation:conversation:view.</p>
      )}

      <h2>Recordings</h2>
      {recordings.length === 0 ? (
        <Empty title="No recordings you may play">
          Either the call was not recorded, or its recordings are not yours to hear. Supervisors, assigned evaluators and, for their own snippets and evaluations, agents may listen.
        </Empty>
      ) : (
        <div className="recordings">
          {recordings.map((r) => (
            <RecordingCard key={r.id} recording={r} names={channelNames(r, nameOf, conversation)} nameOf={nameOf} selected={r.id === selected?.id} me={me} />
          ))}
        </div>
      )}
    </section>
  );
}

/** Why the user may hear a recording (docs/access.md). */
const BASIS: Record<string, string> = {
  permission: 'by your role',
  owner: 'your own ad-hoc recording',
  capturedBy: 'a snippet you captured',
  assignedEvaluator: 'you are assigned to evaluate this call',
  evaluatedAgent: 'a finished evaluation of you',
  segmentPermission: 'the parts handled in your queues',
};

/** What each channel carries: its role (who speaks, what whom hears) and, from the plan, whose voices were on it. */
function channelNames(r: Recording, nameOf: (id: string) => string, conversation: Conversation | null): string[] {
  const spans = conversation?.recordings.find((p) => p.id === r.id)?.spans ?? [];
  const names = [1, 2].map((ch) => {
    const roles = r.capstan.channels.filter((c) => c.channel === ch);
    const says = roles.filter((c) => c.role === 'says').map((c) => nameOf(c.participantId));
    const hears = roles.filter((c) => c.role === 'hears').map((c) => nameOf(c.participantId));
    const voices = [...new Set(spans.flatMap((s) => (ch === 1 ? s.ch1 : s.ch2)))].filter((id) => !roles.some((c) => c.role === 'says' && c.participantId === id));
    const role = [says.length ? says.join(', ') : '', hears.length ? `what ${hears.join(', ')} hears` : ''].filter(Boolean).join('; ') || `channel ${ch}`;
    return voices.length ? `${role}: ${voices.map(nameOf).join(', ')}` : role;
  });
  return r.capstan.dualChannel ? names : [names.join(' + ')];
}

function RecordingCard({ recording: r, names, nameOf, selected, me }: { recording: Recording; names: string[]; nameOf: (id: string) => string; selected: boolean; me: Me }) {
  const { pathname } = useLocation();
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [showRetention, setShowRetention] = useState(false);
  const kind = KIND_LABEL[r.capstan.kind] ?? r.capstan.kind;
  const canDownload = r.capstan.access.download && r.capstan.kind !== 'screen' && r.mediaUris !== null;
  const download = async () => {
    setDownloadError(null);
    try {
      const one = await api<Recording>('GET', `/api/v2/conversations/${encodeURIComponent(r.conversationId)}/recordings/${encodeURIComponent(r.id)}?download=true&maxWaitMs=0`);
      const link = document.createElement('a');
      link.href = one.mediaUris!.S.mediaUri;
      link.download = '';
      link.click();
    } catch (err) {
      setDownloadError(advice(err));
    }
  };
  return (
    <article className={selected ? 'panel recording selected' : 'panel recording'} aria-label={`${kind} recording`} data-recording-id={r.id} data-kind={r.capstan.kind}>
      <header className="recording-head">
        <h3>
          <span className="badge">{kind}</span> from the perspective of {nameOf(r.capstan.participantId)}
        </h3>
        <div className="toolbar">
          {!selected && r.mediaUris && r.capstan.kind !== 'screen' ? (
            <button type="button" className="secondary" onClick={() => navigate(`${pathname}?recording=${encodeURIComponent(r.id)}`, { replace: true })}>
              Open in player
            </button>
          ) : null}
          {canDownload ? (
            <button type="button" className="secondary" onClick={() => void download()}>
              Download
            </button>
          ) : null}
        </div>
      </header>
      {downloadError ? (
        <p className="form-error" role="alert">
          {downloadError}
        </p>
      ) : null}
      <dl className="facts">
        <dt>Recorded</dt>
        <dd>
          {when(r.startTime)} · {duration(r.outputDurationMs)}
          {r.capstan.partial ? <span className="badge warn">partial</span> : null}
        </dd>
        <dt>Channels</dt>
        <dd>
          {names.map((n, i) => (
            <div key={i}>
              {r.capstan.dualChannel ? `${i + 1}: ` : 'mono: '}
              {n}
            </div>
          ))}
        </dd>
        <dt>Your access</dt>
        <dd>
          {BASIS[r.capstan.access.basis] ?? r.capstan.access.basis}
          {r.capstan.access.segments ? <span className="badge warn">some parts withheld (silenced)</span> : null}
          {!canDownload ? <span className="muted"> · no download</span> : null}
        </dd>
      </dl>
      {selected ? <Player recording={r} channelNames={names} canBookmark={can(me, 'recording:annotation:add', 'recording:annotation:edit')} /> : null}
      <details onToggle={(e) => setShowRetention(e.currentTarget.open)}>
        <summary>Retention, archive, export and protection</summary>
        {showRetention ? <RetentionPanel recording={r} /> : null}
      </details>
    </article>
  );
}
