import { z } from 'zod';
import { clientChangesSchema, newClientSchema, newUserSchema, userChangesSchema } from '../../domain/access/accounts.js';
import { PERMISSIONS, QUEUE_SCOPABLE } from '../../domain/access/permissions.js';
import { roleInputSchema } from '../../domain/access/roles.js';
import type { RoleView } from '../../services/roles.service.js';
import type { ApiClient } from '../../store/repositories/clients.repository.js';
import type { UserAccount } from '../../store/repositories/users.repository.js';
import { notFound } from '../errors.js';
import { iso, pagingQuery } from '../query.js';
import { callerOf, route } from '../route.js';

/**
 * Users, roles and API clients, on the reference API's paths where it has them
 * (/api/v2/users, /api/v2/authorization/roles, /api/v2/oauth/clients).
 */

const userParams = z.object({ userId: z.string().min(1).max(128) });
const roleParams = z.object({ roleId: z.string().min(1).max(64) });
const clientParams = z.object({ clientId: z.string().min(1).max(128) });

function renderUser(u: UserAccount) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    username: u.username,
    state: u.active ? 'active' : 'inactive',
    externalPartner: u.externalPartner,
    passwordSet: u.hasPassword,
    roleIds: u.roleIds,
    dateCreated: iso(u.createdAtMs),
    dateModified: iso(u.updatedAtMs),
    selfUri: `/api/v2/users/${encodeURIComponent(u.id)}`,
  };
}

function renderRole(r: RoleView) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: r.permissions,
    queueScopes: r.queueScopes,
    default: r.builtIn,
    userCount: r.userCount,
    clientCount: r.clientCount,
    selfUri: `/api/v2/authorization/roles/${encodeURIComponent(r.id)}`,
  };
}

function renderClient(c: ApiClient, secret?: string) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleIds: c.roleIds,
    state: c.state,
    createdBy: c.createdBy ? { id: c.createdBy } : null,
    dateCreated: iso(c.createdAtMs),
    ...(secret ? { secret } : {}),
    selfUri: `/api/v2/oauth/clients/${encodeURIComponent(c.id)}`,
  };
}

const listing = <T>(entities: T[], pageSize: number, cursor?: string) => ({ entities, pageSize, ...(cursor ? { cursor } : {}) });

