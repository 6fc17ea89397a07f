import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { KeyProvider } from '../crypto/key-provider.js';
import { DomainError } from '../domain/errors.js';
import { SourceBuffer } from '../media/source-buffer.js';
import type { MediaIngest, SourceDescriptor, SourceSink, SourceStats } from '../media/source.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import type { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import type { ConversationHub, ConversationUpdate } from './conversation-hub.js';
import type { ConversationService } from './conversation.service.js';
import { ConversationMedia } from './media-session.js';
import { recoverRecordings } from './media-recovery.js';

/**
 * The live media pipeline (DESIGN section 5): takes sources in (MediaIngest), follows each
 * conversation's plan from the ConversationHub, and keeps every planned audio recording written,
 * encrypted, as the call goes.
 *
 * Rendering waits for the plan to be final. An event may still arrive up to the ordering window
 * behind the conversation's high water (its newest event or audio), so a conversation is rendered
 * only up to the window behind the media high water *reported at the previous tick* (any event
 * admitted against an older high water has been published by then) or behind its newest event.
 * At the conversation's end the high water is moved past the end by the window, which seals the
 * timeline, and the recordings are finished from the stored plan.
 */

export interface MediaServiceDeps {
  readonly conversations: ConversationService;
  readonly conversationRows: ConversationsRepository;
  readonly recordings: RecordingsRepository;
  readonly media: RecordingMediaRepository;
  readonly blobs: BlobStore;
  readonly keys: KeyProvider;
  readonly hub: ConversationHub;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly windowMs: number;
  /** A partial tail is written once it has waited this long (what a crash can lose, beyond the window). */
  readonly flushMs: number;
  /** How often each conversation is rendered and its high water reported. */
  readonly renderMs?: number;
}

export interface MediaStats {
  readonly conversations: number;
  readonly sources: number;
  readonly framesReceived: number;
  readonly framesRejected: number;
  readonly duplicates: number;
  readonly framesLate: number;
  readonly writes: number;
  readonly recordingsFinished: number;
}

const SCHEDULER_MS = 100;
/** Conversations rendered back to back before the event loop gets a turn. */
const RENDER_GROUP = 16;

export class MediaService implements MediaIngest {
  private readonly sessions = new Map<string, ConversationMedia>();
  private readonly opening = new Map<string, Promise<ConversationMedia>>();
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private readonly counters = { writes: 0, recordingsFinished: 0, framesReceived: 0, framesRejected: 0, duplicates: 0, framesLate: 0 };
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private draining = false;
  private readonly renderMs: number;

  constructor(private readonly deps: MediaServiceDeps) {
    this.renderMs = deps.renderMs ?? 1000;
  }

  /** Finishes what a previous process left open (partial), then follows the hub. */
  async start(): Promise<number> {
    const recovered = await recoverRecordings(this.deps);
    this.unsubscribe = this.deps.hub.subscribe((update) => this.onUpdate(update));
    this.timer = setInterval(() => void this.tick(), SCHEDULER_MS);
    this.timer.unref();
    return recovered;
  }

  async open(descriptor: SourceDescriptor): Promise<SourceSink> {
    if (this.draining) throw new DomainError('media.draining', 'the server is shutting down; reconnect to another node');
    const session = await this.sessionFor(descriptor.orgId, descriptor.conversationId);
    const source = new SourceBuffer(descriptor);
    session.sources.push(source);
    const counters = this.counters;
    return {
      push: (frame) => {
        const result = source.push(frame);
        counters.framesReceived++;
        if (result === 'duplicate') counters.duplicates++;
        else if (result === 'late') counters.framesLate++;
        else if (result !== 'accepted') counters.framesRejected++;
        return result;
      },
      gap: (from, samples, reason) => source.gap(from, samples, reason),
      close: (): SourceStats => {
        if (!source.closed) {
          source.close();
          this.finishIfReady(session);
        }
        return source.stats();
      },
    };
  }

  stats(): MediaStats {
    let sources = 0;
    for (const s of this.sessions.values()) sources += s.sources.filter((x) => !x.closed).length;
    return { conversations: this.sessions.size, sources, ...this.counters };
  }

