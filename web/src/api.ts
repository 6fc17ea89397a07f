/**
 * The browser's way to the Capstan API: same origin, the HTTP-only session cookie set by sign-in,
 * JSON in and out. Failures carry the API's error body (docs/errors.md) so pages can say what
 * went wrong and what to do.
 */

export interface ErrorDetail {
  readonly errorCode?: string;
  readonly fieldName?: string;
  readonly entityId?: string;
  readonly entityName?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** Called when a request comes back 401: the session ended (signed out elsewhere, expired). */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiFailure(0, 'network.unreachable', 'Capstan could not be reached. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const err = (parsed ?? {}) as { code?: string; message?: string; details?: ErrorDetail[] };
    const failure = new ApiFailure(response.status, err.code ?? `http.${response.status}`, err.message ?? `${response.status} ${response.statusText}`, err.details ?? []);
    if (response.status === 401 && !path.endsWith('/capstan/session')) onSignedOut();
    throw failure;
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Builds a query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}
