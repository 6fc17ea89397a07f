import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../../src/api/app.js';
import type { Principal } from '../../src/api/route.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { Call, T0 } from './call.js';
import type { TestApi } from './api.js';

/** Helpers for retention tests: a clock the test moves, principals chosen per request, calls to post. */

export class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

/** Every request acts as the principal named in `x-test-principal` (default `admin`), with every permission unless `x-test-permissions` lists some. */
export const headerAuthenticator: Authenticator = {
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const id = (request.headers['x-test-principal'] as string | undefined) ?? 'admin';
    const permissions = (request.headers['x-test-permissions'] as string | undefined)?.split(',') ?? ['*'];
    return { orgId: DEFAULT_ORG_ID, kind: 'user', id, userId: id, name: id, permissions: new Set(permissions) };
  },
};

export function caller(api: TestApi, as = 'admin', permissions?: string[]) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-test-principal': as, ...(permissions ? { 'x-test-permissions': permissions.join(',') } : {}) };
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    api.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
}

/** An inbound ACD call of `seconds` through queue q1 to agent ua, on trunk t1, starting `startSec` after T0. */
export function acdCall(id: string, options: { startSec?: number; seconds?: number; wrapupCode?: string; language?: string } = {}): Call {
  const s = options.startSec ?? 0;
  const end = s + (options.seconds ?? 60);
  const call = new Call(id)
    .start(s, 'inbound', options.language ? { language: options.language } : {})
    .join(s, 'c', 'customer')
    .join(s, 'acd', 'acd')
    .queue(s, 'c', 'q1')
    .join(s + 5, 'a', 'agent')
    .talk(s + 5, 'c', 'a')
    .leave(s + 5, 'acd')
    .leave(end, 'c');
  if (options.wrapupCode) return call.wrapup(end, 'a').end(end).wrapupDone(end + 10, 'a', options.wrapupCode);
  return call.leave(end, 'a').end(end);
}

export async function postCall(api: TestApi, call: Call): Promise<void> {
  const res = await api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(call.inputs) });
  if (res.statusCode !== 202) throw new Error(`events refused: ${res.body}`);
}

export const at = (sec: number) => T0 + sec * 1000;
