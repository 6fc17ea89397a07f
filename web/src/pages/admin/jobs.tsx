import { Fragment, useEffect, useState } from 'react';
import { api, query } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { can, useMe, type Me } from '../../session';
import { ConfirmButton, FieldError, FormAlert, formatDate, fromLocalInput, invalid, TableHead, toLocalInput, useActions, useSave } from './common';
import { useDirectory } from '../../components/directory';
import { SinglePicker } from './pickers';

/**
 * `/admin/jobs`: bulk DELETE, ARCHIVE and EXPORT jobs over the conversations of an interval
 * (`/api/v2/recording/jobs`): create, see the totals, execute, follow the progress, cancel.
 */

interface Job {
  id: string;
  user: { id: string; name?: string };
  state: 'PENDING' | 'READY' | 'PROCESSING' | 'FULFILLED' | 'FAILED' | 'CANCELLED';
  recordingJobsQuery: { action: string; actionDate?: string; actionAge?: number; conversationQuery?: { interval: string } };
  dateCreated: string;
  totalConversations: number;
  totalRecordings: number;
  totalSkippedRecordings: number;
  totalFailedRecordings: number;
  totalProcessedRecordings: number;
  percentProgress: number;
  errorMessage?: string;
}

const ACTIVE = ['PENDING', 'PROCESSING'];
const FINISHED = ['FULFILLED', 'FAILED', 'CANCELLED'];
const EXECUTE_PERMISSIONS = ['recording:job:edit', 'recording:recording:editRetention', 'recording:screenRecording:editRetention', 'recording:snippetRecording:editRetention'];
/** How often the list is read again while a job is counting or running. */
const POLL_MS = 1000;

const canExecute = (me: Me, job: Job) => job.state === 'READY' && job.user.id === me.id && EXECUTE_PERMISSIONS.every((p) => can(me, p));

