import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/services/audit.service.js';
import { migrate, openDatabase } from '../../src/store/db.js';
import { AuditRepository } from '../../src/store/repositories/audit.repository.js';
import { bearer, firstRunCredentials } from '../support/credentials.js';
import { openTestDb, testDialects, type TestDb } from '../support/db.js';
import { CLI, exitOf, startCapstan, type CapstanProcess } from '../support/process.js';

/** `capstan users`, `capstan clients` and `capstan audit verify`, run as an operator would. */

async function capstan(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CAPSTAN_LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  return { code: await exitOf(child), stdout, stderr };
}

describe('capstan users and clients', () => {
  const running: CapstanProcess[] = [];
  afterAll(async () => {
    for (const p of running) if (p.child.exitCode === null) await p.stop('SIGKILL');
  });

  it('creates the first administrator and an API client before the server starts, and both work against it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-cli-'));
    const env = { CAPSTAN_DATA_DIR: dataDir };
    const user = await capstan(['users', 'create', '--username', 'Root', '--name', 'Root', '--role', 'admin'], env);
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/created user root \(id root\) with roles admin/);
    const password = /password: (\S+)/.exec(user.stdout)![1]!;
    const client = await capstan(['clients', 'create', '--name', 'CI', '--role', 'admin', '--id', 'ci-bot'], env);
    expect(client.code, client.stderr).toBe(0);
    const secret = /client secret: (\S+)/.exec(client.stdout)![1]!;
    const bad = await capstan(['users', 'create', '--username', 'xyz', '--role', 'nope'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no role nope/);
    const short = await capstan(['clients', 'create', '--name', 'x', '--id', 'ab'], env);
    expect(short.stderr).toBe('capstan: id: Too small: expected string to have >=3 characters\n');

    const server = await startCapstan(env);
    running.push(server);
    expect(firstRunCredentials(server.output())).toBeUndefined();
    const signIn = await fetch(`${server.url}/api/v2/capstan/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password }) });
    expect(signIn.status).toBe(200);
    const users = await fetch(`${server.url}/api/v2/users`, { headers: await bearer(server.url, 'ci-bot', secret) });
    expect(((await users.json()) as { entities: { id: string }[] }).entities.map((u) => u.id)).toContain('root');

    // Beside the running server: a new password from standard input, a new client secret.
    const passwd = await capstan(['users', 'passwd', 'root', '--password-stdin'], env, 'piped password\n');
    expect(passwd.code, passwd.stderr).toBe(0);
    const again = await fetch(`${server.url}/api/v2/capstan/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'piped password' }) });
    expect(again.status).toBe(200);
    const list = await capstan(['users', 'list'], env);
    expect(list.stdout).toMatch(/root\s+root\s+Root\s+active\s+admin/);
    // Another organization on the same install: its own clients, its own default roles.
    expect((await capstan(['clients', 'create', '--org', 'tenant-b', '--name', 'B connector', '--role', 'agent', '--id', 'b-connector'], env)).code).toBe(0);
    expect((await capstan(['clients', 'list', '--org', 'tenant-b'], env)).stdout).toMatch(/^ID\s+NAME\s+STATE\s+ROLES\nb-connector\s+B connector\s+active\s+agent\n$/);
    expect((await capstan(['clients', 'list'], env)).stdout).not.toMatch(/b-connector/);
    await server.stop();
  });
});

type Tamper = 'edit' | 'delete' | 'insert';

/** Appends events the way the server does, then lets go of the database. */
async function writeEvents(options: { url?: string; sqlitePath?: string }, orgId: string, count: number): Promise<void> {
  const db = openDatabase(options);
  await migrate(db);
  await db.kysely.insertInto('organizations').values({ id: orgId, name: orgId, created_at: 0 }).execute();
  const audit = new AuditService(new AuditRepository(db), { now: () => Date.now() }, 'default');
  for (let i = 0; i < count; i++) {
    await audit.record({ orgId, actor: { userId: 'someone', remoteIp: '192.0.2.1' }, serviceName: 'Recording', action: 'Play', entityType: 'Recording', entity: { id: `r${i}` }, status: i === 1 ? 'FAILURE' : 'SUCCESS' });
  }
  await db.close();
}

/** Changes the audit trail behind Capstan's back, as someone with database access could. */
async function tamper(dialect: 'sqlite' | 'postgres', target: string, orgId: string, how: Tamper): Promise<void> {
  const statements: Record<Tamper, string[]> = {
    edit: [`update audit_events set status = 'SUCCESS', action = 'Read' where org_id = '${orgId}' and seq = 2`],
    delete: [`delete from audit_events where org_id = '${orgId}' and seq = 2`],
    insert: [
      `update audit_events set seq = seq + 100 where org_id = '${orgId}' and seq >= 2`,
      `insert into audit_events select org_id, 2, 'forged', event_date, service_name, level, 'Delete', entity_type, entity_id, entity_name, status, user_id, client_id, actor_name, remote_ip, message, property_changes, context, hash, hash from audit_events where org_id = '${orgId}' and seq = 1`,
      `update audit_events set seq = seq - 99 where org_id = '${orgId}' and seq >= 102`,
    ],
  };
  if (dialect === 'sqlite') {
    const db = new SQLite(target);
    for (const s of statements[how]) db.prepare(s).run();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  for (const s of statements[how]) await client.query(s);
  await client.end();
}

describe('capstan audit verify', () => {
  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let db: TestDb | undefined;
      let env: Record<string, string>;
      let target: string;
      afterAll(async () => {
        await db?.cleanup();
      });

      it('reports an intact chain with its head, then names the first broken link after an edit, a removal or an insertion', async () => {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-audit-cli-'));
        if (dialect === 'postgres') {
          db = await openTestDb('postgres');
          target = db.url!;
          env = { CAPSTAN_DATA_DIR: dataDir, DATABASE_URL: target };
        } else {
          target = path.join(dataDir, 'capstan.db');
          env = { CAPSTAN_DATA_DIR: dataDir };
        }
        for (const how of ['edit', 'delete', 'insert'] as const) {
          const orgId = `org-${how}`;
          await writeEvents(dialect === 'postgres' ? { url: target } : { sqlitePath: target }, orgId, 3);
          const intact = await capstan(['audit', 'verify', '--org', orgId], env);
          expect(intact.code, intact.stderr).toBe(0);
          expect(intact.stdout).toMatch(new RegExp(`^${orgId}: intact, 3 events, head 3:[0-9a-f]{64}\\n$`));

          await tamper(dialect, target, orgId, how);
          const broken = await capstan(['audit', 'verify', '--org', orgId], env);
          expect(broken.code).toBe(1);
          const expected = {
            edit: 'BROKEN at event 2 \\(id [0-9a-f-]{36}\\): event 2 was changed after it was written',
            delete: 'BROKEN at event 3 \\(id [0-9a-f-]{36}\\): event 2 is missing before event 3 \\(removed\\)',
            // The forged event links to event 1 but carries a copied hash (the service tests cover a recomputed one).
            insert: 'BROKEN at event 2 \\(id forged\\): event 2 was changed after it was written',
          }[how];
          expect(broken.stdout).toMatch(new RegExp(`${orgId}: ${expected}`));
        }
        // Without --org, every organization is checked, and the exit status says whether all are intact.
        const all = await capstan(['audit', 'verify', '--json'], env);
        expect(all.code).toBe(1);
        expect((JSON.parse(all.stdout) as { orgId: string; verdict: { ok: boolean } }[]).filter((r) => !r.verdict.ok).map((r) => r.orgId)).toEqual(['org-delete', 'org-edit', 'org-insert']);
      });
    });
  }
});
