import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { Database, UsersTable } from '../schema.js';

/**
 * Users as identities: who signs in, with which roles. The same rows carry the telephony side of
 * a user (station, external partner, screen recording), managed by the telephony repository.
 */

export interface UserAccount {
  readonly orgId: string;
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly username: string | null;
  readonly active: boolean;
  readonly externalPartner: boolean;
  readonly hasPassword: boolean;
  readonly roleIds: readonly string[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface NewUserAccount {
  readonly id: string;
  readonly name: string;
  readonly email?: string | null;
  readonly username?: string | null;
  readonly passwordHash?: string | null;
  readonly active?: boolean;
  readonly externalPartner?: boolean;
}

export interface UserAccountChanges {
  readonly name?: string;
  readonly email?: string | null;
  readonly username?: string | null;
  readonly passwordHash?: string | null;
  readonly active?: boolean;
  readonly externalPartner?: boolean;
}

export class UsersRepository {
  constructor(private readonly db: Db) {}

  async get(orgId: string, id: string, exec: Kysely<Database> = this.db.kysely): Promise<UserAccount | undefined> {
    const row = await exec.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? this.withRoles(exec, row) : undefined;
  }

  /** What a request's principal needs of a user, in one small query (it runs on every request). */
  async principalFacts(orgId: string, id: string): Promise<{ name: string; active: boolean; externalPartner: boolean } | undefined> {
    const row = await this.db.kysely
      .selectFrom('users')
      .select(['name', 'active', 'external_partner'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { name: row.name, active: row.active === 1, externalPartner: row.external_partner === 1 } : undefined;
  }

  /** The user signing in with this (lower-cased) username, with their password hash. */
  async byUsername(username: string): Promise<(UserAccount & { passwordHash: string | null }) | undefined> {
    const row = await this.db.kysely.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? { ...(await this.withRoles(this.db.kysely, row)), passwordHash: row.password_hash } : undefined;
  }

  async usernameTaken(username: string, exec: Kysely<Database> = this.db.kysely): Promise<boolean> {
    return (await exec.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
  }

  async passwordHash(orgId: string, id: string): Promise<string | null | undefined> {
    const row = await this.db.kysely.selectFrom('users').select('password_hash').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row?.password_hash;
  }

  async list(orgId: string, page: PageRequest): Promise<Page<UserAccount>> {
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db.kysely.selectFrom('users').selectAll().where('org_id', '=', orgId);
    if (after) q = q.where('id', '>', after[0] as string);
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    const roles = await this.rolesOf(this.db.kysely, orgId, rows.map((r) => r.id));
    return toPage(rows, page.limit, (r) => fromRow(r, roles.get(r.id) ?? []), (r) => [r.id]);
  }

  /** Whether any user of the organization can sign in with a password. */
  async anyWithPassword(orgId: string): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('users').select('id').where('org_id', '=', orgId).where('password_hash', 'is not', null).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async insert(exec: Kysely<Database>, orgId: string, user: NewUserAccount, now: number): Promise<void> {
    await exec
      .insertInto('users')
      .values({
        org_id: orgId,
        id: user.id,
        name: user.name,
        email: user.email ?? null,
        username: user.username ?? null,
        password_hash: user.passwordHash ?? null,
        active: user.active === false ? 0 : 1,
        external_partner: user.externalPartner ? 1 : 0,
        screen_recording: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(exec: Kysely<Database>, orgId: string, id: string, changes: UserAccountChanges, now: number): Promise<void> {
    await exec
      .updateTable('users')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.username !== undefined ? { username: changes.username } : {}),
        ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
        ...(changes.active !== undefined ? { active: changes.active ? 1 : 0 } : {}),
        ...(changes.externalPartner !== undefined ? { external_partner: changes.externalPartner ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  async setRoles(exec: Kysely<Database>, orgId: string, userId: string, roleIds: readonly string[]): Promise<void> {
    await exec.deleteFrom('user_roles').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    if (roleIds.length) {
      await exec.insertInto('user_roles').values(roleIds.map((role_id) => ({ org_id: orgId, user_id: userId, role_id }))).execute();
    }
  }

  async remove(exec: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
    const result = await exec.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async withRoles(exec: Kysely<Database>, row: Selectable<UsersTable>): Promise<UserAccount> {
    return fromRow(row, (await this.rolesOf(exec, row.org_id, [row.id])).get(row.id) ?? []);
  }

  private async rolesOf(exec: Kysely<Database>, orgId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (userIds.length === 0) return out;
    const rows = await exec
      .selectFrom('user_roles')
      .select(['user_id', 'role_id'])
      .where('org_id', '=', orgId)
      .where('user_id', 'in', userIds)
      .orderBy('role_id')
      .execute();
    for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.role_id]);
    return out;
  }
}

function fromRow(r: Selectable<UsersTable>, roleIds: string[]): UserAccount {
  return {
    orgId: r.org_id,
    id: r.id,
    name: r.name,
    email: r.email,
    username: r.username,
    active: r.active === 1,
    externalPartner: r.external_partner === 1,
    hasPassword: r.password_hash !== null,
    roleIds,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
}
