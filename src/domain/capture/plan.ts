import type { CaptureCommand, PlannedRecording, RecordingPlan, Span, SpanState } from './types.js';

/**
 * Folds capture commands into the recording plan: each recording with its spans of conversation
 * time. Spans of zero length (several events at one instant) are dropped and neighbours with the
 * same state merged, so the plan reads as what a listener would notice.
 */
export function planFromCommands(commands: readonly CaptureCommand[]): RecordingPlan {
  const recordings = new Map<string, { rec: Mutable<PlannedRecording>; spans: Mutable<Span>[] }>();
  for (const cmd of commands) {
    if (cmd.type === 'start') {
      const spans = [{ ...cmd.span, fromMs: cmd.atMs }];
      recordings.set(cmd.spec.key, { rec: { spec: cmd.spec, startedAtMs: cmd.atMs, status: 'active', spans }, spans });
      continue;
    }
    const entry = recordings.get(cmd.key);
    if (!entry) continue;
    const open = entry.spans[entry.spans.length - 1];
    switch (cmd.type) {
      case 'span':
        if (open && open.toMs === undefined) open.toMs = cmd.atMs;
        entry.spans.push({ ...cmd.span, fromMs: cmd.atMs });
        break;
      case 'stop':
        if (open && open.toMs === undefined) open.toMs = cmd.atMs;
        entry.rec.status = 'stopped';
        entry.rec.stoppedAtMs = cmd.atMs;
        break;
      case 'discard':
        if (open && open.toMs === undefined) open.toMs = cmd.atMs;
        entry.rec.status = 'discarded';
        entry.rec.discardReason = cmd.reason;
        entry.rec.stoppedAtMs ??= cmd.atMs;
        break;
    }
  }
  return {
    recordings: [...recordings.values()]
      .map(({ rec, spans }) => ({ ...rec, spans: tidy(spans) }))
      .sort((a, b) => a.startedAtMs - b.startedAtMs || a.spec.key.localeCompare(b.spec.key)),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function sameState(a: SpanState, b: SpanState): boolean {
  return a.captured === b.captured && a.reason === b.reason && a.ch1.join() === b.ch1.join() && a.ch2.join() === b.ch2.join();
}

function tidy(spans: Mutable<Span>[]): Span[] {
  const out: Mutable<Span>[] = [];
  for (const span of spans) {
    if (span.toMs !== undefined && span.toMs <= span.fromMs && spans.length > 1) continue;
    const last = out[out.length - 1];
    if (last && sameState(last, span)) {
      last.toMs = span.toMs;
      continue;
    }
    out.push({ ...span });
  }
  return out;
}
