import { useState } from 'react';
import { api, query } from '../../api';
import { Empty, ErrorState, Loading, advice } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { Link, useSearchParams } from '../../router';
import { can, useMe } from '../../session';
import { ConfirmButton, formatDate, Notice } from './common';
import { summarize, type Policy } from './policy-model';

/** `/admin/policies`: every media retention policy, enabled or not, with what it does. */
export function PoliciesPage() {
  const me = useMe();
  const [name, setName] = useState('');
  const { data, error, loading, reload } = useLoad(
    () => api<{ entities: Policy[]; total: number }>('GET', `/api/v2/recording/mediaretentionpolicies${query({ pageSize: 500, name: name.trim() || undefined })}`),
    [name],
  );
  const saved = useSearchParams().get('saved');
  const [notice, setNotice] = useState<string | null>(saved ? `${saved} saved.` : null);
  const [failure, setFailure] = useState<string | null>(null);
  /** Switches flipped but not yet saved: they show the new state at once. */
  const [flipped, setFlipped] = useState<Record<string, boolean>>({});
  const mayEdit = can(me, 'recording:retentionPolicy:edit');
  const mayDelete = can(me, 'recording:retentionPolicy:delete');

  const act = async (what: () => Promise<unknown>, done: string) => {
    setFailure(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
    } catch (err) {
      setFailure(advice(err));
    }
    setFlipped({});
    reload();
  };

  return (
    <section aria-labelledby="policies-title">
      <h1 id="policies-title">Retention policies</h1>
      <p className="muted">
        Policies decide what happens to the recordings of calls that start after they are enabled: keep, archive, delete, export, assign evaluations.
      </p>
      <div className="toolbar">
        <label>
          Name contains
          <input type="search" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {can(me, 'recording:retentionPolicy:add') ? (
          <Link to="/admin/policies/new" className="button">
            New policy
          </Link>
        ) : null}
      </div>
      {notice ? <Notice>{notice}</Notice> : null}
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
      {loading && !data ? (
        <Loading what="policies" />
      ) : error ? (
        <ErrorState error={error} retry={reload} />
      ) : !data?.entities.length ? (
        <Empty title={name ? 'No policy has that name' : 'No retention policies yet'}>
          {name
            ? 'Clear the name filter to see every policy.'
            : 'Without a policy, recordings are kept indefinitely. Create a policy to archive, delete or export them on a schedule.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Retention policies</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Enabled</th>
                <th scope="col">When</th>
                <th scope="col">Then</th>
                <th scope="col">Modified</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.entities.map((p) => {
                const s = summarize(p);
                const problems = p.policyErrors?.policyErrorMessages ?? [];
                return (
                  <tr key={p.id}>
                    <td>
                      <Link to={`/admin/policies/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                      {problems.length ? (
                        <div>
                          <span className="badge danger" title={problems.map((e) => e.userMessage).join('\n')}>
                            {problems.length} problem{problems.length > 1 ? 's' : ''}
                          </span>
                        </div>
                      ) : null}
                      {p.description ? <div className="muted">{p.description}</div> : null}
                    </td>
                    <td>
                      <label className="inline switch">
                        <input
                          type="checkbox"
                          role="switch"
                          checked={flipped[p.id] ?? p.enabled}
                          disabled={!mayEdit}
                          aria-label={`${p.name} enabled`}
                          onChange={(e) => {
                            const enabled = e.target.checked;
                            setFlipped((f) => ({ ...f, [p.id]: enabled }));
                            void act(() => api('PATCH', `/api/v2/recording/mediaretentionpolicies/${encodeURIComponent(p.id)}`, { enabled }), `${p.name} ${enabled ? 'enabled' : 'disabled'}.`);
                          }}
                        />
                        <span className={(flipped[p.id] ?? p.enabled) ? 'badge ok' : 'badge'}>{(flipped[p.id] ?? p.enabled) ? 'On' : 'Off'}</span>
                      </label>
                    </td>
                    <td>{s.when}</td>
                    <td>{s.then}</td>
                    <td className="nowrap">{formatDate(p.modifiedDate)}</td>
                    <td>
                      {mayDelete ? (
                        <ConfirmButton
                          label={<>Delete<span className="sr-only"> {p.name}</span></>}
                          question={<>Delete the policy “{p.name}”? Recordings it already decided keep their dates; new calls are no longer matched by it.</>}
                          confirmLabel="Delete policy"
                          onConfirm={() => act(() => api('DELETE', `/api/v2/recording/mediaretentionpolicies/${encodeURIComponent(p.id)}`), `${p.name} deleted.`)}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
