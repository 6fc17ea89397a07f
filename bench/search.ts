import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { systemPrincipal } from '../src/domain/access/principal.js';
import { conversationDetailsQuerySchema } from '../src/domain/query/conversation-details.js';
import { ConversationDetailsService } from '../src/services/conversation-details.service.js';
import { ConversationQueryService } from '../src/services/conversation-query.service.js';
import { DEFAULT_ORG_ID } from '../src/services/index.js';
import { migrate, openDatabase, type Db, type Dialect } from '../src/store/db.js';
import { benchServerUrl, openBench, percentile } from './bench-db.js';

/**
 * Interaction search on a large organization: seeds 1,000,000 recordings (and their ~1,000,000
 * conversations with users, queues and wrap-up codes, spread over 90 days) by bulk inserts, then
 * asks for the first page (newest first, 25 rows, last 7 days) of typical searches, each many
 * times, through the search service the HTTP route calls. Prints first-page latency p50/p95/p99
 * per search and dialect, without and with `totalHits`; SQLite always, PostgreSQL when
 * CAPSTAN_BENCH_DATABASE_URL, CAPSTAN_TEST_DATABASE_URL or DATABASE_URL names a server.
 * Usage: npm run bench:search [-- --recordings N --runs N --only sqlite|postgres --keep]
 * (`--keep` leaves the seeded database in place and prints where, to look at query plans).
 */

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECORDINGS = arg('recordings', 1_000_000);
const RUNS = arg('runs', 30);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const KEEP = process.argv.includes('--keep');
const DAY_MS = 86_400_000;
const SPAN_DAYS = 90;
const AGENTS = 200;
const QUEUES = 25;
const CODES = 40;
const NOW = Date.now();

/** A deterministic pseudo-random sequence (mulberry32), so every run seeds the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pad = (n: number, width = 3) => String(n).padStart(width, '0');
const agent = (n: number) => `agent-${pad(n)}`;
const queue = (n: number) => `queue-${pad(n, 2)}`;
const code = (n: number) => `code-${pad(n, 2)}`;
const phone = (r: () => number) => `+1555${pad(Math.floor(r() * 10_000_000), 7)}`;
const COMPANY = Array.from({ length: 20 }, (_, i) => `+1800555${pad(i, 4)}`);

/** The rows of each table, column by column, for one chunk of conversations. */
interface Chunk {
  conversations: unknown[][];
  users: unknown[][];
  queues: unknown[][];
  wrapups: unknown[][];
  recordings: unknown[][];
}

const TABLES: Record<keyof Chunk, { table: string; columns: string[]; types: string[] }> = {
  conversations: {
    table: 'conversations',
    columns: ['org_id', 'id', 'direction', 'trunk_id', 'ani', 'dnis', 'started_at', 'ended_at', 'last_event_at', 'duration_ms', 'event_count', 'created_at', 'updated_at'],
    types: ['text', 'text', 'text', 'text', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'int4', 'int8', 'int8'],
  },
  users: { table: 'conversation_users', columns: ['org_id', 'conversation_id', 'user_id', 'purpose', 'first_at'], types: ['text', 'text', 'text', 'text', 'int8'] },
  queues: { table: 'conversation_queues', columns: ['org_id', 'conversation_id', 'queue_id'], types: ['text', 'text', 'text'] },
  wrapups: { table: 'conversation_wrapups', columns: ['org_id', 'conversation_id', 'participant_id', 'user_id', 'code'], types: ['text', 'text', 'text', 'text', 'text'] },
  recordings: {
    table: 'recordings',
    columns: ['id', 'org_id', 'conversation_id', 'plan_key', 'kind', 'participant_id', 'user_id', 'file_role', 'channels', 'status', 'spans', 'started_at', 'stopped_at', 'created_at', 'updated_at', 'media_state'],
    types: ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'text'],
  },
};

/**
 * Conversations `from` to `to` of `total`, oldest first: 70 % inbound through a queue, 25 %
 * outbound, 5 % internal; one agent each; 60 % with a wrap-up code; 10 % unrecorded, 80 % with a
 * trunk recording, 10 % with a second recording (station, consult, snippet or screen).
 */
