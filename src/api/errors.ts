import { z } from 'zod';
import { DomainError } from '../domain/errors.js';

/**
 * Errors on the wire use the reference API's ErrorBody: `message, code, status, contextId,
 * details, errors` (plus `messageWithParams`, `messageParams`, `entityId`). Codes are stable and
 * listed in docs/errors.md; this file is the one place that maps them to HTTP statuses.
 */

export interface ErrorDetail {
  readonly errorCode: string;
  readonly fieldName?: string;
  readonly entityId?: string;
  readonly entityName?: string;
}

export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageWithParams: string;
  messageParams: Record<string, string>;
  contextId: string;
  entityId?: string;
  details: ErrorDetail[];
  errors: ErrorBody[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly entityId?: string,
    /** Fields another protocol expects beside the ErrorBody (OAuth2's `error`, `error_description`). */
    readonly extra?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details: readonly ErrorDetail[] = []) => new ApiError(400, 'bad.request', message, details);
export const notFound = (what: string, id: string) => new ApiError(404, 'not.found', `${what} ${id} was not found`, [], id);
export const unauthorized = (message = 'Authentication is required: send a bearer token or sign in') =>
  new ApiError(401, 'authentication.required', message);
export const forbidden = (permissions: readonly string[], need: 'any' | 'all' = 'any') =>
  new ApiError(403, `missing.${need}.permissions`, `Missing ${need} of the permissions: ${permissions.join(', ')}`);

/** HTTP status of each family of domain error codes. */
const DOMAIN_STATUS: ReadonlyArray<[prefix: string, status: number]> = [
  ['paging.', 400],
  ['access.denied', 403],
  ['auth.locked', 429],
  ['auth.', 401],
  ['identity.userExists', 409],
  ['identity.clientExists', 409],
  ['identity.roleExists', 409],
  ['identity.usernameTaken', 409],
  ['identity.roleInUse', 409],
  ['evaluation.unknownConversation', 404],
  ['policy.unknownReference', 400],
  ['job.invalidQuery', 400],
  ['job.unknownIntegration', 400],
  ['recording.noExportIntegration', 400],
  ['annotation.outOfRange', 400],
  ['annotation.', 409],
  ['settings.aboveMaximum', 400],
  ['recording.', 409],
  ['policy.', 409],
  ['job.', 409],
  ['settings.', 409],
  ['integration.', 409],
  ['event.', 409],
  ['timeline.', 409],
  ['capture.', 409],
  ['playback.', 403],
  ['recording.notFound', 404],
  ['recording.', 409],
  ['media.', 409],
];

export function fromZod(error: z.ZodError, where: string): ApiError {
  const details = error.issues.map((issue) => ({
    // Rules with a stable code of their own carry it in the issue's params (see domain/policy/schema.ts).
    errorCode: (issue as { params?: { errorCode?: string } }).params?.errorCode ?? issue.code,
    fieldName: [where, ...issue.path.map(String)].filter(Boolean).join('.'),
    entityName: issue.message,
  }));
  const first = error.issues[0];
  const field = first ? [where, ...first.path.map(String)].filter(Boolean).join('.') : where;
  return badRequest(`Invalid ${field || 'request'}: ${first?.message ?? 'invalid input'}`, details);
}

/** Builds the wire body for any thrown value; unknown errors become a 500 without internals. */
export function toErrorBody(err: unknown, contextId: string): ErrorBody {
  let status = 500;
  let code = 'internal.server.error';
  let message = 'Something went wrong on our side; the error was logged with this contextId';
  let details: readonly ErrorDetail[] = [];
  let entityId: string | undefined;
  let extra: Readonly<Record<string, string>> | undefined;
  if (err instanceof ApiError) {
    ({ status, code, message, details, entityId, extra } = err);
  } else if (err instanceof DomainError) {
    status = DOMAIN_STATUS.find(([prefix]) => err.code.startsWith(prefix))?.[1] ?? 400;
    code = err.code;
    message = err.message;
    entityId = err.entityId;
    details = err.details ?? [{ errorCode: err.code, ...(err.entityId ? { entityId: err.entityId } : {}) }];
  } else if (err instanceof z.ZodError) {
    return toErrorBody(fromZod(err, ''), contextId);
  } else if (isFastifyClientError(err)) {
    status = err.statusCode;
    code = status === 413 ? 'request.tooLarge' : status === 415 ? 'unsupported.mediaType' : 'bad.request';
    message = err.message;
  }
  return {
    message,
    code,
    status,
    messageWithParams: message,
    messageParams: {},
    contextId,
    ...(entityId ? { entityId } : {}),
    details: [...details],
    errors: [],
    ...extra,
  };
}

function isFastifyClientError(err: unknown): err is { statusCode: number; message: string } {
  const statusCode = (err as { statusCode?: unknown })?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
