import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApi, openAccess, type Authenticator } from '../../src/api/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { DEFAULT_ORG_ID, createServices, type Services } from '../../src/services/index.js';
import type { Clock } from '../../src/store/clock.js';
import type { Db } from '../../src/store/db.js';

export interface TestApi {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly config: Config;
}

/** The real API on a given database, driven through app.inject (no sockets). */
export async function testApi(db: Db, options: { env?: Record<string, string>; clock?: Clock; authenticator?: Authenticator } = {}): Promise<TestApi> {
  const config = loadConfig({ CAPSTAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'capstan-test-')), ...options.env });
  const logger = pino({ level: 'silent' });
  const services = createServices(config, db, options.clock ?? { now: () => Date.now() }, logger);
  await services.organizations.ensure(DEFAULT_ORG_ID, 'Default organization', Date.now());
  services.lifecycle.ready();
  const app = await buildApi({ services, authenticator: options.authenticator ?? openAccess(DEFAULT_ORG_ID), logger });
  return { app, services, config };
}
