import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOwnerAccounts, type Accounts } from './accounts.js';
import type { CapstanClient } from './api-client.js';
import { compileConversation, configPuts, IdScope, type CompiledConversation, type SourcePlan, type TimedEvent } from './compile.js';
import { MediaConnection, type MediaStream, type StreamReport } from './media-sender.js';
import type { Scenario } from './scenario.js';

/**
 * `capstan simulate`: plays scenarios against a running Capstan the way a telephony platform
 * would, over its public interfaces only: configuration and events over HTTP, audio over the
 * media WebSocket. The conversation clock runs `speed` times faster than the wall clock (or as
 * fast as the server takes it, with `max`); events up to an instant are posted before any audio
 * past it, so audio never runs ahead of the events that describe it (unless a scenario asks for
 * signalling that lags the media, `delivery.eventLag`).
 */

export interface SimulateOptions {
  readonly client: CapstanClient;
  readonly scenarios: readonly Scenario[];
  /** Conversation seconds per wall-clock second, or `max`. */
  readonly speed: number | 'max';
  readonly concurrency: number;
  /** Conversations per scenario. */
  readonly repeat: number;
  readonly frameMs: number;
  /** Prefix the ids of the entities each scenario configures, so that runs never share configuration. */
  readonly namespace: boolean;
  readonly runId?: string;
  /** The conversation clock's origin for a conversation (default: when it starts, on the wall clock). */
  readonly startAt?: (scenario: Scenario, index: number) => number;
  readonly conversationId?: (scenario: Scenario, runId: string, index: number) => string;
  readonly onConversation?: (run: ConversationRun) => void;
}

export interface ConversationRun {
  readonly scenario: string;
  readonly file: string;
  readonly conversationId: string;
  readonly namespace?: string;
  readonly t0: string;
  /** Sign-ins of the scenario's users who own ad-hoc recordings (see accounts.ts). */
  readonly accounts?: Accounts;
  readonly problems: string[];
  readonly events: number;
  readonly frames: number;
  readonly streams: StreamReport[];
  readonly wallMs: number;
}

export interface SimulateResult {
  readonly runId: string;
  readonly url: string;
  readonly conversations: ConversationRun[];
  readonly wallMs: number;
}

/** Events that set a call up: no audio can precede them. */
const SET_UP: ReadonlySet<string> = new Set(['conversation.started', 'participant.joined']);

/**
 * The most conversation time one step covers: at `max` speed, and when a paced run has fallen
 * behind the wall clock and catches up. Events lead the audio by at most this much, well inside
 * the server's ordering window, as a platform streaming audio alongside its signalling would.
 */
const MAX_STEP_SEC = 1;

export function newRunId(): string {
  return randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0');
}

export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const started = performance.now();
  const runId = options.runId ?? newRunId();
  const jobs: Array<() => Promise<ConversationRun>> = [];
  let index = 0;
  for (const scenario of options.scenarios) {
    const scope = new IdScope(scenario, options.namespace ? `${runId}.${scenario.name}` : undefined);
    const ready = setUp(options.client, scenario, scope);
    for (let r = 0; r < options.repeat; r++) {
      const i = index++;
      const conversationId = options.conversationId?.(scenario, runId, r) ?? `${scenario.name}-${runId}${options.repeat > 1 ? `-${r + 1}` : ''}`;
      jobs.push(async () => {
        const t0Ms = Math.round(options.startAt?.(scenario, i) ?? Date.now());
        const compiled = compileConversation(scenario, scope, conversationId, t0Ms);
        const { problem, accounts } = await ready;
        const run = problem ? failedRun(scenario, compiled, scope, problem) : await runConversation(options, scenario, scope, compiled, accounts);
        options.onConversation?.(run);
        return run;
      });
    }
  }
  const conversations = await pool(jobs, Math.max(1, options.concurrency));
  return { runId, url: options.client.baseUrl, conversations, wallMs: performance.now() - started };
}

interface SetUp {
  readonly problem?: string;
  readonly accounts: Accounts;
}

async function setUp(client: CapstanClient, scenario: Scenario, scope: IdScope): Promise<SetUp> {
  try {
    // Sign-ins first: a user's telephony settings then land on the account (one user, two facets).
    const accounts = await createOwnerAccounts(client, scenario, scope);
    for (const put of configPuts(scenario, scope)) {
      await client.json('PUT', `/api/v2/capstan/config/${put.kind}/${encodeURIComponent(put.id)}`, put.body);
    }
    return { accounts };
  } catch (err) {
    return { problem: `configuration: ${(err as Error).message}`, accounts: {} };
  }
}

function failedRun(scenario: Scenario, compiled: CompiledConversation, scope: IdScope, problem: string): ConversationRun {
  return { ...identity(scenario, compiled, scope, {}), problems: [problem], events: 0, frames: 0, streams: [], wallMs: 0 };
}

function identity(scenario: Scenario, compiled: CompiledConversation, scope: IdScope, accounts: Accounts) {
  return {
    scenario: scenario.name,
    file: scenario.file,
    conversationId: compiled.conversationId,
    ...(scope.namespace ? { namespace: scope.namespace } : {}),
    t0: new Date(compiled.t0Ms).toISOString(),
    ...(Object.keys(accounts).length ? { accounts } : {}),
  };
}

