import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { IntegrationsTable } from '../retention.schema.js';

/** Export integrations: S3-compatible buckets that policies and bulk jobs export to. */

export interface IntegrationRecord {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly config: Record<string, unknown>;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export class IntegrationsRepository {
  constructor(private readonly db: Db) {}

  async get(orgId: string, id: string): Promise<IntegrationRecord | undefined> {
    const row = await this.db.kysely.selectFrom('integrations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async existing(orgId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.kysely.selectFrom('integrations').select('id').where('org_id', '=', orgId).where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  async list(orgId: string, page: PageRequest): Promise<Page<IntegrationRecord>> {
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db.kysely.selectFrom('integrations').selectAll().where('org_id', '=', orgId);
    if (after) q = q.where('id', '>', after[0] as string);
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    return toPage(rows, page.limit, fromRow, (r) => [r.id]);
  }

  /** Creates or replaces; true when created. */
  async put(orgId: string, record: Omit<IntegrationRecord, 'createdAtMs' | 'updatedAtMs'>, now: number): Promise<boolean> {
    const existed = (await this.get(orgId, record.id)) !== undefined;
    const row = { name: record.name, type: record.type, config: JSON.stringify(record.config), updated_at: now };
    await this.db.kysely
      .insertInto('integrations')
      .values({ org_id: orgId, id: record.id, created_at: now, ...row })
      .onConflict((oc) => oc.columns(['org_id', 'id']).doUpdateSet(row))
      .execute();
    return !existed;
  }

  async remove(orgId: string, id: string): Promise<boolean> {
    const result = await this.db.kysely.deleteFrom('integrations').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function fromRow(r: IntegrationsTable): IntegrationRecord {
  return { id: r.id, name: r.name, type: r.type, config: JSON.parse(r.config) as Record<string, unknown>, createdAtMs: r.created_at, updatedAtMs: r.updated_at };
}
