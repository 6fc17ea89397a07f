import type { ConversationEvent, EventType } from '../events.js';
import { DomainError } from '../errors.js';

/**
 * Events may arrive out of order within a small window and may repeat (DESIGN section 3). The
 * timeline is the events sorted by instant; at the same instant, structural events go first
 * (a conversation starts before anyone joins, people join before they act and act before they
 * leave), then arrival order decides.
 */
const RANK: Record<EventType, number> = {
  'conversation.started': 0,
  'participant.joined': 1,
  segment: 2,
  consent: 2,
  transfer: 2,
  'consult.started': 2,
  'consult.ended': 2,
  'monitoring.started': 2,
  'monitoring.ended': 2,
  'recording.state': 2,
  'recording.adhoc': 2,
  'recording.snippet': 2,
  'participant.left': 3,
  'conversation.ended': 4,
  'wrapup.completed': 5,
};

export function compareEvents(a: ConversationEvent, b: ConversationEvent): number {
  return a.atMs - b.atMs || RANK[a.type] - RANK[b.type] || a.seq - b.seq;
}

/** The same event delivered twice: identical apart from its arrival sequence. */
export function sameEvent(a: ConversationEvent, b: ConversationEvent): boolean {
  const { seq: _a, ...restA } = a;
  const { seq: _b, ...restB } = b;
  return canonical(restA) === canonical(restB);
}

function canonical(value: object): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y))));
}

export interface Merged {
  /** The timeline in order, without duplicates. */
  readonly events: ConversationEvent[];
  /** Incoming events that repeated an `eventId` already present (dropped). */
  readonly duplicates: ConversationEvent[];
}

/**
 * Merges incoming events into an ordered timeline, dropping repeats of an `eventId`. An `eventId`
 * reused for a different event is refused: that is a producer bug, not a retry.
 */
export function mergeEvents(existing: readonly ConversationEvent[], incoming: readonly ConversationEvent[]): Merged {
  const byId = new Map(existing.map((e) => [e.eventId, e]));
  const added: ConversationEvent[] = [];
  const duplicates: ConversationEvent[] = [];
  for (const event of incoming) {
    const known = byId.get(event.eventId);
    if (known) {
      if (!sameEvent(known, event)) {
        throw new DomainError('event.idConflict', `eventId ${event.eventId} was already used for a different event`, event.eventId);
      }
      duplicates.push(event);
      continue;
    }
    byId.set(event.eventId, event);
    added.push(event);
  }
  return { events: [...existing, ...added].sort(compareEvents), duplicates };
}

/**
 * The ordering window: an event may be ordered in only while it is no more than `windowMs` behind
 * the newest instant the conversation has reached (its newest event or audio). Anything older has
 * already been rendered into the recordings and can no longer be honoured.
 */
export function checkWindow(event: ConversationEvent, highWaterMs: number | undefined, windowMs: number): void {
  if (highWaterMs !== undefined && event.atMs < highWaterMs - windowMs) {
    throw new DomainError(
      'event.late',
      `event ${event.eventId} at ${new Date(event.atMs).toISOString()} arrived more than ${windowMs} ms after the conversation reached ${new Date(highWaterMs).toISOString()}`,
      event.eventId,
    );
  }
}
