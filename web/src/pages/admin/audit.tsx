import { useEffect, useState, type FormEvent } from 'react';
import { api, query } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { useMe } from '../../session';
import { FieldError, FormAlert, formatDate, formErrors, fromLocalInput, invalid, NO_ERRORS, toLocalInput, type FormErrors } from './common';
import { useDirectory } from '../../components/directory';
import { SinglePicker } from './pickers';

/**
 * `/admin/audit`: the audit trail through `POST /api/v2/audits/query` and its results, a page
 * at a time (keyset cursors), and the verification of the organization's hash chain.
 */

const SERVICES = ['Recording', 'Quality', 'Directory', 'PeoplePermissions', 'Platform', 'Telephony'];
const PAGE_SIZE = 25;

interface AuditEvent {
  id: string;
  user: { id: string; name?: string } | null;
  client: { id: string } | null;
  serviceName: string;
  level: string;
  eventDate: string;
  message: { message: string } | null;
  action: string;
  entity: { id: string; name?: string } | null;
  entityType: string;
  status: string;
  propertyChanges: { property: string; oldValues: string[]; newValues: string[] }[];
  context: Record<string, string>;
  capstan: { seq: number; actorName?: string };
}

type Verdict = { ok: true; events: number } | { ok: false; events: number; brokenAt: { seq: number; id?: string }; reason: string };

export function AuditPage() {
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <ChainCheck />
      <AuditSearch />
    </section>
  );
}

function ChainCheck() {
  const { data, error, loading, reload } = useLoad(() => api<Verdict>('GET', '/api/v2/capstan/audit/verify'), []);
  return (
    <div className="panel chain" aria-live="polite">
      <h2>Integrity</h2>
      {loading ? (
        <Loading what="the verification of the audit chain" />
      ) : error || !data ? (
        <ErrorState error={error} retry={reload} />
      ) : data.ok ? (
        <p data-testid="chain-verdict">
          <span className="badge ok">Intact</span> All {data.events} events are chained unbroken: none was changed or removed.
        </p>
      ) : (
        <p data-testid="chain-verdict" role="alert">
          <span className="badge danger">Broken</span> The chain breaks at event #{data.brokenAt.seq}
          {data.brokenAt.id ? ` (${data.brokenAt.id})` : ''}: {data.reason}. Events from there on cannot be trusted; restore the audit table from a backup and tell your security officer.
        </p>
      )}
      {!loading ? (
        <button type="button" className="secondary" onClick={reload}>
          Verify again
        </button>
      ) : null}
    </div>
  );
}

interface Search {
  readonly transactionId: string;
  /** Cursors of the pages shown so far; the last is the current page's. */
  readonly cursors: readonly string[];
}

function AuditSearch() {
  const me = useMe();
  const directory = useDirectory(me);
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 24 * 3600_000));
  const [to, setTo] = useState(() => toLocalInput(Date.now() + 3600_000));
  const [service, setService] = useState('');
  const [entityType, setEntityType] = useState('');
  const [entityId, setEntityId] = useState('');
  const [action, setAction] = useState('');
  const [userId, setUserId] = useState('');
  const [order, setOrder] = useState<'descending' | 'ascending'>('descending');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [search, setSearch] = useState<Search | null>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setErrors(NO_ERRORS);
    const filters = [
      ['EntityType', entityType],
      ['EntityId', entityId],
      ['Action', action],
      ['UserId', userId],
    ]
      .filter(([, v]) => v!.trim())
      .map(([property, value]) => ({ property, value: value!.trim() }));
    try {
      const execution = await api<{ id: string }>('POST', '/api/v2/audits/query', {
        interval: `${fromLocalInput(from)}/${fromLocalInput(to)}`,
        ...(service ? { serviceName: service } : {}),
        filters,
        sort: [{ name: 'Timestamp', sortOrder: order }],
      });
      setSearch({ transactionId: execution.id, cursors: [''] });
    } catch (err) {
      setErrors(formErrors(err, ['interval', 'serviceName', 'filters']));
    }
  };

  // The last day's events at once; the filters narrow them down.
  useEffect(() => void submit(), []);

  const f = errors.fields;
  return (
    <>
      <form className="panel" onSubmit={submit} noValidate aria-labelledby="audit-search-title">
        <h2 id="audit-search-title">Search</h2>
        <FormAlert errors={errors} />
        <div className="form-grid">
          <label>
            From
            <input id="audit-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} {...invalid('audit-interval', f.interval)} />
          </label>
          <label>
            Until
            <input id="audit-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} {...invalid('audit-interval', f.interval)} />
            <FieldError id="audit-interval" errors={f.interval} />
          </label>
          <label>
            Service
            <select value={service} onChange={(e) => setService(e.target.value)}>
              <option value="">Any service</option>
              {SERVICES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label>
            Entity type
            <input value={entityType} placeholder="e.g. RetentionPolicy" onChange={(e) => setEntityType(e.target.value)} />
          </label>
          <label>
            Entity id
            <input value={entityId} onChange={(e) => setEntityId(e.target.value)} />
          </label>
          <label>
            Action
            <input value={action} placeholder="e.g. Update, Delete, Play" onChange={(e) => setAction(e.target.value)} />
          </label>
          <SinglePicker label="User" none="Anyone" options={directory.users} value={userId} onChange={setUserId} />
          <label>
            Order
            <select value={order} onChange={(e) => setOrder(e.target.value as 'descending' | 'ascending')}>
              <option value="descending">Newest first</option>
              <option value="ascending">Oldest first</option>
            </select>
          </label>
        </div>
        <FieldError id="audit-filters" errors={f.filters} />
        <button type="submit">Search</button>
      </form>
      {search ? <AuditResults search={search} onPage={setSearch} /> : <Loading what="audit events" />}
    </>
  );
}

