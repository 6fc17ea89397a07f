import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { startCheckpointer, withStatementCache } from './sqlite-connection.js';

/**
 * The metadata database: SQLite (better-sqlite3) by default, PostgreSQL when a URL is given.
 * One set of migrations serves both (src/store/migrations, applied in name order).
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres:// URL; when absent, SQLite at `sqlitePath`. */
  readonly url?: string;
  /** A file path, or ':memory:'. */
  readonly sqlitePath?: string;
  readonly poolSize?: number;
  /**
   * SQLite file: checkpoint the WAL in a worker thread instead of on the event loop (a
   * long-running server; short commands keep SQLite's automatic checkpoints).
   */
  readonly backgroundCheckpoints?: boolean;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

export function openDatabase(options: DbOptions): Db {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // Instants and counters are bigint columns; epoch milliseconds fit a JavaScript number.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8 || oid === PG_NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection dropped by the server (restart, failover, admin command) is discarded by
    // the pool and replaced on the next query; unhandled, its error would end the process.
    pool.on('error', () => undefined);
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
  }
  const file = options.sqlitePath ?? ':memory:';
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const checkpointer = options.backgroundCheckpoints && file !== ':memory:' ? startCheckpointer(file) : undefined;
  if (checkpointer) sqlite.pragma('wal_autocheckpoint = 0');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    kysely,
    dialect: 'sqlite',
    // The checkpointer's connection closes first, so that the last one to close checkpoints and removes the WAL.
    close: async () => {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Loads every module in the migrations folder (compiled .js, or .ts under the test runner). */
class FolderMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
      const match = /^(\d{4}_[\w-]+)\.(js|ts)$/.exec(file);
      if (!match || file.endsWith('.d.ts')) continue;
      migrations[match[1]!] = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Migration;
    }
    return migrations;
  }
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: new FolderMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}

/** Runs `fn` in a transaction. */
export function inTransaction<T>(db: Db, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(fn);
}

/** Locks a row for the rest of the transaction on PostgreSQL; SQLite transactions are already serial. */
export function forUpdate<Q extends { forUpdate(): Q }>(db: Db, query: Q): Q {
  return db.dialect === 'postgres' ? query.forUpdate() : query;
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
