/**
 * A rule of the domain was broken by the input (an impossible event sequence, a recording request
 * the rules refuse). `code` is stable and documented in docs/errors.md; the API layer maps it to
 * an HTTP status.
 */
export interface DomainErrorDetail {
  readonly errorCode: string;
  /** Dotted path of the input field at fault, e.g. `mediaPolicies.callPolicy.conditions.forUsers.0.id`. */
  readonly fieldName?: string;
  readonly entityId?: string;
  readonly entityName?: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly entityId?: string,
    /** One entry per problem when there are several (each named by its field). */
    readonly details?: readonly DomainErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
