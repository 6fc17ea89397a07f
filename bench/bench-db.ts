import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Db, type Dialect } from '../src/store/db.js';

/** What the benchmarks share: a database of their own per dialect, and percentiles. */

/** The PostgreSQL server benchmarks may create databases on, if any. */
export const benchServerUrl = (): string | undefined => process.env.CAPSTAN_BENCH_DATABASE_URL ?? process.env.CAPSTAN_TEST_DATABASE_URL ?? process.env.DATABASE_URL;

/**
 * A fresh database: SQLite in a temporary folder, or a new PostgreSQL database on the server that
 * CAPSTAN_BENCH_DATABASE_URL (else CAPSTAN_TEST_DATABASE_URL, else DATABASE_URL) names. `drop` removes either.
 */
export async function openBench(dialect: Dialect): Promise<{ db: Db; dataDir: string; url?: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-bench-'));
  if (dialect === 'sqlite') {
    const db = openDatabase({ sqlitePath: path.join(dataDir, 'capstan.db') });
    return { db, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const admin = benchServerUrl()!;
  const name = `capstan_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = openDatabase({ url: url.toString() });
  return {
    db,
    dataDir,
    url: url.toString(),
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The value below which `p` percent of `values` fall (nearest rank). */
export const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
