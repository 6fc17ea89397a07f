/**
 * Capstan's public HTTP API as the simulator and the verifier see it: JSON requests with an
 * OAuth2 client-credentials token when API client credentials are given (`POST /oauth/token`,
 * HTTP Basic, form body), or a web session when a user's are (`POST /api/v2/capstan/session`),
 * renewed before a token expires and once more if a request is refused with 401.
 */

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A user's sign-in, for what only that user may see (their ad-hoc recordings). */
export interface UserCredentials {
  readonly username: string;
  readonly password: string;
}

/** A bearer token obtained elsewhere (`capstan jobs --token`): used as it is, never renewed. */
export interface BearerToken {
  readonly token: string;
}

export type Credentials = ClientCredentials | UserCredentials | BearerToken;

/** A field-level problem of a refused request, as the error body's `details` lists it. */
interface ErrorDetail {
  readonly fieldName?: string;
  readonly entityName?: string;
}

export class ApiCallError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    details: readonly ErrorDetail[] = [],
  ) {
    super(`${method} ${path}: ${status}${code ? ` ${code}` : ''}: ${message}${details.map((d) => `\n  ${d.fieldName ?? ''}: ${d.entityName ?? ''}`).join('')}`);
    this.name = 'ApiCallError';
  }
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

const TOKEN_MARGIN_MS = 30_000;
/** A session is used for this long before signing in again (sessions last hours; a run takes minutes). */
const SESSION_REUSE_MS = 10 * 60_000;

export class CapstanClient {
  readonly baseUrl: string;
  private token: { header: Record<string, string>; expiresAtMs: number } | undefined;
  private tokenRequest: Promise<Record<string, string>> | undefined;

  constructor(baseUrl: string, private readonly credentials?: Credentials) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Headers that authenticate a request (none without credentials). */
  async authHeaders(): Promise<Record<string, string>> {
    if (!this.credentials) return {};
    if ('token' in this.credentials) return { authorization: `Bearer ${this.credentials.token}` };
    if (this.token && this.token.expiresAtMs - TOKEN_MARGIN_MS > Date.now()) return this.token.header;
    this.tokenRequest ??= this.signIn(this.credentials).finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  /** The URL of a path on this server, for a WebSocket when `ws` is set. */
  url(pathOrUrl: string, ws = false): string {
    const url = new URL(pathOrUrl, `${this.baseUrl}/`);
    if (ws) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  async json<T>(method: string, path: string, body?: unknown, accept: readonly number[] = [200, 201, 202, 204]): Promise<ApiResponse<T>> {
    const response = await this.fetch(method, path, body);
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!accept.includes(response.status)) {
      const error = (parsed ?? {}) as { code?: string; message?: string; details?: ErrorDetail[] };
      throw new ApiCallError(method, path, response.status, error.code, error.message ?? text.slice(0, 300), error.details);
    }
    return { status: response.status, body: parsed as T };
  }

  /** A raw request (for media downloads): authenticated when the URL is on this server. */
  async fetch(method: string, pathOrUrl: string, body?: unknown): Promise<Response> {
    const url = this.url(pathOrUrl);
    const send = async () =>
      fetch(url, {
        method,
        headers: {
          ...(url.startsWith(this.baseUrl) ? await this.authHeaders() : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let response = await send();
    if (response.status === 401 && this.credentials && !('token' in this.credentials)) {
      this.token = undefined;
      await response.body?.cancel();
      response = await send();
    }
    return response;
  }

  private async signIn(credentials: ClientCredentials | UserCredentials): Promise<Record<string, string>> {
    if ('username' in credentials) {
      const response = await fetch(this.url('/api/v2/capstan/session'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      const body = (safeJson(await response.text()) ?? {}) as { code?: string; message?: string };
      const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
      if (response.status !== 200 || !cookie) {
        throw new ApiCallError('POST', '/api/v2/capstan/session', response.status, body.code, body.message ?? `could not sign in as ${credentials.username}`);
      }
      this.token = { header: { cookie }, expiresAtMs: Date.now() + SESSION_REUSE_MS };
      return this.token.header;
    }
    const { clientId, clientSecret } = credentials;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const response = await fetch(this.url('/oauth/token'), {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const text = await response.text();
    const body = (safeJson(text) ?? {}) as { access_token?: string; expires_in?: number; code?: string; message?: string };
    if (response.status !== 200 || !body.access_token) {
      throw new ApiCallError('POST', '/oauth/token', response.status, body.code, body.message ?? 'no access token in the answer');
    }
    this.token = { header: { authorization: `Bearer ${body.access_token}` }, expiresAtMs: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return this.token.header;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Credentials from flags, else from CAPSTAN_CLIENT_ID / CAPSTAN_CLIENT_SECRET; none when neither is set. */
export function credentialsFrom(flags: { clientId?: string; clientSecret?: string }, env: NodeJS.ProcessEnv = process.env): ClientCredentials | undefined {
  const clientId = flags.clientId ?? env.CAPSTAN_CLIENT_ID;
  const clientSecret = flags.clientSecret ?? env.CAPSTAN_CLIENT_SECRET;
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) throw new Error('both a client id and a client secret are needed (CAPSTAN_CLIENT_ID and CAPSTAN_CLIENT_SECRET, or --client-id and --client-secret)');
  return { clientId, clientSecret };
}
