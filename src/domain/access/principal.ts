import type { AuditActor } from '../audit.js';
import { holds } from './permissions.js';
import type { Viewer } from './recording-access.js';

/** Who is acting: a signed-in user, an API client, or Capstan itself (start-up, schedules, the command line). */
export interface Principal {
  readonly orgId: string;
  readonly kind: 'user' | 'client' | 'system';
  /** The user's or API client's id. */
  readonly id: string;
  /** The user acting (for API clients acting on their own behalf, undefined). */
  readonly userId?: string;
  readonly name: string;
  /** Granted permission patterns; test them with hasPermission (patterns may hold `*`). */
  readonly permissions: ReadonlySet<string>;
  /** Scopable permission → the queues it is limited to (absent = unlimited). */
  readonly queueScopes?: ReadonlyMap<string, ReadonlySet<string>>;
  /** A user of an external partner (outsourcer). */
  readonly externalPartner?: boolean;
}

/** A principal and where the request came from: what services need to decide and to audit. */
export interface Caller {
  readonly principal: Principal;
  readonly remoteIp?: string;
}

export function hasPermission(principal: Pick<Principal, 'permissions'>, permission: string): boolean {
  return holds(principal.permissions, permission);
}

export function viewerOf(principal: Principal): Viewer {
  return {
    userId: principal.userId,
    permissions: principal.permissions,
    queueScopes: principal.queueScopes ?? new Map(),
    externalPartner: principal.externalPartner ?? false,
  };
}

export function actorOf(caller: Caller): AuditActor {
  const { principal } = caller;
  return {
    ...(principal.userId ? { userId: principal.userId } : {}),
    ...(principal.kind === 'client' ? { clientId: principal.id } : {}),
    name: principal.name,
    ...(caller.remoteIp ? { remoteIp: caller.remoteIp } : {}),
  };
}

/** Capstan acting on its own, with every permission (start-up bootstrap, the command line, schedules). */
export function systemPrincipal(orgId: string, name = 'Capstan'): Principal {
  return { orgId, kind: 'system', id: 'system', name, permissions: new Set(['*']) };
}
