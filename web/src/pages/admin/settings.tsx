import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { can, useMe } from '../../session';
import { FieldError, FormAlert, formErrors, invalid, NO_ERRORS, Notice, type FormErrors } from './common';

/** `/admin/settings`: the organization's recording settings (`/api/v2/recording/settings`). */

interface Settings {
  maxSimultaneousStreams: number;
  maxConfigurableScreenRecordingStreams: number;
  regionalRecordingStorageEnabled: boolean;
  recordingPlaybackUrlTtl: number;
  recordingBatchDownloadUrlTtl: number;
  stopRecordingWhenOnlyExternalParticipants: boolean;
  snippetRetentionDays: number;
  maxInteractionRetentionDays: number | null;
}

type Field = Exclude<keyof Settings, 'maxConfigurableScreenRecordingStreams'>;

interface FieldDef {
  readonly key: Field;
  readonly label: string;
  readonly hint: string;
  readonly permission: string;
  readonly kind: 'number' | 'boolean';
  readonly min?: number;
  readonly max?: number;
}

const FIELDS: readonly FieldDef[] = [
  { key: 'snippetRetentionDays', label: 'Snippet retention (days)', hint: 'How long snippet recordings are kept unless a policy says otherwise.', permission: 'recording:settings:editRetention', kind: 'number', min: 1, max: 36500 },
  {
    key: 'maxInteractionRetentionDays',
    label: 'Maximum retention of interaction data (days)',
    hint: 'Caps every recording, those already decided included. Once set it cannot be removed; leave empty for no maximum.',
    permission: 'recording:settings:editRetention',
    kind: 'number',
    min: 1,
    max: 36500,
  },
  { key: 'maxSimultaneousStreams', label: 'Simultaneous screen recordings', hint: '0 stops new screen recordings from starting.', permission: 'recording:settings:editScreenRecordings', kind: 'number', min: 0 },
  { key: 'recordingPlaybackUrlTtl', label: 'Playback link lifetime (minutes)', hint: '2 to 60 minutes.', permission: 'recording:settings:editUrlExpiration', kind: 'number', min: 2, max: 60 },
  { key: 'recordingBatchDownloadUrlTtl', label: 'Batch download link lifetime (minutes)', hint: '2 to 60 minutes.', permission: 'recording:settings:editUrlExpiration', kind: 'number', min: 2, max: 60 },
  { key: 'regionalRecordingStorageEnabled', label: 'Store recordings in the region of their trunk or station', hint: 'Otherwise every recording is stored in the home region.', permission: 'recording:settings:editRegionalStorage', kind: 'boolean' },
  {
    key: 'stopRecordingWhenOnlyExternalParticipants',
    label: 'Stop recording when only external participants remain',
    hint: 'For example after an external transfer.',
    permission: 'recording:settings:editConferenceRecording',
    kind: 'boolean',
  },
];

export const SETTINGS_PERMISSIONS = [...new Set([...FIELDS.map((f) => f.permission), 'recording:settings:editHierarchyAccessControl'])];

export function SettingsPage() {
  const { data, error, loading, reload } = useLoad(() => api<Settings>('GET', '/api/v2/recording/settings?createDefault=true'), []);
  if (loading && !data) return <Loading what="the recording settings" />;
  if (!data) return <ErrorState error={error} retry={reload} />;
  return <SettingsForm saved={data} onSaved={reload} />;
}

const text = (v: Settings[Field]) => (v === null ? '' : String(v));

function SettingsForm({ saved, onSaved }: { saved: Settings; onSaved: () => void }) {
  const me = useMe();
  const [values, setValues] = useState<Record<Field, string | boolean>>(
    () => Object.fromEntries(FIELDS.map((f) => [f.key, f.kind === 'boolean' ? saved[f.key] : text(saved[f.key])])) as Record<Field, string | boolean>,
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const changes = () => {
    const out: Partial<Record<Field, number | boolean | null>> = {};
    for (const f of FIELDS) {
      const v = values[f.key];
      const next = f.kind === 'boolean' ? v : v === '' ? null : Number(v);
      if (next !== saved[f.key]) out[f.key] = next as number | boolean | null;
    }
    return out;
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const change = changes();
    setErrors(NO_ERRORS);
    setNotice(null);
    if (!Object.keys(change).length) {
      setNotice('Nothing changed.');
      return;
    }
    setSaving(true);
    try {
      await api('PUT', '/api/v2/recording/settings', change);
      setNotice('Settings saved.');
      onSaved();
    } catch (err) {
      setErrors(formErrors(err, FIELDS.map((f) => f.key)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Recording settings</h1>
      <form onSubmit={save} noValidate>
        <FormAlert errors={errors} />
        {notice ? <Notice>{notice}</Notice> : null}
        <div className="panel form-grid">
          {FIELDS.map((f) => {
            const id = `setting-${f.key}`;
            const disabled = !can(me, f.permission);
            const errs = errors.fields[f.key];
            const max = f.key === 'maxSimultaneousStreams' ? saved.maxConfigurableScreenRecordingStreams : f.max;
            return f.kind === 'boolean' ? (
              <label key={f.key} className="inline">
                <input
                  id={id}
                  type="checkbox"
                  checked={values[f.key] as boolean}
                  disabled={disabled}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.checked }))}
                  {...invalid(id, errs)}
                />
                <span>
                  {f.label}
                  <span className="hint"> {f.hint}</span>
                  <FieldError id={id} errors={errs} />
                </span>
              </label>
            ) : (
              <label key={f.key}>
                {f.label}
                <input
                  id={id}
                  type="number"
                  min={f.min}
                  max={max}
                  value={values[f.key] as string}
                  disabled={disabled}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
                  {...invalid(id, errs)}
                />
                <span className="hint">
                  {f.hint}
                  {f.key === 'maxSimultaneousStreams' ? ` At most ${saved.maxConfigurableScreenRecordingStreams}.` : ''}
                </span>
                <FieldError id={id} errors={errs} />
              </label>
            );
          })}
        </div>
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </section>
  );
}
