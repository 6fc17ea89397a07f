import type { RecordingKind, Span } from '../capture/types.js';
import type { ConversationEvent, Purpose } from '../events.js';

/**
 * Segment access: a holder of `recording:recordingSegment:view` limited to some queues hears only
 * the spans of a conversation handled in those queues ("only segments the user is entitled to,
 * e.g. by division/queue"). This file attributes every instant of a conversation to the queue
 * handling it, and turns that into the parts of a recording's media that may be heard.
 *
 * Station-side recordings are all or nothing: the seed's capability table says "each
 * station-side recording considered as one recording segment".
 */

/** A stretch of conversation time handled in one queue (or in none: IVR, before any queue). */
export interface QueueSpan {
  readonly fromMs: number;
  /** Infinity while the conversation goes on. */
  readonly toMs: number;
  readonly queueId: string | null;
}

/** A stretch of a recording's media, in milliseconds from the start of the media. */
export interface MediaRange {
  readonly startMs: number;
  /** Infinity for "to the end". */
  readonly endMs: number;
}

/** A part of a recording the viewer may not hear, with where it sits in real time and in the media. */
export interface WithheldSpan extends MediaRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly queueId: string | null;
}

export interface SegmentAccess {
  /** Media ranges that may be heard, sorted and disjoint; everything else is served as silence. */
  readonly permitted: readonly MediaRange[];
  readonly withheld: readonly WithheldSpan[];
}

const CALLER_PURPOSES: ReadonlySet<Purpose> = new Set(['customer', 'external', 'ivr']);

/**
 * Which queue handles the conversation at each instant, from its timeline (events in timeline
 * order). A queue segment hands the conversation to its queue; an agent's interact segment that
 * names a queue does too (the agent took it from there); the caller returning to an IVR takes it
 * out of any queue. Transfers between agents keep the queue until another queue takes over.
 */
export function queueTimeline(events: readonly ConversationEvent[]): QueueSpan[] {
  const purposes = new Map<string, Purpose>();
  const spans: QueueSpan[] = [];
  let current: { fromMs: number; queueId: string | null } | undefined;
  const switchTo = (atMs: number, queueId: string | null) => {
    if (current?.queueId === queueId) return;
    if (current && atMs > current.fromMs) spans.push({ fromMs: current.fromMs, toMs: atMs, queueId: current.queueId });
    current = { fromMs: atMs, queueId };
  };
  for (const e of events) {
    if (e.type === 'conversation.started') switchTo(e.atMs, null);
    else if (e.type === 'participant.joined') purposes.set(e.participantId, e.purpose);
    else if (e.type === 'segment') {
      if (e.kind === 'queue') switchTo(e.atMs, e.queueId ?? null);
      else if (e.kind === 'interact' && e.queueId) switchTo(e.atMs, e.queueId);
      else if (e.kind === 'ivr' && CALLER_PURPOSES.has(purposes.get(e.participantId) ?? 'customer')) switchTo(e.atMs, null);
    } else if (e.type === 'conversation.ended' && current) {
      if (e.atMs > current.fromMs) spans.push({ fromMs: current.fromMs, toMs: e.atMs, queueId: current.queueId });
      current = undefined;
      break;
    }
  }
  if (current) spans.push({ fromMs: current.fromMs, toMs: Number.POSITIVE_INFINITY, queueId: current.queueId });
  return spans;
}

export interface RecordingTimeline {
  readonly kind: RecordingKind;
  /** The recording's spans in conversation time; captured ones are in the media, in order. */
  readonly spans: readonly Span[];
  readonly stoppedAtMs?: number | null;
}

/** What of a recording a viewer limited to `queueIds` may hear. */
export function segmentAccess(recording: RecordingTimeline, timeline: readonly QueueSpan[], queueIds: ReadonlySet<string>): SegmentAccess {
  const captured = capturedPieces(recording);
  const pieces =
    recording.kind === 'station'
      ? wholeRecording(captured, queueAt(timeline, captured[0]?.fromMs))
      : captured.flatMap((piece) => splitByQueue(piece, timeline));
  const permitted: MediaRange[] = [];
  const withheld: WithheldSpan[] = [];
  for (const p of pieces) {
    if (p.queueId !== null && queueIds.has(p.queueId)) appendRange(permitted, { startMs: p.startMs, endMs: p.endMs });
    else appendWithheld(withheld, p);
  }
  return { permitted, withheld };
}

/** A captured stretch of the recording with its place in real time and in the media. */
interface Piece extends WithheldSpan {}

function capturedPieces(recording: RecordingTimeline): Omit<Piece, 'queueId'>[] {
  const out: Omit<Piece, 'queueId'>[] = [];
  let mediaMs = 0;
  for (const span of recording.spans) {
    const toMs = span.toMs ?? recording.stoppedAtMs ?? Number.POSITIVE_INFINITY;
    if (!span.captured || toMs <= span.fromMs) continue;
    out.push({ fromMs: span.fromMs, toMs, startMs: mediaMs, endMs: mediaMs + (toMs - span.fromMs) });
    mediaMs += toMs - span.fromMs;
  }
  return out;
}

function wholeRecording(captured: Omit<Piece, 'queueId'>[], queueId: string | null): Piece[] {
  return captured.map((p) => ({ ...p, queueId }));
}

function splitByQueue(piece: Omit<Piece, 'queueId'>, timeline: readonly QueueSpan[]): Piece[] {
  const out: Piece[] = [];
  let cursor = piece.fromMs;
  for (const q of timeline) {
    if (q.toMs <= cursor || q.fromMs >= piece.toMs) continue;
    if (q.fromMs > cursor) out.push(slice(piece, cursor, q.fromMs, null));
    const end = Math.min(q.toMs, piece.toMs);
    out.push(slice(piece, Math.max(cursor, q.fromMs), end, q.queueId));
    cursor = end;
  }
  if (cursor < piece.toMs) out.push(slice(piece, cursor, piece.toMs, null));
  return out;
}

function slice(piece: Omit<Piece, 'queueId'>, fromMs: number, toMs: number, queueId: string | null): Piece {
  const startMs = piece.startMs + (fromMs - piece.fromMs);
  return { fromMs, toMs, startMs, endMs: toMs === Number.POSITIVE_INFINITY ? toMs : startMs + (toMs - fromMs), queueId };
}

function queueAt(timeline: readonly QueueSpan[], atMs: number | undefined): string | null {
  if (atMs === undefined) return null;
  return timeline.find((q) => q.fromMs <= atMs && atMs < q.toMs)?.queueId ?? null;
}

function appendWithheld(spans: WithheldSpan[], piece: WithheldSpan): void {
  const last = spans[spans.length - 1];
  if (last && last.queueId === piece.queueId && last.endMs === piece.startMs && last.toMs === piece.fromMs) {
    spans[spans.length - 1] = { ...last, toMs: piece.toMs, endMs: piece.endMs };
  } else spans.push(piece);
}

function appendRange(ranges: MediaRange[], range: MediaRange): void {
  const last = ranges[ranges.length - 1];
  if (last && last.endMs >= range.startMs) ranges[ranges.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, range.endMs) };
  else ranges.push(range);
}
