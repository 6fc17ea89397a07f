import type { ConversationEvent } from '../events.js';
import { DomainError } from '../errors.js';
import type { TelephonyConfig, Trunk } from '../telephony.js';
import { hears, isHeld } from '../timeline/audible.js';
import { applyEvent, emptyConversation, isOnCall, type ConversationState, type ParticipantState } from '../timeline/state.js';
import {
  canHaveStationRecording,
  externalParty,
  handlingUsers,
  isExternalCall,
  isExternalToExternal,
  recordingTrunk,
  stationOf,
  trunkOf,
} from './participants.js';
import type { AudioSpec, CaptureCommand, DiscardReason, RecordingKind, RecordingSpec, SpanState } from './types.js';

/**
 * The capture rules (DESIGN section 4, the seed's tables): a reducer
 * `(state, event, config) -> (state, commands)`. After each event the rules say which recordings
 * should exist and, for each, whether it is captured now and whose voices go on which channel;
 * the commands are the difference from before. Replaying a whole timeline gives the final plan,
 * and the live path runs the same reducer, so there is one implementation of the rules.
 */

export interface LiveRecording {
  readonly spec: RecordingSpec;
  readonly startedAtMs: number;
  status: 'active' | 'stopped' | 'discarded';
  span: SpanState;
}

/** A decision not to record something, kept so that "why is there no recording?" has an answer. */
export interface CaptureNote {
  readonly atMs: number;
  readonly kind: RecordingKind;
  readonly participantId?: string;
  readonly reason: DiscardReason;
}

export interface CaptureState {
  readonly conversation: ConversationState;
  readonly recordings: Record<string, LiveRecording>;
  /** How many recordings of a key prefix were started (snippets and ad-hoc recordings repeat). */
  readonly counters: Record<string, number>;
  activeConsultKey: string | null;
  screenBlocked: DiscardReason | null;
  readonly notes: CaptureNote[];
}

export function initialCaptureState(conversationId: string): CaptureState {
  return {
    conversation: emptyConversation(conversationId),
    recordings: {},
    counters: {},
    activeConsultKey: null,
    screenBlocked: null,
    notes: [],
  };
}

export interface Reduced {
  readonly state: CaptureState;
  readonly commands: CaptureCommand[];
}

/** Applies one event (in timeline order). Pure: `state` is not modified. Throws DomainError. */
export function reduce(state: CaptureState, event: ConversationEvent, config: TelephonyConfig): Reduced {
  const next = structuredClone(state);
  applyEvent(next.conversation, event);
  const out = new Commands(event.atMs);
  if (event.type === 'recording.snippet') requestSnippet(next, event.participantId, event.record, config, out, event);
  if (event.type === 'recording.adhoc') requestAdhoc(next, event.userId, event.record, config, out, event);
  startAutomatic(next, config, out);
  updateActive(next, config, out);
  applyDiscards(next, config, out);
  return { state: next, commands: out.list };
}

/** Replays a timeline from the start; the commands of every step, in order. */
export function replay(conversationId: string, events: readonly ConversationEvent[], config: TelephonyConfig): Reduced {
  let state = initialCaptureState(conversationId);
  const commands: CaptureCommand[] = [];
  for (const event of events) {
    const step = reduce(state, event, config);
    state = step.state;
    commands.push(...step.commands);
  }
  return { state, commands };
}

class Commands {
  readonly list: CaptureCommand[] = [];
  constructor(readonly atMs: number) {}

  start(state: CaptureState, spec: RecordingSpec, span: SpanState) {
    state.recordings[spec.key] = { spec, startedAtMs: this.atMs, status: 'active', span };
    this.list.push({ type: 'start', atMs: this.atMs, spec, span });
  }
  span(rec: LiveRecording, span: SpanState) {
    if (sameSpan(rec.span, span)) return;
    rec.span = span;
    this.list.push({ type: 'span', atMs: this.atMs, key: rec.spec.key, span });
  }
  stop(rec: LiveRecording) {
    rec.status = 'stopped';
    this.list.push({ type: 'stop', atMs: this.atMs, key: rec.spec.key });
  }
  discard(rec: LiveRecording, reason: DiscardReason) {
    rec.status = 'discarded';
    this.list.push({ type: 'discard', atMs: this.atMs, key: rec.spec.key, reason });
  }
}

