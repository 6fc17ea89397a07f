import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/access/principal.js';
import type { Services } from '../services/index.js';

/**
 * How a request proves who it is: `Authorization: Bearer <token>` (an API client's token from
 * POST /oauth/token) or the web session cookie set by sign-in.
 */

export interface Authenticator {
  /** The principal behind the request, or undefined when it carries no (valid) credentials. */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
}

export const SESSION_COOKIE = 'capstan_session';

/** The bearer token or session cookie a request carries, if any. */
export function credentialsOf(request: FastifyRequest): { kind: 'bearer' | 'session'; token: string } | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? { kind: 'bearer', token: match[1]! } : undefined;
  }
  const session = cookie(request, SESSION_COOKIE);
  return session ? { kind: 'session', token: session } : undefined;
}

export function tokenAuthenticator(services: Services): Authenticator {
  return {
    async authenticate(request) {
      const credentials = credentialsOf(request);
      return credentials ? services.auth.authenticate(credentials.kind, credentials.token) : undefined;
    },
  };
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * The session cookie: HTTP-only (scripts cannot read it), SameSite=Strict (other sites cannot
 * make the browser send it, which also rules out cross-site request forgery), Secure over HTTPS.
 */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  void reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setSessionCookie(request, reply, '', 0);
}
