#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { createLogger } from '../log.js';
import { jobsCommand } from './jobs.command.js';
import { startServer } from '../server.js';

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
  CAPSTAN_CONFIG_FILE a JSON or YAML file with the same keys
Stops cleanly on SIGTERM or SIGINT: live media sessions are finalized first.`,
  )
  .action(async (opts: { port?: string; dataDir?: string }) => {
    const config = loadConfigOrExit({
      ...process.env,
      ...(opts.port ? { CAPSTAN_PORT: opts.port } : {}),
      ...(opts.dataDir ? { CAPSTAN_DATA_DIR: opts.dataDir } : {}),
    });
    const logger = createLogger(config.logLevel);
    const server = await startServer(config, { logger });
    logger.info({ url: server.url, dataDir: config.dataDir, database: config.databaseUrl ? 'postgres' : 'sqlite', roles: config.roles }, 'capstan is ready');
    process.stdout.write(`\nCapstan is running at ${config.publicUrl ?? server.url}\n  health:  ${server.url}/healthz\n  API:     ${server.url}/openapi.json\n  data:    ${config.dataDir}\n\n`);

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
  });

jobsCommand(program);

function loadConfigOrExit(env: NodeJS.ProcessEnv) {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`capstan: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
