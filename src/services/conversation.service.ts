import { admitEvents, foldConversation, type FoldedConversation } from '../domain/conversation.js';
import { toDomainEvent, type ConversationEvent, type ConversationEventInput } from '../domain/events.js';
import { conversationFacts } from '../domain/facts.js';
import { mergeEvents } from '../domain/timeline/order.js';
import { inTransaction, type Db } from '../store/db.js';
import type { Clock } from '../store/clock.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { ConversationSummary, ConversationsRepository } from '../store/repositories/conversations.repository.js';
import type { RecordingRow, RecordingsRepository } from '../store/repositories/recordings.repository.js';
import type { ConversationHub, ConversationUpdate } from './conversation-hub.js';
import type { TelephonyService } from './telephony.service.js';

/** Accepting conversation events and answering "what is this conversation, and what is being recorded?" */

export interface IngestResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly conversations: ReadonlyArray<{
    readonly conversationId: string;
    /** Events stored but waiting for earlier ones (see domain/conversation.ts). */
    readonly pending: ReadonlyArray<{ eventId: string; code?: string; message?: string }>;
  }>;
}

export interface ConversationView {
  readonly summary: ConversationSummary;
  readonly folded: FoldedConversation;
  readonly recordings: readonly RecordingRow[];
}

export interface ConversationServiceDeps {
  readonly db: Db;
  readonly conversations: ConversationsRepository;
  readonly recordings: RecordingsRepository;
  readonly telephony: TelephonyService;
  readonly hub: ConversationHub;
  readonly clock: Clock;
  readonly windowMs: number;
}

export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  /**
   * Admits a batch of events, all or nothing: if any event is refused (DomainError), nothing is
   * stored. Events of several conversations may be mixed; each conversation is folded on its own.
   */
  async ingest(orgId: string, inputs: readonly ConversationEventInput[]): Promise<IngestResult> {
    const { db, conversations, recordings, telephony, clock, hub, windowMs } = this.deps;
    const byConversation = new Map<string, ConversationEventInput[]>();
    for (const input of inputs) {
      const list = byConversation.get(input.conversationId) ?? [];
      list.push(input);
      byConversation.set(input.conversationId, list);
    }
    const now = clock.now();
    const updates: ConversationUpdate[] = [];
    let accepted = 0;
    let duplicates = 0;

    // Conversations are locked in id order so that concurrent batches cannot deadlock.
    await inTransaction(db, async (trx) => {
      for (const conversationId of [...byConversation.keys()].sort()) {
        const summary = await conversations.lock(trx, orgId, conversationId, now);
        const stored = await conversations.events(orgId, conversationId, trx);
        const nextSeq = stored.reduce((max, e) => Math.max(max, e.seq), 0) + 1;
        const incoming = byConversation.get(conversationId)!.map((input, i) => toDomainEvent(input, nextSeq + i));
        const config = await telephony.configFor(orgId, [...stored, ...incoming], trx);
        const admitted = admitEvents(conversationId, stored, incoming, config, {
          windowMs,
          mediaHighWaterMs: summary.mediaHighWaterMs ?? undefined,
        });
        await conversations.appendEvents(trx, orgId, admitted.added, now);
        const { state, applied } = admitted.folded;
        const facts = conversationFacts(state.conversation, applied);
        await conversations.updateSummary(trx, orgId, state.conversation, facts, admitted.events.length, lastAt(admitted.events), now);
        const rows = await recordings.syncPlan(trx, orgId, conversationId, admitted.folded.plan.recordings, now);
        accepted += admitted.added.length;
        duplicates += admitted.duplicates.length;
        const update = { orgId, conversationId, folded: admitted.folded, recordings: rows };
        await hub.publishInTransaction(trx, update);
        updates.push(update);
      }
    });
    for (const update of updates) hub.publish(update);
    return {
      accepted,
      duplicates,
      conversations: updates.map((u) => ({
        conversationId: u.conversationId,
        pending: u.folded.pending.map((p) => ({ eventId: p.event.eventId, code: p.error?.code, message: p.error?.message })),
      })),
    };
  }

  async get(orgId: string, conversationId: string): Promise<ConversationView | undefined> {
    const { conversations, recordings, telephony, windowMs } = this.deps;
    const summary = await conversations.get(orgId, conversationId);
    if (!summary) return undefined;
    const events = await conversations.events(orgId, conversationId);
    const folded = foldConversation(conversationId, mergeEvents([], events).events, await telephony.configFor(orgId, events), {
      windowMs,
      mediaHighWaterMs: summary.mediaHighWaterMs ?? undefined,
    });
    return { summary, folded, recordings: await recordings.listForConversation(orgId, conversationId) };
  }

  async exists(orgId: string, conversationId: string): Promise<boolean> {
    return (await this.deps.conversations.get(orgId, conversationId)) !== undefined;
  }

  list(orgId: string, page: PageRequest): Promise<Page<ConversationSummary>> {
    return this.deps.conversations.list(orgId, page);
  }
}

function lastAt(events: readonly ConversationEvent[]): number | undefined {
  return events.length === 0 ? undefined : Math.max(...events.map((e) => e.atMs));
}