async function runConversation(options: SimulateOptions, scenario: Scenario, scope: IdScope, compiled: CompiledConversation, accounts: Accounts): Promise<ConversationRun> {
  const wallStart = performance.now();
  const problems: string[] = [];
  const streams: StreamReport[] = [];
  let connection: MediaConnection | undefined;
  let eventsPosted = 0;
  let frames = 0;
  try {
    connection = await MediaConnection.connect(options.client);
    const player = new Player(options, scenario, compiled, connection);
    eventsPosted = await player.play(streams);
    frames = streams.reduce((n, s) => n + s.framesSent, 0);
  } catch (err) {
    problems.push((err as Error).message);
  } finally {
    if (connection) {
      problems.push(...connection.problems.filter((p) => !problems.some((q) => q.includes(p))));
      await connection.close();
    }
  }
  for (const s of streams) {
    if (s.framesLost) problems.push(`the server lost ${s.framesLost} of ${s.framesSent} frames from ${s.participantId}`);
  }
  return { ...identity(scenario, compiled, scope, accounts), problems, events: eventsPosted, frames, streams, wallMs: performance.now() - wallStart };
}

/** Plays one compiled conversation on the conversation clock. */
class Player {
  private unposted: TimedEvent[];
  private readonly open = new Map<SourcePlan, MediaStream>();
  private readonly done = new Set<SourcePlan>();
  /** Streams closed but not yet answered: nothing waits for the server's answers until the end. */
  private readonly closing: Promise<StreamReport>[] = [];
  private readonly horizonSec: number;

  constructor(
    private readonly options: SimulateOptions,
    private readonly scenario: Scenario,
    private readonly compiled: CompiledConversation,
    private readonly connection: MediaConnection,
  ) {
    this.unposted = [...compiled.events];
    this.horizonSec = Math.max(compiled.endSec, ...compiled.sources.map((s) => s.toSec + s.delaySec), ...compiled.events.map((e) => e.atSec));
  }

  async play(reports: StreamReport[]): Promise<number> {
    const { speed, frameMs } = this.options;
    const tickSec = frameMs / 1000;
    const wallStart = performance.now();
    let simSec = 0;
    let posted = 0;
    for (;;) {
      let target: number;
      if (speed === 'max') target = simSec + MAX_STEP_SEC;
      else {
        target = ((performance.now() - wallStart) / 1000) * speed;
        if (target < Math.min(simSec + tickSec, this.horizonSec)) {
          await sleep(Math.max(1, wallStart + ((simSec + tickSec) / speed) * 1000 - performance.now()));
          continue;
        }
      }
      target = Math.min(target, simSec + MAX_STEP_SEC, this.horizonSec);
      posted += await this.postEventsUntil(target);
      this.sendAudioUntil(target);
      simSec = target;
      // The audio is on the wire before the next events are posted: they travel on another connection.
      await this.connection.drained();
      if (simSec >= this.horizonSec && this.unposted.length === 0 && this.open.size === 0) {
        reports.push(...(await Promise.all(this.closing)));
        return posted;
      }
    }
  }

  /**
   * Posts the events due by `sec`, in timeline order. With `delivery.eventLag`, an event is due
   * only once the audio is that far past it, as when signalling is slower than media; call set-up
   * (the start, and people joining) still comes first, since nobody's audio precedes it.
   */
  private async postEventsUntil(sec: number): Promise<number> {
    const lag = sec >= this.horizonSec ? 0 : this.scenario.delivery.eventLag;
    const due = (e: TimedEvent) => e.atSec <= (SET_UP.has(e.event.type) ? sec : sec - lag);
    const batch = this.unposted.filter(due);
    if (batch.length === 0) return 0;
    this.unposted = this.unposted.filter((e) => !due(e));
    const body = batch.map((e) => e.event);
    const times = this.scenario.delivery.repeatEvents ? 2 : 1;
    for (let i = 0; i < times; i++) {
      try {
        await this.options.client.json('POST', '/api/v2/capstan/events', body);
      } catch (err) {
        const first = batch[0]!;
        throw new Error(`events at ${first.atSec} s (${batch.map((e) => e.event.type).join(', ')}) refused: ${(err as Error).message}`);
      }
    }
    return batch.length;
  }

  private sendAudioUntil(sec: number) {
    for (const source of this.compiled.sources) {
      const reached = sec - source.delaySec;
      if (this.done.has(source) || source.fromSec >= reached) continue;
      let stream = this.open.get(source);
      if (!stream) {
        stream = this.connection.openStream({
          conversationId: this.compiled.conversationId,
          participantId: source.participantId,
          codec: source.codec,
          sampleRate: source.sampleRate,
          startAt: new Date(this.compiled.t0Ms + Math.round(source.fromSec * 1000)).toISOString(),
          hz: source.hz,
          frameMs: this.options.frameMs,
          duplicateFrames: this.scenario.delivery.duplicateFrames,
          reorderFrames: this.scenario.delivery.reorderFrames,
        });
        this.open.set(source, stream);
      }
      const final = source.toSec <= reached;
      stream.sendUntil(Math.round((Math.min(reached, source.toSec) - source.fromSec) * source.sampleRate), final);
      if (final) {
        this.open.delete(source);
        this.done.add(source);
        // Collected at the end; a stream the server refused fails the conversation then, not the process now.
        const closing = stream.close();
        closing.catch(() => undefined);
        this.closing.push(closing);
      }
    }
  }
}

/** Runs jobs with at most `limit` at a time; results in job order. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
