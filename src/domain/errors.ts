/**
 * A rule of the domain was broken by the input (an impossible event sequence, a recording request
 * the rules refuse). `code` is stable and documented in docs/errors.md; the API layer maps it to
 * an HTTP status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly entityId?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
