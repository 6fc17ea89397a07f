import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { hashPassword } from '../crypto/secrets.js';
import type { newUserSchema, userChangesSchema } from '../domain/access/accounts.js';
import { actorOf, type Caller } from '../domain/access/principal.js';
import { propertyChanges } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { RolesRepository } from '../store/repositories/roles.repository.js';
import type { TokensRepository } from '../store/repositories/tokens.repository.js';
import type { UserAccount, UsersRepository } from '../store/repositories/users.repository.js';
import type { Database } from '../store/schema.js';
import type { AuditService } from './audit.service.js';

export type NewUser = z.output<typeof newUserSchema>;
export type UserChanges = z.output<typeof userChangesSchema>;

const AUDITED = ['name', 'email', 'username', 'active', 'externalPartner', 'roleIds'] as const;

/** Users as identities: create them, give them roles and passwords, deactivate them. */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
    private readonly tokens: TokensRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  get(orgId: string, id: string): Promise<UserAccount | undefined> {
    return this.users.get(orgId, id);
  }

  list(orgId: string, page: PageRequest): Promise<Page<UserAccount>> {
    return this.users.list(orgId, page);
  }

  async create(caller: Caller, input: NewUser): Promise<UserAccount> {
    const { orgId } = caller.principal;
    const id = input.id ?? input.username ?? randomUUID();
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return inTransaction(this.db, async (trx) => {
      if (await this.users.get(orgId, id, trx)) throw new DomainError('identity.userExists', `a user ${id} already exists`, id);
      await this.checkRoles(trx, orgId, input.roleIds);
      await this.checkUsername(trx, input.username);
      await this.users.insert(
        trx,
        orgId,
        { id, name: input.name, email: input.email ?? null, username: input.username ?? null, passwordHash, active: input.state === 'active', externalPartner: input.externalPartner },
        this.clock.now(),
      );
      await this.users.setRoles(trx, orgId, id, input.roleIds);
      const user = (await this.users.get(orgId, id, trx))!;
      await this.audit.record(
        {
          orgId,
          actor: actorOf(caller),
          serviceName: 'Directory',
          action: 'Create',
          entityType: 'User',
          entity: { id, name: user.name },
          status: 'SUCCESS',
          propertyChanges: [...propertyChanges(undefined, user, AUDITED), ...(passwordHash ? [{ property: 'password', oldValues: [], newValues: [] }] : [])],
        },
        trx,
      );
      return user;
    });
  }

  async update(caller: Caller, id: string, changes: UserChanges): Promise<UserAccount | undefined> {
    const { orgId } = caller.principal;
    const passwordHash = changes.password ? await hashPassword(changes.password) : changes.password;
    return inTransaction(this.db, async (trx) => {
      const before = await this.users.get(orgId, id, trx);
      if (!before) return undefined;
      if (changes.roleIds) await this.checkRoles(trx, orgId, changes.roleIds);
      if (changes.username && changes.username !== before.username) await this.checkUsername(trx, changes.username);
      await this.users.update(
        trx,
        orgId,
        id,
        {
          name: changes.name,
          email: changes.email,
          username: changes.username,
          passwordHash,
          active: changes.state === undefined ? undefined : changes.state === 'active',
          externalPartner: changes.externalPartner,
        },
        this.clock.now(),
      );
      if (changes.roleIds) await this.users.setRoles(trx, orgId, id, changes.roleIds);
      // A new password or a deactivation ends every session the user has open.
      if (passwordHash !== undefined || changes.state === 'inactive') await this.tokens.revokeFor(trx, { orgId, userId: id });
      const after = (await this.users.get(orgId, id, trx))!;
      await this.audit.record(
        {
          orgId,
          actor: actorOf(caller),
          serviceName: 'Directory',
          action: 'Update',
          entityType: 'User',
          entity: { id, name: after.name },
          status: 'SUCCESS',
          propertyChanges: [...propertyChanges(before, after, AUDITED), ...(passwordHash !== undefined ? [{ property: 'password', oldValues: [], newValues: [] }] : [])],
        },
        trx,
      );
      return after;
    });
  }

  async remove(caller: Caller, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    return inTransaction(this.db, async (trx) => {
      const user = await this.users.get(orgId, id, trx);
      if (!user) return false;
      await this.users.remove(trx, orgId, id);
      await this.audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Directory', action: 'Delete', entityType: 'User', entity: { id, name: user.name }, status: 'SUCCESS', propertyChanges: propertyChanges(user, undefined, AUDITED) },
        trx,
      );
      return true;
    });
  }

  private async checkRoles(trx: Kysely<Database>, orgId: string, roleIds: readonly string[]): Promise<void> {
    const unknown = await this.roles.unknown(orgId, roleIds, trx);
    if (unknown.length) throw new DomainError('identity.unknownRole', `no role ${unknown.join(', ')} in this organization`, unknown[0]);
  }

  private async checkUsername(trx: Kysely<Database>, username: string | undefined | null): Promise<void> {
    if (!username) return;
    if (await this.users.usernameTaken(username, trx)) throw new DomainError('identity.usernameTaken', `the username ${username} is taken`);
  }
}
