import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { buildApi } from './api/app.js';
import { tokenAuthenticator, type Authenticator } from './api/auth.js';
import { healthRoutes } from './api/routes/health.routes.js';
import { ROUTES } from './api/routes/index.js';
import type { Config } from './config/config.js';
import { startConnectors } from './ingest/connectors.js';
import { NATIVE_MEDIA_PATH, nativeMediaRoute } from './ingest/native-media.socket.js';
import { UpgradeDispatcher } from './ingest/upgrade-dispatcher.js';
import { createLogger } from './log.js';
import { bootstrapIdentity, type FirstRunCredentials } from './services/bootstrap.js';
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
  /** Generated on the first start of an install nobody can sign in to yet: print them once. */
  readonly firstRun: FirstRunCredentials | undefined;
  /** Where connectors register their WebSocket paths (ingest role). */
  readonly sockets: UpgradeDispatcher;
  /** Drains live work, stops listening and closes the stores. */
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** How requests are authenticated (tests substitute their own); bearer tokens and sessions by default. */
  readonly authenticator?: (services: Services) => Authenticator;
}

const TOKEN_SWEEP_MS = 60 * 60_000;
/**
 * Connections the kernel may queue before they are accepted (capped by `net.core.somaxconn`).
 * Node's 511 overflows when calls end in a burst (each end brings an events request and a
 * recordings request) while the core is busy: the connection attempts are then dropped and the
 * platform's client retries or times out, though the server would have served them seconds later.
 */
const LISTEN_BACKLOG = 4096;

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true });
  const db = openDatabase({ url: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'capstan.db'), backgroundCheckpoints: true });
  const applied = await migrate(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');

  const services = createServices(config, db, clock, logger);
  await services.organizations.ensure(DEFAULT_ORG_ID, 'Default organization', clock.now());
  const firstRun = await bootstrapIdentity(services, DEFAULT_ORG_ID);
  const sweeper = setInterval(() => {
    services.auth.sweep().catch((err: unknown) => logger.warn({ err }, 'could not remove expired tokens'));
  }, TOKEN_SWEEP_MS);
  sweeper.unref();
  services.lifecycle.onDrain('token sweeper', async () => clearInterval(sweeper));

  const authenticator = (options.authenticator ?? tokenAuthenticator)(services);
  const app = await buildApi({
    services,
    authenticator,
    logger,
    routes: config.roles.includes('api') ? ROUTES : healthRoutes,
  });

  // Recordings a previous process left open are finished (partial) before anything new arrives.
  await services.media.start();
  services.eventLoop.start();
  const sockets = new UpgradeDispatcher({ maxPayload: config.mediaMaxMessageBytes });
  if (config.roles.includes('ingest')) {
    sockets.register(
      nativeMediaRoute({
        ingest: services.media,
        // The upgrade request carries the same credentials as any API request (headers, cookies).
        authenticate: (request) => authenticator.authenticate({ headers: request.headers, raw: request } as unknown as FastifyRequest),
        refused: async (request, principal, code, message) => {
          await services.audit
            .recordRefusal({ principal, remoteIp: request.socket.remoteAddress, route: `GET ${NATIVE_MEDIA_PATH}`, code, message })
            .catch((err: unknown) => logger.error({ err }, 'could not audit a refused access'));
        },
        logger,
      }),
    );
  }
  sockets.attach(app.server);
  services.lifecycle.onDrain('media', async () => {
    await services.media.drain();
    sockets.closeAll();
  });
  if (config.roles.includes('ingest')) {
    const connectors = await startConnectors(services);
    for (const route of connectors.routes) sockets.register(route);
    // Drained before the media pipeline (hooks run last registered first): sources close, then recordings finish.
    services.lifecycle.onDrain('connectors', () => connectors.drain());
  }
  await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
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
    firstRun,
    sockets,
    close() {
      closing ??= (async () => {
        const failed = await services.lifecycle.drain();
        if (failed.length) logger.error({ failed }, 'some work did not drain cleanly');
        await app.close();
        services.eventLoop.stop();
        await db.close();
      })();
      return closing;
    },
  };
}
