#!/usr/bin/env node
// Live recordings write to disk from the thread pool while calls go on; libuv's default of four
// threads queues a finishing call's last write behind everyone's flushes. Set before any file I/O.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { Command } from 'commander';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer } from '../server.js';
import type { FirstRunCredentials } from '../services/bootstrap.js';
import { auditCommand } from './audit.command.js';
import { clientsCommand } from './clients.command.js';
import { jobsCommand } from './jobs.command.js';
import { loadConfigOrExit } from './context.js';
import { demoSkipReason, runDemo } from './demo.js';
import { registerSimCommands } from './sim.commands.js';
import { usersCommand } from './users.command.js';

const program = new Command();

program
  .name('capstan')
  .description('Capstan: call and screen recording for contact centers.\nConfiguration comes from the environment (docs/configuration.md).')
  .version('0.1.0');

program
  .command('serve')
  .description('Run the server: API, media ingest and workers, as CAPSTAN_ROLES says (default all)')
  .option('-p, --port <port>', 'HTTP port (overrides CAPSTAN_PORT, default 8080)')
  .option('-d, --data-dir <dir>', 'data folder (overrides CAPSTAN_DATA_DIR, default ./data)')
  .addHelpText(
    'after',
    `
Environment:
  CAPSTAN_PORT        HTTP port (8080)
  CAPSTAN_HOST        listen address (0.0.0.0)
  CAPSTAN_DATA_DIR    SQLite file, media and key file (./data)
  DATABASE_URL        postgres://... to use PostgreSQL instead of SQLite
  CAPSTAN_ROLES       api,ingest,worker (all)
  CAPSTAN_LOG_LEVEL   info
  CAPSTAN_AUDIOHOOK_API_KEY, CAPSTAN_AUDIOHOOK_CLIENT_SECRET
                      AudioHook credentials of the default organization (/audiohook)
  CAPSTAN_SIPREC_PORT SIPREC recording server on UDP and TCP (5060; 0 turns it off)
  CAPSTAN_TWILIO_AUTH_TOKEN
                      validates Twilio Media Streams (/twilio/media)
  CAPSTAN_MEDIA_FLUSH_MS  how long a live recording's partial tail may wait before it is written (5000)
  CAPSTAN_CONFIG_FILE a JSON or YAML file with the same keys
  CAPSTAN_ADMIN_CLIENT_ID, CAPSTAN_ADMIN_CLIENT_SECRET
                      an admin API client that exists after start-up
  CAPSTAN_ADMIN_USER, CAPSTAN_ADMIN_PASSWORD
                      an admin web user that exists after start-up
  CAPSTAN_DEMO        auto: the first start of an empty install also seeds a demo; off
Without those, the first start of an install nobody can sign in to creates an admin API
client and an admin user, and prints their credentials once; on an empty database it also
seeds a demo organization (users with each default role) and records a few demo calls.
The web UI is at / (built by npm run build into dist/web; docs/web-ui.md).
Audio: WebSocket /api/v2/capstan/media (docs/media-protocol.md); recordings at
/api/v2/conversations/{id}/recordings. Recordings left open by a crash are finished as partial
at start. Stops cleanly on SIGTERM or SIGINT: live media sessions are finalized first.`,
  )
  .action(async (opts: { port?: string; dataDir?: string }) => {
    const config = loadConfigOrExit({
      ...process.env,
      ...(opts.port ? { CAPSTAN_PORT: opts.port } : {}),
      ...(opts.dataDir ? { CAPSTAN_DATA_DIR: opts.dataDir } : {}),
    });
    const logger = createLogger(config.logLevel);
    // A stop asked for while starting is honoured once the server is up (it then drains as usual).
    let stopAsked: string | undefined;
    const early = (signal: string) => (stopAsked ??= signal);
    process.on('SIGTERM', early).on('SIGINT', early);
    const server = await startServer(config, { logger });
    process.off('SIGTERM', early).off('SIGINT', early);
    logger.info({ url: server.url, dataDir: config.dataDir, database: config.databaseUrl ? 'postgres' : 'sqlite', roles: config.roles }, 'capstan is ready');
    // One write, so that whoever waits for the banner also has the first-run credentials.
    process.stdout.write(
      `\nCapstan is running at ${config.publicUrl ?? server.url}\n  web UI:  ${config.publicUrl ?? server.url}/\n  health:  ${server.url}/healthz\n  API:     ${server.url}/openapi.json\n  data:    ${config.dataDir}\n\n` +
        (server.firstRun ? firstRunBanner(server.firstRun, config.publicUrl ?? server.url) : ''),
    );

    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining before exit');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'drain timed out; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    if (stopAsked) return stop(stopAsked);
    void showDemo(server, config, logger, () => stopping);
  });

usersCommand(program);
jobsCommand(program);
clientsCommand(program);
auditCommand(program);
registerSimCommands(program);

/** On the first start of an empty install, seeds and records the demo (src/cli/demo.ts) once the server is up. */
async function showDemo(server: RunningServer, config: Config, logger: Logger, stopping: () => boolean) {
  try {
    const skip = await demoSkipReason(server, config);
    if (skip) {
      logger.info({ reason: skip }, 'no demo');
      return;
    }
    process.stdout.write('Fresh install: seeding a demo organization and recording a few calls through the simulator...\n');
    const lines = await runDemo(server, server.firstRun!, logger);
    process.stdout.write(`${lines.join('\n')}\n\n`);
  } catch (err) {
    if (!stopping()) logger.error({ err }, 'the demo could not be set up');
  }
}

function firstRunBanner(credentials: FirstRunCredentials, url: string): string {
  return [
    'First start: nobody could sign in yet, so an administrator was created (shown once: store these now).',
    `  web sign-in:  username ${credentials.user.username}  password ${credentials.user.password}`,
    `  API client:   client id ${credentials.client.id}  secret ${credentials.client.secret}`,
    `  token:        curl -u '${credentials.client.id}:${credentials.client.secret}' -d grant_type=client_credentials ${url}/oauth/token`,
    '',
    '',
  ].join('\n');
}

program.parseAsync(process.argv).catch((err: unknown) => {
  const message =
    err instanceof ZodError
      ? err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n  ')
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`capstan: ${message}\n`);
  process.exit(1);
});
