import { initialCaptureState, planFromCommands, reduce, type CaptureState } from './capture/index.js';
import type { CaptureCommand, RecordingPlan } from './capture/types.js';
import type { ConversationEvent } from './events.js';
import { DomainError } from './errors.js';
import type { TelephonyConfig } from './telephony.js';
import { checkWindow, mergeEvents } from './timeline/order.js';

/**
 * Folding a conversation's timeline while events may still be arriving out of order.
 *
 * An event that cannot be applied (it names a participant who has not joined, ends a consult that
 * has not started, ...) may only look impossible because an earlier event is still on its way.
 * While it is inside the ordering window it waits, with everything after it, as *pending*. Once
 * the conversation has moved on by more than the window (or has ended), it is *settled*: if it
 * still cannot be applied it is *rejected* and the fold goes on without it.
 */

export interface Unapplied {
  readonly event: ConversationEvent;
  readonly error?: DomainError;
}

export interface FoldedConversation {
  readonly state: CaptureState;
  readonly commands: readonly CaptureCommand[];
  readonly plan: RecordingPlan;
  /** Events folded into the state, in timeline order. */
  readonly applied: readonly ConversationEvent[];
  /** Events waiting for earlier events; the first carries the error that holds them back. */
  readonly pending: readonly Unapplied[];
  readonly rejected: readonly Required<Unapplied>[];
  /** Everything up to this instant is settled: no event before it can still be accepted. */
  readonly settledUntilMs: number;
}

export interface FoldOptions {
  readonly windowMs: number;
  /** The newest instant the conversation's audio has reached, if any. */
  readonly mediaHighWaterMs?: number;
}

export function highWater(events: readonly ConversationEvent[], mediaHighWaterMs?: number): number | undefined {
  let hw = mediaHighWaterMs;
  for (const e of events) if (hw === undefined || e.atMs > hw) hw = e.atMs;
  return hw;
}

/** Folds an ordered, de-duplicated timeline (see mergeEvents). Pure. */
export function foldConversation(
  conversationId: string,
  events: readonly ConversationEvent[],
  config: TelephonyConfig,
  options: FoldOptions,
): FoldedConversation {
  const ended = events.some((e) => e.type === 'conversation.ended');
  const hw = highWater(events, options.mediaHighWaterMs) ?? 0;
  const settledUntilMs = ended ? Number.POSITIVE_INFINITY : hw - options.windowMs;

  let state = initialCaptureState(conversationId);
  const commands: CaptureCommand[] = [];
  const applied: ConversationEvent[] = [];
  const rejected: Required<Unapplied>[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    try {
      const step = reduce(state, event, config);
      state = step.state;
      commands.push(...step.commands);
      applied.push(event);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (event.atMs <= settledUntilMs) {
        rejected.push({ event, error: err });
        continue;
      }
      const pending: Unapplied[] = [{ event, error: err }, ...events.slice(i + 1).map((e) => ({ event: e }))];
      return { state, commands, plan: planFromCommands(commands), applied, pending, rejected, settledUntilMs };
    }
  }
  return { state, commands, plan: planFromCommands(commands), applied, pending: [], rejected, settledUntilMs };
}

export interface Admitted {
  /** The whole timeline after admission, ordered. */
  readonly events: readonly ConversationEvent[];
  readonly added: readonly ConversationEvent[];
  readonly duplicates: readonly ConversationEvent[];
  readonly folded: FoldedConversation;
  /** Stored events the conversation has now moved past without being able to apply them. */
  readonly newlyRejected: readonly Required<Unapplied>[];
}

/**
 * Decides whether incoming events join a conversation's timeline. Throws DomainError, admitting
 * none of them, when one repeats an eventId with other content, arrives after the window, or is
 * settled and still impossible.
 */
export function admitEvents(
  conversationId: string,
  stored: readonly ConversationEvent[],
  incoming: readonly ConversationEvent[],
  config: TelephonyConfig,
  options: FoldOptions,
): Admitted {
  const merged = mergeEvents(stored, incoming);
  const storedIds = new Set(stored.map((e) => e.eventId));
  const added = merged.events.filter((e) => !storedIds.has(e.eventId));
  const hwBefore = highWater(stored, options.mediaHighWaterMs);
  for (const event of added) checkWindow(event, hwBefore, options.windowMs);

  const before = foldConversation(conversationId, stored, config, options);
  const folded = foldConversation(conversationId, merged.events, config, options);
  const addedIds = new Set(added.map((e) => e.eventId));
  const refused = folded.rejected.find((r) => addedIds.has(r.event.eventId));
  if (refused) throw refused.error;
  const rejectedBefore = new Set(before.rejected.map((r) => r.event.eventId));
  const newlyRejected = folded.rejected.filter((r) => !rejectedBefore.has(r.event.eventId));
  return { events: merged.events, added, duplicates: merged.duplicates, folded, newlyRejected };
}
