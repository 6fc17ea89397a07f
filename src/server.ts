import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { buildApi, openAccess, type Authenticator } from './api/app.js';
import { healthRoutes } from './api/routes/health.routes.js';
import { ROUTES } from './api/routes/index.js';
import type { Config } from './config/config.js';
import { nativeMediaRoute } from './ingest/native-media.socket.js';
import { UpgradeDispatcher } from './ingest/upgrade-dispatcher.js';
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
  /** Where connectors register their WebSocket paths (ingest role). */
  readonly sockets: UpgradeDispatcher;
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

  const authenticator = options.authenticator ?? openAccess(DEFAULT_ORG_ID);
  const app = await buildApi({
    services,
    authenticator,
    logger,
    routes: config.roles.includes('api') ? ROUTES : healthRoutes,
  });

  // Recordings a previous process left open are finished (partial) before anything new arrives.
  await services.media.start();
  const sockets = new UpgradeDispatcher({ maxPayload: config.mediaMaxMessageBytes });
  if (config.roles.includes('ingest')) {
    sockets.register(
      nativeMediaRoute({
        ingest: services.media,
        // The upgrade request carries the same credentials as any API request (headers, cookies).
        authenticate: (request) => authenticator.authenticate({ headers: request.headers, raw: request } as unknown as FastifyRequest),
        logger,
      }),
    );
  }
  sockets.attach(app.server);
  services.lifecycle.onDrain('media', async () => {
    await services.media.drain();
    sockets.closeAll();
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
    sockets,
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
