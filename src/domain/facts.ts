import type { ConversationEvent } from './events.js';
import type { ConversationState } from './timeline/state.js';

/** What a conversation involved, for policy conditions and search: users, queues, wrap-up codes, duration. */
export interface ConversationFacts {
  readonly users: ReadonlyArray<{ userId: string; purpose: string; firstAtMs: number }>;
  readonly queueIds: readonly string[];
  readonly wrapups: ReadonlyArray<{ participantId: string; userId?: string; code: string }>;
  readonly durationMs?: number;
}

export function conversationFacts(state: ConversationState, applied: readonly ConversationEvent[]): ConversationFacts {
  const users = new Map<string, { userId: string; purpose: string; firstAtMs: number }>();
  const wrapups: Array<{ participantId: string; userId?: string; code: string }> = [];
  for (const id of state.joinOrder) {
    const p = state.participants[id]!;
    if (p.userId) {
      const key = `${p.userId}\u0000${p.purpose}`;
      if (!users.has(key)) users.set(key, { userId: p.userId, purpose: p.purpose, firstAtMs: p.joinedAtMs });
    }
    if (p.wrapupCode) wrapups.push({ participantId: p.id, ...(p.userId ? { userId: p.userId } : {}), code: p.wrapupCode });
  }
  const queueIds = new Set<string>();
  for (const e of applied) if (e.type === 'segment' && e.kind === 'queue' && e.queueId) queueIds.add(e.queueId);
  const { startedAtMs, endedAtMs } = state;
  return {
    users: [...users.values()],
    queueIds: [...queueIds],
    wrapups,
    ...(startedAtMs !== undefined && endedAtMs !== undefined ? { durationMs: endedAtMs - startedAtMs } : {}),
  };
}