export function JobsPage() {
  const me = useMe();
  const jobs = useLoad(() => api<{ entities: Job[] }>('GET', `/api/v2/recording/jobs${query({ pageSize: 25 })}`).then((r) => r.entities), []);
  const [openFailures, setOpenFailures] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const busy = jobs.data?.some((j) => ACTIVE.includes(j.state)) ?? false;
  const { reload } = jobs;

  useEffect(() => {
    if (!busy || jobs.loading) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, jobs.loading, jobs.data, reload]);

  const { run: act, messages, say } = useActions(reload);

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Bulk jobs</h1>
      <p className="muted">
        A job sets the archive, delete or export date of every recording of the conversations it matches. It counts them first (READY); you then execute it and the
        lifecycle acts on the dates. Protected recordings are never deleted.
      </p>
      {can(me, 'recording:job:add') ? (
        <div className="toolbar">
          <button type="button" aria-expanded={creating} aria-controls="new-job" onClick={() => setCreating((c) => !c)}>
            New job
          </button>
        </div>
      ) : null}
      {creating ? <NewJob onCreated={(msg) => (setCreating(false), say(msg), reload())} /> : null}
      {messages}
      <h2>Jobs</h2>
      {jobs.loading && !jobs.data ? (
        <Loading what="jobs" />
      ) : jobs.error && !jobs.data ? (
        <ErrorState error={jobs.error} retry={reload} />
      ) : !jobs.data?.length ? (
        <Empty title="No bulk jobs yet">{can(me, 'recording:job:add') ? 'Create one with “New job”: choose an action and the interval of the conversations.' : 'Jobs that administrators create show here.'}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="jobs">
            <caption className="sr-only">Bulk jobs, newest first</caption>
            <TableHead columns={['Created', 'Action', 'Conversations', 'State', 'Progress']} />
            <tbody>
              {jobs.data.map((j) => (
                <Fragment key={j.id}>
                  <tr data-job={j.id}>
                    <td>
                      {formatDate(j.dateCreated)}
                      <div className="muted">by {j.user.name ?? j.user.id}</div>
                    </td>
                    <td>
                      {j.recordingJobsQuery.action}
                      <div className="muted">
                        {j.recordingJobsQuery.actionDate ? `on ${formatDate(j.recordingJobsQuery.actionDate)}` : j.recordingJobsQuery.actionAge !== undefined ? `${j.recordingJobsQuery.actionAge} days after start` : 'now'}
                      </div>
                    </td>
                    <td>
                      {j.totalConversations}
                      <div className="muted">{j.recordingJobsQuery.conversationQuery?.interval.split('/').map((d) => formatDate(d)).join(' – ')}</div>
                    </td>
                    <td>
                      <span className={`badge ${j.state === 'FULFILLED' ? 'ok' : j.state === 'FAILED' ? 'danger' : j.state === 'CANCELLED' ? 'warn' : ''}`} data-testid="job-state">
                        {j.state}
                      </span>
                      {j.errorMessage ? <div className="form-error">{j.errorMessage}</div> : null}
                    </td>
                    <td className="progress-cell">
                      <progress max={100} value={j.percentProgress} aria-label={`Progress of the ${j.recordingJobsQuery.action} job`} />
                      <div data-testid="job-progress">
                        {j.percentProgress}% · {j.totalProcessedRecordings} of {j.totalRecordings} recordings
                        {j.totalSkippedRecordings ? `, ${j.totalSkippedRecordings} skipped` : ''}
                        {j.totalFailedRecordings ? `, ${j.totalFailedRecordings} failed` : ''}
                      </div>
                    </td>
                    <td className="nowrap">
                      {canExecute(me, j) ? (
                        <button type="button" onClick={() => void act(() => api('PUT', `/api/v2/recording/jobs/${j.id}`, { state: 'PROCESSING' }), 'Job started.')}>
                          Execute<span className="sr-only"> the {j.recordingJobsQuery.action} job</span>
                        </button>
                      ) : null}{' '}
                      {!FINISHED.includes(j.state) && can(me, 'recording:job:delete') ? (
                        <ConfirmButton
                          label={<>Cancel<span className="sr-only"> the {j.recordingJobsQuery.action} job</span></>}
                          question="Cancel this job? Recordings it has already changed keep their new dates."
                          confirmLabel="Cancel job"
                          onConfirm={() => act(() => api('DELETE', `/api/v2/recording/jobs/${j.id}`), 'Job cancelled.')}
                        />
                      ) : null}{' '}
                      {j.totalFailedRecordings ? (
                        <button type="button" className="secondary" aria-expanded={openFailures === j.id} onClick={() => setOpenFailures((o) => (o === j.id ? null : j.id))}>
                          Failed recordings
                        </button>
                      ) : null}
                    </td>
                  </tr>
                  {openFailures === j.id ? (
                    <tr>
                      <td colSpan={6}>
                        <FailedRecordings jobId={j.id} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface Failure {
  conversation: { id: string };
  recording: { id: string };
  errorCode: string;
  errorMessage: string;
}

function FailedRecordings({ jobId }: { jobId: string }) {
  const [cursors, setCursors] = useState<string[]>(['']);
  const { data, error, loading, reload } = useLoad(
    () => api<{ entities: Failure[]; cursor?: string }>('GET', `/api/v2/recording/jobs/${jobId}/failedrecordings${query({ pageSize: 25, includeTotal: false, cursor: cursors[cursors.length - 1] || undefined })}`),
    [jobId, cursors.length],
  );
  if (loading && !data) return <Loading what="failed recordings" />;
  if (error || !data) return <ErrorState error={error} retry={reload} />;
  return (
    <div>
      <ul className="failures">
        {data.entities.map((f) => (
          <li key={f.recording.id}>
            <code>{f.conversation.id}</code> / <code>{f.recording.id}</code>: {f.errorMessage} <span className="muted">({f.errorCode})</span>
          </li>
        ))}
      </ul>
      {cursors.length > 1 ? (
        <button type="button" className="secondary" onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </button>
      ) : null}{' '}
      {data.cursor ? (
        <button type="button" className="secondary" onClick={() => setCursors((c) => [...c, data.cursor!])}>
          Next
        </button>
      ) : null}
    </div>
  );
}

const JOB_FIELDS = ['action', 'actionDate', 'actionAge', 'integrationId', 'conversationQuery', 'agedConversationInterval', 'includeScreenRecordings', 'clearExport'];

function NewJob({ onCreated }: { onCreated: (message: string) => void }) {
  const me = useMe();
  const directory = useDirectory(me);
  const now = Date.now();
  const [action, setAction] = useState('ARCHIVE');
  const [from, setFrom] = useState(() => toLocalInput(now - 24 * 3600_000));
  const [to, setTo] = useState(() => toLocalInput(now + 60_000));
  const [when, setWhen] = useState<'date' | 'age'>('date');
  const [actionDate, setActionDate] = useState(() => toLocalInput(now));
  const [actionAge, setActionAge] = useState('30');
  const [integrationId, setIntegrationId] = useState('');
  const [queueId, setQueueId] = useState('');
  const [userId, setUserId] = useState('');
  const [direction, setDirection] = useState('');
  const [wrapUp, setWrapUp] = useState('');
  const [include, setInclude] = useState({ includePolicyBasedRecordings: true, includeSnippetRecordings: true, includeScreenRecordings: true, includeRecordingsWithSensitiveData: false });
  const [clearExport, setClearExport] = useState(false);
  const { errors, saving, submit } = useSave(JOB_FIELDS);

  const create = async () => {
    const predicates = [
      ...(queueId ? [{ dimension: 'queueId', value: queueId }] : []),
      ...(userId ? [{ dimension: 'userId', value: userId }] : []),
      ...(wrapUp.trim() ? [{ dimension: 'wrapUpCode', value: wrapUp.trim() }] : []),
    ];
    const body = {
      action,
      ...(action === 'EXPORT' ? { integrationId } : when === 'date' ? { actionDate: fromLocalInput(actionDate) } : { actionAge: Number(actionAge) }),
      ...include,
      ...(action === 'DELETE' && clearExport ? { clearExport: true } : {}),
      conversationQuery: {
        interval: `${fromLocalInput(from)}/${fromLocalInput(to)}`,
        ...(direction ? { conversationFilters: [{ type: 'and', predicates: [{ dimension: 'originatingDirection', value: direction }] }] } : {}),
        ...(predicates.length ? { segmentFilters: [{ type: 'and', predicates }] } : {}),
      },
    };
    await api('POST', '/api/v2/recording/jobs', body);
    onCreated(`The ${action} job is counting the recordings; execute it when it is READY.`);
  };

  const f = errors.fields;
  return (
    <form id="new-job" className="panel" onSubmit={submit(create)} noValidate aria-labelledby="new-job-title">
      <h2 id="new-job-title">New job</h2>
      <FormAlert errors={errors} />
      <div className="form-grid">
        <label>
          Action
          <select id="job-action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="ARCHIVE">Archive</option>
            <option value="DELETE">Delete</option>
            <option value="EXPORT">Export</option>
          </select>
        </label>
        <label>
          Conversations from
          <input id="job-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} {...invalid('job-interval', f.conversationQuery)} />
        </label>
        <label>
          Until
          <input id="job-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} {...invalid('job-interval', f.conversationQuery)} />
          <FieldError id="job-interval" errors={f.conversationQuery} />
        </label>
        {action === 'EXPORT' ? (
          <div>
            <SinglePicker label="Export integration" none="Choose an integration" options={directory.integrations} value={integrationId} onChange={setIntegrationId} />
            <FieldError id="job-integration" errors={f.integrationId} />
          </div>
        ) : (
          <fieldset className="picker span-2">
            <legend>When</legend>
            <div className="row">
              <label className="inline">
                <input type="radio" name="when" checked={when === 'date'} onChange={() => setWhen('date')} />
                On a date
              </label>
              <input type="datetime-local" aria-label="Action date" value={actionDate} disabled={when !== 'date'} onChange={(e) => setActionDate(e.target.value)} {...invalid('job-date', f.actionDate)} />
            </div>
            <div className="row">
              <label className="inline">
                <input type="radio" name="when" checked={when === 'age'} onChange={() => setWhen('age')} />
                Days after each recording's start
              </label>
              <input type="number" className="short" aria-label="Number of days" min={0} value={actionAge} disabled={when !== 'age'} onChange={(e) => setActionAge(e.target.value)} {...invalid('job-date', f.actionAge)} />
            </div>
            <FieldError id="job-date" errors={[...(f.actionDate ?? []), ...(f.actionAge ?? [])]} />
          </fieldset>
        )}
      </div>
      <h3>Only conversations</h3>
      <div className="form-grid">
        <SinglePicker label="Through queue" none="Any queue" options={directory.queues} value={queueId} onChange={setQueueId} />
        <SinglePicker label="With user" none="Any user" options={directory.users} value={userId} onChange={setUserId} />
        <label>
          Direction
          <select value={direction} onChange={(e) => setDirection(e.target.value)}>
            <option value="">Any direction</option>
            <option value="inbound">Inbound</option>
            <option value="outbound">Outbound</option>
          </select>
        </label>
        <label>
          Wrap-up code
          <input value={wrapUp} onChange={(e) => setWrapUp(e.target.value)} />
        </label>
      </div>
      <fieldset className="picker">
        <legend>Recordings</legend>
        {(
          [
            ['includePolicyBasedRecordings', 'Policy-based (trunk, station, consult)'],
            ['includeSnippetRecordings', 'Snippets'],
            ['includeScreenRecordings', 'Screen recordings'],
            ...(can(me, 'recording:recording:viewSensitiveData') ? ([['includeRecordingsWithSensitiveData', 'Recordings with sensitive data']] as const) : []),
          ] as const
        ).map(([key, label]) => (
          <label key={key} className="inline">
            <input type="checkbox" checked={include[key]} onChange={(e) => setInclude((i) => ({ ...i, [key]: e.target.checked }))} />
            {label}
          </label>
        ))}
        {action === 'DELETE' ? (
          <label className="inline">
            <input type="checkbox" checked={clearExport} onChange={(e) => setClearExport(e.target.checked)} />
            Drop pending exports
          </label>
        ) : null}
        <FieldError id="job-include" errors={[...(f.includeScreenRecordings ?? []), ...(f.clearExport ?? [])]} />
      </fieldset>
      <button type="submit" disabled={saving}>
        {saving ? 'Creating…' : 'Create job'}
      </button>
    </form>
  );
}