function chunk(from: number, to: number, total: number): Chunk {
  const out: Chunk = { conversations: [], users: [], queues: [], wrapups: [], recordings: [] };
  const org = DEFAULT_ORG_ID;
  for (let i = from; i < to; i++) {
    const r = random(i + 1);
    const id = `conv-${pad(i, 7)}`;
    const start = NOW - SPAN_DAYS * DAY_MS + Math.floor((i * SPAN_DAYS * DAY_MS) / total);
    const ongoing = i >= total - 20;
    const duration = Math.min(7_200_000, 30_000 + Math.floor(-Math.log(1 - r()) * 300_000));
    const end = ongoing ? null : start + duration;
    const roll = r();
    const direction = roll < 0.7 ? 'inbound' : roll < 0.95 ? 'outbound' : 'internal';
    const company = COMPANY[Math.floor(r() * COMPANY.length)]!;
    const [ani, dnis] = direction === 'inbound' ? [phone(r), company] : direction === 'outbound' ? [company, phone(r)] : [null, null];
    const user = agent(Math.floor(r() * AGENTS));
    out.conversations.push([org, id, direction, direction === 'internal' ? null : 'trunk-1', ani, dnis, start, end, end ?? start, ongoing ? null : duration, 10, start, end ?? start]);
    out.users.push([org, id, user, direction === 'internal' ? 'user' : 'agent', start + 20_000]);
    if (direction === 'inbound' && r() < 0.9) out.queues.push([org, id, queue(Math.floor(r() * QUEUES))]);
    if (direction !== 'internal' && r() < 0.6) out.wrapups.push([org, id, 'a', user, code(Math.floor(r() * CODES))]);
    const recorded = r();
    const kinds = recorded < 0.1 ? [] : recorded < 0.9 ? ['trunk'] : ['trunk', ['station', 'consult', 'snippet', 'screen'][Math.floor(r() * 4)]!];
    kinds.forEach((kind, n) => {
      const status = ongoing ? 'active' : 'stopped';
      out.recordings.push([`rec-${pad(i, 7)}-${n}`, org, id, kind, kind, kind === 'trunk' ? 'c' : 'a', kind === 'trunk' ? null : user, 'main', '[]', status, '[]', start, end, start, end ?? start, 'AVAILABLE']);
    });
  }
  return out;
}

const CHUNK = 10_000;
/** About one recording per conversation (see chunk). */
const CONVERSATIONS = RECORDINGS;

interface Seeded {
  conversations: number;
  recordings: number;
}
const count = (seeded: Seeded, rows: Chunk) => {
  seeded.conversations += rows.conversations.length;
  seeded.recordings += rows.recordings.length;
  return rows;
};

async function seedSqlite(file: string): Promise<Seeded> {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insert = Object.fromEntries(
    Object.entries(TABLES).map(([key, t]) => [key, sqlite.prepare(`insert into ${t.table} (${t.columns.join(', ')}) values (${t.columns.map(() => '?').join(', ')})`)]),
  ) as Record<keyof Chunk, SQLite.Statement>;
  const seeded = { conversations: 0, recordings: 0 };
  const write = sqlite.transaction((rows: Chunk) => {
    for (const key of Object.keys(TABLES) as (keyof Chunk)[]) for (const row of rows[key]) insert[key].run(...row);
  });
  for (let from = 0; from < CONVERSATIONS; from += CHUNK) write(count(seeded, chunk(from, Math.min(CONVERSATIONS, from + CHUNK), CONVERSATIONS)));
  sqlite.exec('analyze');
  sqlite.close();
  return seeded;
}

async function seedPostgres(url: string): Promise<Seeded> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seeded = { conversations: 0, recordings: 0 };
  for (let from = 0; from < CONVERSATIONS; from += CHUNK) {
    const rows = count(seeded, chunk(from, Math.min(CONVERSATIONS, from + CHUNK), CONVERSATIONS));
    await client.query('begin');
    for (const key of Object.keys(TABLES) as (keyof Chunk)[]) {
      const t = TABLES[key];
      const columns = t.columns.map((_, c) => rows[key].map((row) => row[c]));
      await client.query(`insert into ${t.table} (${t.columns.join(', ')}) select * from unnest(${t.types.map((type, c) => `$${c + 1}::${type}[]`).join(', ')})`, columns);
    }
    await client.query('commit');
  }
  // What autovacuum does after a bulk load: statistics, and the visibility map index-only scans need.
  await client.query('vacuum analyze');
  await client.end();
  return seeded;
}

/** The reference data a page shows by name: the agents and the queues. */
async function seedDirectory(db: Db): Promise<void> {
  const k = db.kysely;
  await k.insertInto('organizations').values({ id: DEFAULT_ORG_ID, name: 'Bench', created_at: NOW }).execute();
  await k
    .insertInto('users')
    .values(Array.from({ length: AGENTS }, (_, n) => ({ org_id: DEFAULT_ORG_ID, id: agent(n), name: `Agent ${n}`, external_partner: 0, screen_recording: 0, created_at: NOW, updated_at: NOW })))
    .execute();
  await k
    .insertInto('telephony_config')
    .values(Array.from({ length: QUEUES }, (_, n) => ({ org_id: DEFAULT_ORG_ID, kind: 'queues', id: queue(n), name: `Queue ${n}`, data: JSON.stringify({ id: queue(n), name: `Queue ${n}` }), updated_at: NOW })))
    .execute();
}

const week = `${new Date(NOW - 7 * DAY_MS).toISOString()}/${new Date(NOW).toISOString()}`;
const and = (...predicates: object[]) => [{ type: 'and', predicates }];

