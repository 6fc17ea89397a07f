import type { RecordingKind } from '../../src/domain/capture/types.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { SESSION_COOKIE } from '../../src/api/auth.js';
import { Call, T0 } from '../support/call.js';
import { TEST_ADMIN } from '../support/api.js';
import { userIdOf, type Bystander, type Fixture, type Subject } from './fixture.js';

/**
 * The authorization matrix: for every route, who among the default roles may call it, and for
 * routes about one recording, who may per recording kind. Expectations are written out here
 * (not computed from the roles), each with the seed sentence or permission it comes from, so
 * that a change to a default role or a rule that breaks them fails the test.
 *
 * Every route in ROUTES needs a row: add one for each route you add, keyed `METHOD /path`.
 * `allow` lists who succeeds (2xx); everyone else gets 403 with an ErrorBody, and it is audited.
 */

export interface MatrixRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly payload?: object | string;
  /** Replaces the subject's credentials (rows that end sessions use a session of their own). */
  readonly headers?: Record<string, string>;
}

export type Everyone = 'everyone';

export interface PublicRow {
  readonly public: true;
  request(f: Fixture): MatrixRequest | Promise<MatrixRequest>;
}

export interface RoleRow {
  readonly allow: readonly Subject[] | Everyone;
  /** Why: the permission or seed rule. */
  readonly because: string;
  request(f: Fixture, subject: Subject): MatrixRequest | Promise<MatrixRequest>;
}

export interface KindRow {
  /** Who may, per recording kind; the kinds listed are the ones the route applies to. */
  readonly kinds: Partial<Record<RecordingKind, readonly (Subject | Bystander)[]>>;
  /** `url`: the request's URL is the credential (signed playback URLs): no session is sent. */
  readonly credentials?: 'session' | 'url';
  /** Listings: whether an answer shows the recording (a listing leaves out what the caller may not see). */
  shows?(body: unknown, recordingId: string): boolean;
  request(f: Fixture, subject: Subject | Bystander, kind: RecordingKind): MatrixRequest | Promise<MatrixRequest>;
}

export type MatrixRow = PublicRow | RoleRow | KindRow;

/** Typed constructors, so that each row's request builder knows its arguments. */
export const publicRow = (row: Omit<PublicRow, 'public'>): PublicRow => ({ public: true, ...row });
export const roleRow = (row: RoleRow): RoleRow => row;
export const kindRow = (row: KindRow): KindRow => row;

const POLICY_LISTENERS = ['admin', 'supervisor', 'evaluator', 'agent'] as const;

/**
 * Who may play or view a recording of each kind (the seed's table "Who can listen to the
 * recording?" and the screen-recording rules), in the fixture's relationships.
 */
export const CAN_PLAY: Record<RecordingKind, readonly (Subject | Bystander)[]> = {
  // "Supervisors with the correct permissions. Evaluators assigned to evaluate an interaction. Agents reviewing an evaluation of themselves."
  trunk: POLICY_LISTENERS,
  station: POLICY_LISTENERS,
  consult: POLICY_LISTENERS,
  // "The user who made the recording." — not even an administrator.
  adhoc: ['user'],
  // "Supervisors with the correct permissions." "Agents can review their own snippet recordings that they captured in a call."
  snippet: ['admin', 'supervisor', 'agent'],
  // "granted to management and supervisors by default today—but not to agents"; "Agents do not currently have permission to view their own screen recordings."
  screen: ['admin', 'supervisor'],
};

/** Who may download: call audio "can be downloaded" by holders of recording:recording:download; screen recordings "not downloaded". */
export const CAN_DOWNLOAD: Record<RecordingKind, readonly (Subject | Bystander)[]> = {
  trunk: ['admin', 'supervisor'],
  station: ['admin', 'supervisor'],
  consult: ['admin', 'supervisor'],
  adhoc: ['user'],
  snippet: ['admin', 'supervisor'],
  screen: [],
};

const asAdmin = (f: Fixture) => f.sessions.admin;

/** The recordings the media pipeline serves (screen recordings are video: not yet ingested). */
const AUDIO_KINDS = ['trunk', 'station', 'consult', 'adhoc', 'snippet'] as const;
const audioKinds = (table: Record<RecordingKind, readonly (Subject | Bystander)[]>) => Object.fromEntries(AUDIO_KINDS.map((k) => [k, table[k]]));
const listed = (body: unknown, id: string) => Array.isArray(body) && body.some((r: { id?: string }) => r.id === id);

