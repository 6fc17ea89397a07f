import type { FoldedConversation } from '../domain/conversation.js';
import type { RecordingRow } from '../store/repositories/recordings.repository.js';

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

export class ConversationHub {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(update: ConversationUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}
