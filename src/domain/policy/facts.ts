import type { RecordingKind } from '../capture/types.js';
import type { ConversationEvent } from '../events.js';
import { conversationFacts } from '../facts.js';
import type { ConversationState } from '../timeline/state.js';

/**
 * What policy conditions look at (the conversation's facts, domain/facts.ts, plus its start,
 * end, direction and language): who took part, which queues it went through, its wrap-up codes.
 */
export interface PolicyFacts {
  readonly conversationId: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly direction: 'inbound' | 'outbound' | 'internal';
  /** Internal users who were parties to the call (agents, users, an internal caller), in join order. */
  readonly userIds: readonly string[];
  /** Users who took part as agents, in the order they joined ("the first agent connected" is evaluated). */
  readonly agentUserIds: readonly string[];
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

/** Monitors, coaches and barges listen in; "forUsers" means the parties to the call. */
const PARTY_PURPOSES: ReadonlySet<string> = new Set(['agent', 'user', 'customer']);

/** Facts of an ended conversation; undefined while it has not both started and ended. */
export function policyFacts(state: ConversationState, applied: readonly ConversationEvent[]): PolicyFacts | undefined {
  if (state.startedAtMs === undefined || state.endedAtMs === undefined || !state.direction) return undefined;
  const facts = conversationFacts(state, applied);
  const userIds = [...new Set(facts.users.filter((u) => PARTY_PURPOSES.has(u.purpose)).map((u) => u.userId))];
  const agentUserIds = facts.users.filter((u) => u.purpose === 'agent').sort((a, b) => a.firstAtMs - b.firstAtMs).map((u) => u.userId);
  const languages: string[] = [];
  for (const e of applied) if (e.type === 'conversation.started' && e.language) languages.push(e.language);
  return {
    conversationId: state.conversationId,
    startedAtMs: state.startedAtMs,
    endedAtMs: state.endedAtMs,
    direction: state.direction,
    userIds,
    agentUserIds,
    queueIds: facts.queueIds,
    wrapupCodes: [...new Set(facts.wrapups.map((w) => w.code))],
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
