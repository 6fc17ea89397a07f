import path from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { systemPrincipal, type Caller } from '../domain/access/principal.js';
import { DEFAULT_ORG_ID, createServices, type Services } from '../services/index.js';
import { systemClock } from '../store/clock.js';
import { migrate, openDatabase } from '../store/db.js';

/**
 * The commands that administer an install (users, clients, audit) work on its database directly,
 * found the way `capstan serve` finds it (DATABASE_URL, or the SQLite file in CAPSTAN_DATA_DIR),
 * so they work before anyone can sign in and while the server runs.
 */

export function loadConfigOrExit(env: NodeJS.ProcessEnv): Config {
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

export interface CommandContext {
  readonly services: Services;
  readonly orgId: string;
  /** Capstan acting for the operator at the command line (audited as such). */
  readonly caller: Caller;
}

/** Opens the install's database (migrated) and its services; `readOnly` commands create no organization. */
export async function withServices<T>(
  options: { dataDir?: string; org?: string; readOnly?: boolean },
  command: string,
  run: (ctx: CommandContext) => Promise<T>,
): Promise<T> {
  const config = loadConfigOrExit({ ...process.env, ...(options.dataDir ? { CAPSTAN_DATA_DIR: options.dataDir } : {}) });
  const db = openDatabase({ url: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'capstan.db'), poolSize: 2 });
  try {
    await migrate(db);
    const services = createServices(config, db, systemClock, pino({ level: 'silent' }));
    const orgId = options.org ?? DEFAULT_ORG_ID;
    if (!options.readOnly) {
      await services.organizations.ensure(orgId, orgId === DEFAULT_ORG_ID ? 'Default organization' : orgId, systemClock.now());
      await services.roles.ensureDefaults(orgId);
    }
    return await run({ services, orgId, caller: { principal: systemPrincipal(orgId, `capstan ${command} (command line)`) } });
  } finally {
    await db.close();
  }
}

/** Reads a secret piped on standard input (never from the command line, where `ps` and shell history see it). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prints rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export interface InstallOptions {
  readonly dataDir?: string;
  readonly org: string;
}

/** The options every administration command takes: where the install's data is, which organization. */
export function installOptions(command: Command): Command {
  return command.option('-d, --data-dir <dir>', 'data folder (overrides CAPSTAN_DATA_DIR)').option('--org <id>', 'organization', DEFAULT_ORG_ID);
}

/** Commander option parser for a repeatable option (`--role a --role b`). */
export const collect = (value: string, previous: string[]) => [...previous, value];
