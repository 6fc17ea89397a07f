import type { ConversationEvent, EventOf, MonitoringMode, Purpose, SegmentKind } from '../events.js';
import { DomainError } from '../errors.js';

/**
 * The conversation as folded from its timeline: who is on it, in which state, and the
 * conversation-wide facts recordings depend on (consult, secure pause, consent, transfers).
 * Plain data, so that it can be copied, compared and shown as it is.
 */

export interface ParticipantState {
  readonly id: string;
  readonly purpose: Purpose;
  readonly userId?: string;
  readonly stationId?: string;
  readonly trunkId?: string;
  readonly name?: string;
  readonly address?: string;
  joinedAtMs: number;
  leftAtMs?: number;
  segment: SegmentKind | null;
  flowId?: string;
  queueId?: string;
  segmentSinceMs: number;
  /** When the participant first reached `interact` (an agent's pickup). */
  firstInteractAtMs?: number;
  wrapupCompletedAtMs?: number;
  wrapupCode?: string;
  /** For monitor/coach/barge participants while they are listening in. */
  monitoring?: { targetParticipantId: string; mode: MonitoringMode };
}

export interface TransferRecord {
  readonly kind: 'blind' | 'consult' | 'external';
  readonly fromParticipantId: string;
  readonly toParticipantId: string;
  readonly atMs: number;
}

export interface ConversationState {
  readonly conversationId: string;
  status: 'new' | 'active' | 'ended';
  startedAtMs?: number;
  endedAtMs?: number;
  direction?: 'inbound' | 'outbound' | 'internal';
  trunkId?: string;
  ani?: string;
  dnis?: string;
  region?: string;
  participants: Record<string, ParticipantState>;
  /** Participant ids in join order. */
  joinOrder: string[];
  consult: { participantIds: string[]; sinceMs: number } | null;
  securePaused: boolean;
  consent: 'granted' | 'declined' | null;
  /** The call went through an ACD queue or reached an agent: snippets yes, ad-hoc recordings no. */
  acd: boolean;
  transfers: TransferRecord[];
  lastAtMs: number;
}

export function emptyConversation(conversationId: string): ConversationState {
  return {
    conversationId,
    status: 'new',
    participants: {},
    joinOrder: [],
    consult: null,
    securePaused: false,
    consent: null,
    acd: false,
    transfers: [],
    lastAtMs: 0,
  };
}

const INTERNAL_PURPOSES: ReadonlySet<Purpose> = new Set(['agent', 'user']);
const LISTENER_PURPOSES: ReadonlySet<Purpose> = new Set(['monitor', 'coach', 'barge']);

export const isConnected = (p: ParticipantState) => p.leftAtMs === undefined;
/** Still a party to the call: connected and not in after-call work. */
export const isOnCall = (p: ParticipantState) => isConnected(p) && p.segment !== 'wrapup';
/** An employee of the contact center who is a party to the call (agents, users, and internal callers). */
export const isInternalParty = (p: ParticipantState) =>
  INTERNAL_PURPOSES.has(p.purpose) || (p.purpose === 'customer' && p.userId !== undefined);
export const isListenerPurpose = (purpose: Purpose) => LISTENER_PURPOSES.has(purpose);

export function participant(state: ConversationState, id: string, event: ConversationEvent): ParticipantState {
  const p = state.participants[id];
  if (!p) {
    throw new DomainError('timeline.unknownParticipant', `participant ${id} has not joined conversation ${state.conversationId}`, event.eventId);
  }
  return p;
}

function connectedParticipant(state: ConversationState, id: string, event: ConversationEvent): ParticipantState {
  const p = participant(state, id, event);
  if (!isConnected(p)) {
    throw new DomainError('timeline.participantLeft', `participant ${id} already left conversation ${state.conversationId}`, event.eventId);
  }
  return p;
}

function fail(code: string, message: string, event: ConversationEvent): never {
  throw new DomainError(code, message, event.eventId);
}

/** Applies one event in timeline order, mutating `state`; throws DomainError on an impossible sequence. */
export function applyEvent(state: ConversationState, event: ConversationEvent): void {
  if (event.type === 'conversation.started') {
    if (state.status !== 'new') fail('timeline.alreadyStarted', `conversation ${state.conversationId} has already started`, event);
  } else if (state.status === 'new') {
    fail('timeline.notStarted', `conversation ${state.conversationId} has not started: its first event must be conversation.started`, event);
  } else if (state.status === 'ended' && event.type !== 'wrapup.completed') {
    fail('timeline.ended', `conversation ${state.conversationId} has already ended`, event);
  }
  state.lastAtMs = Math.max(state.lastAtMs, event.atMs);
  HANDLERS[event.type](state, event as never);
}

type Handlers = { [T in ConversationEvent['type']]: (state: ConversationState, event: EventOf<T>) => void };