/** Typical first-page searches; `n` varies the value searched for from one run to the next. */
const SEARCHES: Record<string, (n: number) => object> = {
  'no filter': () => ({}),
  direction: () => ({ conversationFilters: and({ dimension: 'originatingDirection', value: 'outbound' }) }),
  agent: (n) => ({ segmentFilters: and({ dimension: 'userId', value: agent(n % AGENTS) }) }),
  queue: (n) => ({ segmentFilters: and({ dimension: 'queueId', value: queue(n % QUEUES) }) }),
  'phone (partial)': (n) => ({ conversationFilters: [{ type: 'or', predicates: ['ani', 'dnis'].map((dimension) => ({ dimension, operator: 'contains', value: pad((n * 37) % 10_000, 4) })) }] }),
  'duration >= 20 min': () => ({ conversationFilters: and({ type: 'metric', metric: 'tConversationDuration', range: { gte: 1_200_000 } }) }),
  'wrap-up code': (n) => ({ segmentFilters: and({ dimension: 'wrapUpCode', value: code(n % CODES) }) }),
  'recorded: no': () => ({ segmentFilters: and({ dimension: 'recording', value: 'false' }) }),
  'recording kind: screen': () => ({ segmentFilters: and({ dimension: 'recordingKind', value: 'screen' }) }),
};

interface Figures {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}
const figures = (ms: number[]): Figures => ({ p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) });
const round = (v: number) => Math.round(v * 10) / 10;

async function measure(db: Db): Promise<Record<string, { page: Figures; withTotal: Figures; rows: number; totalHits: number }>> {
  const search = new ConversationDetailsService(db, new ConversationQueryService(db));
  const principal = systemPrincipal(DEFAULT_ORG_ID);
  const out: Record<string, { page: Figures; withTotal: Figures; rows: number; totalHits: number }> = {};
  for (const [name, body] of Object.entries(SEARCHES)) {
    const times = { page: [] as number[], withTotal: [] as number[] };
    let rows = 0;
    let totalHits = 0;
    for (let n = -3; n < RUNS; n++) {
      for (const includeTotal of [false, true]) {
        const input = conversationDetailsQuerySchema.parse({ interval: week, order: 'desc', paging: { pageSize: 25, pageNumber: 1 }, includeTotal, ...body(n + 3) });
        const t0 = performance.now();
        const result = await search.search(principal, input);
        const ms = performance.now() - t0;
        if (n < 0) continue;
        times[includeTotal ? 'withTotal' : 'page'].push(ms);
        rows = result.conversations.length;
        totalHits = result.totalHits ?? totalHits;
      }
    }
    out[name] = { page: figures(times.page), withTotal: figures(times.withTotal), rows, totalHits };
    const f = out[name];
    process.stdout.write(
      `  ${name.padEnd(24)} page p50 ${String(f.page.p50).padStart(6)} p95 ${String(f.page.p95).padStart(6)} p99 ${String(f.page.p99).padStart(6)} ms` +
        ` | with totalHits p50 ${String(f.withTotal.p50).padStart(6)} p95 ${String(f.withTotal.p95).padStart(6)} p99 ${String(f.withTotal.p99).padStart(6)} ms  (${rows} rows of ${totalHits})\n`,
    );
  }
  return out;
}

async function runDialect(dialect: Dialect) {
  const bench = await openBench(dialect);
  try {
    await migrate(bench.db);
    await seedDirectory(bench.db);
    const t0 = performance.now();
    const file = path.join(bench.dataDir, 'capstan.db');
    if (dialect === 'sqlite') await bench.db.close();
    const seeded = dialect === 'sqlite' ? await seedSqlite(file) : await seedPostgres(bench.url!);
    const seedSeconds = round((performance.now() - t0) / 1000);
    const db = dialect === 'sqlite' ? openDatabase({ sqlitePath: file }) : bench.db;
    const en = (n: number) => n.toLocaleString('en');
    process.stdout.write(`${dialect}: seeded ${en(seeded.conversations)} conversations and ${en(seeded.recordings)} recordings in ${seedSeconds} s; ${RUNS} runs per search\n`);
    const searches = await measure(db);
    await db.close();
    return { ...seeded, seedSeconds, searches };
  } finally {
    if (KEEP) process.stdout.write(`${dialect}: kept ${bench.url ?? path.join(bench.dataDir, 'capstan.db')}\n`);
    else await bench.drop();
  }
}

const dialects = (benchServerUrl() ? (['sqlite', 'postgres'] as Dialect[]) : (['sqlite'] as Dialect[])).filter((d) => !ONLY || d === ONLY);
const results: Record<string, Awaited<ReturnType<typeof runDialect>>> = {};
for (const dialect of dialects) results[dialect] = await runDialect(dialect);
if (!dialects.includes('postgres')) process.stdout.write('postgres: skipped (set CAPSTAN_BENCH_DATABASE_URL or CAPSTAN_TEST_DATABASE_URL)\n');
process.stdout.write(`${JSON.stringify({ bench: 'search', recordings: RECORDINGS, runs: RUNS, pageSize: 25, interval: '7 days', ...results })}\n`);
