import type { Conversation, WireEvent } from './types';

/**
 * The conversation timeline, folded from its events: for each participant, bars for what they
 * were doing (IVR, queue, talk, hold, wrap-up, consult, monitoring), points for transfers, and
 * conversation-wide bars for conferences (three or more talking at once) and secure pauses.
 */

export type BarKind = 'ivr' | 'queue' | 'talk' | 'hold' | 'wrapup' | 'consult' | 'monitor' | 'conference' | 'securePause';

export const BAR_LABEL: Record<BarKind, string> = {
  ivr: 'IVR',
  queue: 'Queue',
  talk: 'Talk',
  hold: 'Hold',
  wrapup: 'Wrap-up',
  consult: 'Consult',
  monitor: 'Monitoring',
  conference: 'Conference',
  securePause: 'Secure pause',
};

export interface Bar {
  readonly kind: BarKind;
  readonly fromMs: number;
  readonly toMs: number;
  /** What it was about: the flow, the queue, the wrap-up code, the monitoring mode. */
  readonly detail?: string;
}

export interface Point {
  readonly atMs: number;
  readonly label: string;
}

export interface Lane {
  readonly id: string;
  readonly name: string;
  readonly purpose: string;
  readonly bars: Bar[];
  readonly points: Point[];
}

export interface Timeline {
  readonly startMs: number;
  readonly endMs: number;
  readonly lanes: Lane[];
  /** Conversation-wide: conferences and secure pauses. */
  readonly overall: Bar[];
}

const PRESENCE: Record<string, BarKind> = { ivr: 'ivr', acd: 'queue', monitor: 'monitor', coach: 'monitor', barge: 'monitor' };
const SEGMENT: Record<string, BarKind> = { ivr: 'ivr', queue: 'queue', interact: 'talk', hold: 'hold', wrapup: 'wrapup' };

