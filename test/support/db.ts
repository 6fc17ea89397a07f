import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrate, openDatabase, type Db, type Dialect } from '../../src/store/db.js';

/**
 * Database code runs against SQLite always, and against PostgreSQL when
 * CAPSTAN_TEST_DATABASE_URL is set. Each PostgreSQL suite gets a database of its own, created
 * from that URL and dropped afterwards, so suites can run in parallel.
 */

export function testDialects(): Dialect[] {
  return process.env.CAPSTAN_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDb {
  readonly db: Db;
  readonly url?: string;
  cleanup(): Promise<void>;
}

export async function openTestDb(dialect: Dialect): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const db = openDatabase({ sqlitePath: ':memory:' });
    await migrate(db);
    return { db, cleanup: () => db.close() };
  }
  const adminUrl = process.env.CAPSTAN_TEST_DATABASE_URL!;
  const name = `capstan_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase({ url: url.toString(), poolSize: 4 });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async cleanup() {
      await db.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/** A describe block per dialect, with a migrated database shared by its tests. */
export function describeEachDialect(title: string, body: (db: () => Db, dialect: Dialect) => void): void {
  for (const dialect of testDialects()) {
    describe(`${title} [${dialect}]`, () => {
      let handle: TestDb | undefined;
      beforeAll(async () => {
        handle = await openTestDb(dialect);
      });
      afterAll(async () => {
        await handle?.cleanup();
      });
      body(() => handle!.db, dialect);
    });
  }
}
