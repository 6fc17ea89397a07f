import { sql, type Kysely } from 'kysely';
import type { ConversationFacts } from '../../domain/facts.js';
import type { ConversationState } from '../../domain/timeline/state.js';
import { toWireEvent, type ConversationEvent, type ConversationEventInput } from '../../domain/events.js';
import { forUpdate, type Db } from '../db.js';
import { decodeCursor, toPage, type Page, type PageRequest } from '../paging.js';
import type { ConversationsTable, Database } from '../schema.js';

/** Conversations and their event timelines: one aggregate, written together in a transaction. */

export interface ConversationSummary {
  readonly id: string;
  readonly direction: string | null;
  readonly trunkId: string | null;
  readonly ani: string | null;
  readonly dnis: string | null;
  readonly region: string | null;
  readonly startedAtMs: number | null;
  readonly endedAtMs: number | null;
  readonly lastEventAtMs: number | null;
  readonly mediaHighWaterMs: number | null;
  readonly eventCount: number;
}

export class ConversationsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Makes sure the conversation row exists and locks it for the transaction, so that concurrent
   * deliveries of one conversation's events are folded one after the other.
   */
  async lock(trx: Kysely<Database>, orgId: string, id: string, now: number): Promise<ConversationSummary> {
    await trx
      .insertInto('conversations')
      .values({ org_id: orgId, id, event_count: 0, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['org_id', 'id']).doNothing())
      .execute();
    const row = await forUpdate(this.db, trx.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('id', '=', id)).executeTakeFirstOrThrow();
    return summaryFromRow(row);
  }

  async get(orgId: string, id: string): Promise<ConversationSummary | undefined> {
    const row = await this.db.kysely.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? summaryFromRow(row) : undefined;
  }

  /** Conversations newest first. */
  async list(orgId: string, page: PageRequest): Promise<Page<ConversationSummary>> {
    const after = decodeCursor(page.cursor, ['number', 'string']);
    let q = this.db.kysely.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('started_at', 'is not', null);
    if (after) {
      const [startedAt, id] = after as [number, string];
      q = q.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]));
    }
    const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    return toPage(rows, page.limit, summaryFromRow, (r) => [r.started_at ?? 0, r.id]);
  }

  async events(orgId: string, conversationId: string, trx: Kysely<Database> = this.db.kysely): Promise<ConversationEvent[]> {
    const rows = await trx
      .selectFrom('conversation_events')
      .select(['seq', 'body'])
      .where('org_id', '=', orgId)
      .where('conversation_id', '=', conversationId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => {
      const { at, ...rest } = JSON.parse(r.body) as ConversationEventInput;
      return { ...rest, atMs: Date.parse(at), seq: r.seq } as ConversationEvent;
    });
  }

  async appendEvents(trx: Kysely<Database>, orgId: string, events: readonly ConversationEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    await trx
      .insertInto('conversation_events')
      .values(
        events.map((e) => ({
          org_id: orgId,
          conversation_id: e.conversationId,
          event_id: e.eventId,
          seq: e.seq,
          at_ms: e.atMs,
          type: e.type,
          body: JSON.stringify(toWireEvent(e)),
          received_at: now,
        })),
      )
      .execute();
  }

  /** Records what the timeline now says about the conversation: its summary and its facts. */
  async updateSummary(
    trx: Kysely<Database>,
    orgId: string,
    state: ConversationState,
    facts: ConversationFacts,
    eventCount: number,
    lastEventAtMs: number | undefined,
    now: number,
  ) {
    const id = state.conversationId;
    await trx
      .updateTable('conversations')
      .set({
        direction: state.direction ?? null,
        trunk_id: state.trunkId ?? null,
        ani: state.ani ?? null,
        dnis: state.dnis ?? null,
        region: state.region ?? null,
        started_at: state.startedAtMs ?? null,
        ended_at: state.endedAtMs ?? null,
        last_event_at: lastEventAtMs ?? null,
        duration_ms: facts.durationMs ?? null,
        event_count: eventCount,
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
    for (const table of ['conversation_users', 'conversation_queues', 'conversation_wrapups'] as const) {
      await trx.deleteFrom(table).where('org_id', '=', orgId).where('conversation_id', '=', id).execute();
    }
    if (facts.users.length) {
      await trx
        .insertInto('conversation_users')
        .values(facts.users.map((u) => ({ org_id: orgId, conversation_id: id, user_id: u.userId, purpose: u.purpose, first_at: u.firstAtMs })))
        .execute();
    }
    if (facts.queueIds.length) {
      await trx.insertInto('conversation_queues').values(facts.queueIds.map((q) => ({ org_id: orgId, conversation_id: id, queue_id: q }))).execute();
    }
    if (facts.wrapups.length) {
      await trx
        .insertInto('conversation_wrapups')
        .values(facts.wrapups.map((w) => ({ org_id: orgId, conversation_id: id, participant_id: w.participantId, user_id: w.userId ?? null, code: w.code })))
        .execute();
    }
  }

  async facts(orgId: string, conversationId: string): Promise<ConversationFacts> {
    const k = this.db.kysely;
    const [summary, users, queues, wrapups] = await Promise.all([
      k.selectFrom('conversations').select('duration_ms').where('org_id', '=', orgId).where('id', '=', conversationId).executeTakeFirst(),
      k.selectFrom('conversation_users').selectAll().where('org_id', '=', orgId).where('conversation_id', '=', conversationId).execute(),
      k.selectFrom('conversation_queues').select('queue_id').where('org_id', '=', orgId).where('conversation_id', '=', conversationId).execute(),
      k.selectFrom('conversation_wrapups').selectAll().where('org_id', '=', orgId).where('conversation_id', '=', conversationId).execute(),
    ]);
    return {
      users: users.map((u) => ({ userId: u.user_id, purpose: u.purpose, firstAtMs: u.first_at })),
      queueIds: queues.map((q) => q.queue_id),
      wrapups: wrapups.map((w) => ({ participantId: w.participant_id, ...(w.user_id ? { userId: w.user_id } : {}), code: w.code })),
      ...(summary?.duration_ms != null ? { durationMs: summary.duration_ms } : {}),
    };
  }

  /** The media pipeline reports how far the conversation's audio has got. */
  async advanceMediaHighWater(orgId: string, id: string, atMs: number): Promise<void> {
    await this.advanceHighWater(this.db.kysely, orgId, id, atMs);
  }

  /**
   * Several conversations' media high water at once (the media pipeline reports every second for
   * every live call): one statement per organization, never moving a high water back.
   */
  async advanceMediaHighWaters(entries: ReadonlyArray<{ orgId: string; id: string; atMs: number }>): Promise<void> {
    const byOrg = new Map<string, Array<{ id: string; atMs: number }>>();
    for (const e of entries) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e]);
    for (const [orgId, list] of byOrg) {
      const value = sql<number>`case id ${sql.join(list.map((e) => sql`when ${e.id} then cast(${e.atMs} as bigint)`), sql` `)} end`;
      await this.db.kysely
        .updateTable('conversations')
        .set({
          media_high_water_at: sql<number>`case when media_high_water_at is null or media_high_water_at < ${value} then ${value} else media_high_water_at end`,
        })
        .where('org_id', '=', orgId)
        .where('id', 'in', list.map((e) => e.id))
        .execute();
    }
  }

  private async advanceHighWater(trx: Kysely<Database>, orgId: string, id: string, atMs: number): Promise<void> {
    await trx
      .updateTable('conversations')
      .set({ media_high_water_at: atMs })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where((eb) => eb.or([eb('media_high_water_at', 'is', null), eb('media_high_water_at', '<', atMs)]))
      .execute();
  }
}

function summaryFromRow(r: ConversationsTable): ConversationSummary {
  return {
    id: r.id,
    direction: r.direction,
    trunkId: r.trunk_id,
    ani: r.ani,
    dnis: r.dnis,
    region: r.region,
    startedAtMs: r.started_at,
    endedAtMs: r.ended_at,
    lastEventAtMs: r.last_event_at,
    mediaHighWaterMs: r.media_high_water_at,
    eventCount: r.event_count,
  };
}
