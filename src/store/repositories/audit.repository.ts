import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { GENESIS_HASH, chainHash, type ChainHead, type ChainedEvent, type StoredLink } from '../../crypto/audit-chain.js';
import { inTransaction, type Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { AuditEventsTable, Database } from '../schema.js';

/**
 * The audit trail's storage: appending to an organization's hash chain, reading it back in
 * order for verification, and querying it.
 */

export type NewAuditEvent = Omit<ChainedEvent, 'seq' | 'id'>;
export type StoredAuditEvent = StoredLink;

export interface AuditFilter {
  readonly fromMs: number;
  readonly toMs: number;
  readonly serviceName?: string;
  readonly action?: string;
  readonly entityType?: string;
  readonly entityId?: string;
  readonly userId?: string;
  readonly clientId?: string;
  readonly status?: string;
  readonly level?: string;
  readonly remoteIp?: string;
}

const FILTER_COLUMNS = {
  serviceName: 'service_name',
  action: 'action',
  entityType: 'entity_type',
  entityId: 'entity_id',
  userId: 'user_id',
  clientId: 'client_id',
  status: 'status',
  level: 'level',
  remoteIp: 'remote_ip',
} as const satisfies Record<Exclude<keyof AuditFilter, 'fromMs' | 'toMs'>, keyof AuditEventsTable>;

/** Rows per INSERT statement (SQLite allows 32766 bound values; an event has 20 columns). */
const INSERT_BATCH = 500;

export class AuditRepository {
  constructor(private readonly db: Db) {}

  /**
   * Appends events, in order, to their organizations' chains, in one transaction. The first
   * statement on each chain is a write to its head, so the head is locked before anything is
   * read: concurrent writers (several nodes on PostgreSQL, several processes on one SQLite file)
   * queue up and each event links to the one before. Heads are taken in organization order, so
   * two writers never wait on each other in a circle. Pass `exec` to append inside the caller's
   * transaction (the change and its audit event commit together).
   */
  async append(events: readonly NewAuditEvent[], exec?: Kysely<Database>): Promise<StoredAuditEvent[]> {
    const run = async (trx: Kysely<Database>) => {
      const stored = new Map<NewAuditEvent, StoredLink>();
      for (const orgId of [...new Set(events.map((e) => e.orgId))].sort()) {
        const mine = events.filter((e) => e.orgId === orgId);
        await trx
          .insertInto('audit_heads')
          .values({ org_id: orgId, seq: 0, hash: GENESIS_HASH })
          .onConflict((oc) => oc.column('org_id').doNothing())
          .execute();
        const head = await trx
          .updateTable('audit_heads')
          .set((eb) => ({ seq: eb('seq', '+', mine.length) }))
          .where('org_id', '=', orgId)
          .returning(['seq', 'hash'])
          .executeTakeFirstOrThrow();
        let seq = Number(head.seq) - mine.length;
        let prevHash = head.hash;
        for (const event of mine) {
          const chained: ChainedEvent = { ...event, seq: ++seq, id: randomUUID() };
          const link: StoredLink = { ...chained, prevHash, hash: chainHash(prevHash, chained) };
          stored.set(event, link);
          prevHash = link.hash;
        }
        const rows = mine.map((e) => toRow(stored.get(e)!));
        for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx.insertInto('audit_events').values(rows.slice(i, i + INSERT_BATCH)).execute();
        await trx.updateTable('audit_heads').set({ hash: prevHash }).where('org_id', '=', orgId).execute();
      }
      return events.map((e) => stored.get(e)!);
    };
    return exec ? run(exec) : inTransaction(this.db, run);
  }

  async head(orgId: string): Promise<ChainHead | undefined> {
    const row = await this.db.kysely.selectFrom('audit_heads').select(['seq', 'hash']).where('org_id', '=', orgId).executeTakeFirst();
    return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
  }

  /** Organizations that have an audit trail. */
  async organizations(): Promise<string[]> {
    const heads = await this.db.kysely.selectFrom('audit_heads').select('org_id').execute();
    const events = await this.db.kysely.selectFrom('audit_events').select('org_id').distinct().execute();
    return [...new Set([...heads, ...events].map((r) => r.org_id))].sort();
  }

  /** Every event of an organization in chain order, read in batches. */
  async *links(orgId: string, batch = 1000): AsyncIterable<StoredLink> {
    let after = 0;
    for (;;) {
      const rows = await this.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(batch)
        .execute();
      for (const row of rows) yield fromRow(row);
      if (rows.length < batch) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async query(orgId: string, filter: AuditFilter, order: 'asc' | 'desc', page: PageRequest): Promise<Page<StoredAuditEvent>> {
    const after = decodeCursor(page.cursor, ['number']);
    let q = this.db.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('event_date', '>=', filter.fromMs)
      .where('event_date', '<', filter.toMs);
    for (const [key, column] of Object.entries(FILTER_COLUMNS) as [keyof typeof FILTER_COLUMNS, keyof AuditEventsTable][]) {
      const value = filter[key];
      if (value !== undefined) q = q.where(column, '=', value);
    }
    if (after) q = q.where('seq', order === 'asc' ? '>' : '<', after[0] as number);
    const rows = await q.orderBy('seq', order).limit(page.limit + 1).execute();
    return toPage(rows, page.limit, fromRow, (r) => [Number(r.seq)]);
  }
}

function toRow(e: StoredLink): AuditEventsTable {
  return {
    org_id: e.orgId,
    seq: e.seq,
    id: e.id,
    event_date: e.eventDateMs,
    service_name: e.serviceName,
    level: e.level,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId,
    entity_name: e.entityName,
    status: e.status,
    user_id: e.userId,
    client_id: e.clientId,
    actor_name: e.actorName,
    remote_ip: e.remoteIp,
    message: e.message,
    property_changes: e.propertyChanges,
    context: e.context,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

function fromRow(r: Selectable<AuditEventsTable>): StoredLink {
  return {
    orgId: r.org_id,
    seq: Number(r.seq),
    id: r.id,
    eventDateMs: Number(r.event_date),
    serviceName: r.service_name,
    level: r.level,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    entityName: r.entity_name,
    status: r.status,
    userId: r.user_id,
    clientId: r.client_id,
    actorName: r.actor_name,
    remoteIp: r.remote_ip,
    message: r.message,
    propertyChanges: r.property_changes,
    context: r.context,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
