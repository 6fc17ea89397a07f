import { useState } from 'react';
import { api } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { navigate, useSearchParams } from '../../router';
import { can, useMe } from '../../session';
import { ConfirmButton, FormAlert, TableHead, TextField, useActions, usePages, useSave } from './common';

/**
 * `/admin/telephony`: how trunks, stations, flows, queues and users are recorded
 * (`/api/v2/capstan/config/:kind`, docs/configuration.md). A change saves at once.
 */

type Kind = 'trunks' | 'stations' | 'flows' | 'queues' | 'users';
type Entity = { id: string; name: string } & Record<string, unknown>;

interface Column {
  readonly key: string;
  readonly label: string;
  readonly type: 'boolean' | 'text' | { options: readonly (string | number)[] };
}

const AUDIO: Column[] = [
  { key: 'dualChannel', label: 'Dual channel', type: 'boolean' },
  { key: 'format', label: 'Format', type: { options: ['WAV', 'WAV_ULAW', 'OGG_OPUS'] } },
  { key: 'sampleRate', label: 'Sample rate', type: { options: [8000, 16000] } },
  { key: 'region', label: 'Region', type: 'text' },
];

const KINDS: Record<Kind, { label: string; singular: string; about: string; columns: Column[] }> = {
  trunks: {
    label: 'Trunks',
    singular: 'trunk',
    about: 'Trunk-side recording records external calls end to end from the customer’s side.',
    columns: [
      { key: 'recording', label: 'Record', type: 'boolean' },
      { key: 'recordHolds', label: 'Record holds', type: 'boolean' },
      { key: 'consultRecording', label: 'Consults', type: 'boolean' },
      { key: 'continueOnExternalTransfer', label: 'After external transfer', type: 'boolean' },
      { key: 'consentRequired', label: 'Only with consent', type: 'boolean' },
      { key: 'beepTone', label: 'Beep tone', type: 'boolean' },
      ...AUDIO,
    ],
  },
  stations: {
    label: 'Stations',
    singular: 'station',
    about: 'Station-side recording records every call of the desk from the agent’s side; enable it only where internal calls must be recorded.',
    columns: [{ key: 'recording', label: 'Record', type: 'boolean' }, ...AUDIO],
  },
  flows: {
    label: 'Flows',
    singular: 'flow',
    about: 'IVR flows: suppress recording for the whole flow, or ask callers for consent.',
    columns: [
      { key: 'suppressRecording', label: 'Suppress recording', type: 'boolean' },
      { key: 'consentPrompt', label: 'Consent prompt', type: 'boolean' },
    ],
  },
  queues: {
    label: 'Queues',
    singular: 'queue',
    about: 'Turn off recording during queue wait to suppress it.',
    columns: [{ key: 'recordQueueWait', label: 'Record queue wait', type: 'boolean' }],
  },
  users: {
    label: 'Users',
    singular: 'user',
    about: 'Telephony users: their station, screen recording, and whether they are external partners (never screen recorded).',
    columns: [
      { key: 'email', label: 'Email', type: 'text' },
      { key: 'stationId', label: 'Station', type: 'text' },
      { key: 'externalPartner', label: 'External partner', type: 'boolean' },
      { key: 'screenRecording', label: 'Screen recording', type: 'boolean' },
    ],
  },
};

const isKind = (k: string | null): k is Kind => k !== null && k in KINDS;

export function TelephonyPage() {
  const search = useSearchParams().get('kind');
  const kind: Kind = isKind(search) ? search : 'trunks';
  return (
    <section aria-labelledby="telephony-title">
      <h1 id="telephony-title">Telephony recording options</h1>
      <div className="tabs" role="group" aria-label="What to configure">
        {(Object.keys(KINDS) as Kind[]).map((k) => (
          <button key={k} type="button" className={k === kind ? '' : 'secondary'} aria-pressed={k === kind} onClick={() => navigate(`/admin/telephony?kind=${k}`, { replace: true })}>
            {KINDS[k].label}
          </button>
        ))}
      </div>
      <p className="muted">{KINDS[kind].about}</p>
      <KindTable key={kind} kind={kind} />
    </section>
  );
}

