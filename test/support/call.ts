import { planTimeline, type RecordingPlan, type PlannedRecording } from '../../src/domain/capture/index.js';
import { eventSchema, toDomainEvent, type ConversationEvent, type ConversationEventInput } from '../../src/domain/events.js';
import {
  telephonyConfig,
  withDefaults,
  type Flow,
  type Queue,
  type Station,
  type TelephonyConfig,
  type TelephonyUser,
  type Trunk,
} from '../../src/domain/telephony.js';
import { mergeEvents } from '../../src/domain/timeline/order.js';

/**
 * A compact way to write a conversation for tests: times are seconds from T0, participants are
 * short ids (c customer, ivr, acd, a and b agents, s supervisor, x external, u1 and u2 users).
 */

export const T0 = Date.parse('2026-01-01T09:00:00.000Z');
export const iso = (sec: number) => new Date(T0 + Math.round(sec * 1000)).toISOString();

type Fields<T extends ConversationEventInput['type']> = Omit<Extract<ConversationEventInput, { type: T }>, 'eventId' | 'conversationId' | 'at' | 'type'>;

export class Call {
  readonly inputs: ConversationEventInput[] = [];
  private count = 0;

  constructor(readonly conversationId = 'conv-1') {}

  event<T extends ConversationEventInput['type']>(sec: number, type: T, fields: Fields<T>): this {
    this.inputs.push({ eventId: `${this.conversationId}-e${++this.count}`, conversationId: this.conversationId, at: iso(sec), type, ...fields } as ConversationEventInput);
    return this;
  }

  start(sec: number, direction: 'inbound' | 'outbound' | 'internal', fields: Partial<Fields<'conversation.started'>> = {}) {
    return this.event(sec, 'conversation.started', { direction, ...(direction === 'internal' ? {} : { trunkId: 't1' }), ...fields });
  }
  join(sec: number, participantId: string, purpose: Fields<'participant.joined'>['purpose'], fields: Partial<Fields<'participant.joined'>> = {}) {
    const userId = { a: 'ua', b: 'ub', s: 'us', u1: 'u1', u2: 'u2' }[participantId];
    return this.event(sec, 'participant.joined', { participantId, purpose, ...(userId && purpose !== 'customer' ? { userId } : {}), ...fields });
  }
  leave(sec: number, participantId: string) {
    return this.event(sec, 'participant.left', { participantId });
  }
  ivr(sec: number, participantId: string, flowId = 'f1') {
    return this.event(sec, 'segment', { participantId, kind: 'ivr', flowId });
  }
  queue(sec: number, participantId: string, queueId = 'q1') {
    return this.event(sec, 'segment', { participantId, kind: 'queue', queueId });
  }
  talk(sec: number, ...participantIds: string[]) {
    for (const participantId of participantIds) this.event(sec, 'segment', { participantId, kind: 'interact' });
    return this;
  }
  hold(sec: number, participantId: string) {
    return this.event(sec, 'segment', { participantId, kind: 'hold' });
  }
  wrapup(sec: number, participantId: string) {
    return this.event(sec, 'segment', { participantId, kind: 'wrapup' });
  }
  wrapupDone(sec: number, participantId: string, wrapupCode?: string) {
    return this.event(sec, 'wrapup.completed', { participantId, ...(wrapupCode ? { wrapupCode } : {}) });
  }
  consent(sec: number, granted: boolean) {
    return this.event(sec, 'consent', { granted });
  }
  transfer(sec: number, kind: 'blind' | 'consult' | 'external', fromParticipantId: string, toParticipantId: string) {
    return this.event(sec, 'transfer', { kind, fromParticipantId, toParticipantId });
  }
  consult(sec: number, ...participantIds: string[]) {
    return this.event(sec, 'consult.started', { participantIds });
  }
  consultEnd(sec: number) {
    return this.event(sec, 'consult.ended', {});
  }
  monitor(sec: number, participantId: string, targetParticipantId: string, mode: 'monitor' | 'coach' | 'barge') {
    return this.event(sec, 'monitoring.started', { participantId, targetParticipantId, mode });
  }
  monitorEnd(sec: number, participantId: string) {
    return this.event(sec, 'monitoring.ended', { participantId });
  }
  securePause(sec: number, paused: boolean) {
    return this.event(sec, 'recording.state', { state: paused ? 'paused' : 'active' });
  }
  adhoc(sec: number, userId: string, record: boolean) {
    return this.event(sec, 'recording.adhoc', { userId, record });
  }
  snippet(sec: number, participantId: string, record: boolean) {
    return this.event(sec, 'recording.snippet', { participantId, record });
  }
  end(sec: number) {
    return this.event(sec, 'conversation.ended', {});
  }

