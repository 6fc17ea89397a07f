import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Caller, Principal } from '../domain/access/principal.js';
import type { Services } from '../services/index.js';

/**
 * A route is data: method, path, who may call it, and the schemas of its inputs, next to one
 * handler call. The table of all routes registers them with Fastify, produces /openapi.json, and
 * lets tests enumerate every route (the authorization matrix fails when a route has no row).
 */

export type { Principal } from '../domain/access/principal.js';

/** Who may call a route: anyone, any signed-in principal, or holders of any/all of some permissions. */
export type Access = 'public' | 'authenticated' | { readonly anyOf: readonly string[] } | { readonly allOf: readonly string[] };

export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Present on every route but public ones. */
  readonly principal: Principal;
  readonly services: Services;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify path syntax: `/api/v2/conversations/:conversationId`. */
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** Status for a successful response with a body (default 200); no body gives 204. */
  readonly status?: number;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
}

/** A handler result with a status other than the route's usual one (202 while work is still going on). */
export class WithStatus<T> {
  constructor(
    readonly status: number,
    readonly body: T,
  ) {}
}

/** Declares a route; the identity function is there for type inference. */
export function route<P = undefined, Q = undefined, B = undefined>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

export type AnyRoute = RouteDef<any, any, any>;

/** The principal and its address, as services take them (to decide and to audit). */
export function callerOf(ctx: { readonly principal: Principal; readonly request: FastifyRequest }): Caller {
  return { principal: ctx.principal, remoteIp: ctx.request.ip };
}
