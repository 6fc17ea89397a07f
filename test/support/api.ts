import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApi } from '../../src/api/app.js';
import { SESSION_COOKIE, credentialsOf, tokenAuthenticator, type Authenticator } from '../../src/api/auth.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { systemPrincipal, type Principal } from '../../src/domain/access/principal.js';
import { DEFAULT_ORG_ID, createServices, type Services } from '../../src/services/index.js';
import type { Clock } from '../../src/store/clock.js';
import type { Db } from '../../src/store/db.js';

export interface TestApi {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly config: Config;
}

export interface TestApiOptions {
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  /**
   * Who a request without credentials acts as: an administrator by default, a chosen principal,
   * or nobody (null: such requests get 401). Requests with a bearer token or a session cookie
   * are always authenticated for real.
   */
  readonly as?: Principal | null;
}

export const TEST_ADMIN: Principal = systemPrincipal(DEFAULT_ORG_ID, 'Test administrator');

/**
 * Real authentication for requests that carry a bearer token or a session cookie; the others act
 * as `fallback` (null: they get 401).
 */
export function actingAs(fallback: Principal | null): (services: Services) => Authenticator {
  return (services) => {
    const real = tokenAuthenticator(services);
    return { authenticate: async (request) => (credentialsOf(request) ? real.authenticate(request) : (fallback ?? undefined)) };
  };
}

/** The real API on a given database, driven through app.inject (no sockets). */
export async function testApi(db: Db, options: TestApiOptions = {}): Promise<TestApi> {
  const config = loadConfig({ CAPSTAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'capstan-test-')), ...options.env });
  const logger = pino({ level: 'silent' });
  const services = createServices(config, db, options.clock ?? { now: () => Date.now() }, logger);
  await services.organizations.ensure(DEFAULT_ORG_ID, 'Default organization', Date.now());
  await services.roles.ensureDefaults(DEFAULT_ORG_ID);
  services.lifecycle.ready();
  const authenticator = actingAs(options.as === undefined ? TEST_ADMIN : options.as)(services);
  const app = await buildApi({ services, authenticator, logger });
  return { app, services, config };
}

export interface TestUser {
  readonly id: string;
  readonly roleIds?: readonly string[];
  readonly name?: string;
  readonly externalPartner?: boolean;
}

/** Creates the user if needed (no password: quick) and opens a web session; returns the cookie header to send. */
export async function signedIn(api: TestApi, user: TestUser): Promise<{ cookie: string }> {
  const { services } = api;
  const admin = { principal: TEST_ADMIN };
  const existing = await services.users.get(DEFAULT_ORG_ID, user.id);
  if (!existing) {
    await services.users.create(admin, {
      id: user.id,
      name: user.name ?? user.id,
      roleIds: [...(user.roleIds ?? [])],
      state: 'active',
      externalPartner: user.externalPartner ?? false,
    });
  } else if (user.roleIds || user.externalPartner !== undefined) {
    await services.users.update(admin, user.id, {
      ...(user.roleIds ? { roleIds: [...user.roleIds] } : {}),
      ...(user.externalPartner !== undefined ? { externalPartner: user.externalPartner } : {}),
    });
  }
  const session = await services.auth.startSession(DEFAULT_ORG_ID, user.id);
  return { cookie: `${SESSION_COOKIE}=${session.token}` };
}