export function buildTimeline(c: Conversation, names: (id: string) => string | undefined = () => undefined): Timeline {
  const t = (e: WireEvent) => Date.parse(e.at);
  const events = [...c.events].sort((a, b) => t(a) - t(b));
  const startMs = Date.parse(c.startTime);
  const endMs = Math.max(c.endTime ? Date.parse(c.endTime) : startMs, ...events.map(t), startMs + 1000);
  const nameOf = (id: string) => {
    const p = c.participants.find((x) => x.id === id);
    return p?.name ?? (p?.userId ? names(p.userId) : undefined) ?? id;
  };
  const lanes = new Map<string, Lane>(c.participants.map((p) => [p.id, { id: p.id, name: nameOf(p.id), purpose: p.purpose, bars: [], points: [] }]));
  const open = new Map<string, { kind: BarKind; fromMs: number; detail?: string }>();
  const openExtra = new Map<string, { kind: BarKind; fromMs: number; detail?: string }>();
  const close = (map: typeof open, key: string, at: number) => {
    const o = map.get(key);
    const lane = lanes.get(key.split('|')[0]!);
    if (o && lane && at > o.fromMs) lane.bars.push({ kind: o.kind, fromMs: o.fromMs, toMs: at, ...(o.detail ? { detail: o.detail } : {}) });
    map.delete(key);
  };
  const overall: Bar[] = [];
  let pausedAt: number | null = null;
  let consult: { ids: string[]; fromMs: number } | null = null;
  const consults: { fromMs: number; toMs: number }[] = [];

  for (const e of events) {
    const at = t(e);
    const pid = e.participantId;
    switch (e.type) {
      case 'segment': {
        if (!pid) break;
        close(open, pid, at);
        const kind = SEGMENT[e.kind ?? ''];
        if (kind) open.set(pid, { kind, fromMs: at, ...(e.queueId || e.flowId ? { detail: e.queueId ?? e.flowId } : {}) });
        break;
      }
      case 'participant.left':
        if (pid && open.get(pid)?.kind !== 'wrapup') close(open, pid, at);
        break;
      case 'wrapup.completed':
        if (!pid) break;
        if (open.get(pid)?.kind === 'wrapup' && e.wrapupCode) open.set(pid, { ...open.get(pid)!, detail: e.wrapupCode });
        close(open, pid, at);
        break;
      case 'consult.started':
        consult = { ids: e.participantIds ?? [], fromMs: at };
        for (const id of consult.ids) openExtra.set(`${id}|consult`, { kind: 'consult', fromMs: at });
        break;
      case 'consult.ended':
        for (const id of consult?.ids ?? []) close(openExtra, `${id}|consult`, at);
        if (consult) consults.push({ fromMs: consult.fromMs, toMs: at });
        consult = null;
        break;
      case 'monitoring.started':
        if (pid) openExtra.set(`${pid}|monitor`, { kind: 'monitor', fromMs: at, detail: `${e.mode ?? 'monitor'} ${e.targetParticipantId ? nameOf(e.targetParticipantId) : ''}`.trim() });
        break;
      case 'monitoring.ended':
        if (pid) close(openExtra, `${pid}|monitor`, at);
        break;
      case 'transfer':
        if (e.fromParticipantId) lanes.get(e.fromParticipantId)?.points.push({ atMs: at, label: `${e.kind ?? ''} transfer to ${e.toParticipantId ? nameOf(e.toParticipantId) : '?'}`.trim() });
        break;
      case 'recording.state':
        if (e.state === 'paused' && pausedAt === null) pausedAt = at;
        if (e.state === 'active' && pausedAt !== null) {
          overall.push({ kind: 'securePause', fromMs: pausedAt, toMs: at });
          pausedAt = null;
        }
        break;
      default:
        break;
    }
  }
  for (const key of [...open.keys()]) close(open, key, endMs);
  // Participants without segments of their own (the IVR, the queue, a monitor) show their presence.
  for (const p of c.participants) {
    const lane = lanes.get(p.id)!;
    if (lane.bars.length === 0 && p.joinTime) {
      lane.bars.push({ kind: PRESENCE[p.purpose] ?? 'talk', fromMs: Date.parse(p.joinTime), toMs: p.leaveTime ? Date.parse(p.leaveTime) : endMs });
    }
  }
  for (const key of [...openExtra.keys()]) close(openExtra, key, endMs);
  if (pausedAt !== null) overall.push({ kind: 'securePause', fromMs: pausedAt, toMs: endMs });
  if (consult) consults.push({ fromMs: consult.fromMs, toMs: endMs });
  overall.push(...conferences([...lanes.values()], consults));
  return { startMs, endMs, lanes: [...lanes.values()].map((l) => ({ ...l, bars: l.bars.sort((a, b) => a.fromMs - b.fromMs) })), overall };
}

/** Stretches where three or more participants talk at once, outside consults (an agent asking a colleague is not a conference). */
function conferences(lanes: readonly Lane[], consults: readonly { fromMs: number; toMs: number }[]): Bar[] {
  const edges = lanes.flatMap((l) => l.bars.filter((b) => b.kind === 'talk').flatMap((b) => [{ at: b.fromMs, d: 1 }, { at: b.toMs, d: -1 }]));
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  const bars: Bar[] = [];
  let talking = 0;
  let from: number | null = null;
  for (const e of edges) {
    talking += e.d;
    if (talking >= 3 && from === null) from = e.at;
    if (talking < 3 && from !== null) {
      if (e.at > from) bars.push({ kind: 'conference', fromMs: from, toMs: e.at });
      from = null;
    }
  }
  return bars.flatMap((bar) =>
    consults.reduce<Bar[]>(
      (parts, c) => parts.flatMap((p) => (c.toMs <= p.fromMs || c.fromMs >= p.toMs ? [p] : [{ ...p, toMs: c.fromMs }, { ...p, fromMs: c.toMs }].filter((x) => x.toMs > x.fromMs))),
      [bar],
    ),
  );
}
