import { useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { api, ApiFailure, query, type ErrorDetail } from '../../api';
import { advice } from '../../components/states';
import { useLoad } from '../../components/use-api';

/** Pieces the administration pages share: field-level errors, confirmation, dates. */

/** A failed save split into what belongs next to a field and what belongs at the top of the form. */
export interface FormErrors {
  readonly summary: string | null;
  /** Field key → messages; a detail goes to the longest key its fieldName starts with. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** Details no field of the form shows. */
  readonly other: readonly string[];
}

export const NO_ERRORS: FormErrors = { summary: null, fields: {}, other: [] };

function describe(d: ErrorDetail): string {
  return d.entityName ? `${d.entityName}${d.errorCode ? ` (${d.errorCode})` : ''}` : (d.errorCode ?? 'invalid');
}

/**
 * Sorts the API's `details` onto the form's fields. `strip` is a prefix the API puts before the
 * form's own field names (e.g. `mediaPolicies.callPolicy.`).
 */
export function formErrors(err: unknown, keys: readonly string[], strip: readonly string[] = []): FormErrors {
  const fields: Record<string, string[]> = {};
  const other: string[] = [];
  const details = err instanceof ApiFailure ? err.details : [];
  for (const d of details) {
    let name = d.fieldName ?? '';
    for (const prefix of strip) if (name.startsWith(prefix)) name = name.slice(prefix.length);
    const key = keys.filter((k) => name === k || name.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
    if (key) (fields[key] ??= []).push(describe(d));
    else other.push(`${d.fieldName ? `${d.fieldName}: ` : ''}${describe(d)}`);
  }
  return { summary: advice(err), fields, other };
}

/** The messages for one field, tied to its input by `id` (`aria-describedby={errorId(id)}`). */
export function FieldError({ id, errors }: { id: string; errors?: readonly string[] }) {
  if (!errors?.length) return null;
  return (
    <span className="field-error" id={errorId(id)}>
      {errors.join('; ')}
    </span>
  );
}

export const errorId = (id: string) => `${id}-error`;

/** Props that mark an input invalid and point at its message. */
export function invalid(id: string, errors?: readonly string[]) {
  return errors?.length ? { 'aria-invalid': true as const, 'aria-describedby': errorId(id) } : {};
}

/**
 * A form's save: `submit(action)` is its onSubmit handler; while the action runs `saving` is
 * true, and when it fails `errors` holds the API's details sorted onto `keys` (see formErrors).
 */
export function useSave(keys: readonly string[], strip: readonly string[] = []) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);
  const submit = (action: () => Promise<unknown>) => async (e?: FormEvent) => {
    e?.preventDefault();
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      await action();
    } catch (err) {
      setErrors(formErrors(err, keys, strip));
    } finally {
      setSaving(false);
    }
  };
  return { errors, saving, submit };
}

/** A labelled text (or number, email, password…) input with its hint and its errors from the API. */
export function TextField({
  id,
  label,
  value,
  onChange,
  errors,
  hint,
  className,
  ...input
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  errors?: readonly string[];
  hint?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <label className={className}>
      {label}
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} {...input} {...invalid(id, errors)} />
      {hint ? <span className="hint">{hint}</span> : null}
      <FieldError id={id} errors={errors} />
    </label>
  );
}

/** The top of a form after a failed save: what went wrong, and the details no field shows. */
export function FormAlert({ errors }: { errors: FormErrors }) {
  if (!errors.summary) return null;
  const fieldCount = Object.values(errors.fields).reduce((n, list) => n + list.length, 0);
  return (
    <div className="form-alert" role="alert">
      <strong>{errors.summary}</strong>
      {fieldCount ? <div>Correct the {fieldCount === 1 ? 'field' : `${fieldCount} fields`} marked below and save again.</div> : null}
      {errors.other.length ? (
        <ul>
          {errors.other.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A button that asks before it acts, in a modal dialog (Escape or Cancel backs out). */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  className = 'danger',
  disabled,
}: {
  label: ReactNode;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  className?: string;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  return (
    <>
      <button type="button" className={className} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open ? (
        <dialog ref={dialog} className="confirm" onClose={() => setOpen(false)} aria-label={confirmLabel}>
          <p>{question}</p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setOpen(false)} autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className={className}
              onClick={() => {
                setOpen(false);
                void onConfirm();
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </dialog>
      ) : null}
    </>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** `<input type="datetime-local">` value for an instant (local time, minutes). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** The instant a `datetime-local` value names, as ISO-8601 with zone; '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  const ms = value ? new Date(value).getTime() : Number.NaN;
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** Splits a list typed as text: commas, spaces or new lines. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A status line that screen readers announce ("Saved."). */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

/**
 * Actions taken from a list (enable, delete, execute…): `run` does one and says how it went in
 * `messages` (a status line, or an alert with what to do); `after` runs either way (a reload).
 */
export function useActions(after: () => void, initial: string | null = null) {
  const [notice, setNotice] = useState<string | null>(initial);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (what: () => Promise<unknown>, done: string) => {
    setNotice(null);
    setFailure(null);
    try {
      await what();
      setNotice(done);
    } catch (err) {
      setFailure(advice(err));
    }
    after();
  };
  const messages = (
    <>
      {notice ? <Notice>{notice}</Notice> : null}
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
    </>
  );
  return { run, messages, say: setNotice, clear: () => (setNotice(null), setFailure(null)) };
}

/** A keyset listing read page by page: the pages asked for so far, and `more` for the next one. */
export function usePages<T>(path: string, pageSize = 200) {
  const [count, setCount] = useState(1);
  const loaded = useLoad(async () => {
    const entities: T[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < count && (i === 0 || cursor); i++) {
      const page = await api<{ entities: T[]; cursor?: string }>('GET', `${path}${query({ pageSize, cursor })}`);
      entities.push(...page.entities);
      cursor = page.cursor;
    }
    return { entities, more: cursor !== undefined };
  }, [path, count]);
  return { ...loaded, more: () => setCount((c) => c + 1) };
}

/** A table's header row; `actions` adds the (unlabelled on screen) column of row buttons. */
export function TableHead({ columns, actions = true }: { columns: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {actions ? (
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}
