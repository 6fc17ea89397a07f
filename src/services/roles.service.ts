import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { actorOf, type Caller } from '../domain/access/principal.js';
import { defaultRoles, type Role, type roleInputSchema } from '../domain/access/roles.js';
import { propertyChanges } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { RolesRepository } from '../store/repositories/roles.repository.js';
import type { AuditService } from './audit.service.js';

export type RoleChanges = z.output<typeof roleInputSchema>;
export interface RoleView extends Role {
  readonly userCount: number;
  readonly clientCount: number;
}

const AUDITED: (keyof Role & string)[] = ['name', 'description', 'permissions', 'queueScopes'];

/** Roles: the default ones every organization starts with, and any an administrator makes. */
export class RolesService {
  constructor(
    private readonly db: Db,
    private readonly repo: RolesRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Gives a new organization the default roles (once: edits and deletions are kept afterwards). */
  ensureDefaults(orgId: string): Promise<boolean> {
    return this.repo.seed(orgId, defaultRoles(), this.clock.now());
  }

  /** Puts a default role back if it was deleted (the bootstrap variables need `admin`). */
  async restoreDefault(orgId: string, id: 'admin'): Promise<void> {
    if (await this.repo.get(orgId, id)) return;
    const role = defaultRoles().find((r) => r.id === id)!;
    await this.repo.insert(this.db.kysely, orgId, role, this.clock.now());
  }

  async list(orgId: string): Promise<RoleView[]> {
    const [roles, holders] = await Promise.all([this.repo.list(orgId), this.repo.holders(orgId)]);
    return roles.map((r) => ({ ...r, userCount: holders.get(r.id)?.users ?? 0, clientCount: holders.get(r.id)?.clients ?? 0 }));
  }

  async get(orgId: string, id: string): Promise<RoleView | undefined> {
    const role = await this.repo.get(orgId, id);
    if (!role) return undefined;
    const holders = (await this.repo.holders(orgId)).get(id);
    return { ...role, userCount: holders?.users ?? 0, clientCount: holders?.clients ?? 0 };
  }

  async create(caller: Caller, input: RoleChanges): Promise<RoleView> {
    const { orgId } = caller.principal;
    const role: Role = { ...fields(input), id: input.id ?? randomUUID(), builtIn: false };
    await inTransaction(this.db, async (trx) => {
      if (await this.repo.get(orgId, role.id, trx)) throw new DomainError('identity.roleExists', `a role ${role.id} already exists`, role.id);
      await this.repo.insert(trx, orgId, role, this.clock.now());
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'PeoplePermissions', action: 'Create', entityType: 'Role', entity: { id: role.id, name: role.name }, status: 'SUCCESS', propertyChanges: propertyChanges(undefined, role, AUDITED) },
        trx,
      );
    });
    return { ...role, userCount: 0, clientCount: 0 };
  }

  async update(caller: Caller, id: string, input: RoleChanges): Promise<RoleView | undefined> {
    const { orgId } = caller.principal;
    const updated = await inTransaction(this.db, async (trx) => {
      const before = await this.repo.get(orgId, id, trx);
      if (!before) return undefined;
      const after: Role = { ...before, ...fields(input) };
      await this.repo.update(trx, orgId, after, this.clock.now());
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'PeoplePermissions', action: 'Update', entityType: 'Role', entity: { id, name: after.name }, status: 'SUCCESS', propertyChanges: propertyChanges(before, after, AUDITED) },
        trx,
      );
      return after;
    });
    return updated ? this.get(orgId, updated.id) : undefined;
  }

  async remove(caller: Caller, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    return inTransaction(this.db, async (trx) => {
      const role = await this.repo.get(orgId, id, trx);
      if (!role) return false;
      const holders = (await this.repo.holders(orgId, trx)).get(id);
      if (holders && holders.users + holders.clients > 0) {
        throw new DomainError('identity.roleInUse', `role ${id} is held by ${holders.users} user(s) and ${holders.clients} API client(s); take it from them first`, id);
      }
      await this.repo.remove(trx, orgId, id);
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'PeoplePermissions', action: 'Delete', entityType: 'Role', entity: { id, name: role.name }, status: 'SUCCESS', propertyChanges: propertyChanges(role, undefined, AUDITED) },
        trx,
      );
      return true;
    });
  }
}

function fields(input: RoleChanges): Pick<Role, 'name' | 'description' | 'permissions' | 'queueScopes'> {
  return { name: input.name, description: input.description, permissions: input.permissions, queueScopes: input.queueScopes };
}
