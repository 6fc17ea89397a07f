import type { Option } from '../../components/directory';
import { FieldError, invalid, splitList } from './common';

/** Choosing users, queues and integrations by name where the user may list them, by id otherwise. */

/** Several ids: checkboxes by name when the options are known, a typed list of ids otherwise. */
export function MultiPicker({
  id,
  legend,
  hint,
  options,
  value,
  onChange,
  errors,
  disabled,
}: {
  id: string;
  legend: string;
  hint?: string;
  options: readonly Option[] | undefined;
  value: readonly string[];
  onChange: (ids: string[]) => void;
  errors?: readonly string[];
  disabled?: boolean;
}) {
  if (!options) {
    return (
      <label>
        {legend}
        <input
          id={id}
          value={value.join(', ')}
          disabled={disabled}
          placeholder="ids, separated by commas"
          onChange={(e) => onChange(splitList(e.target.value))}
          {...invalid(id, errors)}
        />
        {hint ? <span className="hint">{hint}</span> : null}
        <FieldError id={id} errors={errors} />
      </label>
    );
  }
  const unknown = value.filter((v) => !options.some((o) => o.id === v));
  return (
    <fieldset className="picker" {...invalid(id, errors)}>
      <legend>{legend}</legend>
      {hint ? <span className="hint">{hint}</span> : null}
      {options.length === 0 ? <span className="muted">None exist yet.</span> : null}
      <div className="picker-options">
        {[...options, ...unknown.map((u) => ({ id: u, name: `${u} (unknown)` }))].map((o) => (
          <label key={o.id} className="inline">
            <input
              type="checkbox"
              disabled={disabled}
              checked={value.includes(o.id)}
              onChange={(e) => onChange(e.target.checked ? [...value, o.id] : value.filter((v) => v !== o.id))}
            />
            {o.name}
          </label>
        ))}
      </div>
      <FieldError id={id} errors={errors} />
    </fieldset>
  );
}

/** One id: a select by name when the options are known, a typed id otherwise. */
export function SinglePicker({
  label,
  options,
  value,
  onChange,
  disabled,
  none = '—',
}: {
  label: string;
  options: readonly Option[] | undefined;
  value: string;
  onChange: (id: string) => void;
  disabled?: boolean;
  none?: string;
}) {
  return (
    <label>
      {label}
      {options ? (
        <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          <option value="">{none}</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
          {value && !options.some((o) => o.id === value) ? <option value={value}>{value} (unknown)</option> : null}
        </select>
      ) : (
        <input value={value} disabled={disabled} placeholder="id" onChange={(e) => onChange(e.target.value.trim())} />
      )}
    </label>
  );
}
