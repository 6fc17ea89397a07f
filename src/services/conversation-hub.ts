import type { Kysely } from 'kysely';
import type { FoldedConversation } from '../domain/conversation.js';
import type { RecordingRow } from '../store/repositories/recordings.repository.js';
import type { Database } from '../store/schema.js';

/**
 * Where committed changes to a conversation are announced: the media pipeline listens here to
 * learn what to record. In-process; a multi-node deployment pins a conversation's media to one
 * node, which reads the timeline from the shared database.
 */
export interface ConversationUpdate {
  readonly orgId: string;
  readonly conversationId: string;
  readonly folded: FoldedConversation;
  readonly recordings: readonly RecordingRow[];
}

type Listener = (update: ConversationUpdate) => void;
/** Runs inside the ingest transaction: what it writes commits with the events, or not at all. */
type TransactionalListener = (trx: Kysely<Database>, update: ConversationUpdate) => Promise<void>;

export class ConversationHub {
  private readonly listeners = new Set<Listener>();
  private readonly transactional = new Set<TransactionalListener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For derived data that must never disagree with the timeline (indexes, follow-up jobs). */
  subscribeInTransaction(listener: TransactionalListener): () => void {
    this.transactional.add(listener);
    return () => this.transactional.delete(listener);
  }

  async publishInTransaction(trx: Kysely<Database>, update: ConversationUpdate): Promise<void> {
    for (const listener of this.transactional) await listener(trx, update);
  }

  publish(update: ConversationUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}
