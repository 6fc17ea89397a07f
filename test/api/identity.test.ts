import { beforeAll, expect, it } from 'vitest';
import { Call } from '../support/call.js';
import { signedIn, testApi, type TestApi } from '../support/api.js';
import { describeEachDialect } from '../support/db.js';

/** Users, roles, API clients and evaluations over the API, each change audited with what changed. */
describeEachDialect('identity administration', (db) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await testApi(db());
  });
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
    api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const lastAudit = async () => (await api.services.audit.query('default', { fromMs: 0, toMs: Date.now() + 1000 }, 'desc', { limit: 1 })).entities[0];

  it('starts every organization with the five default roles, editable', async () => {
    const roles = (await call('GET', '/api/v2/authorization/roles')).json().entities;
    expect(roles.map((r: { id: string }) => r.id).sort()).toEqual(['admin', 'agent', 'evaluator', 'supervisor', 'user']);
    expect(roles.find((r: { id: string }) => r.id === 'agent')).toMatchObject({ default: true, permissions: ['recording:annotation:view'] });
    expect(roles.find((r: { id: string }) => r.id === 'supervisor').permissions).toContain('recording:screenRecording:view');

    const agent = roles.find((r: { id: string }) => r.id === 'agent');
    const edited = await call('PUT', '/api/v2/authorization/roles/agent', { name: 'Agent', description: agent.description, permissions: ['recording:annotation:view', 'recording:annotation:add'] });
    expect(edited.json()).toMatchObject({ id: 'agent', default: true, permissions: ['recording:annotation:add', 'recording:annotation:view'] });
    expect(await lastAudit()).toMatchObject({
      action: 'Update',
      entityType: 'Role',
      entityId: 'agent',
      serviceName: 'PeoplePermissions',
      propertyChanges: JSON.stringify([{ property: 'permissions', oldValues: ['recording:annotation:view'], newValues: ['recording:annotation:add', 'recording:annotation:view'] }]),
    });
  });

  it('creates a role with a queue scope and refuses unknown permissions field by field', async () => {
    const created = await call('POST', '/api/v2/authorization/roles', {
      id: 'sales-qa',
      name: 'Sales QA',
      permissions: ['recording:recordingSegment:view', 'conversation:conversation:view'],
      queueScopes: { 'recording:recordingSegment:view': ['sales'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'sales-qa', default: false, queueScopes: { 'recording:recordingSegment:view': ['sales'] }, userCount: 0 });

    const bad = await call('POST', '/api/v2/authorization/roles', { name: 'Bad', permissions: ['recording:recording:listen'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0]).toMatchObject({ fieldName: 'permissions.0', entityName: '"recording:recording:listen" names no permission Capstan knows' });
    expect((await call('POST', '/api/v2/authorization/roles', { id: 'sales-qa', name: 'Again', permissions: [] })).json()).toMatchObject({ status: 409, code: 'identity.roleExists' });
  });

  it('lists the permission catalog with what can be limited to queues', async () => {
    const catalog = (await call('GET', '/api/v2/authorization/permissions')).json().entities;
    expect(catalog).toContainEqual({ permission: 'recording:recordingSegment:view', description: expect.any(String), queueScopable: true });
    expect(catalog).toContainEqual(expect.objectContaining({ permission: 'audit:audit:view', queueScopable: false }));
  });

  it('creates users with roles and a password, never showing the password or its hash', async () => {
    const created = await call('POST', '/api/v2/users', { name: 'Sam Sales', username: 'Sam', password: 'sales sales', roleIds: ['sales-qa'], externalPartner: true });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({ id: 'sam', username: 'sam', state: 'active', externalPartner: true, passwordSet: true, roleIds: ['sales-qa'] });
    expect(JSON.stringify(user)).not.toMatch(/scrypt|sales sales/);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'Create', entityType: 'User', entityId: 'sam', serviceName: 'Directory' });
    expect(JSON.parse(audit!.propertyChanges)).toContainEqual({ property: 'password', oldValues: [], newValues: [] });
    expect(audit!.propertyChanges).not.toMatch(/sales sales/);

    expect((await call('POST', '/api/v2/users', { id: 'sam2', name: 'Other', username: 'SAM' })).json()).toMatchObject({ status: 409, code: 'identity.usernameTaken' });
    expect((await call('POST', '/api/v2/users', { name: 'X', roleIds: ['nope'] })).json()).toMatchObject({ status: 400, code: 'identity.unknownRole' });
    expect((await call('GET', '/api/v2/authorization/roles/sales-qa')).json()).toMatchObject({ userCount: 1 });
    expect((await call('DELETE', '/api/v2/authorization/roles/sales-qa')).json()).toMatchObject({ status: 409, code: 'identity.roleInUse' });
  });

  it('tells the signed-in user who they are, with their effective permissions and queue scopes', async () => {
    const session = await signedIn(api, { id: 'sam' });
    const me = (await call('GET', '/api/v2/capstan/me', undefined, session)).json();
    expect(me).toMatchObject({
      id: 'sam',
      kind: 'user',
      externalPartner: true,
      roles: [{ id: 'sales-qa', name: 'Sales QA' }],
      permissions: ['recording:recordingSegment:view', 'conversation:conversation:view'],
      queueScopes: { 'recording:recordingSegment:view': ['sales'] },
    });
  });

  it('keeps telephony settings and identity on the same user without one erasing the other', async () => {
    await call('PUT', '/api/v2/capstan/config/users/sam', { name: 'Sam Sales', stationId: 's9', screenRecording: true });
    expect((await call('GET', '/api/v2/users/sam')).json()).toMatchObject({ username: 'sam', roleIds: ['sales-qa'], passwordSet: true });
    expect((await call('GET', '/api/v2/capstan/config/users/sam')).json()).toMatchObject({ stationId: 's9', screenRecording: true });
    expect(await lastAudit()).toMatchObject({ serviceName: 'Telephony', action: 'Update', entityType: 'User', entityId: 'sam' });
  });

  it('creates API clients whose secret is shown once, regenerates it, and deletes them', async () => {
    const created = await call('POST', '/api/v2/oauth/clients', { name: 'Connector', roleIds: ['agent'] });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const fetched = (await call('GET', `/api/v2/oauth/clients/${id}`)).json();
    expect(fetched).toMatchObject({ id, authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['agent'], state: 'active' });
    expect(fetched.secret).toBeUndefined();

    const rotated = (await call('POST', `/api/v2/oauth/clients/${id}/secret`)).json();
    expect(rotated.secret).not.toEqual(secret);
    expect(await lastAudit()).toMatchObject({ action: 'RotateSecret', entityId: id, propertyChanges: JSON.stringify([{ property: 'secret', oldValues: [], newValues: [] }]) });
    expect((await call('DELETE', `/api/v2/oauth/clients/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/v2/oauth/clients/${id}`)).statusCode).toBe(404);
  });

  it('assigns evaluations to agents who took part in the conversation, visible to whom they concern', async () => {
    await call('POST', '/api/v2/capstan/events', new Call('eval-1').start(0, 'inbound').join(0, 'c', 'customer').join(1, 'a', 'agent').talk(1, 'c', 'a').inputs);
    await signedIn(api, { id: 'ua', roleIds: ['agent'] });
    const evaluator = await signedIn(api, { id: 'eve', roleIds: ['evaluator'] });
    const other = await signedIn(api, { id: 'otto', roleIds: ['evaluator'] });

    const refused = await call('POST', '/api/v2/quality/conversations/eval-1/evaluations', { evaluator: { id: 'eve' }, agent: { id: 'eve' } });
    expect(refused.json()).toMatchObject({ status: 400, code: 'evaluation.agentNotOnConversation' });
    const created = await call('POST', '/api/v2/quality/conversations/eval-1/evaluations', { evaluator: { id: 'eve' }, agent: { id: 'ua' } });
    expect(created.statusCode).toBe(201);
    const evaluation = created.json();
    expect(evaluation).toMatchObject({ conversation: { id: 'eval-1' }, evaluator: { id: 'eve' }, agent: { id: 'ua' }, status: 'PENDING' });
    const url = `/api/v2/quality/conversations/eval-1/evaluations/${evaluation.id}`;

    expect((await call('GET', '/api/v2/quality/evaluations', undefined, evaluator)).json().entities).toHaveLength(1);
    expect((await call('GET', '/api/v2/quality/evaluations', undefined, other)).json().entities).toHaveLength(0);
    expect((await call('GET', url, undefined, other)).statusCode).toBe(403);
    expect((await call('PUT', url, { status: 'FINISHED' }, other)).statusCode).toBe(403);
    expect((await call('PUT', url, { status: 'FINISHED' }, evaluator)).json()).toMatchObject({ status: 'FINISHED' });
    expect(await lastAudit()).toMatchObject({ serviceName: 'Quality', action: 'Update', entityType: 'Evaluation', userId: 'eve', propertyChanges: JSON.stringify([{ property: 'status', oldValues: ['PENDING'], newValues: ['FINISHED'] }]) });
  });
});
