import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createServices, DEFAULT_ORG_ID } from '../src/services/index.js';
import { migrate, type Db, type Dialect } from '../src/store/db.js';
import { openBench } from './bench-db.js';

/**
 * How long the lifecycle scheduler takes to apply due actions to 100,000 recordings, on SQLite
 * and (when CAPSTAN_BENCH_DATABASE_URL or CAPSTAN_TEST_DATABASE_URL names a server) PostgreSQL:
 * first every recording is due for archiving (copy to the archive folder, remove from the hot
 * one), then every one is due for deletion (remove from both, verify, forget its metadata). The
 * media are small objects in local folders, so the figures are the scheduler's own cost plus
 * real file operations. Usage: npm run bench:lifecycle [-- --recordings N]
 */

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECORDINGS = arg('recordings', 100_000);
const OBJECT_BYTES = 1024;
const DAY_MS = 86_400_000;
/** Recordings start this far apart, so that all of them fall due within one phase. */
const SPACING_MS = 100;

interface Phase {
  readonly seconds: number;
  readonly perSecond: number;
}

/** 100,000 ended conversations with one trunk recording each, its media on the hot store, and its lifecycle row. */
async function seed(db: Db, hotRoot: string, startMs: number): Promise<void> {
  const k = db.kysely;
  const payload = randomBytes(OBJECT_BYTES);
  const day = new Date(startMs).toISOString().slice(0, 10);
  const CHUNK = 500;
  for (let from = 0; from < RECORDINGS; from += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, RECORDINGS - from) }, (_, i) => from + i);
    const rec = (i: number) => `rec-${String(i).padStart(7, '0')}`;
    const conv = (i: number) => `conv-${String(i).padStart(7, '0')}`;
    const key = (i: number) => `${DEFAULT_ORG_ID}/recordings/${day}/${rec(i)}`;
    const at = (i: number) => startMs + i * SPACING_MS;
    await k
      .insertInto('conversations')
      .values(ids.map((i) => ({ org_id: DEFAULT_ORG_ID, id: conv(i), direction: 'inbound', trunk_id: 't1', ani: null, dnis: null, region: null, started_at: at(i), ended_at: at(i) + 60_000, last_event_at: at(i) + 60_000, media_high_water_at: null, duration_ms: 60_000, event_count: 0, created_at: at(i), updated_at: at(i) })))
      .execute();
    await k
      .insertInto('recordings')
      .values(
        ids.map((i) => ({
          id: rec(i),
          org_id: DEFAULT_ORG_ID,
          conversation_id: conv(i),
          plan_key: 'trunk:c',
          kind: 'trunk',
          participant_id: 'c',
          user_id: null,
          file_role: 'CUSTOMER_EXPERIENCE',
          channels: '[]',
          audio: JSON.stringify({ format: 'WAV_ULAW', dualChannel: true, sampleRate: 8000, beepTone: false }),
          region: null,
          status: 'stopped',
          discard_reason: null,
          spans: '[]',
          started_at: at(i),
          stopped_at: at(i) + 60_000,
          created_at: at(i),
          updated_at: at(i),
          media_state: 'AVAILABLE',
          partial: 0,
          blob_key: key(i),
          key_id: 'bench',
          media_format: 'WAV_ULAW',
          media_channels: 2,
          media_sample_rate: 8000,
          body_bytes: OBJECT_BYTES,
          size_bytes: OBJECT_BYTES,
          duration_ms: 60_000,
          health: null,
          media_updated_at: at(i),
        })),
      )
      .execute();
    await k
      .insertInto('recording_lifecycle')
      .values(
        ids.map((i) => ({
          recording_id: rec(i),
          org_id: DEFAULT_ORG_ID,
          conversation_id: conv(i),
          kind: 'trunk',
          started_at: at(i),
          file_state: 'AVAILABLE',
          archive_at: at(i) + DAY_MS,
          delete_at: at(i) + 2 * DAY_MS,
          export_at: null,
          exported_at: null,
          export_integration_id: null,
          restore_until: null,
          protected: 0,
          due_at: at(i) + DAY_MS,
          lease_owner: null,
          lease_until: null,
          attempts: 0,
          last_error: null,
          decision: null,
          evaluated_at: at(i) + 60_000,
          updated_at: at(i) + 60_000,
        })),
      )
      .execute();
    const dir = path.join(hotRoot, 'objects', DEFAULT_ORG_ID, 'recordings', day);
    mkdirSync(dir, { recursive: true });
    await Promise.all(ids.map((i) => writeFile(path.join(dir, rec(i)), payload)));
  }
}

async function runDialect(dialect: Dialect): Promise<{ archive: Phase; delete: Phase }> {
  const bench = await openBench(dialect);
  try {
    await migrate(bench.db);
    const config = loadConfig({ CAPSTAN_DATA_DIR: bench.dataDir, ...(bench.url ? { DATABASE_URL: bench.url } : {}) });
    const start = Date.parse('2026-01-01T00:00:00Z');
    const clock = { t: start, now() { return this.t; } };
    const services = createServices(config, bench.db, clock, pino({ level: 'silent' }));
    await services.organizations.ensure(DEFAULT_ORG_ID, 'Default organization', start);
    if (config.storage.media.kind !== 'local') throw new Error('the benchmark seeds a local hot folder');
    process.stdout.write(`${dialect}: seeding ${RECORDINGS.toLocaleString('en')} recordings… `);
    const seeded = Date.now();
    await seed(bench.db, config.storage.media.root, start);
    process.stdout.write(`${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);

    const phase = async (name: string, at: number, expect: string): Promise<Phase> => {
      clock.t = at;
      const t0 = process.hrtime.bigint();
      let done = 0;
      for (let n = await services.retention.scheduler.runDue(); n > 0; n = await services.retention.scheduler.runDue()) done += n;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const row = await bench.db.kysely.selectFrom('recording_lifecycle').select((eb) => eb.fn.countAll<number>().as('n')).where('file_state', '=', expect).executeTakeFirst();
      if (Number(row?.n) !== RECORDINGS) throw new Error(`${name}: ${row?.n} of ${RECORDINGS} recordings are ${expect}`);
      const out = { seconds: round(seconds), perSecond: Math.round(RECORDINGS / seconds) };
      process.stdout.write(`${dialect}: ${name} ${RECORDINGS.toLocaleString('en')} recordings in ${out.seconds} s (${out.perSecond.toLocaleString('en')}/s, ${done.toLocaleString('en')} rows claimed)\n`);
      return out;
    };
    const last = start + (RECORDINGS - 1) * SPACING_MS;
    const archive = await phase('archive', last + DAY_MS, 'ARCHIVED');
    const del = await phase('delete', last + 2 * DAY_MS, 'DELETED');
    return { archive, delete: del };
  } finally {
    await bench.db.close();
    await bench.drop();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

const dialects: Dialect[] = process.env.CAPSTAN_BENCH_DATABASE_URL || process.env.CAPSTAN_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const results: Record<string, unknown> = { recordings: RECORDINGS, objectBytes: OBJECT_BYTES };
for (const dialect of dialects) results[dialect] = await runDialect(dialect);
if (!dialects.includes('postgres')) process.stdout.write('postgres: skipped (set CAPSTAN_BENCH_DATABASE_URL)\n');
process.stdout.write(`${JSON.stringify({ bench: 'lifecycle', ...results })}\n`);
