import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordInput } from '../../src/domain/audit.js';
import { AuditRepository } from '../../src/store/repositories/audit.repository.js';
import { AuditService } from '../../src/services/audit.service.js';
import { migrate, openDatabase, type Db } from '../../src/store/db.js';
import { signedIn, testApi, type TestApi } from '../support/api.js';
import { describeEachDialect, openTestDb, testDialects } from '../support/db.js';
import { ROOT, exitOf } from '../support/process.js';

const event = (orgId: string, i: number, extra: Partial<AuditRecordInput> = {}): AuditRecordInput => ({
  orgId,
  actor: { userId: `u${i % 3}`, name: `User ${i % 3}`, remoteIp: '192.0.2.7' },
  serviceName: i % 2 ? 'Recording' : 'Directory',
  action: i % 2 ? 'Play' : 'Update',
  entityType: i % 2 ? 'Recording' : 'User',
  entity: { id: `e${i}` },
  status: 'SUCCESS',
  propertyChanges: i % 2 ? [] : [{ property: 'name', oldValues: ['a'], newValues: [`b${i}`] }],
  context: { n: String(i) },
  ...extra,
});

/** The audit trail: the reference query API, and a hash chain that names the first tampered event. */
describeEachDialect('audit trail', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(db());
  });

  async function org(id: string): Promise<string> {
    await api.services.organizations.ensure(id, id, Date.now());
    return id;
  }

  const verdict = async (orgId: string, anchor?: { seq: number; hash: string }) => (await api.services.audit.verify(orgId, anchor))[0]!.verdict;
  const exec = (query: ReturnType<typeof sql>) => query.execute(db().kysely);

  describe('query API', () => {
    let transaction: string;
    beforeAll(async () => {
      for (let i = 0; i < 30; i++) await api.services.audit.record(event('default', i));
    });

    it('creates a query execution in the reference shape and pages its results with a cursor', async () => {
      const from = new Date(Date.now() - 60_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/v2/audits/query',
        payload: { interval: `${from}/${to}`, serviceName: 'Recording', filters: [{ property: 'UserId', value: 'u1' }], sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] },
      });
      expect(created.statusCode).toBe(202);
      expect(created.json()).toMatchObject({ state: 'Succeeded', interval: `${from}/${to}`, serviceName: 'Recording', filters: [{ property: 'UserId', value: 'u1' }] });
      transaction = created.json().id;
      expect((await api.app.inject({ method: 'GET', url: `/api/v2/audits/query/${transaction}` })).json()).toMatchObject({ id: transaction, state: 'Succeeded' });

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = (await api.app.inject({ method: 'GET', url: `/api/v2/audits/query/${transaction}/results?pageSize=2${cursor ? `&cursor=${cursor}` : ''}` })).json();
        expect(page.entities.length).toBeLessThanOrEqual(2);
        for (const e of page.entities) {
          expect(e).toMatchObject({ serviceName: 'Recording', action: 'Play', user: { id: 'u1', name: 'User 1' }, remoteIp: ['192.0.2.7'], status: 'SUCCESS', level: 'USER', entityType: 'Recording' });
          seen.push(e.entity.id);
        }
        cursor = page.cursor;
      } while (cursor);
      // Odd i with i % 3 == 1: 1, 7, 13, 19, 25 — in ascending order.
      expect(seen).toEqual(['e1', 'e7', 'e13', 'e19', 'e25']);
    });

    it('answers property changes and context as recorded, newest first by default', async () => {
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/v2/audits/query',
        payload: { interval: `${new Date(Date.now() - 60_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`, filters: [{ property: 'entityId', value: 'e28' }] },
      });
      const page = (await api.app.inject({ method: 'GET', url: `/api/v2/audits/query/${created.json().id}/results` })).json();
      expect(page.entities).toHaveLength(1);
      expect(page.entities[0]).toMatchObject({ propertyChanges: [{ property: 'name', oldValues: ['a'], newValues: ['b28'] }], context: { n: '28' }, entity: { id: 'e28' } });
    });

    it('refuses a bad interval with a field-level error and an unknown transaction with 400', async () => {
      const bad = await api.app.inject({ method: 'POST', url: '/api/v2/audits/query', payload: { interval: 'yesterday' } });
      expect(bad.json()).toMatchObject({ status: 400, details: [{ fieldName: 'interval' }] });
      expect((await api.app.inject({ method: 'GET', url: '/api/v2/audits/query/nonsense/results' })).json()).toMatchObject({ status: 400 });
    });

    it('is for holders of audit:audit:view only', async () => {
      const agent = await signedIn(api, { id: 'audit-agent', roleIds: ['agent'] });
      const res = await api.app.inject({ method: 'POST', url: '/api/v2/audits/query', headers: agent, payload: { interval: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z' } });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('hash chain', () => {
    it('stays intact under concurrent writers, with every event linked to the one before', async () => {
      const orgId = await org('concurrent');
      await Promise.all(Array.from({ length: 60 }, (_, i) => api.services.audit.record(event(orgId, i))));
      expect(await verdict(orgId)).toMatchObject({ ok: true, events: 60, head: { seq: 60 } });
      const res = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/audit/verify' });
      expect(res.json()).toMatchObject({ organization: { id: 'default' }, ok: true });
    });

    it('writes events recorded at once together, and refuses only the one that cannot be written', async () => {
      const orgId = await org('batched');
      const results = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, i) => api.services.audit.record(event(orgId, i))),
        api.services.audit.record(event('no-such-organization', 99)),
        ...Array.from({ length: 20 }, (_, i) => api.services.audit.record(event(orgId, 20 + i))),
      ]);
      expect(results.map((r) => r.status)).toEqual([...Array(20).fill('fulfilled'), 'rejected', ...Array(20).fill('fulfilled')]);
      const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : []));
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await verdict(orgId)).toMatchObject({ ok: true, events: 40 });
    });

    it('names an event edited in the database', async () => {
      const orgId = await org('tamper-edit');
      for (let i = 0; i < 8; i++) await api.services.audit.record(event(orgId, i));
      await exec(sql`update audit_events set action = 'View' where org_id = ${orgId} and seq = 5`);
      expect(await verdict(orgId)).toMatchObject({ ok: false, brokenAt: { seq: 5 }, reason: expect.stringMatching(/event 5 was changed/) });
    });

    it('names an event whose JSON was edited, even by a single character', async () => {
      const orgId = await org('tamper-json');
      for (let i = 0; i < 4; i++) await api.services.audit.record(event(orgId, i));
      await exec(sql`update audit_events set property_changes = replace(property_changes, 'b2', 'b3') where org_id = ${orgId} and seq = 3`);
      expect(await verdict(orgId)).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
    });

    it('names the gap where an event was deleted', async () => {
      const orgId = await org('tamper-delete');
      for (let i = 0; i < 8; i++) await api.services.audit.record(event(orgId, i));
      await exec(sql`delete from audit_events where org_id = ${orgId} and seq = 4`);
      expect(await verdict(orgId)).toMatchObject({ ok: false, brokenAt: { seq: 5 }, reason: 'event 4 is missing before event 5 (removed)' });
    });

    it('names an event inserted into the middle, even with a correctly computed hash', async () => {
      const orgId = await org('tamper-insert');
      for (let i = 0; i < 6; i++) await api.services.audit.record(event(orgId, i));
      // Make room after event 3 and insert a forged event 4 that links properly to event 3.
      const rows = await db().kysely.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq', 'desc').execute();
      for (const row of rows.filter((r) => Number(r.seq) > 3)) {
        await exec(sql`update audit_events set seq = ${Number(row.seq) + 1} where org_id = ${orgId} and seq = ${Number(row.seq)}`);
      }
      const { chainHash } = await import('../../src/crypto/audit-chain.js');
      const third = rows.find((r) => Number(r.seq) === 3)!;
      const forged = { ...third, seq: 4, id: 'forged', action: 'Delete', prev_hash: third.hash };
      const hash = chainHash(third.hash, {
        orgId, seq: 4, id: 'forged', eventDateMs: Number(third.event_date), serviceName: third.service_name, level: third.level, action: 'Delete',
        entityType: third.entity_type, entityId: third.entity_id, entityName: third.entity_name, status: third.status, userId: third.user_id,
        clientId: third.client_id, actorName: third.actor_name, remoteIp: third.remote_ip, message: third.message, propertyChanges: third.property_changes, context: third.context,
      });
      await db().kysely.insertInto('audit_events').values({ ...forged, hash }).execute();
      expect(await verdict(orgId)).toMatchObject({ ok: false, brokenAt: { seq: 5 }, reason: 'event 5 does not link to event 4 (an event was inserted or replaced)' });
    });

    it('notices the newest events removed, through the chain head', async () => {
      const orgId = await org('tamper-truncate');
      for (let i = 0; i < 5; i++) await api.services.audit.record(event(orgId, i));
      await exec(sql`delete from audit_events where org_id = ${orgId} and seq >= 4`);
      expect(await verdict(orgId)).toMatchObject({ ok: false, brokenAt: { seq: 4 }, reason: expect.stringMatching(/chain ends at event 3 but 5 were written/) });
    });

    it('notices a whole rewritten chain against an anchor recorded earlier', async () => {
      const orgId = await org('tamper-rewrite');
      for (let i = 0; i < 5; i++) await api.services.audit.record(event(orgId, i));
      const anchor = await api.services.audit.head(orgId);
      // Rewrite event 2 and recompute every later hash and the head: the chain is consistent again...
      const { chainHash } = await import('../../src/crypto/audit-chain.js');
      const repo = new AuditRepository(db());
      const links = [];
      for await (const link of repo.links(orgId)) links.push(link);
      let prev = links[0]!.hash;
      for (const link of links.slice(1)) {
        const changed = link.seq === 2 ? { ...link, action: 'Nothing' } : link;
        const hash = chainHash(prev, changed);
        await exec(sql`update audit_events set action = ${changed.action}, prev_hash = ${prev}, hash = ${hash} where org_id = ${orgId} and seq = ${link.seq}`);
        prev = hash;
      }
      await exec(sql`update audit_heads set hash = ${prev} where org_id = ${orgId}`);
      expect(await verdict(orgId)).toMatchObject({ ok: true });
      // ...but not the one anchored outside the database.
      expect(await verdict(orgId, anchor)).toMatchObject({ ok: false, brokenAt: { seq: 5 }, reason: 'event 5 is not the one anchored (the chain was rewritten)' });
    });

    it('leaves no audit event for a refused change (the change and its event commit together)', async () => {
      const before = (await api.services.audit.head('default'))!.seq;
      await expect(api.services.users.create({ principal: (await import('../support/api.js')).TEST_ADMIN }, { id: 'dup', name: 'x', roleIds: ['nope'], state: 'active', externalPartner: false })).rejects.toThrow(/no role nope/);
      expect((await api.services.audit.head('default'))!.seq).toBe(before);
    });
  });
});

