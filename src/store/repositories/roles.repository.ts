import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../../domain/access/roles.js';
import type { Db } from '../db.js';
import type { Database, RolesTable } from '../schema.js';

/** Roles of an organization, and which users and API clients hold them. */
export class RolesRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string): Promise<Role[]> {
    const rows = await this.db.kysely.selectFrom('roles').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
    return rows.map(roleFromRow);
  }

  async get(orgId: string, id: string, exec: Kysely<Database> = this.db.kysely): Promise<Role | undefined> {
    const row = await exec.selectFrom('roles').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? roleFromRow(row) : undefined;
  }

  /** The ids among `ids` that name no role of the organization. */
  async unknown(orgId: string, ids: readonly string[], exec: Kysely<Database> = this.db.kysely): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await exec.selectFrom('roles').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute();
    const known = new Set(found.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  }

  /** Creates the roles when the organization has none yet; returns whether it did. */
  async seed(orgId: string, roles: readonly Role[], now: number): Promise<boolean> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const any = await trx.selectFrom('roles').select('id').where('org_id', '=', orgId).limit(1).executeTakeFirst();
      if (any) return false;
      for (const role of roles) await this.insert(trx, orgId, role, now);
      return true;
    });
  }

  async insert(exec: Kysely<Database>, orgId: string, role: Role, now: number): Promise<void> {
    await exec
      .insertInto('roles')
      .values({ org_id: orgId, id: role.id, ...columns(role), built_in: role.builtIn ? 1 : 0, created_at: now, updated_at: now })
      .execute();
  }

  async update(exec: Kysely<Database>, orgId: string, role: Role, now: number): Promise<void> {
    await exec.updateTable('roles').set({ ...columns(role), updated_at: now }).where('org_id', '=', orgId).where('id', '=', role.id).execute();
  }

  async remove(exec: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
    const result = await exec.deleteFrom('roles').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** How many users and API clients hold each role. */
  async holders(orgId: string, exec: Kysely<Database> = this.db.kysely): Promise<Map<string, { users: number; clients: number }>> {
    const users = await exec
      .selectFrom('user_roles')
      .select(['role_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('role_id')
      .execute();
    const clients = await exec
      .selectFrom('client_roles')
      .select(['role_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('role_id')
      .execute();
    const out = new Map<string, { users: number; clients: number }>();
    for (const r of users) out.set(r.role_id, { users: Number(r.n), clients: 0 });
    for (const r of clients) out.set(r.role_id, { users: out.get(r.role_id)?.users ?? 0, clients: Number(r.n) });
    return out;
  }

  /** The roles held by a user or an API client. */
  async heldBy(orgId: string, holder: { userId: string } | { clientId: string }): Promise<Role[]> {
    const rows =
      'userId' in holder
        ? await this.db.kysely
            .selectFrom('user_roles')
            .innerJoin('roles', (j) => j.onRef('roles.org_id', '=', 'user_roles.org_id').onRef('roles.id', '=', 'user_roles.role_id'))
            .selectAll('roles')
            .where('user_roles.org_id', '=', orgId)
            .where('user_roles.user_id', '=', holder.userId)
            .execute()
        : await this.db.kysely
            .selectFrom('client_roles')
            .innerJoin('roles', (j) => j.onRef('roles.org_id', '=', 'client_roles.org_id').onRef('roles.id', '=', 'client_roles.role_id'))
            .selectAll('roles')
            .where('client_roles.org_id', '=', orgId)
            .where('client_roles.client_id', '=', holder.clientId)
            .execute();
    return rows.map(roleFromRow);
  }
}

function columns(role: Role) {
  return {
    name: role.name,
    description: role.description,
    permissions: JSON.stringify(role.permissions),
    queue_scopes: JSON.stringify(role.queueScopes),
  };
}

function roleFromRow(r: Selectable<RolesTable>): Role {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    permissions: JSON.parse(r.permissions) as string[],
    queueScopes: JSON.parse(r.queue_scopes) as Role['queueScopes'],
    builtIn: r.built_in === 1,
  };
}
