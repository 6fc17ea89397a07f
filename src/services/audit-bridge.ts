import type { Kysely } from 'kysely';
import type { Principal } from '../api/route.js';
import type { Database } from '../store/schema.js';

/**
 * The audit call sites of retention, protection and bulk jobs, in the shape of the identity
 * area's `services.audit.record(input, exec)`; until it is merged, services/index.ts hands these
 * services a trail that keeps nothing.
 */

export interface Caller {
  readonly principal: Principal;
  readonly remoteIp?: string;
}

export interface AuditEntry {
  readonly orgId: string;
  readonly actor: { readonly userId?: string; readonly clientId?: string; readonly name?: string; readonly remoteIp?: string };
  readonly serviceName: 'Recording';
  readonly level?: 'USER' | 'SYSTEM';
  readonly action: string;
  readonly entityType: string;
  readonly entity?: { readonly id: string; readonly name?: string };
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING';
  readonly message?: string;
  readonly propertyChanges?: ReadonlyArray<{ property: string; oldValues: readonly string[]; newValues: readonly string[] }>;
  readonly context?: Readonly<Record<string, string>>;
}

export interface AuditTrail {
  record(entry: AuditEntry, exec?: Kysely<Database>): Promise<unknown>;
}

export function actorOf(caller: Caller): AuditEntry['actor'] {
  const { principal } = caller;
  return {
    ...(principal.userId ? { userId: principal.userId } : {}),
    ...(principal.kind === 'client' ? { clientId: principal.id } : {}),
    name: principal.name,
    ...(caller.remoteIp ? { remoteIp: caller.remoteIp } : {}),
  };
}

export const SYSTEM_ACTOR: AuditEntry['actor'] = { name: 'Capstan retention' };

export function hasPermission(principal: Principal, permission: string): boolean {
  return principal.permissions.has(permission) || principal.permissions.has('*');
}

/** The principal and its address, as services take them. */
export function callerOf(ctx: { readonly principal: Principal; readonly request: { readonly ip: string } }): Caller {
  return { principal: ctx.principal, remoteIp: ctx.request.ip };
}

/** What a caller did to an entity, successfully: the common shape of these services' audit events. */
export function auditOf(
  caller: Caller,
  action: string,
  entityType: string,
  entity: { readonly id: string; readonly name?: string },
  more: Pick<AuditEntry, 'propertyChanges' | 'context' | 'message'> = {},
): AuditEntry {
  return { orgId: caller.principal.orgId, actor: actorOf(caller), serviceName: 'Recording', action, entityType, entity, status: 'SUCCESS', ...more };
}