/** Several nodes or processes appending to the same chain at once, each with its own connections. */
describe('audit chain with several writers on one database', () => {
  for (const dialect of testDialects()) {
    it(`keeps one unbroken chain [${dialect}]`, async () => {
      let target: string;
      let db: Db;
      let cleanup: () => Promise<void>;
      if (dialect === 'postgres') {
        const test = await openTestDb('postgres');
        ({ db, cleanup } = test);
        target = test.url!;
      } else {
        target = path.join(mkdtempSync(path.join(tmpdir(), 'capstan-audit-')), 'capstan.db');
        db = openDatabase({ sqlitePath: target });
        await migrate(db);
        cleanup = () => db.close();
      }
      try {
        await db.kysely.insertInto('organizations').values({ id: 'default', name: 'Default organization', created_at: 0 }).execute();
        const writers = ['a', 'b', 'c'].map((tag) =>
          spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/audit-writer.ts'), target, '40', tag], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] }),
        );
        const errors = await Promise.all(writers.map(async (w) => {
          let stderr = '';
          w.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
          return (await exitOf(w)) === 0 ? '' : stderr;
        }));
        expect(errors.filter(Boolean)).toEqual([]);
        const audit = new AuditService(new AuditRepository(db), { now: () => Date.now() }, 'default');
        expect((await audit.verify('default'))[0]!.verdict).toMatchObject({ ok: true, events: 120 });
      } finally {
        await cleanup();
      }
    }, 60_000);
  }
});
