import type { Scenario } from './scenario.js';
import type { ConfigKind } from './scenario.schema.js';
import { CONFIG_KINDS } from './scenario.schema.js';
import type { SampleRate, SourceCodec } from './signature.js';

/**
 * Turns a scenario into what a telephony platform would send for one conversation: the
 * configuration to put, the events with their instants, and the audio sources (who speaks
 * when, with which signature).
 */

/** A conversation event as posted to /api/v2/capstan/events. */
export interface WireEvent {
  readonly eventId: string;
  readonly conversationId: string;
  readonly at: string;
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface TimedEvent {
  /** Seconds from the conversation's start. */
  readonly atSec: number;
  readonly event: WireEvent;
}

export interface SourcePlan {
  readonly participantId: string;
  readonly hz: number;
  readonly codec: SourceCodec;
  readonly sampleRate: SampleRate;
  readonly fromSec: number;
  readonly toSec: number;
  /** How far behind the conversation clock this source's audio is sent. */
  readonly delaySec: number;
}

export interface ConfigPut {
  readonly kind: ConfigKind;
  readonly id: string;
  readonly body: Record<string, unknown>;
}

export interface CompiledConversation {
  readonly conversationId: string;
  readonly t0Ms: number;
  readonly events: readonly TimedEvent[];
  readonly sources: readonly SourcePlan[];
  readonly endSec: number;
}

/**
 * Ids of the entities a scenario configures are prefixed with a namespace (`<namespace>.t1`), so
 * that scenarios run side by side never change each other's trunks or users. Ids the scenario
 * does not configure refer to the organization's own entities and are left as they are.
 */
export class IdScope {
  constructor(
    private readonly scenario: Scenario,
    readonly namespace: string | undefined,
  ) {}

  id(kind: ConfigKind, id: string): string;
  id(kind: ConfigKind, id: string | undefined): string | undefined;
  id(kind: ConfigKind, id: string | undefined): string | undefined {
    if (id === undefined || this.namespace === undefined || !(id in this.scenario.config[kind])) return id;
    return `${this.namespace}.${id}`;
  }