  /**
   * Resolves at the next finished or deleted recording of the conversation, or after `timeoutMs`;
   * `cancel` stops waiting early.
   */
  changed(orgId: string, conversationId: string, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
    const name = keyOf(orgId, conversationId);
    let cancel = () => {};
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => cancel(), timeoutMs);
      timer.unref();
      const done = () => cancel();
      cancel = () => {
        clearTimeout(timer);
        this.changes.off(name, done);
        resolve();
      };
      this.changes.on(name, done);
    });
    return { promise, cancel };
  }

  /** SIGTERM: every live recording is finished now with what has arrived (partial if its conversation goes on). */
  async drain(): Promise<void> {
    this.draining = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    for (const session of [...this.sessions.values()]) {
      while (session.busy) await new Promise((r) => setTimeout(r, 10));
      const until = Math.max(session.mediaHighWaterMs(), session.cursorMs ?? Number.NEGATIVE_INFINITY);
      const ended = session.endedAtMs !== undefined && until >= session.endedAtMs;
      try {
        await session.finishAll(ended ? session.endedAtMs! : Number.isFinite(until) ? until : (session.cursorMs ?? 0), !ended);
      } catch (err) {
        this.deps.logger.error({ err, conversationId: session.conversationId }, 'could not finish recordings while draining');
      }
      this.sessions.delete(keyOf(session.orgId, session.conversationId));
    }
  }

  private async sessionFor(orgId: string, conversationId: string): Promise<ConversationMedia> {
    const key = keyOf(orgId, conversationId);
    const existing = this.sessions.get(key);
    if (existing) return existing;
    let pending = this.opening.get(key);
    if (!pending) {
      pending = this.load(orgId, conversationId).finally(() => this.opening.delete(key));
      this.opening.set(key, pending);
    }
    return pending;
  }

  private async load(orgId: string, conversationId: string): Promise<ConversationMedia> {
    const view = await this.deps.conversations.get(orgId, conversationId);
    if (!view || view.summary.startedAtMs === null) {
      throw new DomainError('media.unknownConversation', `conversation ${conversationId} has not started (send conversation.started first)`, conversationId);
    }
    const session = this.sessions.get(keyOf(orgId, conversationId)) ?? this.newSession(orgId, conversationId);
    session.update(view.recordings, view.folded);
    if (session.endedAtMs !== undefined && !session.hasWork()) {
      this.sessions.delete(keyOf(orgId, conversationId));
      throw new DomainError('media.conversationEnded', `conversation ${conversationId} has ended and its recordings are finished`, conversationId);
    }
    return session;
  }

  private newSession(orgId: string, conversationId: string): ConversationMedia {
    const session = new ConversationMedia(orgId, conversationId, {
      blobs: this.deps.blobs,
      keys: this.deps.keys,
      media: this.deps.media,
      clock: this.deps.clock,
      logger: this.deps.logger,
      flushMs: this.deps.flushMs,
      counters: this.counters,
      changed: (o, c) => this.changes.emit(keyOf(o, c)),
    });
    // A random phase spreads conversations over the render interval: calls that start together
    // (a campaign, a restart) must not all render in the same scheduler tick.
    session.nextTickAt = this.deps.clock.now() + Math.random() * this.renderMs;
    this.sessions.set(keyOf(orgId, conversationId), session);
    return session;
  }

  private onUpdate(update: ConversationUpdate): void {
    if (this.draining) return;
    let session = this.sessions.get(keyOf(update.orgId, update.conversationId));
    if (!session) {
      const wanted = update.recordings.some((r) => r.audio && (r.media.state === 'PENDING' || r.media.state === 'RECORDING'));
      if (!wanted) return;
      session = this.newSession(update.orgId, update.conversationId);
    }
    session.update(update.recordings, update.folded);
    this.finishIfReady(session);
  }

  private finishIfReady(session: ConversationMedia): void {
    if (session.busy || session.finished || !session.readyToFinish(this.deps.clock.now(), this.deps.windowMs)) return;
    void this.run(session, () => this.finishConversation(session));
  }

  /** Seals the timeline past the end, reloads the final plan, renders to the end and finishes every recording. */
  private async finishConversation(session: ConversationMedia): Promise<void> {
    const endedAt = session.endedAtMs!;
    const { orgId, conversationId } = session;
    await this.deps.conversationRows.advanceMediaHighWaters([{ orgId, id: conversationId, atMs: endedAt + this.deps.windowMs }]);
    session.replaceRows(await this.deps.recordings.listForConversation(orgId, conversationId));
    await session.finishAll(endedAt, false);
    this.sessions.delete(keyOf(orgId, conversationId));
  }

  private async tick(): Promise<void> {
    const now = this.deps.clock.now();
    // At most a tick's share of the conversations (plus slack), so that a stall is caught up over
    // several ticks instead of in one long burst.
    const share = Math.ceil(((this.sessions.size * SCHEDULER_MS) / this.renderMs) * 1.5) + 1;
    const due = [...this.sessions.values()]
      .filter((s) => !s.busy && !s.finished && s.nextTickAt <= now)
      .sort((a, b) => a.nextTickAt - b.nextTickAt)
      .slice(0, share);
    if (due.length === 0) return;
    for (const s of due) s.busy = true;
    const reports: Array<{ orgId: string; id: string; atMs: number }> = [];
    const limits = new Map<ConversationMedia, number>();
    for (const s of due) {
      s.nextTickAt = Math.max(s.nextTickAt + this.renderMs, now);
      const hw = s.mediaHighWaterMs();
      limits.set(s, Math.max(s.reportedHighWaterMs, s.eventHighWaterMs) - this.deps.windowMs);
      if (hw > s.reportedHighWaterMs) reports.push({ orgId: s.orgId, id: s.conversationId, atMs: Math.floor(hw) });
    }
    try {
      await this.deps.conversationRows.advanceMediaHighWaters(reports);
    } catch (err) {
      this.deps.logger.error({ err }, 'could not report the media high water; rendering waits');
      for (const s of due) s.busy = false;
      return;
    }
    for (const r of reports) this.sessions.get(keyOf(r.orgId, r.id))!.reportedHighWaterMs = r.atMs;
    for (let i = 0; i < due.length; i += RENDER_GROUP) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      await Promise.all(
        due.slice(i, i + RENDER_GROUP).map(async (s) => {
          s.busy = false;
          const limit = limits.get(s)!;
          if (s.readyToFinish(now, this.deps.windowMs)) return this.run(s, () => this.finishConversation(s));
          if (Number.isFinite(limit)) await this.run(s, () => s.advance(limit));
        }),
      );
    }
  }

  /** One piece of async work per session at a time; errors are logged, never thrown into a timer. */
  private async run(session: ConversationMedia, work: () => Promise<void>): Promise<void> {
    if (session.busy) return;
    session.busy = true;
    try {
      await work();
    } catch (err) {
      this.deps.logger.error({ err, conversationId: session.conversationId }, 'media rendering failed');
    } finally {
      session.busy = false;
    }
    if (!session.finished) this.finishIfReady(session);
  }
}

function keyOf(orgId: string, conversationId: string): string {
  return `${orgId}\u0000${conversationId}`;
}
