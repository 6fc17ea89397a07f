import type { ConversationEvent, Purpose } from '../events.js';
import type { ConversationState } from '../timeline/state.js';

/**
 * The segments of a conversation, one row per stretch of a participant in one state, as the
 * conversation query engine searches them (the analytics "segment" of the reference API).
 * Listeners (monitor, coach, barge) get one segment per listening stretch, typed by its mode.
 */
export interface ConversationSegment {
  readonly participantId: string;
  readonly purpose: Purpose;
  readonly userId: string | null;
  readonly segmentType: string;
  readonly queueId: string | null;
  readonly flowId: string | null;
  /** On the wrap-up segment, once completed. */
  readonly wrapupCode: string | null;
  readonly startMs: number;
  readonly endMs: number | null;
}

/** Segments from the applied events (timeline order) and the folded state. Pure. */
export function segmentsOf(state: ConversationState, applied: readonly ConversationEvent[]): ConversationSegment[] {
  const out: ConversationSegment[] = [];
  const open = new Map<string, number>();
  const close = (participantId: string, atMs: number) => {
    const i = open.get(participantId);
    if (i !== undefined) out[i] = { ...out[i]!, endMs: atMs };
    open.delete(participantId);
  };
  const begin = (participantId: string, atMs: number, segmentType: string, extra: { queueId?: string; flowId?: string } = {}) => {
    const p = state.participants[participantId];
    if (!p) return;
    close(participantId, atMs);
    open.set(participantId, out.length);
    out.push({
      participantId,
      purpose: p.purpose,
      userId: p.userId ?? null,
      segmentType,
      queueId: extra.queueId ?? null,
      flowId: extra.flowId ?? null,
      wrapupCode: segmentType === 'wrapup' ? (p.wrapupCode ?? null) : null,
      startMs: atMs,
      endMs: null,
    });
  };
  for (const e of applied) {
    if (e.type === 'segment') begin(e.participantId, e.atMs, e.kind, { queueId: e.queueId, flowId: e.flowId });
    else if (e.type === 'monitoring.started') begin(e.participantId, e.atMs, e.mode);
    else if (e.type === 'monitoring.ended') close(e.participantId, e.atMs);
    else if (e.type === 'participant.left') {
      const i = open.get(e.participantId);
      // A participant in wrap-up has left the call but is still working on it.
      if (i === undefined || out[i]!.segmentType !== 'wrapup') close(e.participantId, e.atMs);
    } else if (e.type === 'wrapup.completed') close(e.participantId, e.atMs);
    else if (e.type === 'conversation.ended') {
      for (const [participantId, i] of [...open]) if (out[i]!.segmentType !== 'wrapup') close(participantId, e.atMs);
    }
  }
  return out;
}
