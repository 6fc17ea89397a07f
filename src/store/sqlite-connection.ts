import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * What the SQLite connection needs beyond better-sqlite3's defaults to keep the event loop free:
 * prepared statements kept by their SQL (Kysely prepares a statement on every execution, which
 * costs more than running most of ours), and WAL checkpoints — the only writes SQLite `fsync`s
 * with `synchronous = NORMAL` — in a worker thread on a connection of its own, instead of in
 * whichever commit crosses the WAL's size limit on the event loop.
 */

/** Distinct statements kept; queries with a variable number of parameters make new ones. */
const STATEMENT_CACHE_SIZE = 500;

/** The database as Kysely sees it, preparing each distinct statement once. */
export function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      // A statement still iterating (a streamed query) cannot run again: that caller gets a new one.
      if (cached && !cached.busy) return cached;
      const statement = db.prepare(sql);
      if (!cached && cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}

export interface Checkpointer {
  stop(): Promise<void>;
}

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { timeout: 0 });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or gone: the next round tries again; the WAL only grows meanwhile.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints the WAL of `file` every `intervalMs` from a worker thread (PASSIVE: never waits for
 * or blocks readers and writers). The caller turns automatic checkpoints off on its own connection.
 */
export function startCheckpointer(file: string, intervalMs = 1000): Checkpointer {
  const worker = new Worker(CHECKPOINT_WORKER, {
    eval: true,
    workerData: { file, intervalMs, module: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    async stop() {
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
