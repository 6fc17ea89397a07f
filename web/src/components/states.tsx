import type { ReactNode } from 'react';
import { ApiFailure } from '../api';

/** Loading, empty and error states: each says what is going on and what the user can do. */

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

/** What to tell the user about a failed request, by status. */
export function advice(err: unknown): string {
  if (!(err instanceof ApiFailure)) return 'Something went wrong in the page. Reload it and try again.';
  if (err.status === 0) return err.message;
  if (err.status === 401) return 'Your session has ended. Sign in again.';
  if (err.status === 403) return 'You do not have permission for this. Ask an administrator if you need it.';
  if (err.status === 404) return 'It does not exist (any more). It may have been deleted.';
  if (err.status === 409) return `${err.message} Reload to see the current state.`;
  if (err.status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (err.status >= 500) return `Capstan could not do this (${err.message}). Try again; if it keeps failing, tell your administrator the time.`;
  return err.message;
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{advice(error)}</strong>
      {error instanceof ApiFailure && error.details.length > 0 ? (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>
              {d.fieldName ? <code>{d.fieldName}</code> : null} {d.errorCode}
            </li>
          ))}
        </ul>
      ) : null}
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