function KindTable({ kind }: { kind: Kind }) {
  const me = useMe();
  const def = KINDS[kind];
  const mayEdit = can(me, 'telephony:config:edit');
  const { data, error, loading, reload, more } = usePages<Entity>(`/api/v2/capstan/config/${kind}`);
  const { run, messages, say } = useActions(reload);
  const path = (entity: Entity) => `/api/v2/capstan/config/${kind}/${encodeURIComponent(entity.id)}`;
  const put = (entity: Entity, change: Record<string, unknown>, what: string) => run(() => api('PUT', path(entity), { ...entity, ...change }), what);

  if (loading && !data) return <Loading what={def.label.toLowerCase()} />;
  if (error || !data) return <ErrorState error={error} retry={reload} />;
  return (
    <>
      {messages}
      {data.entities.length === 0 ? (
        <Empty title={`No ${def.label.toLowerCase()} configured`}>
          {mayEdit ? `Add a ${def.singular} below, or load a configuration file (docs/configuration.md).` : 'An administrator adds them here or in a configuration file.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{def.label}</caption>
            <TableHead columns={['Name', 'Id', ...def.columns.map((c) => c.label)]} actions={mayEdit} />
            <tbody>
              {data.entities.map((e) => (
                <tr key={e.id}>
                  <td>
                    <TextCell key={e.name} label={`Name of ${e.name}`} value={e.name} disabled={!mayEdit} onSave={(v) => put(e, { name: v }, `${v} renamed.`)} />
                  </td>
                  <td>
                    <code>{e.id}</code>
                  </td>
                  {def.columns.map((c) => (
                    <td key={c.key}>
                      <Cell column={c} entity={e} disabled={!mayEdit} onSave={(v) => put(e, { [c.key]: v }, `${e.name}: ${c.label.toLowerCase()} saved.`)} />
                    </td>
                  ))}
                  {mayEdit ? (
                    <td>
                      <ConfirmButton
                        label={<>Delete<span className="sr-only"> {e.name}</span></>}
                        question={<>Delete the {def.singular} “{e.name}”? Calls through it are then treated as not configured (no recording, no suppression).</>}
                        confirmLabel={`Delete ${def.singular}`}
                        onConfirm={() => run(() => api('DELETE', path(e)), `${e.name} deleted.`)}
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.more ? (
        <button type="button" className="secondary" onClick={more}>
          Show more
        </button>
      ) : null}
      {mayEdit ? <AddForm kind={kind} onAdded={(name) => (say(`${name} added.`), reload())} /> : null}
    </>
  );
}

function Cell({ column, entity, disabled, onSave }: { column: Column; entity: Entity; disabled: boolean; onSave: (v: unknown) => void }) {
  const value = entity[column.key];
  const label = `${column.label} for ${entity.name}`;
  if (column.type === 'boolean') {
    return <input type="checkbox" aria-label={label} checked={value === true} disabled={disabled} onChange={(e) => onSave(e.target.checked)} />;
  }
  if (column.type === 'text') {
    return <TextCell key={String(value)} label={label} value={typeof value === 'string' ? value : ''} disabled={disabled} onSave={(v) => onSave(v === '' ? undefined : v)} />;
  }
  const options = column.type.options;
  return (
    <select aria-label={label} value={String(value)} disabled={disabled} onChange={(e) => onSave(typeof options[0] === 'number' ? Number(e.target.value) : e.target.value)}>
      {options.map((o) => (
        <option key={o} value={String(o)}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** A text value that saves when the field loses focus or on Enter, if it changed. */
function TextCell({ label, value, disabled, onSave }: { label: string; value: string; disabled: boolean; onSave: (v: string) => void }) {
  const [text, setText] = useState(value);
  const commit = () => {
    if (text.trim() !== value) onSave(text.trim());
  };
  if (disabled) return <>{value || '—'}</>;
  return (
    <input
      className="cell-input"
      aria-label={label}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setText(value);
      }}
    />
  );
}

function AddForm({ kind, onAdded }: { kind: Kind; onAdded: (name: string) => void }) {
  const def = KINDS[kind];
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const { errors, saving, submit } = useSave(['id', 'name']);
  const add = async () => {
    await api('PUT', `/api/v2/capstan/config/${kind}/${encodeURIComponent(id.trim())}`, { name });
    setId('');
    setName('');
    onAdded(name);
  };
  return (
    <form className="panel add-form" onSubmit={submit(add)} noValidate>
      <h2>Add a {def.singular}</h2>
      <FormAlert errors={errors} />
      <div className="row">
        <TextField id="add-id" label="Id" value={id} onChange={setId} required placeholder="as your telephony names it" errors={errors.fields.id} />
        <TextField id="add-name" label="Name" value={name} onChange={setName} required errors={errors.fields.name} />
        <button type="submit" disabled={saving || !id.trim()}>
          Add {def.singular}
        </button>
      </div>
      <p className="hint">New entries start with the recommended defaults; change them in the table.</p>
    </form>
  );
}
