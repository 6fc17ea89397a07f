import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApi, openAccess, type Authenticator } from './api/app.js';
import { healthRoutes } from './api/routes/health.routes.js';
import { ROUTES } from './api/routes/index.js';
import type { Config } from './config/config.js';
import { createLogger } from './log.js';
import { DEFAULT_ORG_ID, createServices, type Services } from './services/index.js';
import { systemClock, type Clock } from './store/clock.js';
import { migrate, openDatabase } from './store/db.js';

/**
 * Starts Capstan: opens and migrates the database, wires the services, and listens. The same
 * build runs every role; CAPSTAN_ROLES decides which parts this process serves.
 */

export interface RunningServer {
  /** Base URL of the HTTP listener, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly services: Services;
  readonly app: FastifyInstance;
  /** Drains live work, stops listening and closes the stores. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly authenticator?: Authenticator;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase({ url: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'capstan.db') });
  const applied = await migrate(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');

  const services = createServices(config, db, clock, logger);
  await services.organizations.ensure(DEFAULT_ORG_ID, 'Default organization', clock.now());

  const app = await buildApi({
    services,
    authenticator: options.authenticator ?? openAccess(DEFAULT_ORG_ID),
    logger,
    routes: config.roles.includes('api') ? ROUTES : healthRoutes,
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  if (config.roles.includes('worker')) {
    services.retention.worker.start();
    services.lifecycle.onDrain('worker', () => services.retention.worker.stop());
  }
  services.lifecycle.ready();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    services,
    app,
    close() {
      closing ??= (async () => {
        const failed = await services.lifecycle.drain();
        if (failed.length) logger.error({ failed }, 'some work did not drain cleanly');
        await app.close();
        await db.close();
      })();
      return closing;
    },
  };
}
