import { z } from 'zod';

/**
 * The canonical conversation events (DESIGN section 3). A telephony platform, or one of Capstan's
 * connectors, describes each conversation with these; the timeline and the capture rules are
 * folded from them. On the wire every event is one flat JSON object with a `type`.
 */

export const PURPOSES = ['customer', 'agent', 'user', 'ivr', 'acd', 'external', 'monitor', 'coach', 'barge'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const SEGMENT_KINDS = ['ivr', 'queue', 'interact', 'hold', 'wrapup'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export const MONITORING_MODES = ['monitor', 'coach', 'barge'] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
const isoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-01-01T10:00:00.000Z' });

const base = {
  eventId: id,
  conversationId: id,
  at: isoInstant,
};

export const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('conversation.started'),
    direction: z.enum(['inbound', 'outbound', 'internal']),
    trunkId: id.optional(),
    ani: z.string().max(64).optional(),
    dnis: z.string().max(64).optional(),
    region: z.string().max(32).optional(),
    /** The interaction's language (a routing language id or BCP 47 tag); policies can match on it. */
    language: z.string().min(1).max(64).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('conversation.ended') }),
  z.strictObject({
    ...base,
    type: z.literal('participant.joined'),
    participantId: id,
    purpose: z.enum(PURPOSES),
    userId: id.optional(),
    stationId: id.optional(),
    trunkId: id.optional(),
    name: z.string().max(200).optional(),
    address: z.string().max(128).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('participant.left'), participantId: id }),
  z.strictObject({
    ...base,
    type: z.literal('segment'),
    participantId: id,
    kind: z.enum(SEGMENT_KINDS),
    flowId: id.optional(),
    queueId: id.optional(),
  }),
  z.strictObject({ ...base, type: z.literal('consent'), granted: z.boolean() }),
  z.strictObject({
    ...base,
    type: z.literal('transfer'),
    kind: z.enum(['blind', 'consult', 'external']),
    fromParticipantId: id,
    toParticipantId: id,
  }),
  z.strictObject({ ...base, type: z.literal('consult.started'), participantIds: z.array(id).min(2).max(8) }),
  z.strictObject({ ...base, type: z.literal('consult.ended') }),
  z.strictObject({
    ...base,
    type: z.literal('monitoring.started'),
    participantId: id,
    targetParticipantId: id,
    mode: z.enum(MONITORING_MODES),
  }),
  z.strictObject({ ...base, type: z.literal('monitoring.ended'), participantId: id }),
  z.strictObject({ ...base, type: z.literal('recording.state'), state: z.enum(['active', 'paused']), byUserId: id.optional() }),
  z.strictObject({ ...base, type: z.literal('recording.adhoc'), userId: id, record: z.boolean() }),
  z.strictObject({ ...base, type: z.literal('recording.snippet'), participantId: id, record: z.boolean() }),
  z.strictObject({ ...base, type: z.literal('wrapup.completed'), participantId: id, wrapupCode: id.optional() }),
]);

export type ConversationEventInput = z.infer<typeof eventSchema>;
export type EventType = ConversationEventInput['type'];
export const EVENT_TYPES = eventSchema.options.map((o) => o.shape.type.value) as EventType[];

/** An event as the domain sees it: `at` as epoch milliseconds, plus its arrival order. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type ConversationEvent = DistributiveOmit<ConversationEventInput, 'at'> & {
  readonly atMs: number;
  /** Monotonic arrival sequence within the conversation; breaks ties between events at the same instant. */
  readonly seq: number;
};

export type EventOf<T extends EventType> = Extract<ConversationEvent, { type: T }>;

export function toDomainEvent(input: ConversationEventInput, seq: number): ConversationEvent {
  const { at, ...rest } = input;
  return { ...rest, atMs: Date.parse(at), seq } as ConversationEvent;
}

export function toWireEvent(event: ConversationEvent): ConversationEventInput {
  const { atMs, seq: _seq, ...rest } = event;
  return { ...rest, at: new Date(atMs).toISOString() } as ConversationEventInput;
}
