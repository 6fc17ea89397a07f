import { useState } from 'react';
import { api, query } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { Link, useSearchParams } from '../../router';
import { can, useMe } from '../../session';
import { ConfirmButton, formatDate, TableHead, useActions } from './common';
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
  /** Switches flipped but not yet saved: they show the new state at once. */
  const [flipped, setFlipped] = useState<Record<string, boolean>>({});
  const { run: act, messages } = useActions(() => (setFlipped({}), reload()), saved ? `${saved} saved.` : null);
  const mayEdit = can(me, 'recording:retentionPolicy:edit');
  const mayDelete = can(me, 'recording:retentionPolicy:delete');

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
      {messages}
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
            <TableHead columns={['Name', 'Enabled', 'When', 'Then', 'Modified']} />
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
