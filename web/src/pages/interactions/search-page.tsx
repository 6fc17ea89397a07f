import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useDirectory, type Option } from '../../components/directory';
import { useLoad } from '../../components/use-api';
import { Link, navigate, useLocation } from '../../router';
import { useMe } from '../../session';
import { clock, duration, short } from './format';
import { PAGE_SIZES, defaultFilters, filtersFrom, queryBody, searchOf, type Filters, type SortKey } from './search-query';
import { KIND_LABEL, RECORDING_KINDS, type ConversationRow, type SearchAnswer } from './types';

/**
 * Interactions: the conversation search. The filters live in the URL (shareable, reloadable,
 * back-button friendly); results page by the API's keyset cursor, the cursors of earlier pages
 * kept in the URL as `trail` so that "Previous" works too.
 */

const SEARCH_URL = '/api/v2/analytics/conversations/details/query';

/** People and queues to pick from, where the user may list them (free text otherwise). */
function useOptions() {
  const directory = useDirectory(useMe());
  return { users: directory.users ?? [], queues: directory.queues ?? [] };
}

export function InteractionsPage() {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const filters = filtersFrom(params);
  const cursor = params.get('cursor') ?? undefined;
  const trail = params.getAll('trail');
  const result = useLoad(() => api<SearchAnswer>('POST', SEARCH_URL, queryBody(filters, cursor)), [search]);
  const options = useOptions();

  const sortBy = (key: SortKey) => {
    const order = filters.sort === key && filters.order === 'desc' ? 'asc' : 'desc';
    navigate(`/interactions${searchOf({ ...filters, sort: key, order })}`);
  };
  const next = () => result.data?.cursor && navigate(`/interactions${searchOf(filters, { cursor: result.data.cursor, trail: [...trail, cursor ?? ''] })}`);
  const previous = () => {
    const back = trail[trail.length - 1];
    navigate(`/interactions${searchOf(filters, back ? { cursor: back, trail: trail.slice(0, -1) } : undefined)}`);
  };
  const pageNumber = trail.length + 1;

  return (
    <section aria-labelledby="interactions-title">
      <h1 id="interactions-title">Interactions</h1>
      <FilterForm key={search} filters={filters} options={options} />
      {result.loading && !result.data ? (
        <Loading what="interactions" />
      ) : result.error ? (
        <ErrorState error={result.error} retry={result.reload} />
      ) : !result.data || result.data.conversations.length === 0 ? (
        <Empty title="No interactions match">
          Widen the date range or clear some filters. <Link to="/interactions">Clear all filters</Link>
        </Empty>
      ) : (
        <>
          <p className="muted" aria-live="polite" data-testid="result-count">
            {result.data.totalHits !== undefined ? `${result.data.totalHits} interaction${result.data.totalHits === 1 ? '' : 's'}` : 'Interactions'} · page {pageNumber}
            {result.loading ? ' · updating…' : ''}
          </p>
          <Results rows={result.data.conversations} filters={filters} sortBy={sortBy} />
          <div className="toolbar pager">
            <button type="button" className="secondary" onClick={previous} disabled={pageNumber === 1}>
              Previous
            </button>
            <button type="button" className="secondary" onClick={next} disabled={!result.data.cursor}>
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function FilterForm({ filters, options }: { filters: Filters; options: { users: Option[]; queues: Option[] } }) {
  const [draft, setDraft] = useState(filters);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/interactions${searchOf(draft)}`);
  };
  const reset = () => navigate(`/interactions${searchOf({ ...defaultFilters(), sort: filters.sort, order: filters.order, size: filters.size })}`);
  return (
    <form className="panel filters" onSubmit={submit} aria-label="Search filters">
      <div className="form-grid">
        <label>
          From
          <input type="date" value={draft.from} onChange={set('from')} required />
        </label>
        <label>
          To
          <input type="date" value={draft.to} onChange={set('to')} required />
        </label>
        <Choice label="Direction" value={draft.direction} onChange={set('direction')} choices={DIRECTIONS} />
        <label>
          Phone number
          <input type="search" inputMode="tel" placeholder="Part of a number" value={draft.phone} onChange={set('phone')} />
        </label>
        <Picker label="Agent" value={draft.agent} onChange={set('agent')} options={options.users} placeholder="User id" />
        <Picker label="Queue" value={draft.queue} onChange={set('queue')} options={options.queues} placeholder="Queue id" />
        <label>
          Wrap-up code
          <input type="search" value={draft.wrapup} onChange={set('wrapup')} />
        </label>
        <Choice label="Recording kind" value={draft.kind} onChange={set('kind')} choices={KINDS} />
        <Choice label="Recorded" value={draft.recorded} onChange={set('recorded')} choices={RECORDED} />
        <label>
          Rows per page
          <select value={draft.size} onChange={set('size')}>
            {[...new Set([...PAGE_SIZES, draft.size])].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Shortest (minutes)
          <input type="number" min="0" step="1" value={draft.minMinutes} onChange={set('minMinutes')} />
        </label>
        <label>
          Longest (minutes)
          <input type="number" min="0" step="1" value={draft.maxMinutes} onChange={set('maxMinutes')} />
        </label>
      </div>
      <div className="toolbar actions">
        <button type="submit">Search</button>
        <button type="button" className="secondary" onClick={reset}>
          Clear filters
        </button>
      </div>
    </form>
  );
}

type OnChange = (e: { target: { value: string } }) => void;
const DIRECTIONS: [string, string][] = [['', 'Any'], ['inbound', 'Inbound'], ['outbound', 'Outbound'], ['internal', 'Internal']];
const KINDS: [string, string][] = [['', 'Any'], ...RECORDING_KINDS.map((k): [string, string] => [k, KIND_LABEL[k]])];
const RECORDED: [string, string][] = [['', 'Either'], ['yes', 'Recorded'], ['no', 'Not recorded']];

function Choice({ label, value, onChange, choices }: { label: string; value: string; onChange: OnChange; choices: [string, string][] }) {
  return (
    <label>
      {label}
      <select value={value} onChange={onChange}>
        {choices.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Picker({ label, value, onChange, options, placeholder }: { label: string; value: string; onChange: OnChange; options: Option[]; placeholder: string }) {
  if (options.length === 0) {
    return (
      <label>
        {label}
        <input type="search" value={value} onChange={onChange} placeholder={placeholder} />
      </label>
    );
  }
  return (
    <label>
      {label}
      <select value={value} onChange={onChange}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
        {value && !options.some((o) => o.id === value) ? <option value={value}>{value}</option> : null}
      </select>
    </label>
  );
}

function SortHeader({ label, sortKey, filters, sortBy }: { label: string; sortKey: SortKey; filters: Filters; sortBy: (k: SortKey) => void }) {
  const active = filters.sort === sortKey;
  return (
    <th aria-sort={active ? (filters.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => sortBy(sortKey)}>
        {label} {active ? (filters.order === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );
}

function Results({ rows, filters, sortBy }: { rows: ConversationRow[]; filters: Filters; sortBy: (k: SortKey) => void }) {
  return (
    <div className="table-wrap">
      <table className="results">
        <thead>
          <tr>
            <SortHeader label="Start" sortKey="conversationStart" filters={filters} sortBy={sortBy} />
            <th>Direction</th>
            <th>From</th>
            <th>To</th>
            <th>People</th>
            <th>Queues</th>
            <SortHeader label="Duration" sortKey="tConversationDuration" filters={filters} sortBy={sortBy} />
            <SortHeader label="End" sortKey="conversationEnd" filters={filters} sortBy={sortBy} />
            <th>Wrap-up</th>
            <th>Recordings</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.conversationId}>
              <td>
                <Link to={`/interactions/${encodeURIComponent(r.conversationId)}`}>{short(r.conversationStart)}</Link>
              </td>
              <td>{r.capstan.direction ?? '—'}</td>
              <td>{r.capstan.ani ?? '—'}</td>
              <td>{r.capstan.dnis ?? '—'}</td>
              <td className="wrap">{r.capstan.users.map((u) => u.name ?? u.id).join(', ') || '—'}</td>
              <td>{r.capstan.queues.map((q) => q.name ?? q.id).join(', ') || '—'}</td>
              <td>{duration(r.capstan.durationMs)}</td>
              <td>{r.conversationEnd ? clock(r.conversationEnd) : <span className="badge warn">ongoing</span>}</td>
              <td>{r.capstan.wrapUpCodes.join(', ') || '—'}</td>
              <td>
                {r.capstan.recorded ? (
                  r.capstan.recordingKinds.map((k) => (
                    <span className="badge" key={k}>
                      {KIND_LABEL[k] ?? k}
                    </span>
                  ))
                ) : (
                  <span className="muted">not recorded</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
