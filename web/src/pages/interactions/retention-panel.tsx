import { ApiFailure, api } from '../../api';
import { ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { day } from './format';
import type { Recording, RetentionExplained } from './types';

/** Where the recording is in its lifecycle, and which policy decision put it there. */

const RULE: Record<string, string> = {
  alwaysDelete: 'a policy deletes it',
  policy: 'a retention policy',
  keptByDefault: 'kept by default (no policy set a date)',
  snippetDefault: 'the default snippet retention',
  screenDefault: 'the default screen recording retention',
  userRecording: 'ad-hoc recordings stay with their owner',
};

export function RetentionPanel({ recording }: { recording: Recording }) {
  const selfUri = recording.capstan.retention?.selfUri;
  const found = useLoad(
    () =>
      selfUri
        ? api<RetentionExplained>('GET', selfUri).catch((err: unknown) => {
            if (err instanceof ApiFailure && err.status === 404) return null;
            throw err;
          })
        : Promise.resolve(null),
    [selfUri],
  );
  if (found.loading) return <Loading what="retention" />;
  if (found.error) return <ErrorState error={found.error} retry={found.reload} />;
  const r = found.data;
  if (!r) return <p className="muted">Retention policies have not been applied yet: they are, once the conversation has ended.</p>;
  return (
    <div className="retention" data-testid="retention">
      <dl className="facts">
        <dt>Media</dt>
        <dd>
          <span className={`badge ${r.fileState === 'AVAILABLE' ? 'ok' : r.fileState === 'DELETED' ? 'danger' : 'warn'}`}>{r.fileState.toLowerCase()}</span>
          {r.protected ? <span className="badge warn">protected from deletion</span> : null}
        </dd>
        <dt>Archive</dt>
        <dd>{r.archiveDate ? day(r.archiveDate) : 'not planned'}</dd>
        <dt>Delete</dt>
        <dd>{r.deleteDate ? day(r.deleteDate) : 'kept indefinitely'}{r.protected && r.deleteDate ? ' (held: protected)' : ''}</dd>
        <dt>Export</dt>
        <dd>{r.exportedDate ? `exported ${day(r.exportedDate)}` : r.exportDate ? day(r.exportDate) : 'not planned'}</dd>
        {r.restoreExpirationTime ? (
          <>
            <dt>Restored until</dt>
            <dd>{day(r.restoreExpirationTime)}</dd>
          </>
        ) : null}
        <dt>Decided by</dt>
        <dd>
          {r.decision ? RULE[r.decision.rule] ?? r.decision.rule : '—'}
          {r.decision?.matchedPolicies.length ? `: ${r.decision.matchedPolicies.map((p) => p.name).join(', ')}` : ''}
        </dd>
      </dl>
      {r.decision?.explanation.length ? (
        <details>
          <summary>Why</summary>
          <ul>
            {r.decision.explanation.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {r.lastError ? <p className="form-error">The last lifecycle step failed: {r.lastError}</p> : null}
    </div>
  );
}
