import type { RecordingKind } from '../capture/types.js';
import type { ConversationEvent } from '../events.js';
import type { ConversationState } from '../timeline/state.js';

/**
 * What policy conditions look at, taken from a conversation's folded timeline: who took part,
 * which queues it went through, its wrap-up codes, direction, language, start and duration.
 */
export interface ConversationFacts {
  readonly conversationId: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly direction: 'inbound' | 'outbound' | 'internal';
  /** Internal users who took part (agents, users, and an internal caller), in join order. */
  readonly userIds: readonly string[];
  readonly queueIds: readonly string[];
  readonly wrapupCodes: readonly string[];
  readonly languages: readonly string[];
}

/** One recording of the conversation, as evaluation needs it. */
export interface RecordingFacts {
  readonly id: string;
  readonly kind: RecordingKind;
  readonly userId: string | null;
  readonly startedAtMs: number;
}

/** Facts of an ended conversation; undefined while it has not both started and ended. */
export function conversationFacts(state: ConversationState, applied: readonly ConversationEvent[]): ConversationFacts | undefined {
  if (state.startedAtMs === undefined || state.endedAtMs === undefined || !state.direction) return undefined;
  const userIds: string[] = [];
  const wrapupCodes: string[] = [];
  for (const id of state.joinOrder) {
    const p = state.participants[id]!;
    const internal = p.purpose === 'agent' || p.purpose === 'user' || (p.purpose === 'customer' && p.userId !== undefined);
    if (internal && p.userId && !userIds.includes(p.userId)) userIds.push(p.userId);
    if (p.wrapupCode && !wrapupCodes.includes(p.wrapupCode)) wrapupCodes.push(p.wrapupCode);
  }
  const queueIds: string[] = [];
  const languages: string[] = [];
  for (const e of applied) {
    if (e.type === 'segment' && e.kind === 'queue' && e.queueId && !queueIds.includes(e.queueId)) queueIds.push(e.queueId);
    if (e.type === 'conversation.started' && e.language) languages.push(e.language);
  }
  return {
    conversationId: state.conversationId,
    startedAtMs: state.startedAtMs,
    endedAtMs: state.endedAtMs,
    direction: state.direction,
    userIds,
    queueIds,
    wrapupCodes,
    languages,
  };
}

/**
 * Agents still in after-call work. Wrap-up codes are policy conditions, so evaluation waits for
 * them (up to a limit the caller sets).
 */
export function pendingWrapups(state: ConversationState): string[] {
  return state.joinOrder.filter((id) => {
    const p = state.participants[id]!;
    return p.segment === 'wrapup' && p.wrapupCompletedAtMs === undefined;
  });
}
