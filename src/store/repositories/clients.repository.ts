import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { ApiClientsTable, Database } from '../schema.js';

/** OAuth API clients (client-credentials grant) and their roles. */

export interface ApiClient {
  readonly orgId: string;
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly state: 'active' | 'disabled';
  readonly roleIds: readonly string[];
  readonly createdBy: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export class ClientsRepository {
  constructor(private readonly db: Db) {}

  async get(id: string, exec: Kysely<Database> = this.db.kysely): Promise<(ApiClient & { secretDigest: string }) | undefined> {
    const row = await exec.selectFrom('api_clients').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return { ...fromRow(row, (await this.rolesOf(exec, [row.id])).get(row.id) ?? []), secretDigest: row.secret_digest };
  }

  /** What a request's principal needs of a client, in one small query (it runs on every request). */
  async principalFacts(id: string): Promise<{ orgId: string; name: string; active: boolean } | undefined> {
    const row = await this.db.kysely.selectFrom('api_clients').select(['org_id', 'name', 'state']).where('id', '=', id).executeTakeFirst();
    return row ? { orgId: row.org_id, name: row.name, active: row.state === 'active' } : undefined;
  }

  async list(orgId: string, page: PageRequest): Promise<Page<ApiClient>> {
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db.kysely.selectFrom('api_clients').selectAll().where('org_id', '=', orgId);
    if (after) q = q.where('id', '>', after[0] as string);
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    const roles = await this.rolesOf(this.db.kysely, rows.map((r) => r.id));
    return toPage(rows, page.limit, (r) => fromRow(r, roles.get(r.id) ?? []), (r) => [r.id]);
  }

  async any(orgId: string): Promise<boolean> {
    return (await this.db.kysely.selectFrom('api_clients').select('id').where('org_id', '=', orgId).limit(1).executeTakeFirst()) !== undefined;
  }

  async insert(
    exec: Kysely<Database>,
    client: Omit<ApiClient, 'roleIds' | 'createdAtMs' | 'updatedAtMs'> & { secretDigest: string },
    now: number,
  ): Promise<void> {
    await exec
      .insertInto('api_clients')
      .values({
        id: client.id,
        org_id: client.orgId,
        name: client.name,
        description: client.description,
        secret_digest: client.secretDigest,
        state: client.state,
        created_by: client.createdBy,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(
    exec: Kysely<Database>,
    id: string,
    changes: { name?: string; description?: string; state?: ApiClient['state']; secretDigest?: string },
    now: number,
  ): Promise<void> {
    await exec
      .updateTable('api_clients')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.state !== undefined ? { state: changes.state } : {}),
        ...(changes.secretDigest !== undefined ? { secret_digest: changes.secretDigest } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  async setRoles(exec: Kysely<Database>, orgId: string, clientId: string, roleIds: readonly string[]): Promise<void> {
    await exec.deleteFrom('client_roles').where('client_id', '=', clientId).execute();
    if (roleIds.length) {
      await exec.insertInto('client_roles').values(roleIds.map((role_id) => ({ org_id: orgId, client_id: clientId, role_id }))).execute();
    }
  }

  async remove(exec: Kysely<Database>, id: string): Promise<boolean> {
    const result = await exec.deleteFrom('api_clients').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async rolesOf(exec: Kysely<Database>, clientIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (clientIds.length === 0) return out;
    const rows = await exec.selectFrom('client_roles').select(['client_id', 'role_id']).where('client_id', 'in', clientIds).orderBy('role_id').execute();
    for (const r of rows) out.set(r.client_id, [...(out.get(r.client_id) ?? []), r.role_id]);
    return out;
  }
}

function fromRow(r: Selectable<ApiClientsTable>, roleIds: string[]): ApiClient {
  return {
    orgId: r.org_id,
    id: r.id,
    name: r.name,
    description: r.description,
    state: r.state,
    roleIds,
    createdBy: r.created_by,
    createdAtMs: r.created_at,
    updatedAtMs: r.updated_at,
  };
}