export const userRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/users',
    summary: 'Users with their roles and state (keyset paging)',
    tags: ['identity'],
    access: { anyOf: ['directory:user:view'] },
    query: pagingQuery(500),
    async handler({ query, principal, services }) {
      const page = await services.users.list(principal.orgId, { limit: query.pageSize, cursor: query.cursor });
      return listing(page.entities.map(renderUser), query.pageSize, page.nextCursor);
    },
  }),
  route({
    method: 'POST',
    url: '/api/v2/users',
    summary: 'Create a user: name, username and password for sign-in, roles, external-partner flag',
    tags: ['identity'],
    access: { anyOf: ['directory:user:add'] },
    body: newUserSchema,
    status: 201,
    async handler(ctx) {
      return renderUser(await ctx.services.users.create(callerOf(ctx), ctx.body));
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/users/:userId',
    summary: 'One user',
    tags: ['identity'],
    access: { anyOf: ['directory:user:view'] },
    params: userParams,
    async handler({ params, principal, services }) {
      const user = await services.users.get(principal.orgId, params.userId);
      if (!user) throw notFound('user', params.userId);
      return renderUser(user);
    },
  }),
  route({
    method: 'PATCH',
    url: '/api/v2/users/:userId',
    summary: 'Change a user: name, username, password (null removes it), roles, state (inactive ends their sessions)',
    tags: ['identity'],
    access: { anyOf: ['directory:user:edit'] },
    params: userParams,
    body: userChangesSchema,
    async handler(ctx) {
      const user = await ctx.services.users.update(callerOf(ctx), ctx.params.userId, ctx.body);
      if (!user) throw notFound('user', ctx.params.userId);
      return renderUser(user);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/v2/users/:userId',
    summary: 'Delete a user (prefer state inactive: it keeps the user in the audit trail and the recordings)',
    tags: ['identity'],
    access: { anyOf: ['directory:user:delete'] },
    params: userParams,
    async handler(ctx) {
      if (!(await ctx.services.users.remove(callerOf(ctx), ctx.params.userId))) throw notFound('user', ctx.params.userId);
      return undefined;
    },
  }),
];

export const roleRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/authorization/permissions',
    summary: 'Every permission Capstan checks, with what it allows, and which may be limited to queues',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:view'] },
    async handler() {
      return {
        entities: Object.entries(PERMISSIONS).map(([permission, description]) => ({
          permission,
          description,
          queueScopable: (QUEUE_SCOPABLE as readonly string[]).includes(permission),
        })),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/authorization/roles',
    summary: 'Roles with their permissions and how many users and API clients hold them',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:view'] },
    async handler({ principal, services }) {
      const roles = await services.roles.list(principal.orgId);
      return { entities: roles.map(renderRole), pageSize: roles.length, total: roles.length };
    },
  }),
  route({
    method: 'POST',
    url: '/api/v2/authorization/roles',
    summary: 'Create a role: permissions (patterns with * allowed) and optional queue scopes',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:add'] },
    body: roleInputSchema,
    status: 201,
    async handler(ctx) {
      return renderRole(await ctx.services.roles.create(callerOf(ctx), ctx.body));
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/authorization/roles/:roleId',
    summary: 'One role',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:view'] },
    params: roleParams,
    async handler({ params, principal, services }) {
      const role = await services.roles.get(principal.orgId, params.roleId);
      if (!role) throw notFound('role', params.roleId);
      return renderRole(role);
    },
  }),
  route({
    method: 'PUT',
    url: '/api/v2/authorization/roles/:roleId',
    summary: 'Replace a role (default roles included: every role is editable)',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:edit'] },
    params: roleParams,
    body: roleInputSchema,
    async handler(ctx) {
      const role = await ctx.services.roles.update(callerOf(ctx), ctx.params.roleId, ctx.body);
      if (!role) throw notFound('role', ctx.params.roleId);
      return renderRole(role);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/v2/authorization/roles/:roleId',
    summary: 'Delete a role nobody holds',
    tags: ['identity'],
    access: { anyOf: ['authorization:role:delete'] },
    params: roleParams,
    async handler(ctx) {
      if (!(await ctx.services.roles.remove(callerOf(ctx), ctx.params.roleId))) throw notFound('role', ctx.params.roleId);
      return undefined;
    },
  }),
];

export const clientRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/oauth/clients',
    summary: 'API clients (client-credentials grant) with their roles (keyset paging)',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:view'] },
    query: pagingQuery(500),
    async handler({ query, principal, services }) {
      const page = await services.clients.list(principal.orgId, { limit: query.pageSize, cursor: query.cursor });
      return listing(page.entities.map((c) => renderClient(c)), query.pageSize, page.nextCursor);
    },
  }),
  route({
    method: 'POST',
    url: '/api/v2/oauth/clients',
    summary: 'Create an API client; the answer carries its secret, shown this once',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:add'] },
    body: newClientSchema,
    status: 201,
    async handler(ctx) {
      const { client, secret } = await ctx.services.clients.create(callerOf(ctx), ctx.body);
      return renderClient(client, secret);
    },
  }),
  route({
    method: 'GET',
    url: '/api/v2/oauth/clients/:clientId',
    summary: 'One API client (never its secret)',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:view'] },
    params: clientParams,
    async handler({ params, principal, services }) {
      const client = await services.clients.get(principal.orgId, params.clientId);
      if (!client) throw notFound('API client', params.clientId);
      return renderClient(client);
    },
  }),
  route({
    method: 'PUT',
    url: '/api/v2/oauth/clients/:clientId',
    summary: 'Change an API client: name, description, roles, state (disabled ends its tokens)',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:edit'] },
    params: clientParams,
    body: clientChangesSchema,
    async handler(ctx) {
      const client = await ctx.services.clients.update(callerOf(ctx), ctx.params.clientId, ctx.body);
      if (!client) throw notFound('API client', ctx.params.clientId);
      return renderClient(client);
    },
  }),
  route({
    method: 'POST',
    url: '/api/v2/oauth/clients/:clientId/secret',
    summary: 'Regenerate an API client secret (shown this once); the old secret and its tokens stop working',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:edit'] },
    params: clientParams,
    async handler(ctx) {
      const result = await ctx.services.clients.regenerateSecret(callerOf(ctx), ctx.params.clientId);
      if (!result) throw notFound('API client', ctx.params.clientId);
      return renderClient(result.client, result.secret);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/v2/oauth/clients/:clientId',
    summary: 'Delete an API client and its tokens',
    tags: ['identity'],
    access: { anyOf: ['oauth:client:delete'] },
    params: clientParams,
    async handler(ctx) {
      if (!(await ctx.services.clients.remove(callerOf(ctx), ctx.params.clientId))) throw notFound('API client', ctx.params.clientId);
      return undefined;
    },
  }),
];
