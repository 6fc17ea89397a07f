import { FieldError, invalid, TextField } from './common';
import { MultiPicker, SinglePicker } from './pickers';
import type { FieldProps } from './policy-editor';
import type { DurationMode, RetentionChoice } from './policy-model';

/** The conditions and actions sections of the policy editor. */

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function ConditionFields({ draft, set, errors, disabled, directory }: FieldProps) {
  const f = errors.fields;
  return (
    <fieldset className="panel">
      <legend>Conditions</legend>
      <p className="hint">Every condition you fill in must hold; within a list, any entry will do. Leave all empty to match every call.</p>
      <div className="form-grid">
        <MultiPicker
          id="cond-users"
          legend="Users on the call"
          options={directory.users}
          value={draft.users}
          onChange={(v) => set('users', v)}
          errors={f['conditions.forUsers']}
          disabled={disabled}
        />
        <MultiPicker
          id="cond-queues"
          legend="Queues"
          options={directory.queues}
          value={draft.queues}
          onChange={(v) => set('queues', v)}
          errors={f['conditions.forQueues']}
          disabled={disabled}
        />
        <fieldset className="picker" {...invalid('cond-directions', f['conditions.directions'])}>
          <legend>Directions</legend>
          {['INBOUND', 'OUTBOUND'].map((d) => (
            <label key={d} className="inline">
              <input
                type="checkbox"
                disabled={disabled}
                checked={draft.directions.includes(d)}
                onChange={(e) => set('directions', e.target.checked ? [...draft.directions, d] : draft.directions.filter((x) => x !== d))}
              />
              {d === 'INBOUND' ? 'Inbound' : 'Outbound'}
            </label>
          ))}
          <span className="hint">Internal calls match neither.</span>
          <FieldError id="cond-directions" errors={f['conditions.directions']} />
        </fieldset>
        <TextField id="cond-wrapups" label="Wrap-up codes" value={draft.wrapupCodes} onChange={(v) => set('wrapupCodes', v)} disabled={disabled} placeholder="e.g. sale, complaint" errors={f['conditions.wrapupCodes']} />
        <TextField id="cond-languages" label="Languages" value={draft.languages} onChange={(v) => set('languages', v)} disabled={disabled} placeholder="e.g. en-US, fr" errors={f['conditions.languages']} />
      </div>

      <h3>Duration</h3>
      <div className="form-grid">
        <label>
          Duration
          <select id="cond-duration-mode" value={draft.durationMode} disabled={disabled} onChange={(e) => set('durationMode', e.target.value as DurationMode)}>
            <option value="">Any duration</option>
            <option value="Over">Over</option>
            <option value="Under">Under</option>
            <option value="Between">Between</option>
          </select>
        </label>
        {draft.durationMode ? (
          <label>
            {draft.durationMode === 'Between' ? 'From' : 'Duration'} (ISO-8601, e.g. PT5M)
            <input id="cond-duration" value={draft.durationFrom} disabled={disabled} onChange={(e) => set('durationFrom', e.target.value)} {...invalid('cond-duration', f['conditions.duration'])} />
          </label>
        ) : null}
        {draft.durationMode === 'Between' ? (
          <label>
            To (ISO-8601, e.g. PT30M)
            <input value={draft.durationTo} disabled={disabled} onChange={(e) => set('durationTo', e.target.value)} {...invalid('cond-duration', f['conditions.duration'])} />
          </label>
        ) : null}
      </div>
      <FieldError id="cond-duration" errors={f['conditions.duration']} />

      <h3>Date ranges</h3>
      <p className="hint">The call starts within one of these ranges (your local time).</p>
      {draft.dateRanges.map((r, i) => (
        <div className="row" key={i}>
          <label>
            From
            <input type="datetime-local" value={r.start} disabled={disabled} onChange={(e) => set('dateRanges', draft.dateRanges.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} />
          </label>
          <label>
            Until
            <input type="datetime-local" value={r.end} disabled={disabled} onChange={(e) => set('dateRanges', draft.dateRanges.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} />
          </label>
          <button type="button" className="secondary" disabled={disabled} onClick={() => set('dateRanges', draft.dateRanges.filter((_, j) => j !== i))}>
            Remove<span className="sr-only"> date range {i + 1}</span>
          </button>
        </div>
      ))}
      <FieldError id="cond-dates" errors={f['conditions.dateRanges']} />
      <button type="button" className="secondary" disabled={disabled} onClick={() => set('dateRanges', [...draft.dateRanges, { start: '', end: '' }])}>
        Add date range
      </button>

      <h3>Time allowed</h3>
      <p className="hint">The call starts in one of these weekly time slots.</p>
      <label className="narrow">
        Time zone
        <input id="cond-timezone" value={draft.timeZoneId} disabled={disabled} placeholder="e.g. Europe/Paris" onChange={(e) => set('timeZoneId', e.target.value)} {...invalid('cond-timezone', f['conditions.timeAllowed'])} />
      </label>
      {draft.timeSlots.map((s, i) => {
        const update = (change: Partial<typeof s>) => set('timeSlots', draft.timeSlots.map((x, j) => (j === i ? { ...x, ...change } : x)));
        return (
          <div className="row" key={i}>
            <label>
              Day
              <select value={s.day} disabled={disabled} onChange={(e) => update({ day: Number(e.target.value) })}>
                {DAYS.map((d, n) => (
                  <option key={d} value={n + 1}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              From
              <input type="time" value={s.startTime} disabled={disabled} onChange={(e) => update({ startTime: e.target.value })} />
            </label>
            <label>
              Until
              <input type="time" value={s.stopTime} disabled={disabled} onChange={(e) => update({ stopTime: e.target.value })} />
            </label>
            <button type="button" className="secondary" disabled={disabled} onClick={() => set('timeSlots', draft.timeSlots.filter((_, j) => j !== i))}>
              Remove<span className="sr-only"> time slot {i + 1}</span>
            </button>
          </div>
        );
      })}
      <FieldError id="cond-timezone" errors={f['conditions.timeAllowed']} />
      <button type="button" className="secondary" disabled={disabled} onClick={() => set('timeSlots', [...draft.timeSlots, { day: 1, startTime: '08:00', stopTime: '18:00' }])}>
        Add time slot
      </button>
    </fieldset>
  );
}

const RETENTION: Array<[RetentionChoice, string, string]> = [
  ['retain', 'Retain', 'Keep the recordings (for the durations below, or indefinitely).'],
  ['delete', 'Delete at once', 'Delete the recordings as soon as the call ends.'],
  ['alwaysDelete', 'Always delete', 'Delete the recordings even when another policy would keep them.'],
];

export function ActionFields({ draft, set, errors, disabled, directory }: FieldProps) {
  const f = errors.fields;
  return (
    <fieldset className="panel">
      <legend>Actions</legend>
      <fieldset className="picker" {...invalid('act-retain', f['actions.retainRecording'])}>
        <legend>Recordings</legend>
        {RETENTION.map(([value, label, hint]) => (
          <label key={value} className="inline">
            <input type="radio" name="retention" value={value} disabled={disabled} checked={draft.retention === value} onChange={() => set('retention', value)} />
            {label} <span className="hint">{hint}</span>
          </label>
        ))}
        <FieldError id="act-retain" errors={f['actions.retainRecording']} />
      </fieldset>
      <div className="form-grid">
        <label>
          Archive after (days)
          <input id="act-archive" type="number" min={1} value={draft.archiveDays} disabled={disabled} onChange={(e) => set('archiveDays', e.target.value)} {...invalid('act-retention', f['actions.retentionDuration'])} />
        </label>
        <label>
          Delete after (days)
          <input id="act-delete" type="number" min={1} value={draft.deleteDays} disabled={disabled} onChange={(e) => set('deleteDays', e.target.value)} {...invalid('act-retention', f['actions.retentionDuration'])} />
        </label>
      </div>
      <span className="hint">Days from the recording's start; archive before delete.</span>
      <FieldError id="act-retention" errors={f['actions.retentionDuration']} />

      <h3>Export</h3>
      <div className="form-grid">
        <SinglePicker label="Export to integration" none="Do not export" options={directory.integrations} value={draft.exportIntegration} disabled={disabled} onChange={(v) => set('exportIntegration', v)} />
        {draft.exportIntegration ? (
          <label className="inline">
            <input type="checkbox" checked={draft.exportScreens} disabled={disabled} onChange={(e) => set('exportScreens', e.target.checked)} />
            Export screen recordings too
          </label>
        ) : null}
      </div>
      <FieldError id="act-export" errors={f['actions.integrationExport']} />

      <h3>Evaluations</h3>
      <p className="hint">Assign the call's first agent to an evaluator with a form.</p>
      {draft.evaluations.map((ev, i) => (
        <div className="row" key={i}>
          <label>
            Evaluation form id
            <input value={ev.formId} disabled={disabled} onChange={(e) => set('evaluations', draft.evaluations.map((x, j) => (j === i ? { ...x, formId: e.target.value } : x)))} />
          </label>
          <SinglePicker
            label="Evaluator"
            options={directory.users}
            value={ev.userId}
            disabled={disabled}
            onChange={(v) => set('evaluations', draft.evaluations.map((x, j) => (j === i ? { ...x, userId: v } : x)))}
          />
          <button type="button" className="secondary" disabled={disabled} onClick={() => set('evaluations', draft.evaluations.filter((_, j) => j !== i))}>
            Remove<span className="sr-only"> evaluation {i + 1}</span>
          </button>
        </div>
      ))}
      <FieldError id="act-evaluations" errors={f['actions.assignEvaluations']} />
      <button type="button" className="secondary" disabled={disabled} onClick={() => set('evaluations', [...draft.evaluations, { formId: '', userId: '' }])}>
        Add evaluation
      </button>

      <h3>Screen recordings</h3>
      <label className="inline">
        <input type="checkbox" checked={draft.screen} disabled={disabled} onChange={(e) => set('screen', e.target.checked)} />
        Screen record the agent and keep the screen recordings as below
      </label>
      {draft.screen ? (
        <div className="form-grid">
          <label className="inline">
            <input type="checkbox" checked={draft.screenACW} disabled={disabled} onChange={(e) => set('screenACW', e.target.checked)} />
            Include after-call work
          </label>
          <label>
            Archive screen recordings after (days)
            <input type="number" min={1} value={draft.screenArchiveDays} disabled={disabled} onChange={(e) => set('screenArchiveDays', e.target.value)} {...invalid('act-screen', f['actions.initiateScreenRecording'])} />
          </label>
          <label>
            Delete screen recordings after (days, at most 365)
            <input type="number" min={1} max={365} value={draft.screenDeleteDays} disabled={disabled} onChange={(e) => set('screenDeleteDays', e.target.value)} {...invalid('act-screen', f['actions.initiateScreenRecording'])} />
          </label>
        </div>
      ) : null}
      <FieldError id="act-screen" errors={f['actions.initiateScreenRecording']} />
    </fieldset>
  );
}