export async function principalOf(f: Fixture, who: Subject | Bystander) {
  return (await f.api.services.auth.authenticate('session', f.sessions[who].cookie.split('=')[1]!))!;
}

/** Rows that delete something create it first; the 401 check may already have. */
const alreadyThere = (err: { code?: string }) => {
  if (!err.code?.endsWith('Exists')) throw err;
};
const interval = () => `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 3_600_000).toISOString()}`;

/** A transaction id from POST /api/v2/audits/query, made by the administrator. */
async function auditTransaction(f: Fixture): Promise<string> {
  const res = await f.api.app.inject({ method: 'POST', url: '/api/v2/audits/query', headers: asAdmin(f), payload: { interval: interval() } });
  return res.json().id as string;
}

/** A web session of its own for a subject (for rows that end sessions), with a known password. */
async function ownSession(f: Fixture, subject: Subject): Promise<Record<string, string>> {
  const { services } = f.api;
  const id = `pw-${subject}`;
  if (!(await services.users.get(DEFAULT_ORG_ID, id))) {
    await services.users.create({ principal: TEST_ADMIN }, { id, name: id, username: id, password: 'initial password', roleIds: [subject], state: 'active', externalPartner: false });
  }
  const session = await services.auth.startSession(DEFAULT_ORG_ID, id);
  return { cookie: `${SESSION_COOKIE}=${session.token}` };
}

async function apiClient(f: Fixture): Promise<{ id: string; secret: string }> {
  const existing = await f.api.services.clients.get(DEFAULT_ORG_ID, 'm-client');
  const admin = { principal: TEST_ADMIN };
  const created = existing
    ? (await f.api.services.clients.regenerateSecret(admin, 'm-client'))!
    : await f.api.services.clients.create(admin, { id: 'm-client', name: 'Matrix client', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['agent'], state: 'active' });
  return { id: 'm-client', secret: created.secret };
}

