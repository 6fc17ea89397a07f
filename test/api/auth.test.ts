import { beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';

/** Authentication as clients and browsers see it: tokens, sessions, throttling, and audited refusals. */
describeEachDialect('authentication', (db) => {
  let api: TestApi;
  let adminSecret: string;
  beforeAll(async () => {
    api = await testApi(db(), { as: null, env: { CAPSTAN_SIGNIN_MAX_FAILURES: '3' } });
    const system = { principal: (await import('../support/api.js')).TEST_ADMIN };
    adminSecret = (await api.services.clients.create(system, { id: 'ci', name: 'CI', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['admin'], state: 'active' })).secret;
    await api.services.users.create(system, { id: 'alice', name: 'Alice', username: 'alice', password: 'correct horse', roleIds: ['supervisor'], state: 'active', externalPartner: false });
    await api.services.users.create(system, { id: 'bob', name: 'Bob', username: 'bob', password: 'battery staple', roleIds: ['agent'], state: 'active', externalPartner: false });
  });

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = (authorization: string, body = 'grant_type=client_credentials', remoteAddress = '10.0.0.1') =>
    api.app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, payload: body, remoteAddress });
  const signIn = (username: string, password: string, remoteAddress = '10.0.0.2') =>
    api.app.inject({ method: 'POST', url: '/api/v2/capstan/session', payload: { username, password }, remoteAddress });
  const lastAudit = async (filter: (e: { action: string }) => boolean = () => true) => {
    const page = await api.services.audit.query('default', { fromMs: 0, toMs: Date.now() + 1000 }, 'desc', { limit: 50 });
    return page.entities.find(filter);
  };

  it('issues a bearer token for HTTP Basic client credentials and a form body, as the reference SDK sends them', async () => {
    const res = await token(basic('ci', adminSecret));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 86399 });
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const me = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(me.json()).toMatchObject({ id: 'ci', kind: 'client', roles: [{ id: 'admin' }], grants: ['*'] });
    expect(me.json().permissions).toContain('audit:audit:view');
    expect(await lastAudit((e) => e.action === 'Authenticate')).toMatchObject({ status: 'SUCCESS', clientId: 'ci', remoteIp: '10.0.0.1' });
  });

  it('refuses a wrong secret with 401, an ErrorBody and the OAuth error fields, and audits the failure', async () => {
    const res = await token(basic('ci', 'not-the-secret-at-all'), 'grant_type=client_credentials', '10.0.0.3');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 401, code: 'oauth.invalid_client', error: 'invalid_client', contextId: res.headers['inin-correlation-id'] });
    expect(await lastAudit((e) => e.action === 'Authenticate')).toMatchObject({ status: 'FAILURE', message: 'wrong secret', remoteIp: '10.0.0.3' });
    expect((await token(basic('ci', adminSecret), 'grant_type=password')).json()).toMatchObject({ status: 400, error: 'unsupported_grant_type' });
  });

  it('answers 401 with an ErrorBody to a request without credentials or with a made-up token, and audits it', async () => {
    const none = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations', remoteAddress: '10.9.9.9' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toMatchObject({ status: 401, code: 'authentication.required' });
    expect(await lastAudit()).toMatchObject({
      action: 'Access',
      status: 'FAILURE',
      entityType: 'ApiRoute',
      entityId: 'GET /api/v2/capstan/conversations',
      remoteIp: '10.9.9.9',
    });
    const forged = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations', headers: { authorization: 'Bearer forged' } });
    expect(forged.statusCode).toBe(401);
  });

  it('signs in with a username and password: HTTP-only, same-site session cookie, then the API knows the user', async () => {
    const res = await signIn('Alice', 'correct horse');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'alice', kind: 'user', username: 'alice', roles: [{ id: 'supervisor', name: 'Supervisor' }] });
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^capstan_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const session = cookie.split(';')[0]!;

    const listed = await api.app.inject({ method: 'GET', url: '/api/v2/capstan/conversations', headers: { cookie: session } });
    expect(listed.statusCode).toBe(200);
    const refused = await api.app.inject({ method: 'GET', url: '/api/v2/oauth/clients', headers: { cookie: session } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ status: 403, code: 'missing.any.permissions' });
    expect(await lastAudit()).toMatchObject({ action: 'Access', status: 'FAILURE', userId: 'alice', entityId: 'GET /api/v2/oauth/clients', serviceName: 'Platform' });
    expect(await lastAudit((e) => e.action === 'SignIn')).toMatchObject({ status: 'SUCCESS', userId: 'alice' });

    const out = await api.app.inject({ method: 'DELETE', url: '/api/v2/capstan/session', headers: { cookie: session } });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toMatch(/^capstan_session=; .*Max-Age=0/);
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: { cookie: session } })).statusCode).toBe(401);
    expect(await lastAudit((e) => e.action === 'SignOut')).toMatchObject({ userId: 'alice', status: 'SUCCESS' });
  });

  it('locks a username after repeated failures (429 with Retry-After), even for the right password, and audits every attempt', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn('bob', 'wrong', `10.1.0.${i}`)).statusCode).toBe(401);
    const locked = await signIn('bob', 'battery staple', '10.1.0.9');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'auth.locked', status: 429 });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(await lastAudit((e) => e.action === 'SignIn')).toMatchObject({ status: 'FAILURE', message: 'refused: too many failed attempts', userId: 'bob' });
    // Alice is not affected by Bob's lock.
    expect((await signIn('alice', 'correct horse', '10.1.0.10')).statusCode).toBe(200);
  });

  it('answers an unknown username like a wrong password', async () => {
    const res = await signIn('nobody', 'whatever', '10.2.0.1');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'auth.invalidCredentials', message: 'The username or password is not correct' });
  });

  it('changes a password: the old one stops working and other sessions end', async () => {
    const first = (await signIn('alice', 'correct horse', '10.3.0.1')).headers['set-cookie'] as string;
    const other = ((await signIn('alice', 'correct horse', '10.3.0.2')).headers['set-cookie'] as string).split(';')[0]!;
    const changed = await api.app.inject({
      method: 'POST',
      url: '/api/v2/capstan/me/password',
      headers: { cookie: first.split(';')[0]! },
      payload: { currentPassword: 'correct horse', newPassword: 'a new and better one' },
    });
    expect(changed.statusCode).toBe(204);
    expect(changed.headers['set-cookie']).toMatch(/^capstan_session=[A-Za-z0-9_-]+;/);
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: { cookie: other } })).statusCode).toBe(401);
    expect((await signIn('alice', 'correct horse', '10.3.0.3')).statusCode).toBe(401);
    expect((await signIn('alice', 'a new and better one', '10.3.0.4')).statusCode).toBe(200);
  });

  it('ends the sessions of a deactivated user and the tokens of a disabled client', async () => {
    const session = ((await signIn('alice', 'a new and better one', '10.4.0.1')).headers['set-cookie'] as string).split(';')[0]!;
    const admin = { authorization: `Bearer ${(await token(basic('ci', adminSecret))).json().access_token}` };
    const patched = await api.app.inject({ method: 'PATCH', url: '/api/v2/users/alice', headers: admin, payload: { state: 'inactive' } });
    expect(patched.json()).toMatchObject({ state: 'inactive' });
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: { cookie: session } })).statusCode).toBe(401);
    expect((await signIn('alice', 'a new and better one', '10.4.0.2')).statusCode).toBe(401);

    const created = await api.app.inject({ method: 'POST', url: '/api/v2/oauth/clients', headers: admin, payload: { name: 'SBC', roleIds: ['agent'] } });
    const { id, secret } = created.json();
    const bearer = { authorization: `Bearer ${(await token(basic(id, secret))).json().access_token}` };
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: bearer })).statusCode).toBe(200);
    await api.app.inject({ method: 'PUT', url: `/api/v2/oauth/clients/${id}`, headers: admin, payload: { state: 'disabled' } });
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: bearer })).statusCode).toBe(401);
    expect((await token(basic(id, secret), 'grant_type=client_credentials', '10.4.0.3')).statusCode).toBe(401);
  });
});

