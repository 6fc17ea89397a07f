import { actorOf, type Caller } from '../domain/access/principal.js';
import type { AuditActor, AuditRecordInput } from '../domain/audit.js';

/** The audit events of retention, protection, bulk jobs and annotations (recorded through services.audit). */

/** What a caller did to an entity, successfully. */
export function auditOf(
  caller: Caller,
  action: string,
  entityType: string,
  entity: { readonly id: string; readonly name?: string },
  more: Pick<AuditRecordInput, 'propertyChanges' | 'context' | 'message'> = {},
): AuditRecordInput {
  return { orgId: caller.principal.orgId, actor: actorOf(caller), serviceName: 'Recording', action, entityType, entity, status: 'SUCCESS', ...more };
}

/** Capstan itself applying retention (policies, the lifecycle scheduler): a SYSTEM-level actor. */
export const RETENTION_ACTOR: AuditActor = { name: 'Capstan retention' };
