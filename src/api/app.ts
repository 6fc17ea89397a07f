import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import { ApiError, badRequest, forbidden, fromZod, toErrorBody, unauthorized } from './errors.js';
import { WithStatus, type AnyRoute, type Principal } from './route.js';
import { ROUTES } from './routes/index.js';

/** How a request proves who it is. The identity module provides the real one. */
export interface Authenticator {
  /** The principal behind the request, or undefined when it carries no (valid) credentials. */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
}

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
    disableRequestLogging: false,
    genReqId: () => randomUUID(),
    bodyLimit: options.bodyLimit ?? 5 * 1024 * 1024,
    // The reference SDK joins arrays with commas; repeated keys are accepted too (see queryList).
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });

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

  app.addHook('onSend', async (request, reply) => {
    reply.header('inin-correlation-id', request.id);
  });

  app.setErrorHandler((err, request, reply) => {
    const body = toErrorBody(err, request.id);
    if (body.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, body.message);
    void reply.code(body.status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = toErrorBody(new ApiError(404, 'not.found', `No route ${request.method} ${request.url.split('?')[0]}`), request.id);
    void reply.code(404).send(body);
  });

  for (const def of options.routes ?? ROUTES) {
    app.route({
      method: def.method,
      url: def.url,
      handler: async (request, reply) => {
        const principal = def.access === 'public' ? undefined : await authorize(def, request, authenticator);
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

async function authorize(def: AnyRoute, request: FastifyRequest, authenticator: Authenticator): Promise<Principal> {
  const principal = await authenticator.authenticate(request);
  if (!principal) throw unauthorized();
  if (typeof def.access === 'object') {
    const granted = (p: string) => principal.permissions.has(p) || principal.permissions.has('*');
    const ok = 'anyOf' in def.access ? def.access.anyOf.some(granted) : def.access.allOf.every(granted);
    if (!ok) throw forbidden('anyOf' in def.access ? def.access.anyOf : def.access.allOf);
  }
  return principal;
}

/** Until identity is configured: every request acts for the default organization with every permission. */
export function openAccess(orgId: string): Authenticator {
  const principal: Principal = { orgId, kind: 'system', id: 'open-access', name: 'Open access', permissions: new Set(['*']) };
  return { authenticate: async () => principal };
}