function sameSpan(a: SpanState, b: SpanState): boolean {
  return a.captured === b.captured && a.reason === b.reason && a.ch1.join() === b.ch1.join() && a.ch2.join() === b.ch2.join();
}

const AUDIO_KINDS: ReadonlySet<RecordingKind> = new Set(['trunk', 'station', 'consult', 'adhoc', 'snippet']);

// ---------------------------------------------------------------------------------------------
// Consent: "If the user says no, then the Genesys Cloud media layer does not record at all."

/**
 * Whether consent stops this kind of recording in this conversation, and why. Station-side
 * recording complies with consent only "if the corresponding trunk has enabled consent recording.
 * If trunk-side recording is not enabled, consent recording is not supported."
 */
function consentRefusal(state: CaptureState, kind: RecordingKind, config: TelephonyConfig): DiscardReason | null {
  if (!AUDIO_KINDS.has(kind)) return null;
  const c = state.conversation;
  const trunk = isExternalCall(c) ? trunkOf(c, config) : undefined;
  const consentEnforced = trunk?.recording === true && trunk.consentRequired;
  if (kind === 'station' && !consentEnforced) return null;
  if (c.consent === 'declined') return 'consentDeclined';
  if (consentEnforced && c.consent === null && c.status === 'ended') return 'consentMissing';
  return null;
}

