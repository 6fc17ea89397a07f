import { recordingSettingsSchema, type RecordingSettings } from '../../domain/settings.js';
import type { Db } from '../db.js';

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

  async exists(id: string): Promise<boolean> {
    return (await this.db.kysely.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async settings(orgId: string): Promise<RecordingSettings> {
    const row = await this.db.kysely.selectFrom('recording_settings').select('data').where('org_id', '=', orgId).executeTakeFirst();
    return recordingSettingsSchema.parse(row ? JSON.parse(row.data) : {});
  }

  async saveSettings(orgId: string, settings: RecordingSettings, now: number): Promise<void> {
    const data = JSON.stringify(settings);
    await this.db.kysely
      .insertInto('recording_settings')
      .values({ org_id: orgId, data, updated_at: now })
      .onConflict((oc) => oc.column('org_id').doUpdateSet({ data, updated_at: now }))
      .execute();
  }
}