const HANDLERS: Handlers = {
  'conversation.started'(state, e) {
    state.status = 'active';
    state.startedAtMs = e.atMs;
    state.direction = e.direction;
    state.trunkId = e.trunkId;
    state.ani = e.ani;
    state.dnis = e.dnis;
    state.region = e.region;
  },

  'conversation.ended'(state, e) {
    state.status = 'ended';
    state.endedAtMs = e.atMs;
    state.consult = null;
    for (const p of Object.values(state.participants)) {
      if (isConnected(p)) p.leftAtMs = e.atMs;
      p.monitoring = undefined;
    }
  },

  'participant.joined'(state, e) {
    const existing = state.participants[e.participantId];
    if (existing && isConnected(existing)) {
      fail('timeline.participantExists', `participant ${e.participantId} is already on conversation ${state.conversationId}`, e);
    }
    if (existing) fail('timeline.participantRejoined', `participant ${e.participantId} left and cannot rejoin; use a new participantId`, e);
    if ((e.purpose === 'agent' || e.purpose === 'user') && !e.userId) {
      fail('timeline.userRequired', `participant ${e.participantId} with purpose ${e.purpose} needs a userId`, e);
    }
    state.participants[e.participantId] = {
      id: e.participantId,
      purpose: e.purpose,
      userId: e.userId,
      stationId: e.stationId,
      trunkId: e.trunkId,
      name: e.name,
      address: e.address,
      joinedAtMs: e.atMs,
      segment: null,
      segmentSinceMs: e.atMs,
    };
    state.joinOrder.push(e.participantId);
    if (e.purpose === 'acd' || e.purpose === 'agent') state.acd = true;
  },

  'participant.left'(state, e) {
    const p = connectedParticipant(state, e.participantId, e);
    p.leftAtMs = e.atMs;
    p.monitoring = undefined;
    if (state.consult?.participantIds.includes(p.id)) state.consult = null;
    for (const other of Object.values(state.participants)) {
      if (other.monitoring?.targetParticipantId === p.id) other.monitoring = undefined;
    }
  },

  segment(state, e) {
    const p = connectedParticipant(state, e.participantId, e);
    if (isListenerPurpose(p.purpose)) {
      fail('timeline.segmentForListener', `participant ${p.id} is a ${p.purpose}: use monitoring.started/ended instead of segments`, e);
    }
    if (p.segment === 'wrapup' && e.kind !== 'wrapup') {
      fail('timeline.afterWrapup', `participant ${p.id} is in wrap-up and cannot return to ${e.kind}`, e);
    }
    p.segment = e.kind;
    p.flowId = e.kind === 'ivr' ? e.flowId : undefined;
    p.queueId = e.kind === 'queue' ? e.queueId : undefined;
    p.segmentSinceMs = e.atMs;
    if (e.kind === 'interact' && p.firstInteractAtMs === undefined) p.firstInteractAtMs = e.atMs;
    if (e.kind === 'queue') state.acd = true;
  },

  consent(state, e) {
    state.consent = e.granted ? 'granted' : 'declined';
  },

  transfer(state, e) {
    connectedParticipant(state, e.fromParticipantId, e);
    const to = connectedParticipant(state, e.toParticipantId, e);
    if (e.kind === 'external' && to.purpose !== 'external') {
      fail('timeline.transferTarget', `an external transfer must go to a participant with purpose external, not ${to.purpose}`, e);
    }
    state.transfers.push({ kind: e.kind, fromParticipantId: e.fromParticipantId, toParticipantId: e.toParticipantId, atMs: e.atMs });
  },

  'consult.started'(state, e) {
    if (state.consult) fail('timeline.consultActive', 'a consult is already in progress', e);
    const ids = [...new Set(e.participantIds)];
    if (ids.length < 2) fail('timeline.consultParticipants', 'a consult needs two different participants', e);
    for (const id of ids) {
      const p = connectedParticipant(state, id, e);
      if (isListenerPurpose(p.purpose) || p.purpose === 'ivr' || p.purpose === 'acd') {
        fail('timeline.consultParticipants', `participant ${id} (${p.purpose}) cannot take part in a consult`, e);
      }
    }
    state.consult = { participantIds: ids, sinceMs: e.atMs };
  },

  'consult.ended'(state, e) {
    if (!state.consult) fail('timeline.noConsult', 'no consult is in progress', e);
    state.consult = null;
  },

  'monitoring.started'(state, e) {
    const p = connectedParticipant(state, e.participantId, e);
    const target = connectedParticipant(state, e.targetParticipantId, e);
    if (!isListenerPurpose(p.purpose)) {
      fail('timeline.monitoringPurpose', `participant ${p.id} has purpose ${p.purpose}; monitoring needs a monitor, coach or barge participant`, e);
    }
    if (!isInternalParty(target)) fail('timeline.monitoringTarget', `participant ${target.id} (${target.purpose}) cannot be monitored`, e);
    p.monitoring = { targetParticipantId: target.id, mode: e.mode };
  },

  'monitoring.ended'(state, e) {
    const p = connectedParticipant(state, e.participantId, e);
    if (!p.monitoring) fail('timeline.notMonitoring', `participant ${p.id} is not monitoring anyone`, e);
    p.monitoring = undefined;
  },

  'recording.state'(state, e) {
    state.securePaused = e.state === 'paused';
  },

  // Recording requests change no conversation state; the capture rules decide what they do.
  'recording.adhoc'() {},
  'recording.snippet'(state, e) {
    connectedParticipant(state, e.participantId, e);
  },

  'wrapup.completed'(state, e) {
    const p = participant(state, e.participantId, e);
    if (p.segment !== 'wrapup') fail('timeline.noWrapup', `participant ${p.id} is not in wrap-up`, e);
    if (p.wrapupCompletedAtMs !== undefined) fail('timeline.wrapupCompleted', `participant ${p.id} already completed wrap-up`, e);
    p.wrapupCompletedAtMs = e.atMs;
    p.wrapupCode = e.wrapupCode;
  },
};