  /** The events as the domain sees them, validated by the wire schema, in arrival order. */
  domainEvents(): ConversationEvent[] {
    return this.inputs.map((input, i) => toDomainEvent(eventSchema.parse(input), i + 1));
  }
}

/**
 * A call handled in two queues: the customer in IVR 0-2 s, in queue "sales" from 2 s (agent a
 * talks 4-8 s), moved to queue "support" at 8 s (agent b talks 10-14 s). Segment access tests use it.
 */
export function queueTransfer(conversationId: string): Call {
  return new Call(conversationId)
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .ivr(0, 'c')
    .queue(2, 'c', 'sales')
    .join(4, 'a', 'agent')
    .talk(4, 'c', 'a')
    .queue(8, 'c', 'support')
    .leave(8, 'a')
    .join(10, 'b', 'agent')
    .talk(10, 'c', 'b')
    .leave(14, 'b')
    .leave(14, 'c')
    .end(14);
}

export interface ConfigOverrides {
  trunk?: Partial<Trunk>;
  stations?: Record<string, Partial<Station>>;
  flows?: Record<string, Partial<Flow>>;
  queues?: Record<string, Partial<Queue>>;
  users?: Record<string, Partial<TelephonyUser>>;
}

/**
 * The test organization: trunk t1 (recording on, seed defaults), flow f1 and queue q1 (no
 * suppression), users ua/ub/us/u1/u2 each with a station sa/sb/ss/s1/s2 (station recording off
 * unless a test turns it on).
 */
export function org(overrides: ConfigOverrides = {}): TelephonyConfig {
  const users = { ua: 'sa', ub: 'sb', us: 'ss', u1: 's1', u2: 's2' };
  return telephonyConfig({
    trunks: [withDefaults('trunks', { id: 't1', name: 'Carrier', ...overrides.trunk })],
    stations: Object.entries(users).map(([, stationId]) =>
      withDefaults('stations', { id: stationId, name: stationId, ...overrides.stations?.[stationId] }),
    ),
    flows: ['f1', ...Object.keys(overrides.flows ?? {})].map((id) => withDefaults('flows', { id, name: id, ...overrides.flows?.[id] })),
    queues: ['q1', ...Object.keys(overrides.queues ?? {})].map((id) => withDefaults('queues', { id, name: id, ...overrides.queues?.[id] })),
    users: Object.entries(users).map(([userId, stationId]) =>
      withDefaults('users', { id: userId, name: userId, stationId, ...overrides.users?.[userId] }),
    ),
  });
}

/** Station recording on for the given users' stations. */
export function stationsOn(...userIds: string[]): Record<string, Partial<Station>> {
  const station = { ua: 'sa', ub: 'sb', us: 'ss', u1: 's1', u2: 's2' } as Record<string, string>;
  return Object.fromEntries(userIds.map((u) => [station[u]!, { recording: true }]));
}

export function planOf(call: Call, config: TelephonyConfig = org()) {
  const { events } = mergeEvents([], call.domainEvents());
  return planTimeline(call.conversationId, events, config);
}

/** A span as a test reads it: seconds from T0, and only the fields that say something. */
export interface ReadableSpan {
  from: number;
  to?: number;
  captured: boolean;
  reason?: string;
  ch1: string[];
  ch2: string[];
}

export function recording(plan: RecordingPlan, key: string): PlannedRecording {
  const rec = plan.recordings.find((r) => r.spec.key === key);
  if (!rec) throw new Error(`no recording ${key}; the plan has ${plan.recordings.map((r) => r.spec.key).join(', ') || 'none'}`);
  return rec;
}

export function spans(plan: RecordingPlan, key: string): ReadableSpan[] {
  return recording(plan, key).spans.map((s) => ({
    from: (s.fromMs - T0) / 1000,
    ...(s.toMs !== undefined ? { to: (s.toMs - T0) / 1000 } : {}),
    captured: s.captured,
    ...(s.reason ? { reason: s.reason } : {}),
    ch1: [...s.ch1],
    ch2: [...s.ch2],
  }));
}

/** The keys of the recordings that exist (not discarded), sorted. */
export function kept(plan: RecordingPlan): string[] {
  return plan.recordings.filter((r) => r.status !== 'discarded').map((r) => r.spec.key).sort();
}
