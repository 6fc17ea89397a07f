import type { Kysely } from 'kysely';
import type { Policy, PolicyInput } from '../../domain/policy/schema.js';
import type { Db } from '../db.js';
import type { RetentionPoliciesTable } from '../retention.schema.js';
import type { Database } from '../schema.js';

/** Media retention policies of an organization. */
export class PoliciesRepository {
  constructor(private readonly db: Db) {}

  /** Every policy of the organization, by name (organizations hold a bounded number, see PolicyService). */
  async list(orgId: string, exec: Kysely<Database> = this.db.kysely): Promise<Policy[]> {
    const rows = await exec.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).orderBy('name_key').orderBy('id').execute();
    return rows.map(fromRow);
  }

  async count(orgId: string, exec: Kysely<Database> = this.db.kysely): Promise<number> {
    const row = await exec.selectFrom('retention_policies').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async get(orgId: string, id: string, exec: Kysely<Database> = this.db.kysely): Promise<Policy | undefined> {
    const row = await exec.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The id of the policy holding this name (any case), if any. */
  async idByName(orgId: string, name: string, exec: Kysely<Database> = this.db.kysely): Promise<string | undefined> {
    const row = await exec.selectFrom('retention_policies').select('id').where('org_id', '=', orgId).where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    return row?.id;
  }

  /** Inserts or replaces. */
  async save(trx: Kysely<Database>, orgId: string, policy: Policy): Promise<void> {
    const row = {
      name: policy.definition.name,
      name_key: policy.definition.name.toLowerCase(),
      enabled: policy.definition.enabled ? 1 : 0,
      enabled_at: policy.enabledAtMs,
      order_no: policy.definition.order ?? null,
      definition: JSON.stringify(policy.definition),
      modified_at: policy.modifiedAtMs,
    };
    await trx
      .insertInto('retention_policies')
      .values({ org_id: orgId, id: policy.id, created_at: policy.createdAtMs, ...row })
      .onConflict((oc) => oc.columns(['org_id', 'id']).doUpdateSet(row))
      .execute();
  }

  /** Deletes the given policies; returns those that existed. */
  async remove(trx: Kysely<Database>, orgId: string, ids: readonly string[]): Promise<Policy[]> {
    if (ids.length === 0) return [];
    const rows = await trx.selectFrom('retention_policies').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
    await trx.deleteFrom('retention_policies').where('org_id', '=', orgId).where('id', 'in', ids).execute();
    return rows.map(fromRow);
  }
}

function fromRow(r: RetentionPoliciesTable): Policy {
  return {
    id: r.id,
    definition: JSON.parse(r.definition) as PolicyInput,
    createdAtMs: r.created_at,
    modifiedAtMs: r.modified_at,
    enabledAtMs: r.enabled_at,
  };
}