  /** The scenario's id for a (possibly namespaced) id the server reports. */
  unscoped(id: string | null | undefined): string | undefined {
    if (id === null || id === undefined) return undefined;
    const prefix = this.namespace === undefined ? '' : `${this.namespace}.`;
    return prefix && id.startsWith(prefix) ? id.slice(prefix.length) : id;
  }
}

export function configPuts(scenario: Scenario, scope: IdScope): ConfigPut[] {
  const puts: ConfigPut[] = [];
  for (const kind of CONFIG_KINDS) {
    for (const [id, settings] of Object.entries(scenario.config[kind])) {
      const body: Record<string, unknown> = { name: id, ...settings };
      if (kind === 'users' && typeof body.stationId === 'string') body.stationId = scope.id('stations', body.stationId);
      puts.push({ kind, id: scope.id(kind, id), body });
    }
  }
  return puts;
}

const SEGMENT_OF = { ivr: 'ivr', wait: 'queue', talk: 'interact', hold: 'hold', wrapup: 'wrapup' } as const;

export function compileConversation(scenario: Scenario, scope: IdScope, conversationId: string, t0Ms: number): CompiledConversation {
  const events: TimedEvent[] = [];
  const at = (sec: number) => new Date(t0Ms + Math.round(sec * 1000)).toISOString();
  const emit = (sec: number, type: string, fields: Record<string, unknown> = {}) => {
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    events.push({ atSec: sec, event: { eventId: `e${events.length + 1}`, conversationId, at: at(sec), type, ...defined } });
  };

  for (const step of scenario.timeline) {
    const t = step.at;
    switch (step.verb) {
      case 'start': {
        const a = step.args;
        emit(t, 'conversation.started', { direction: a.start, trunkId: scope.id('trunks', a.trunk), ani: a.ani, dnis: a.dnis, region: a.region });
        break;
      }
      case 'join':
        for (const pid of step.args.join) {
          const p = scenario.participants[pid]!;
          emit(t, 'participant.joined', {
            participantId: pid,
            purpose: p.purpose,
            userId: scope.id('users', p.user),
            stationId: scope.id('stations', p.station),
            trunkId: scope.id('trunks', p.trunk),
            name: p.name,
            address: p.address,
          });
        }
        break;
      case 'leave':
        for (const pid of step.args.leave) emit(t, 'participant.left', { participantId: pid });
        break;
      case 'ivr':
        for (const pid of step.args.ivr) emit(t, 'segment', { participantId: pid, kind: 'ivr', flowId: scope.id('flows', step.args.flow) });
        break;
      case 'wait':
        for (const pid of step.args.wait) emit(t, 'segment', { participantId: pid, kind: 'queue', queueId: scope.id('queues', step.args.queue) });
        break;
      case 'talk':
      case 'hold':
      case 'wrapup': {
        const pids = (step.args as Record<string, string[]>)[step.verb]!;
        for (const pid of pids) emit(t, 'segment', { participantId: pid, kind: SEGMENT_OF[step.verb] });
        break;
      }
      case 'wrapupDone':
        emit(t, 'wrapup.completed', { participantId: step.args.wrapupDone, wrapupCode: step.args.code });
        break;
      case 'consent':
        emit(t, 'consent', { granted: step.args.consent });
        break;
      case 'transfer':
        emit(t, 'transfer', { kind: step.args.transfer, fromParticipantId: step.args.from, toParticipantId: step.args.to });
        break;
      case 'consult':
        emit(t, 'consult.started', { participantIds: step.args.consult });
        break;
      case 'consultEnd':
        emit(t, 'consult.ended');
        break;
      case 'monitor':
      case 'coach':
      case 'barge': {
        const a = step.args as { target: string } & Record<string, string>;
        emit(t, 'monitoring.started', { participantId: a[step.verb], targetParticipantId: a.target, mode: step.verb });
        break;
      }
      case 'monitorEnd':
        emit(t, 'monitoring.ended', { participantId: step.args.monitorEnd });
        break;
      case 'securePause':
        emit(t, 'recording.state', { state: step.args.securePause ? 'paused' : 'active' });
        break;
      case 'adhoc':
        emit(t, 'recording.adhoc', { userId: scope.id('users', step.args.adhoc), record: step.args.record });
        break;
      case 'snippet':
        emit(t, 'recording.snippet', { participantId: step.args.snippet, record: step.args.record });
        break;
      case 'end':
        emit(t, 'conversation.ended');
        break;
      case 'event': {
        const { type, ...fields } = step.args.event;
        emit(t, type, fields);
        break;
      }
    }
  }
  const endSec = scenario.timeline[scenario.timeline.length - 1]!.at;
  return { conversationId, t0Ms, events, sources: sources(scenario), endSec };
}

/** Who speaks when: as the scenario says, or from joining until leaving, wrap-up or the end of the call. */
function sources(scenario: Scenario): SourcePlan[] {
  const joined = new Map<string, number>();
  const stopped = new Map<string, number>();
  let endSec: number | undefined;
  for (const step of scenario.timeline) {
    if (step.verb === 'join') for (const pid of step.args.join) joined.set(pid, step.at);
    if (step.verb === 'leave') for (const pid of step.args.leave) if (!stopped.has(pid)) stopped.set(pid, step.at);
    if (step.verb === 'wrapup') for (const pid of step.args.wrapup) if (!stopped.has(pid)) stopped.set(pid, step.at);
    if (step.verb === 'end' && endSec === undefined) endSec = step.at;
  }
  const lastSec = endSec ?? scenario.timeline[scenario.timeline.length - 1]!.at;
  const plans: SourcePlan[] = [];
  for (const [pid, p] of Object.entries(scenario.participants)) {
    if (p.speaks === false) continue;
    const from = joined.get(pid);
    const intervals = p.speaks ?? (from === undefined ? [] : [[from, Math.min(stopped.get(pid) ?? lastSec, lastSec)] as const]);
    for (const [fromSec, toSec] of intervals) {
      if (toSec <= fromSec) continue;
      plans.push({ participantId: pid, hz: scenario.signatures.get(pid)!, codec: p.codec, sampleRate: p.sampleRate, fromSec, toSec, delaySec: p.delay });
    }
  }
  return plans.sort((a, b) => a.fromSec - b.fromSec);
}