describe('bootstrap variables', () => {
  it('refuses half a pair and short secrets with a message naming the key', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    expect(() => loadConfig({ CAPSTAN_ADMIN_CLIENT_ID: 'ops' })).toThrow(/CAPSTAN_ADMIN_CLIENT_SECRET: set together with CAPSTAN_ADMIN_CLIENT_ID/);
    expect(() => loadConfig({ CAPSTAN_ADMIN_USER: 'ops', CAPSTAN_ADMIN_PASSWORD: 'short' })).toThrow(/CAPSTAN_ADMIN_PASSWORD: at least 8 characters/);
  });
});

describeEachDialect('authentication over time', (db) => {
  let now = Date.parse('2026-03-01T09:00:00Z');
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(db(), { as: null, clock: { now: () => now }, env: { CAPSTAN_SIGNIN_MAX_FAILURES: '2', CAPSTAN_SIGNIN_LOCK_MINUTES: '10', CAPSTAN_TOKEN_TTL_SECONDS: '600' } });
    const { TEST_ADMIN } = await import('../support/api.js');
    await api.services.users.create({ principal: TEST_ADMIN }, { id: 'tim', name: 'Tim', username: 'tim', password: 'tim password', roleIds: [], state: 'active', externalPartner: false });
    await api.services.clients.create({ principal: TEST_ADMIN }, { id: 'timer', name: 'Timer', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: [], state: 'active' }, 'a-secret-of-the-timer');
  });
  const signIn = (password: string) => api.app.inject({ method: 'POST', url: '/api/v2/capstan/session', payload: { username: 'tim', password } });

  it('lifts a lock once its time is over, and forgets old failures', async () => {
    await signIn('wrong');
    await signIn('wrong');
    expect((await signIn('tim password')).statusCode).toBe(429);
    now += 9 * 60_000;
    expect((await signIn('tim password')).statusCode).toBe(429);
    now += 2 * 60_000;
    expect((await signIn('tim password')).statusCode).toBe(200);
    await signIn('wrong');
    now += 11 * 60_000;
    await api.services.auth.sweep();
    const left = await db().kysely.selectFrom('signin_failures').selectAll().execute();
    expect(left).toEqual([]);
  });

  it('stops honouring a token when it expires, and sweeps it away', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${Buffer.from('timer:a-secret-of-the-timer').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(res.json().expires_in).toBe(600);
    const bearer = { authorization: `Bearer ${res.json().access_token}` };
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: bearer })).statusCode).toBe(200);
    now += 601_000;
    expect((await api.app.inject({ method: 'GET', url: '/api/v2/capstan/me', headers: bearer })).statusCode).toBe(401);
    await api.services.auth.sweep();
    expect(await db().kysely.selectFrom('auth_tokens').select('kind').where('client_id', '=', 'timer').execute()).toEqual([]);
  });
});
