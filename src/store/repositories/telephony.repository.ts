import type { Kysely, Selectable } from 'kysely';
import { TELEPHONY_KINDS, type TelephonyEntity, type TelephonyKind } from '../../domain/telephony.js';
import type { Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { Database, UsersTable } from '../schema.js';

/**
 * Telephony recording configuration. Trunks, stations, flows and queues are small documents in
 * one table; users have a table of their own (other parts of Capstan hang identity off them).
 */

type DocumentKind = Exclude<TelephonyKind, 'users'>;

export class TelephonyRepository {
  constructor(private readonly db: Db) {}

  private get k(): Kysely<Database> {
    return this.db.kysely;
  }

  async list<K extends TelephonyKind>(orgId: string, kind: K, page: PageRequest): Promise<Page<TelephonyEntity<K>>> {
    const after = decodeCursor(page.cursor, ['string']);
    if (kind === 'users') {
      let q = this.k.selectFrom('users').selectAll().where('org_id', '=', orgId);
      if (after) q = q.where('id', '>', after[0] as string);
      const rows = await q.orderBy('id').limit(page.limit + 1).execute();
      return toPage(rows, page.limit, (r) => userFromRow(r) as TelephonyEntity<K>, (r) => [r.id]);
    }
    let q = this.k.selectFrom('telephony_config').selectAll().where('org_id', '=', orgId).where('kind', '=', kind as DocumentKind);
    if (after) q = q.where('id', '>', after[0] as string);
    const rows = await q.orderBy('id').limit(page.limit + 1).execute();
    return toPage(rows, page.limit, (r) => parseDocument(kind, r.data), (r) => [r.id]);
  }

  async get<K extends TelephonyKind>(orgId: string, kind: K, id: string): Promise<TelephonyEntity<K> | undefined> {
    return (await this.getMany(orgId, kind, [id]))[0];
  }

  /** `exec` lets a caller read inside its own transaction. */
  async getMany<K extends TelephonyKind>(orgId: string, kind: K, ids: readonly string[], exec: Kysely<Database> = this.k): Promise<TelephonyEntity<K>[]> {
    if (ids.length === 0) return [];
    if (kind === 'users') {
      const rows = await exec.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
      return rows.map((r) => userFromRow(r) as TelephonyEntity<K>);
    }
    const rows = await exec
      .selectFrom('telephony_config')
      .select('data')
      .where('org_id', '=', orgId)
      .where('kind', '=', kind as DocumentKind)
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => parseDocument(kind, r.data));
  }

  /** Creates or replaces; returns true when it was created. */
  async put<K extends TelephonyKind>(orgId: string, kind: K, entity: TelephonyEntity<K>, now: number): Promise<boolean> {
    const existed = (await this.get(orgId, kind, entity.id)) !== undefined;
    if (kind === 'users') {
      const u = entity as TelephonyEntity<'users'>;
      const row = {
        name: u.name,
        email: u.email ?? null,
        station_id: u.stationId ?? null,
        external_partner: u.externalPartner ? 1 : 0,
        screen_recording: u.screenRecording ? 1 : 0,
        updated_at: now,
      };
      await this.k
        .insertInto('users')
        .values({ org_id: orgId, id: u.id, created_at: now, ...row })
        .onConflict((oc) => oc.columns(['org_id', 'id']).doUpdateSet(row))
        .execute();
      return !existed;
    }
    const row = { name: entity.name, data: JSON.stringify(entity), updated_at: now };
    await this.k
      .insertInto('telephony_config')
      .values({ org_id: orgId, kind: kind as DocumentKind, id: entity.id, ...row })
      .onConflict((oc) => oc.columns(['org_id', 'kind', 'id']).doUpdateSet(row))
      .execute();
    return !existed;
  }

  async remove(orgId: string, kind: TelephonyKind, id: string): Promise<boolean> {
    const result =
      kind === 'users'
        ? await this.k.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst()
        : await this.k.deleteFrom('telephony_config').where('org_id', '=', orgId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function parseDocument<K extends TelephonyKind>(kind: K, data: string): TelephonyEntity<K> {
  // Stored documents were validated on the way in; parsing again fills defaults added since.
  return TELEPHONY_KINDS[kind].parse(JSON.parse(data)) as TelephonyEntity<K>;
}

function userFromRow(r: Selectable<UsersTable>): TelephonyEntity<'users'> {
  return {
    id: r.id,
    name: r.name,
    ...(r.email ? { email: r.email } : {}),
    ...(r.station_id ? { stationId: r.station_id } : {}),
    externalPartner: r.external_partner === 1,
    screenRecording: r.screen_recording === 1,
  };
}
