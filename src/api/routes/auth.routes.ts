import { z } from 'zod';
import { passwordSchema } from '../../domain/access/accounts.js';
import { ALL_PERMISSIONS, holds } from '../../domain/access/permissions.js';
import type { Principal } from '../../domain/access/principal.js';
import type { Services } from '../../services/index.js';
import { clearSessionCookie, credentialsOf, setSessionCookie } from '../auth.js';
import { ApiError } from '../errors.js';
import { callerOf, route } from '../route.js';

/**
 * Authentication: the OAuth2 client-credentials grant exactly as the reference SDK calls it
 * (`loginClientCredentialsGrant`), web sign-in and sign-out with a session cookie, and "who am I".
 */

const tokenBody = z.object({
  grant_type: z.string(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

const oauthError = (status: number, error: string, description: string) =>
  new ApiError(status, `oauth.${error}`, description, [], undefined, { error, error_description: description });

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 section 2.3.1: the id and secret are form-encoded before the Basic encoding.
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

async function renderMe(services: Services, principal: Principal) {
  const user = principal.userId ? await services.users.get(principal.orgId, principal.userId) : undefined;
  const roles = principal.kind === 'system' ? [] : await services.roles.list(principal.orgId);
  const held = principal.kind === 'user' ? user?.roleIds ?? [] : principal.kind === 'client' ? (await services.clients.get(principal.orgId, principal.id))?.roleIds ?? [] : [];
  return {
    id: principal.id,
    kind: principal.kind,
    name: principal.name,
    organization: { id: principal.orgId },
    ...(user ? { username: user.username, email: user.email, externalPartner: user.externalPartner } : {}),
    roles: roles.filter((r) => held.includes(r.id)).map((r) => ({ id: r.id, name: r.name })),
    /** The granted patterns, as the roles hold them (`*` included). */
    grants: [...principal.permissions].sort(),
    /** Every permission Capstan checks that the grants cover: what the UI tests against. */
    permissions: ALL_PERMISSIONS.filter((p) => holds(principal.permissions, p)),
    queueScopes: Object.fromEntries([...(principal.queueScopes ?? new Map())].map(([p, queues]) => [p, [...queues].sort()])),
  };
}

export const authRoutes = [
  route({
    method: 'POST',
    url: '/oauth/token',
    summary: 'OAuth2 client-credentials grant: HTTP Basic client auth, form body grant_type=client_credentials',
    tags: ['authentication'],
    access: 'public',
    body: tokenBody,
    async handler({ body, request, reply, services }) {
      if (body.grant_type !== 'client_credentials') {
        throw oauthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      }
      const basic = basicCredentials(request.headers.authorization);
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (!id || !secret) throw oauthError(401, 'invalid_client', 'Send the client id and secret with HTTP Basic authentication');
      let issued;
      try {
        issued = await services.auth.issueClientToken(id, secret, request.ip);
      } catch (err) {
        if ((err as { code?: string }).code === 'auth.invalidClient') throw oauthError(401, 'invalid_client', 'The client id or secret is not correct');
        throw err;
      }
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { access_token: issued.token, token_type: 'bearer', expires_in: Math.round((issued.expiresAtMs - services.clock.now()) / 1000) };
    },
  }),

  route({
    method: 'POST',
    url: '/api/v2/capstan/session',
    summary: 'Web sign-in with a username and password; sets the HTTP-only session cookie',
    tags: ['authentication'],
    access: 'public',
    body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
    async handler({ body, request, reply, services }) {
      const session = await services.auth.signIn(body.username, body.password, request.ip);
      setSessionCookie(request, reply, session.token, Math.round((session.expiresAtMs - services.clock.now()) / 1000));
      return renderMe(services, session.principal);
    },
  }),

  route({
    method: 'DELETE',
    url: '/api/v2/capstan/session',
    summary: 'Sign out: ends the web session and clears its cookie',
    tags: ['authentication'],
    access: 'authenticated',
    async handler({ principal, request, reply, services }) {
      const credentials = credentialsOf(request);
      if (credentials?.kind === 'session') await services.auth.signOut(callerOf({ principal, request }), credentials.token);
      clearSessionCookie(request, reply);
      return undefined;
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/session',
    summary: 'Whether this browser is signed in, and as whom: 200 either way, so that the web UI can ask without an error',
    tags: ['authentication'],
    access: 'public',
    async handler({ request, services }) {
      const credentials = credentialsOf(request);
      const principal = credentials ? await services.auth.authenticate(credentials.kind, credentials.token) : undefined;
      return principal ? { signedIn: true, me: await renderMe(services, principal) } : { signedIn: false };
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/me',
    summary: 'Who am I: the signed-in user or API client, its roles, permissions and queue scopes',
    tags: ['authentication'],
    access: 'authenticated',
    async handler({ principal, services }) {
      return renderMe(services, principal);
    },
  }),

  route({
    method: 'POST',
    url: '/api/v2/capstan/me/password',
    summary: 'Change my password (signed-in users); other sessions end and this one is renewed',
    tags: ['authentication'],
    access: 'authenticated',
    body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema }),
    async handler({ body, principal, request, reply, services }) {
      const session = await services.auth.changePassword(callerOf({ principal, request }), body.currentPassword, body.newPassword);
      setSessionCookie(request, reply, session.token, Math.round((session.expiresAtMs - services.clock.now()) / 1000));
      return undefined;
    },
  }),
];
