import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessDenied } from '../../src/domain/access/errors.js';
import { ROUTES } from '../../src/api/routes/index.js';
import type { RecordingKind } from '../../src/domain/capture/types.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { testApi } from '../support/api.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { BYSTANDERS, SUBJECTS, buildFixture, userIdOf, type Bystander, type Fixture, type Subject } from './fixture.js';
import { CAN_DOWNLOAD, CAN_PLAY, MATRIX as CORE_MATRIX, type MatrixRequest } from './matrix.js';
import { RETENTION_MATRIX } from './matrix.retention.js';

const MATRIX = { ...CORE_MATRIX, ...RETENTION_MATRIX };

/**
 * Every route × every default role × every recording kind where it applies: allowed requests
 * succeed, refused ones get 403 with an ErrorBody and leave an audit event; without credentials
 * every non-public route answers 401.
 */

let handle: TestDb;
let f: Fixture;
beforeAll(async () => {
  handle = await openTestDb('sqlite');
  f = await buildFixture(await testApi(handle.db, { as: null }));
}, 60_000);
afterAll(async () => {
  await f.api.services.media.drain();
  await handle.cleanup();
});

async function send(req: MatrixRequest, credentials: Record<string, string>) {
  return f.api.app.inject({ method: req.method ?? 'GET', url: req.url, headers: req.headers ?? credentials, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
}

async function lastAuditOf(userId: string) {
  const page = await f.api.services.audit.query(DEFAULT_ORG_ID, { fromMs: 0, toMs: Date.now() + 1000, userId }, 'desc', { limit: 1 });
  return page.entities[0];
}

const KINDS = Object.keys(CAN_PLAY) as RecordingKind[];
const everyone = [...SUBJECTS, ...(Object.keys(BYSTANDERS) as Bystander[])];

describe('authorization matrix', () => {
  for (const route of ROUTES) {
    const key = `${route.method} ${route.url}`;
    const row = MATRIX[key];
    describe(key, () => {
      it('has a row in the matrix', () => {
        expect(row, `add a row for ${key} to test/access/matrix.ts`).toBeDefined();
      });
      if (!row) return;

      if ('public' in row) {
        it('answers without credentials', async () => {
          expect(route.access).toBe('public');
          const res = await send(await row.request(f), {});
          expect(res.statusCode, res.body).toBeLessThan(300);
        });
        return;
      }

      if ('kinds' in row && row.credentials === 'url') {
        it('answers no URL that was not signed for someone', async () => {
          const req = await row.request(f, 'admin', Object.keys(row.kinds)[0] as RecordingKind);
          const forged = req.url.replace(/viewer=[^&]+/, 'viewer=user%3Am-user');
          expect((await send({ ...req, url: forged }, {})).json()).toMatchObject({ status: 403, code: 'playback.invalidSignature' });
        });
      } else it('refuses a request without credentials with 401', async () => {
        const req = 'allow' in row ? await row.request(f, 'admin') : await row.request(f, 'admin', Object.keys(row.kinds)[0] as RecordingKind);
        const res = await send({ ...req, headers: {} }, {});
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ status: 401, code: 'authentication.required' });
      });

      const check = async (subject: Subject | Bystander, req: MatrixRequest, allowed: boolean, shows?: (body: unknown) => boolean) => {
        const res = await send(req, 'kinds' in row && row.credentials === 'url' ? {} : f.sessions[subject]);
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        if (allowed) {
          expect(ok, `${subject} should be allowed: ${res.statusCode} ${res.body.slice(0, 300)}`).toBe(true);
          if (shows) expect(shows(res.json()), `${subject} should see it`).toBe(true);
          return;
        }
        if (ok && shows) {
          expect(shows(res.json()), `${subject} should not see it`).toBe(false);
          return;
        }
        expect(res.statusCode, `${subject} should be refused: ${res.body}`).toBe(403);
        const body = res.json();
        expect(body).toMatchObject({ status: 403, contextId: res.headers['inin-correlation-id'] });
        expect(await lastAuditOf(userIdOf(subject))).toMatchObject({ status: 'FAILURE', context: expect.stringContaining(body.contextId) });
      };

      if ('allow' in row) {
        for (const subject of SUBJECTS) {
          const allowed = row.allow === 'everyone' || row.allow.includes(subject);
          it(`${subject}: ${allowed ? 'allowed' : 'refused'} (${row.because})`, async () => {
            await check(subject, await row.request(f, subject), allowed);
          });
        }
      } else {
        for (const [kind, allowedSubjects] of Object.entries(row.kinds) as [RecordingKind, readonly (Subject | Bystander)[]][]) {
          for (const subject of everyone) {
            const allowed = allowedSubjects.includes(subject);
            it(`${kind} recording, ${subject}: ${allowed ? 'allowed' : 'refused'}`, async () => {
              const shows = row.shows;
              await check(subject, await row.request(f, subject, kind), allowed, shows ? (body) => shows(body, f.recordings[kind].id) : undefined);
            });
          }
        }
      }
    });
  }

  it('has no row for a route that does not exist', () => {
    const known = new Set(ROUTES.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(MATRIX).filter((k) => !known.has(k))).toEqual([]);
  });
});

/**
 * The same table for the service every recording route calls (services.access.authorizeRecording):
 * each default role and bystander against one recording of every kind, to play and to download.
 */
describe('recording access by kind (access service)', () => {
  const principalOf = async (who: Subject | Bystander) => {
    const token = f.sessions[who].cookie.split('=')[1]!;
    return (await f.api.services.auth.authenticate('session', token))!;
  };

  for (const kind of KINDS) {
    for (const who of everyone) {
      for (const action of ['Play', 'Download'] as const) {
        const allowed = (action === 'Play' ? CAN_PLAY : CAN_DOWNLOAD)[kind].includes(who);
        it(`${action} a ${kind} recording, ${who}: ${allowed ? 'allowed' : 'refused'}`, async () => {
          const caller = { principal: await principalOf(who), remoteIp: '198.51.100.4' };
          const attempt = f.api.services.access.authorizeRecording(caller, f.recordings[kind], action);
          if (allowed) {
            await expect(attempt).resolves.toMatchObject({ access: { view: 'full' } });
            expect(await lastAuditOf(userIdOf(who))).toMatchObject({ action, status: 'SUCCESS', entityType: 'Recording', entityId: f.recordings[kind].id, remoteIp: '198.51.100.4' });
          } else {
            await expect(attempt).rejects.toBeInstanceOf(AccessDenied);
          }
        });
      }
    }
  }
});
