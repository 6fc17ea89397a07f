import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { digest, newSecret } from '../crypto/secrets.js';
import type { clientChangesSchema, newClientSchema } from '../domain/access/accounts.js';
import { actorOf, type Caller } from '../domain/access/principal.js';
import { propertyChanges } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { ApiClient, ClientsRepository } from '../store/repositories/clients.repository.js';
import type { RolesRepository } from '../store/repositories/roles.repository.js';
import type { TokensRepository } from '../store/repositories/tokens.repository.js';
import type { AuditService } from './audit.service.js';

export type NewClient = z.output<typeof newClientSchema>;
export type ClientChanges = z.output<typeof clientChangesSchema>;

const AUDITED = ['name', 'description', 'state', 'roleIds'] as const;

/**
 * OAuth API clients for the client-credentials grant. The secret is shown once, when the client
 * is created or its secret regenerated; only its digest is kept.
 */
export class ClientsService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsRepository,
    private readonly roles: RolesRepository,
    private readonly tokens: TokensRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(orgId: string, id: string): Promise<ApiClient | undefined> {
    const client = await this.clients.get(id);
    return client && client.orgId === orgId ? withoutDigest(client) : undefined;
  }

  list(orgId: string, page: PageRequest): Promise<Page<ApiClient>> {
    return this.clients.list(orgId, page);
  }

  /** Creates a client; `secret` is generated unless given (the bootstrap variables give one). */
  async create(caller: Caller, input: NewClient, secret = newSecret()): Promise<{ client: ApiClient; secret: string }> {
    const { orgId } = caller.principal;
    const id = input.id ?? randomUUID();
    const client = await inTransaction(this.db, async (trx) => {
      if (await this.clients.get(id, trx)) throw new DomainError('identity.clientExists', `an API client ${id} already exists`, id);
      const unknown = await this.roles.unknown(orgId, input.roleIds, trx);
      if (unknown.length) throw new DomainError('identity.unknownRole', `no role ${unknown.join(', ')} in this organization`, unknown[0]);
      await this.clients.insert(
        trx,
        { orgId, id, name: input.name, description: input.description, state: input.state, createdBy: caller.principal.userId ?? caller.principal.id, secretDigest: digest(secret) },
        this.clock.now(),
      );
      await this.clients.setRoles(trx, orgId, id, input.roleIds);
      const created = withoutDigest((await this.clients.get(id, trx))!);
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Platform', action: 'Create', entityType: 'OAuthClient', entity: { id, name: input.name }, status: 'SUCCESS', propertyChanges: propertyChanges(undefined, created, AUDITED) },
        trx,
      );
      return created;
    });
    return { client, secret };
  }

  async update(caller: Caller, id: string, changes: ClientChanges): Promise<ApiClient | undefined> {
    const { orgId } = caller.principal;
    return inTransaction(this.db, async (trx) => {
      const before = await this.clients.get(id, trx);
      if (!before || before.orgId !== orgId) return undefined;
      if (changes.roleIds) {
        const unknown = await this.roles.unknown(orgId, changes.roleIds, trx);
        if (unknown.length) throw new DomainError('identity.unknownRole', `no role ${unknown.join(', ')} in this organization`, unknown[0]);
        await this.clients.setRoles(trx, orgId, id, changes.roleIds);
      }
      await this.clients.update(trx, id, { name: changes.name, description: changes.description, state: changes.state }, this.clock.now());
      if (changes.state === 'disabled') await this.tokens.revokeFor(trx, { clientId: id });
      const after = withoutDigest((await this.clients.get(id, trx))!);
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Platform', action: 'Update', entityType: 'OAuthClient', entity: { id, name: after.name }, status: 'SUCCESS', propertyChanges: propertyChanges(withoutDigest(before), after, AUDITED) },
        trx,
      );
      return after;
    });
  }

  /** A new secret (the old one and every token issued with it stop working); `secret` as in create. */
  async regenerateSecret(caller: Caller, id: string, secret = newSecret()): Promise<{ client: ApiClient; secret: string } | undefined> {
    const { orgId } = caller.principal;
    return inTransaction(this.db, async (trx) => {
      const client = await this.clients.get(id, trx);
      if (!client || client.orgId !== orgId) return undefined;
      await this.clients.update(trx, id, { secretDigest: digest(secret) }, this.clock.now());
      await this.tokens.revokeFor(trx, { clientId: id });
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Platform', action: 'RotateSecret', entityType: 'OAuthClient', entity: { id, name: client.name }, status: 'SUCCESS', propertyChanges: [{ property: 'secret', oldValues: [], newValues: [] }] },
        trx,
      );
      return { client: withoutDigest(client), secret };
    });
  }

  async remove(caller: Caller, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    return inTransaction(this.db, async (trx) => {
      const client = await this.clients.get(id, trx);
      if (!client || client.orgId !== orgId) return false;
      await this.clients.remove(trx, id);
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Platform', action: 'Delete', entityType: 'OAuthClient', entity: { id, name: client.name }, status: 'SUCCESS', propertyChanges: propertyChanges(withoutDigest(client), undefined, AUDITED) },
        trx,
      );
      return true;
    });
  }
}

function withoutDigest(client: ApiClient & { secretDigest?: string }): ApiClient {
  const { secretDigest: _digest, ...rest } = client;
  return rest;
}