function AuditResults({ search, onPage }: { search: Search; onPage: (s: Search) => void }) {
  const cursor = search.cursors[search.cursors.length - 1];
  const { data, error, loading, reload } = useLoad(
    () =>
      api<{ entities: AuditEvent[]; cursor?: string }>(
        'GET',
        `/api/v2/audits/query/${encodeURIComponent(search.transactionId)}/results${query({ pageSize: PAGE_SIZE, cursor: cursor || undefined })}`,
      ),
    [search.transactionId, cursor],
  );
  if (loading) return <Loading what="audit events" />;
  if (error || !data) return <ErrorState error={error} retry={reload} />;
  if (!data.entities.length && search.cursors.length === 1) return <Empty title="No audit events match">Widen the interval or remove a filter.</Empty>;
  const page = search.cursors.length;
  return (
    <div>
      <div className="table-wrap">
        <table className="audit">
          <caption className="sr-only">Audit events, page {page}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Entity</th>
              <th scope="col">Status</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {data.entities.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">
                  {formatDate(e.eventDate)}
                  <div className="muted">#{e.capstan.seq}</div>
                </td>
                <td>{e.user?.name ?? e.capstan.actorName ?? e.user?.id ?? (e.client ? `client ${e.client.id}` : e.level === 'SYSTEM' ? 'Capstan' : '—')}</td>
                <td>
                  {e.action}
                  <div className="muted">{e.serviceName}</div>
                </td>
                <td>
                  {e.entityType}
                  {e.entity ? <div className="muted">{e.entity.name ?? e.entity.id}</div> : null}
                </td>
                <td>
                  <span className={`badge ${e.status === 'SUCCESS' ? 'ok' : e.status === 'FAILURE' ? 'danger' : 'warn'}`}>{e.status}</span>
                </td>
                <td>
                  {e.message ? <div>{e.message.message}</div> : null}
                  {e.propertyChanges.length ? (
                    <details>
                      <summary>
                        {e.propertyChanges.length} change{e.propertyChanges.length > 1 ? 's' : ''}
                      </summary>
                      <ul className="changes">
                        {e.propertyChanges.map((c, i) => (
                          <li key={i}>
                            <code>{c.property}</code>: {c.oldValues.join(', ') || '∅'} → {c.newValues.join(', ') || '∅'}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="toolbar pager">
        <button type="button" className="secondary" disabled={page === 1} onClick={() => onPage({ ...search, cursors: search.cursors.slice(0, -1) })}>
          Previous page
        </button>
        <span>Page {page}</span>
        <button type="button" className="secondary" disabled={!data.cursor} onClick={() => onPage({ ...search, cursors: [...search.cursors, data.cursor!] })}>
          Next page
        </button>
      </div>
    </div>
  );
}
