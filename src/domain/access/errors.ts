import type { AuditServiceName } from '../audit.js';
import type { Principal } from './principal.js';
import { DomainError } from '../errors.js';

/**
 * A rule refused access to an entity (HTTP 403 `access.denied`). It carries what was attempted,
 * so that the audit trail records the denial against the entity rather than just the route.
 */
export class AccessDenied extends DomainError {
  constructor(
    message: string,
    readonly attempt: {
      readonly serviceName: AuditServiceName;
      readonly action: string;
      readonly entityType: string;
      readonly entityId: string;
      readonly context?: Readonly<Record<string, string>>;
      /** Who was refused, when the request itself does not say (a signed playback URL). */
      readonly principal?: Principal;
    },
  ) {
    super('access.denied', message, attempt.entityId);
    this.name = 'AccessDenied';
  }
}

/** Too many failed sign-ins for a username, client or address (HTTP 429 `auth.locked`). */
export class SignInLocked extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('auth.locked', `Too many failed attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s)`);
    this.name = 'SignInLocked';
  }
}