function applyDiscards(state: CaptureState, config: TelephonyConfig, out: Commands) {
  const handlers = handlingUsers(state.conversation);
  if (handlers.size > 1 && state.screenBlocked === null) {
    // Screen recordings are not made "when a call is passed between multiple users" (ours: for none of them).
    state.screenBlocked = 'passedBetweenUsers';
    state.notes.push({ atMs: out.atMs, kind: 'screen', reason: 'passedBetweenUsers' });
  }
  for (const rec of Object.values(state.recordings)) {
    if (rec.status === 'discarded') continue;
    const reason = rec.spec.kind === 'screen' ? state.screenBlocked : consentRefusal(state, rec.spec.kind, config);
    if (reason) out.discard(rec, reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Automatic recordings: trunk-side, station-side, consult and screen.

function audioSpec(source: { format: AudioSpec['format']; dualChannel: boolean; sampleRate: 8000 | 16000; region?: string }, beepTone = false): AudioSpec {
  return { format: source.format, dualChannel: source.dualChannel, sampleRate: source.sampleRate, region: source.region, beepTone };
}

const DEFAULT_AUDIO: AudioSpec = { format: 'WAV_ULAW', dualChannel: true, sampleRate: 8000, beepTone: false };

function perspective(p: ParticipantState): RecordingSpec['channels'] {
  return [
    { channel: 1, role: 'says', participantId: p.id },
    { channel: 2, role: 'hears', participantId: p.id },
  ];
}

function startAutomatic(state: CaptureState, config: TelephonyConfig, out: Commands) {
  const c = state.conversation;
  if (c.status === 'ended') return;
  const trunk = recordingTrunk(c, config);

  // Trunk-side: "an end-to-end recording from the external participant's perspective". A caller
  // is connected from the start of an inbound call; a customer who is dialled out to is connected
  // once they answer (their first segment), not while their phone rings (CONFORMANCE row 5).
  const customer = externalParty(c);
  const connected = customer !== undefined && isOnCall(customer) && (c.direction !== 'outbound' || customer.segment !== null);
  if (trunk && customer && connected && !state.recordings[`trunk:${customer.id}`] && !consentRefusal(state, 'trunk', config)) {
    const spec: RecordingSpec = {
      key: `trunk:${customer.id}`,
      kind: 'trunk',
      participantId: customer.id,
      trunkId: trunk.id,
      fileRole: 'CUSTOMER_EXPERIENCE',
      channels: perspective(customer),
      audio: audioSpec(trunk, trunk.beepTone),
    };
    out.start(state, spec, trunkSpan(state, spec, config));
  }

  // Station-side: "one recording in the agent's perspective, starting from agent's pick up".
  for (const id of c.joinOrder) {
    const p = c.participants[id]!;
    if (!canHaveStationRecording(p) || !isOnCall(p) || state.recordings[`station:${p.id}`]) continue;
    // An internal user calling in as the customer is recorded from the start of their call (the
    // seed's exception: flow and queue suppression then apply to that recording).
    const pickedUp = p.purpose === 'customer' ? p.segment !== null : p.firstInteractAtMs !== undefined;
    const station = stationOf(p, config);
    if (!pickedUp || !station?.recording || consentRefusal(state, 'station', config)) continue;
    const spec: RecordingSpec = {
      key: `station:${p.id}`,
      kind: 'station',
      participantId: p.id,
      userId: p.userId,
      stationId: station.id,
      fileRole: 'CUSTOMER_EXPERIENCE',
      channels: perspective(p),
      audio: audioSpec(station),
    };
    out.start(state, spec, partySpan(state, p, config));
  }

  // Consult: "one consult recording capturing the private conversation between the first agent and
  // second agent during consultation" (when consult recording is enabled on the trunk).
  if (trunk?.consultRecording && c.consult && state.activeConsultKey === null && !consentRefusal(state, 'consult', config)) {
    const [first, second] = c.consult.participantIds as [string, string];
    const key = `consult:${nextCount(state, 'consult')}`;
    const spec: RecordingSpec = {
      key,
      kind: 'consult',
      participantId: first,
      trunkId: trunk.id,
      fileRole: 'CUSTOMER_EXPERIENCE',
      channels: [
        { channel: 1, role: 'says', participantId: first },
        { channel: 2, role: 'says', participantId: second },
      ],
      audio: audioSpec(trunk, trunk.beepTone),
    };
    state.activeConsultKey = key;
    out.start(state, spec, consultSpan(state, spec));
  }

  // Screen: "Screen recordings start when the agent answers the ACD call".
  if (c.acd && state.screenBlocked === null && handlingUsers(c).size <= 1) {
    for (const id of c.joinOrder) {
      const p = c.participants[id]!;
      if (p.purpose !== 'agent' || p.firstInteractAtMs === undefined || !p.userId || state.recordings[`screen:${p.id}`]) continue;
      const user = config.users.get(p.userId);
      if (!user?.screenRecording) continue;
      if (user.externalPartner) {
        // "Screen recordings are not generated for external partners/users".
        if (!state.notes.some((n) => n.kind === 'screen' && n.participantId === p.id)) {
          state.notes.push({ atMs: out.atMs, kind: 'screen', participantId: p.id, reason: 'externalPartner' });
        }
        continue;
      }
      const spec: RecordingSpec = {
        key: `screen:${p.id}`,
        kind: 'screen',
        participantId: p.id,
        userId: p.userId,
        fileRole: 'CUSTOMER_EXPERIENCE',
        channels: [],
        maxMonitors: 4,
      };
      out.start(state, spec, screenSpan(state));
    }
  }
}

function nextCount(state: CaptureState, prefix: string): number {
  const n = (state.counters[prefix] ?? 0) + 1;
  state.counters[prefix] = n;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Requested recordings: snippets (agents, ACD calls) and ad-hoc recordings (users, non-ACD calls).

function activeRecording(state: CaptureState, prefix: string): LiveRecording | undefined {
  return Object.values(state.recordings).find((r) => r.status === 'active' && r.spec.key.startsWith(prefix));
}

function requestSnippet(
  state: CaptureState,
  participantId: string,
  record: boolean,
  config: TelephonyConfig,
  out: Commands,
  event: ConversationEvent,
) {
  const c = state.conversation;
  const p = c.participants[participantId]!;
  const prefix = `snippet:${p.id}:`;
  if (!record) {
    const active = activeRecording(state, prefix);
    if (!active) throw new DomainError('capture.noSnippet', `participant ${p.id} has no snippet recording in progress`, event.eventId);
    out.stop(active);
    return;
  }
  // "An agent starts and stops the recording when they are handling an ACD call."
  if (!c.acd) throw new DomainError('capture.snippetNotAcd', 'snippet recordings are only for ACD calls; use an ad-hoc recording on other calls', event.eventId);
  if (p.purpose !== 'agent' || !isOnCall(p)) {
    throw new DomainError('capture.snippetNotAgent', `participant ${p.id} is not an agent handling this call`, event.eventId);
  }
  if (activeRecording(state, prefix)) throw new DomainError('capture.snippetActive', `participant ${p.id} is already recording a snippet`, event.eventId);
  if (consentRefusal(state, 'snippet', config)) throw new DomainError('capture.consentDeclined', 'the caller declined to be recorded', event.eventId);
  const station = stationOf(p, config);
  const trunk = trunkOf(c, config);
  const spec: RecordingSpec = {
    key: `${prefix}${nextCount(state, prefix)}`,
    kind: 'snippet',
    participantId: p.id,
    userId: p.userId,
    fileRole: 'CUSTOMER_EXPERIENCE',
    channels: perspective(p),
    audio: station ? audioSpec(station) : trunk ? audioSpec(trunk) : DEFAULT_AUDIO,
  };
  out.start(state, spec, partySpan(state, p, config));
}

function requestAdhoc(state: CaptureState, userId: string, record: boolean, config: TelephonyConfig, out: Commands, event: ConversationEvent) {
  const c = state.conversation;
  const prefix = `adhoc:${userId}:`;
  if (!record) {
    const active = activeRecording(state, prefix);
    if (!active) throw new DomainError('capture.noAdhoc', `user ${userId} has no ad-hoc recording in progress`, event.eventId);
    out.stop(active);
    return;
  }
  const p = Object.values(c.participants).find((x) => x.userId === userId && isOnCall(x) && canHaveStationRecording(x));
  if (!p) throw new DomainError('capture.adhocNotOnCall', `user ${userId} is not a party to this call`, event.eventId);
  // "With Genesys Cloud Communicate, users can record calls manually one at a time."
  if (c.acd) throw new DomainError('capture.adhocOnAcd', 'ad-hoc recordings are for non-ACD calls; agents record snippets on ACD calls', event.eventId);
  if (activeRecording(state, prefix)) throw new DomainError('capture.adhocActive', `user ${userId} is already recording this call`, event.eventId);
  if (consentRefusal(state, 'adhoc', config)) throw new DomainError('capture.consentDeclined', 'the caller declined to be recorded', event.eventId);
  const station = stationOf(p, config);
  const spec: RecordingSpec = {
    key: `${prefix}${nextCount(state, prefix)}`,
    kind: 'adhoc',
    participantId: p.id,
    userId,
    fileRole: 'ADHOC',
    channels: perspective(p),
    audio: station ? audioSpec(station) : DEFAULT_AUDIO,
  };
  out.start(state, spec, partySpan(state, p, config));
}

// ---------------------------------------------------------------------------------------------
// Keeping active recordings up to date: spans (cuts, annotations, mixes) and stops.

const NOT_CAPTURED = (reason: SpanState['reason']): SpanState => ({ captured: false, reason, ch1: [], ch2: [] });

/** IVR and queue-wait suppression, for whoever is in the flow or queue (customer or internal caller). */
function suppression(p: ParticipantState, config: TelephonyConfig): SpanState | null {
  if (p.segment === 'ivr' && p.flowId !== undefined && config.flows.get(p.flowId)?.suppressRecording) return NOT_CAPTURED('FlowOrQueue');
  if (p.segment === 'queue' && p.queueId !== undefined && config.queues.get(p.queueId)?.recordQueueWait === false) {
    return NOT_CAPTURED('FlowOrQueue');
  }
  return null;
}

function trunkSpan(state: CaptureState, spec: RecordingSpec, config: TelephonyConfig): SpanState {
  const c = state.conversation;
  const customer = c.participants[spec.participantId]!;
  // "Secure pause: Stops capturing during a secure pause."
  if (c.securePaused) return NOT_CAPTURED('SecurePause');
  const suppressed = suppression(customer, config);
  if (suppressed) return suppressed;
  const ch1 = isOnCall(customer) ? [customer.id] : [];
  if (isHeld(c, customer.id)) {
    // "To suppress recording when the call is on hold, disable Holds ... in the External Trunk settings."
    const trunk = config.trunks.get(spec.trunkId!) as Trunk;
    return trunk.recordHolds ? { captured: true, reason: 'Hold', ch1, ch2: hears(c, customer.id) } : NOT_CAPTURED('Hold');
  }
  return { captured: true, ch1, ch2: hears(c, customer.id) };
}

/** A recording from an internal party's perspective: station-side, snippet, ad-hoc. */
function partySpan(state: CaptureState, p: ParticipantState, config: TelephonyConfig): SpanState {
  const c = state.conversation;
  if (c.securePaused) return NOT_CAPTURED('SecurePause');
  if (p.purpose === 'customer') {
    const suppressed = suppression(p, config);
    if (suppressed) return suppressed;
  }
  // Station-side hold suppression is "not supported. Recording doesn't capture what the agent
  // speaks into the microphone when the call is on hold": the span stays, silent, annotated.
  if (isHeld(c, p.id)) return { captured: true, reason: 'Hold', ch1: [], ch2: hears(c, p.id) };
  return { captured: true, ch1: isOnCall(p) ? [p.id] : [], ch2: hears(c, p.id) };
}

function consultSpan(state: CaptureState, spec: RecordingSpec): SpanState {
  const c = state.conversation;
  if (c.securePaused) return NOT_CAPTURED('SecurePause');
  const [first, second] = spec.channels.map((ch) => c.participants[ch.participantId]!);
  return { captured: true, ch1: first && isOnCall(first) ? [first.id] : [], ch2: second && isOnCall(second) ? [second.id] : [] };
}

function screenSpan(state: CaptureState): SpanState {
  return state.conversation.securePaused ? NOT_CAPTURED('SecurePause') : { captured: true, ch1: [], ch2: [] };
}

function isFinished(state: CaptureState, rec: LiveRecording, config: TelephonyConfig): boolean {
  const c = state.conversation;
  const p = c.participants[rec.spec.participantId]!;
  switch (rec.spec.kind) {
    case 'trunk': {
      // "By default, Genesys Cloud does not continue recording after an external transfer that
      // results in an external to external connected call."
      const trunk = config.trunks.get(rec.spec.trunkId!);
      return !isOnCall(p) || (isExternalToExternal(c) && !trunk?.continueOnExternalTransfer);
    }
    case 'station':
    case 'snippet':
    case 'adhoc':
      // Station-side "always continues when the call is transferred to an external participant":
      // it ends when its own user disconnects.
      return !isOnCall(p);
    case 'consult':
      return state.activeConsultKey !== rec.spec.key;
    case 'screen':
      // "Screen recordings ... end after the ACW (wrap-up) work has been completed."
      return p.wrapupCompletedAtMs !== undefined || (p.leftAtMs !== undefined && p.segment !== 'wrapup');
  }
}

function spanFor(state: CaptureState, rec: LiveRecording, config: TelephonyConfig): SpanState {
  const p = state.conversation.participants[rec.spec.participantId]!;
  switch (rec.spec.kind) {
    case 'trunk':
      return trunkSpan(state, rec.spec, config);
    case 'consult':
      return consultSpan(state, rec.spec);
    case 'screen':
      return screenSpan(state);
    default:
      return partySpan(state, p, config);
  }
}

function updateActive(state: CaptureState, config: TelephonyConfig, out: Commands) {
  if (state.activeConsultKey && !state.conversation.consult) state.activeConsultKey = null;
  for (const rec of Object.values(state.recordings)) {
    if (rec.status !== 'active') continue;
    if (isFinished(state, rec, config)) out.stop(rec);
    else out.span(rec, spanFor(state, rec, config));
  }
}
