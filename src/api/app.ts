import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AccessDenied, SignInLocked } from '../domain/access/errors.js';
import { holds } from '../domain/access/permissions.js';
import type { Services } from '../services/index.js';
import type { Authenticator } from './auth.js';
import { ApiError, badRequest, forbidden, fromZod, toErrorBody, unauthorized } from './errors.js';
import { WithStatus, type AnyRoute, type Principal } from './route.js';
import { ROUTES } from './routes/index.js';
import { registerWebUi, wantsWebApp } from './web-ui.js';

export interface ApiOptions {
  readonly services: Services;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly routes?: readonly AnyRoute[];
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit?: number;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { services, authenticator } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024,
    // The reference SDK joins arrays with commas; repeated keys are accepted too (see queryList).
    // Audit query executions are named by ids that carry the query (see audit.routes.ts).
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 2048 },
    // Errors the router raises before any route runs (a malformed or over-long URL) are ErrorBodies too.
    frameworkErrors: (err, request, reply) => {
      const body = toErrorBody(err, request.id);
      void (reply as FastifyReply).code(body.status).type('application/json').send(body);
    },
    trustProxy: services.config.trustProxy,
  });
  const principals = new WeakMap<FastifyRequest, Principal>();

  // The reference SDK sends `Content-Type: application/json` with empty bodies on GET, DELETE
  // and bodiless POSTs; an empty JSON body is "no body", not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const source = (text as string).trim();
    if (source === '') return done(null, undefined);
    try {
      done(null, JSON.parse(source));
    } catch {
      done(badRequest('The request body is not valid JSON', [{ errorCode: 'invalid.json', fieldName: 'body' }]), undefined);
    }
  });

  // OAuth2 token requests are form-encoded (RFC 6749 section 4.4.2).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) => {
    done(null, Object.fromEntries(new URLSearchParams(text as string)));
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('inin-correlation-id', request.id);
  });

  app.setErrorHandler(async (err, request, reply) => {
    const body = toErrorBody(err, request.id);
    if (body.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, body.message);
    if (DENIALS.has(body.code)) await auditDenial(services, request, principals.get(request), err, body.code, body.message);
    if (body.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (err instanceof SignInLocked) void reply.header('retry-after', String(err.retryAfterSeconds));
    return reply.code(body.status).type('application/json').send(body);
  });
  await registerWebUi(app);
  app.setNotFoundHandler((request, reply) => {
    if (wantsWebApp(request)) return reply.sendWebApp();
    const body = toErrorBody(new ApiError(404, 'not.found', `No route ${request.method} ${request.url.split('?')[0]}`), request.id);
    return reply.code(404).send(body);
  });

  for (const def of options.routes ?? ROUTES) {
    app.route({
      method: def.method,
      url: def.url,
      handler: async (request, reply) => {
        const principal = def.access === 'public' ? undefined : await authorize(def, request, authenticator, principals);
        const ctx = {
          params: parse(def.params, request.params, 'path'),
          query: parse(def.query, request.query, 'query'),
          body: parse(def.body, request.body, 'body'),
          principal: principal as Principal,
          services,
          request,
          reply,
        };
        const result = await def.handler(ctx);
        if (reply.sent) return reply;
        if (result instanceof WithStatus) return reply.code(result.status).send(result.body);
        if (result === undefined) return reply.code(204).send();
        return reply.code(def.status ?? 200).send(result);
      },
    });
  }
  return app;
}

function parse(schema: AnyRoute['body'], value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw fromZod(result.error, where === 'body' ? '' : where);
  return result.data;
}

async function authorize(
  def: AnyRoute,
  request: FastifyRequest,
  authenticator: Authenticator,
  principals: WeakMap<FastifyRequest, Principal>,
): Promise<Principal> {
  const principal = await authenticator.authenticate(request);
  if (!principal) throw unauthorized();
  principals.set(request, principal);
  if (typeof def.access === 'object') {
    const granted = (p: string) => holds(principal.permissions, p);
    if ('anyOf' in def.access && !def.access.anyOf.some(granted)) throw forbidden(def.access.anyOf);
    if ('allOf' in def.access && !def.access.allOf.every(granted)) throw forbidden(def.access.allOf, 'all');
  }
  return principal;
}

/** Refused accesses (not failed sign-ins, which the auth service audits itself). */
const DENIALS = new Set(['authentication.required', 'missing.any.permissions', 'missing.all.permissions', 'access.denied']);

/** Every refused access is an audit event (see AuditService.recordRefusal). */
async function auditDenial(services: Services, request: FastifyRequest, principal: Principal | undefined, err: unknown, code: string, message: string) {
  try {
    await services.audit.recordRefusal({
      principal,
      remoteIp: request.ip,
      route: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
      code,
      message,
      contextId: request.id,
      ...(err instanceof AccessDenied ? { attempt: err.attempt } : {}),
    });
  } catch (auditErr) {
    request.log.error({ err: auditErr }, 'could not audit a refused access');
  }
}
