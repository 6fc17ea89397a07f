import { newSecret, sameDigest, verifyPassword } from '../crypto/secrets.js';
import { systemPrincipal, type Caller } from '../domain/access/principal.js';
import type { Services } from './index.js';

/**
 * Start-up identity (DESIGN section 11). The organization gets its default roles; when
 * CAPSTAN_ADMIN_CLIENT_ID/SECRET or CAPSTAN_ADMIN_USER/PASSWORD are set, an admin API client or web
 * user with exactly those credentials exists afterwards (the variables win over changes made
 * since). Without them, an organization nobody can sign in to yet gets a generated admin client
 * and user, returned once so that they can be printed.
 */

export interface FirstRunCredentials {
  readonly client: { readonly id: string; readonly secret: string };
  readonly user: { readonly username: string; readonly password: string };
}

export async function bootstrapIdentity(services: Services, orgId: string): Promise<FirstRunCredentials | undefined> {
  const { config, roles } = services;
  await roles.ensureDefaults(orgId);
  const caller: Caller = { principal: systemPrincipal(orgId, 'Capstan start-up') };
  if (config.adminClient) await ensureAdminClient(services, caller, config.adminClient);
  if (config.adminUser) await ensureAdminUser(services, caller, config.adminUser);
  if (config.adminClient || config.adminUser) return undefined;
  if ((await services.repositories.clients.any(orgId)) || (await services.repositories.users.anyWithPassword(orgId))) return undefined;

  await roles.restoreDefault(orgId, 'admin');
  const { client, secret } = await services.clients.create(caller, { id: 'admin', name: 'Administrator (first start)', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['admin'], state: 'active' });
  const password = newSecret(12);
  await services.users.create(caller, { id: 'admin', name: 'Administrator', username: 'admin', password, roleIds: ['admin'], state: 'active', externalPartner: false });
  return { client: { id: client.id, secret }, user: { username: 'admin', password } };
}

async function ensureAdminClient(services: Services, caller: Caller, wanted: { id: string; secret: string }): Promise<void> {
  const { orgId } = caller.principal;
  await services.roles.restoreDefault(orgId, 'admin');
  const existing = await services.repositories.clients.get(wanted.id);
  if (!existing) {
    await services.clients.create(
      caller,
      { id: wanted.id, name: 'Administrator (CAPSTAN_ADMIN_CLIENT_ID)', description: '', authorizedGrantType: 'CLIENT-CREDENTIALS', roleIds: ['admin'], state: 'active' },
      wanted.secret,
    );
    return;
  }
  if (existing.orgId !== orgId) throw new Error(`CAPSTAN_ADMIN_CLIENT_ID ${wanted.id} belongs to another organization`);
  if (!sameDigest(wanted.secret, existing.secretDigest)) await services.clients.regenerateSecret(caller, wanted.id, wanted.secret);
  if (!existing.roleIds.includes('admin') || existing.state !== 'active') {
    await services.clients.update(caller, wanted.id, { roleIds: [...new Set([...existing.roleIds, 'admin'])], state: 'active' });
  }
}

async function ensureAdminUser(services: Services, caller: Caller, wanted: { username: string; password: string }): Promise<void> {
  const { orgId } = caller.principal;
  await services.roles.restoreDefault(orgId, 'admin');
  const existing = await services.repositories.users.byUsername(wanted.username);
  if (!existing) {
    await services.users.create(caller, {
      id: wanted.username,
      name: wanted.username,
      username: wanted.username,
      password: wanted.password,
      roleIds: ['admin'],
      state: 'active',
      externalPartner: false,
    });
    return;
  }
  if (existing.orgId !== orgId) throw new Error(`CAPSTAN_ADMIN_USER ${wanted.username} belongs to another organization`);
  const passwordOk = existing.passwordHash !== null && (await verifyPassword(wanted.password, existing.passwordHash));
  if (!passwordOk || !existing.roleIds.includes('admin') || !existing.active) {
    await services.users.update(caller, existing.id, {
      ...(passwordOk ? {} : { password: wanted.password }),
      roleIds: [...new Set([...existing.roleIds, 'admin'])],
      state: 'active',
    });
  }
}