export const MATRIX: Record<string, MatrixRow> = {
  'GET /healthz': publicRow({ request: () => ({ url: '/healthz' }) }),
  'GET /metrics': publicRow({ request: () => ({ url: '/metrics' }) }),
  'GET /openapi.json': publicRow({ request: () => ({ url: '/openapi.json' }) }),

  // Conversations.
  'POST /api/v2/capstan/events': roleRow({
    allow: ['admin'],
    because: 'conversation:event:add is for telephony integrations (API clients); of the default roles only admin holds it',
    request: (_f, s) => ({ method: 'POST', url: '/api/v2/capstan/events', payload: new Call(`m-events-${s}`).start(0, 'outbound').inputs }),
  }),
  'GET /api/v2/capstan/conversations': roleRow({
    allow: ['admin', 'supervisor', 'evaluator'],
    because: 'conversation:conversation:view: supervisors find interactions; evaluators open those they evaluate',
    request: () => ({ url: '/api/v2/capstan/conversations' }),
  }),
  'GET /api/v2/capstan/conversations/:conversationId': roleRow({
    allow: ['admin', 'supervisor', 'evaluator'],
    because: 'conversation:conversation:view',
    request: () => ({ url: '/api/v2/capstan/conversations/m-acd' }),
  }),

  'POST /api/v2/analytics/conversations/details/query': kindRow({
    // Search finds a conversation (here: the one holding a recording of that kind) for holders of
    // analytics:conversationDetail:view, and for the users who took part in it; the others get an answer without it.
    kinds: {
      trunk: ['admin', 'supervisor', 'evaluator', 'other-evaluator', 'agent'],
      adhoc: ['admin', 'supervisor', 'evaluator', 'other-evaluator', 'user'],
    },
    shows: (body) => (body as { conversations: unknown[] }).conversations.length > 0,
    request: (f, _s, kind) => ({
      method: 'POST',
      url: '/api/v2/analytics/conversations/details/query',
      payload: {
        interval: `${new Date(T0 - 3_600_000).toISOString()}/${new Date(T0 + 3_600_000).toISOString()}`,
        conversationFilters: [{ type: 'and', predicates: [{ dimension: 'conversationId', value: f.recordings[kind].conversationId }] }],
      },
    }),
  }),

  // Telephony recording configuration.
  'GET /api/v2/capstan/connectors': roleRow({ allow: ['admin', 'supervisor'], because: 'telephony:connector:view', request: () => ({ url: '/api/v2/capstan/connectors' }) }),
  'GET /api/v2/capstan/config/:kind': roleRow({ allow: ['admin', 'supervisor'], because: 'telephony:config:view', request: () => ({ url: '/api/v2/capstan/config/trunks' }) }),
  'GET /api/v2/capstan/config/:kind/:id': roleRow({ allow: ['admin', 'supervisor'], because: 'telephony:config:view', request: () => ({ url: '/api/v2/capstan/config/trunks/m-trunk' }) }),
  'PUT /api/v2/capstan/config/:kind/:id': roleRow({
    allow: ['admin'],
    because: 'telephony:config:edit',
    request: (_f, s) => ({ method: 'PUT', url: `/api/v2/capstan/config/queues/m-q-${s}`, payload: { name: 'Queue' } }),
  }),
  'DELETE /api/v2/capstan/config/:kind/:id': roleRow({
    allow: ['admin'],
    because: 'telephony:config:edit',
    async request(f, s) {
      await f.api.services.telephony.put(DEFAULT_ORG_ID, 'queues', { id: `m-qd-${s}`, name: 'Queue' });
      return { method: 'DELETE', url: `/api/v2/capstan/config/queues/m-qd-${s}` };
    },
  }),

  // Authentication.
  'POST /oauth/token': publicRow({
    async request(f) {
      const { id, secret } = await apiClient(f);
      return {
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials',
      };
    },
  }),
  'POST /api/v2/capstan/session': publicRow({
    async request(f) {
      await ownSession(f, 'user');
      return { method: 'POST', url: '/api/v2/capstan/session', payload: { username: 'pw-user', password: 'initial password' } };
    },
  }),
  'GET /api/v2/capstan/session': publicRow({ request: () => ({ url: '/api/v2/capstan/session' }) }),
  'DELETE /api/v2/capstan/session': roleRow({
    allow: 'everyone',
    because: 'anyone signed in may sign out',
    request: async (f, s) => ({ method: 'DELETE', url: '/api/v2/capstan/session', headers: await ownSession(f, s) }),
  }),
  'GET /api/v2/capstan/me': roleRow({ allow: 'everyone', because: 'anyone signed in may ask who they are', request: () => ({ url: '/api/v2/capstan/me' }) }),
  'POST /api/v2/capstan/me/password': roleRow({
    allow: 'everyone',
    because: 'every user may change their own password',
    request: async (f, s) => ({
      method: 'POST',
      url: '/api/v2/capstan/me/password',
      headers: await ownSession(f, s),
      payload: { currentPassword: 'initial password', newPassword: 'initial password' },
    }),
  }),

  // Users.
  'GET /api/v2/users': roleRow({ allow: ['admin', 'supervisor', 'evaluator'], because: 'directory:user:view', request: () => ({ url: '/api/v2/users' }) }),
  'POST /api/v2/users': roleRow({
    allow: ['admin'],
    because: 'directory:user:add',
    request: (_f, s) => ({ method: 'POST', url: '/api/v2/users', payload: { id: `m-new-${s}`, name: 'New user', roleIds: ['agent'] } }),
  }),
  'GET /api/v2/users/:userId': roleRow({ allow: ['admin', 'supervisor', 'evaluator'], because: 'directory:user:view', request: () => ({ url: `/api/v2/users/${userIdOf('agent')}` }) }),
  'PATCH /api/v2/users/:userId': roleRow({
    allow: ['admin'],
    because: 'directory:user:edit',
    request: () => ({ method: 'PATCH', url: `/api/v2/users/${userIdOf('other-agent')}`, payload: { name: 'Other agent' } }),
  }),
  'DELETE /api/v2/users/:userId': roleRow({
    allow: ['admin'],
    because: 'directory:user:delete',
    async request(f, s) {
      await f.api.services.users.create({ principal: TEST_ADMIN }, { id: `m-del-${s}`, name: 'Leaving', roleIds: [], state: 'active', externalPartner: false }).catch(alreadyThere);
      return { method: 'DELETE', url: `/api/v2/users/m-del-${s}` };
    },
  }),

  // Roles.
  'GET /api/v2/authorization/permissions': roleRow({ allow: ['admin'], because: 'authorization:role:view', request: () => ({ url: '/api/v2/authorization/permissions' }) }),
  'GET /api/v2/authorization/roles': roleRow({ allow: ['admin'], because: 'authorization:role:view', request: () => ({ url: '/api/v2/authorization/roles' }) }),
  'POST /api/v2/authorization/roles': roleRow({
    allow: ['admin'],
    because: 'authorization:role:add',
    request: (_f, s) => ({ method: 'POST', url: '/api/v2/authorization/roles', payload: { id: `m-role-${s}`, name: 'Listener', permissions: ['recording:recording:view'] } }),
  }),
  'GET /api/v2/authorization/roles/:roleId': roleRow({ allow: ['admin'], because: 'authorization:role:view', request: () => ({ url: '/api/v2/authorization/roles/agent' }) }),
  'PUT /api/v2/authorization/roles/:roleId': roleRow({
    allow: ['admin'],
    because: 'authorization:role:edit',
    async request(f, s) {
      await f.api.services.roles.create({ principal: TEST_ADMIN }, { id: `m-edit-${s}`, name: 'Editable', description: '', permissions: [], queueScopes: {} }).catch(alreadyThere);
      return { method: 'PUT', url: `/api/v2/authorization/roles/m-edit-${s}`, payload: { name: 'Edited', permissions: ['audit:audit:view'] } };
    },
  }),
  'DELETE /api/v2/authorization/roles/:roleId': roleRow({
    allow: ['admin'],
    because: 'authorization:role:delete',
    async request(f, s) {
      await f.api.services.roles.create({ principal: TEST_ADMIN }, { id: `m-gone-${s}`, name: 'Unused', description: '', permissions: [], queueScopes: {} }).catch(alreadyThere);
      return { method: 'DELETE', url: `/api/v2/authorization/roles/m-gone-${s}` };
    },
  }),

  // API clients.
  'GET /api/v2/oauth/clients': roleRow({ allow: ['admin'], because: 'oauth:client:view', request: () => ({ url: '/api/v2/oauth/clients' }) }),
  'POST /api/v2/oauth/clients': roleRow({ allow: ['admin'], because: 'oauth:client:add', request: () => ({ method: 'POST', url: '/api/v2/oauth/clients', payload: { name: 'Connector' } }) }),
  'GET /api/v2/oauth/clients/:clientId': roleRow({
    allow: ['admin'],
    because: 'oauth:client:view',
    request: async (f) => ({ url: `/api/v2/oauth/clients/${(await apiClient(f)).id}` }),
  }),
  'PUT /api/v2/oauth/clients/:clientId': roleRow({
    allow: ['admin'],
    because: 'oauth:client:edit',
    request: async (f) => ({ method: 'PUT', url: `/api/v2/oauth/clients/${(await apiClient(f)).id}`, payload: { description: 'matrix' } }),
  }),
  'POST /api/v2/oauth/clients/:clientId/secret': roleRow({
    allow: ['admin'],
    because: 'oauth:client:edit',
    request: async (f) => ({ method: 'POST', url: `/api/v2/oauth/clients/${(await apiClient(f)).id}/secret` }),
  }),
  'DELETE /api/v2/oauth/clients/:clientId': roleRow({
    allow: ['admin'],
    because: 'oauth:client:delete',
    async request(f, s) {
      await f.api.services.clients
        .create({ principal: TEST_ADMIN }, { id: `m-cdel-${s}`, name: 'Old', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: [], state: 'active' })
        .catch(alreadyThere);
      return { method: 'DELETE', url: `/api/v2/oauth/clients/m-cdel-${s}` };
    },
  }),

  // Evaluations.
  'POST /api/v2/quality/conversations/:conversationId/evaluations': roleRow({
    allow: ['admin', 'supervisor'],
    because: 'quality:evaluation:add: supervisors assign evaluations',
    request: () => ({
      method: 'POST',
      url: '/api/v2/quality/conversations/m-acd/evaluations',
      // The administrator evaluates: assigning a subject would change what the subject may hear.
      payload: { evaluator: { id: userIdOf('admin') }, agent: { id: userIdOf('agent') } },
    }),
  }),
  'GET /api/v2/quality/evaluations': roleRow({ allow: 'everyone', because: 'everyone lists the evaluations that concern them', request: () => ({ url: '/api/v2/quality/evaluations' }) }),
  'GET /api/v2/quality/conversations/:conversationId/evaluations/:evaluationId': roleRow({
    allow: ['admin', 'supervisor', 'evaluator', 'agent'],
    because: 'quality:evaluation:view, the assigned evaluator, and the agent once it is FINISHED ("agents reviewing an evaluation of themselves")',
    request: (f) => ({ url: `/api/v2/quality/conversations/${f.evaluation.conversationId}/evaluations/${f.evaluation.id}` }),
  }),
  'PUT /api/v2/quality/conversations/:conversationId/evaluations/:evaluationId': roleRow({
    allow: ['admin', 'supervisor', 'evaluator'],
    because: 'quality:evaluation:edit, or the assigned evaluator',
    request: (f) => ({ method: 'PUT', url: `/api/v2/quality/conversations/${f.evaluation.conversationId}/evaluations/${f.evaluation.id}`, payload: { status: 'FINISHED' } }),
  }),
  'DELETE /api/v2/quality/conversations/:conversationId/evaluations/:evaluationId': roleRow({
    allow: ['admin', 'supervisor'],
    because: 'quality:evaluation:delete',
    async request(f) {
      const created = await f.api.services.evaluations.create(
        { principal: TEST_ADMIN },
        { conversationId: 'm-acd', evaluatorUserId: userIdOf('admin'), agentUserId: userIdOf('agent'), status: 'PENDING' },
      );
      return { method: 'DELETE', url: `/api/v2/quality/conversations/m-acd/evaluations/${created.id}` };
    },
  }),

  // Recordings: per kind, the seed's "Who can listen to the recording?" (CAN_PLAY above).
  'GET /api/v2/conversations/:conversationId/recordings': kindRow({
    kinds: audioKinds(CAN_PLAY),
    shows: listed,
    request: (f, _s, kind) => ({ url: `/api/v2/conversations/${f.recordings[kind].conversationId}/recordings?maxWaitMs=0` }),
  }),
  'GET /api/v2/conversations/:conversationId/recordings/:recordingId': kindRow({
    kinds: audioKinds(CAN_PLAY),
    request: (f, _s, kind) => ({ url: `/api/v2/conversations/${f.recordings[kind].conversationId}/recordings/${f.recordings[kind].id}?maxWaitMs=0` }),
  }),
  'GET /api/v2/conversations/:conversationId/recordingmetadata': kindRow({
    kinds: audioKinds(CAN_PLAY),
    shows: listed,
    request: (f, _s, kind) => ({ url: `/api/v2/conversations/${f.recordings[kind].conversationId}/recordingmetadata` }),
  }),
  'GET /api/v2/conversations/:conversationId/recordingmetadata/:recordingId': kindRow({
    kinds: audioKinds(CAN_PLAY),
    request: (f, _s, kind) => ({ url: `/api/v2/conversations/${f.recordings[kind].conversationId}/recordingmetadata/${f.recordings[kind].id}` }),
  }),
  'GET /api/v2/capstan/recordings/:recordingId/media': kindRow({
    // A playback URL made for the subject: access is checked again when it is played.
    kinds: audioKinds(CAN_PLAY),
    credentials: 'url',
    request: async (f, s, kind) => ({ url: await f.api.services.recordings.playbackPath(f.recordings[kind], 'WAV', await principalOf(f, s)) }),
  }),

  // Audit trail.
  'POST /api/v2/audits/query': roleRow({ allow: ['admin'], because: 'audit:audit:view', request: () => ({ method: 'POST', url: '/api/v2/audits/query', payload: { interval: interval() } }) }),
  'GET /api/v2/audits/query/:transactionId': roleRow({ allow: ['admin'], because: 'audit:audit:view', request: async (f) => ({ url: `/api/v2/audits/query/${await auditTransaction(f)}` }) }),
  'GET /api/v2/audits/query/:transactionId/results': roleRow({
    allow: ['admin'],
    because: 'audit:audit:view',
    request: async (f) => ({ url: `/api/v2/audits/query/${await auditTransaction(f)}/results` }),
  }),
  'GET /api/v2/capstan/audit/verify': roleRow({ allow: ['admin'], because: 'audit:audit:view', request: () => ({ url: '/api/v2/capstan/audit/verify' }) }),
};
