import { recordingSettingsSchema, type RecordingSettings } from '../../domain/settings.js';
import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

/** Organizations (tenants) and their recording settings. */
export class OrganizationsRepository {
  constructor(private readonly db: Db) {}

  /** Creates the organization if it does not exist yet. */
  async ensure(id: string, name: string, now: number): Promise<void> {
    await this.db.kysely
      .insertInto('organizations')
      .values({ id, name, created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /**
   * Serializes changes of one organization that must respect a per-organization limit, for the
   * rest of the caller's transaction (PostgreSQL; SQLite transactions are already exclusive).
   */
  async lock(trx: Kysely<Database>, id: string): Promise<void> {
    if (this.db.dialect === 'postgres') await trx.selectFrom('organizations').select('id').where('id', '=', id).forUpdate().execute();
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.kysely.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Whether the organization has saved recording settings (the reference's `createDefault`). */
  async hasSettings(orgId: string): Promise<boolean> {
    return (await this.db.kysely.selectFrom('recording_settings').select('org_id').where('org_id', '=', orgId).executeTakeFirst()) !== undefined;
  }

  async settings(orgId: string): Promise<RecordingSettings> {
    const row = await this.db.kysely.selectFrom('recording_settings').select('data').where('org_id', '=', orgId).executeTakeFirst();
    return recordingSettingsSchema.parse(row ? JSON.parse(row.data) : {});
  }

  async saveSettings(orgId: string, settings: RecordingSettings, now: number, exec: Kysely<Database> = this.db.kysely): Promise<void> {
    const data = JSON.stringify(settings);
    await exec
      .insertInto('recording_settings')
      .values({ org_id: orgId, data, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ data, updated_at: now }))
      .execute();
  }
}
