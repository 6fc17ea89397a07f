import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { AudioHookCredential, ConnectorsConfig } from '../../config/config.js';
import type { SourceSink } from '../../media/source.js';
import type { ConnectorHealth } from '../../services/connector-health.js';
import { TrunkCall, type TrunkCallDeps } from '../trunk-call.js';
import { AudioHookServerSession, type OpenContext, type SessionListener } from './protocol/server-session.js';
import { headerValue, verifySignature } from './protocol/signature.js';
import type { MediaChannel } from './protocol/messages.js';

/**
 * AudioHook sessions into Capstan: the upgrade is authenticated (API key plus HTTP message
 * signature, per organization), each session becomes a trunk-side conversation (the external
 * channel is the customer, the internal one what the customer hears), and each channel a source.
 * A session that closes with `reconnect` or drops keeps its conversation open for the grace period
 * so that the continued session records into the same conversation.
 */

export const AUDIOHOOK_PATH = '/audiohook';
/** Sessions that never send `open`, or go silent (the client pings every few seconds), are dropped. */
const OPEN_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 60_000;

export type UpgradeDecision = { ok: true; credential: AudioHookCredential } | { ok: false; status: 401 | 403; reason: string };

interface LiveConversation {
  readonly call: TrunkCall;
  sessions: number;
  endTimer?: NodeJS.Timeout;
}

export class AudioHookConnector {
  private readonly conversations = new Map<string, Promise<LiveConversation>>();
  private readonly sessions = new Set<{ session: AudioHookServerSession; ws: WebSocket; finish: () => Promise<void> }>();
  private readonly keyDigests: Array<{ digest: Buffer; credential: AudioHookCredential }>;

  constructor(
    private readonly deps: TrunkCallDeps,
    private readonly config: ConnectorsConfig['audiohook'],
    private readonly health: ConnectorHealth,
    private readonly logger: Logger,
  ) {
    this.keyDigests = config.credentials.map((credential) => ({ digest: sha256(credential.apiKey), credential }));
    health.enabled = config.credentials.length > 0;
  }

  /**
   * Checks the upgrade request. A refusal is answered no sooner than the configured delay after the
   * request arrived, whatever failed, so the time taken tells an attacker nothing.
   */
  async authenticate(request: IncomingMessage): Promise<UpgradeDecision> {
    const startedAt = Date.now();
    const decision = this.check(request);
    if (!decision.ok) {
      const wait = startedAt + this.config.authFailureDelayMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.health.reject(decision.reason, {
        remote: request.socket.remoteAddress,
        sessionId: headerValue(request.headers, 'audiohook-session-id'),
        organizationId: headerValue(request.headers, 'audiohook-organization-id'),
      });
    }
    return decision;
  }

  private check(request: IncomingMessage): UpgradeDecision {
    if (this.keyDigests.length === 0) return { ok: false, status: 403, reason: 'AudioHook is not configured (no credentials)' };
    const apiKey = headerValue(request.headers, 'x-api-key');
    if (!apiKey) return { ok: false, status: 401, reason: 'missing X-API-KEY' };
    const credential = this.credentialFor(apiKey);
    const result = verifySignature(
      { headers: request.headers, requestTarget: request.url ?? '/', authority: request.headers.host ?? '' },
      {
        nowS: Date.now() / 1000,
        secretFor: (keyId) => {
          const c = this.credentialFor(keyId);
          return c ? new Uint8Array(Buffer.from(c.clientSecret, 'base64')) : undefined;
        },
      },
    );
    if (result.code !== 'VERIFIED' || !credential) return { ok: false, status: 401, reason: `${result.code === 'VERIFIED' ? 'FAILED' : result.code}: ${result.reason ?? 'unknown API key'}` };
    return { ok: true, credential };
  }

  /** Constant-time over every configured key: the API key itself is a secret. */
  private credentialFor(apiKey: string): AudioHookCredential | undefined {
    const digest = sha256(apiKey);
    let found: AudioHookCredential | undefined;
    for (const k of this.keyDigests) if (timingSafeEqual(k.digest, digest) && !found) found = k.credential;
    return found;
  }

  /** Runs one authenticated session on its WebSocket. */
  connect(ws: WebSocket, request: IncomingMessage, credential: AudioHookCredential): void {
    const remote = request.socket.remoteAddress;
    const headerSessionId = headerValue(request.headers, 'audiohook-session-id');
    const headerOrgId = headerValue(request.headers, 'audiohook-organization-id');
    const log = this.logger.child({ connector: 'audiohook', sessionId: headerSessionId, remote });
    let live: LiveConversation | undefined;
    let conversationKey: string | undefined;
    let sinks = new Map<MediaChannel, SourceSink>();
    let frames = 0;
    let openedAt = 0;
    let counted = false;

    const releaseSources = () => {
      for (const sink of sinks.values()) live?.call.closeSource(sink);
      sinks = new Map();
    };
    const leave = async (keepForReconnect: boolean) => {
      releaseSources();
      if (!live || !conversationKey) return;
      const conversation = live;
      const key = conversationKey;
      live = undefined;
      conversation.sessions--;
      if (conversation.sessions > 0) return;
      if (keepForReconnect && this.config.reconnectGraceMs > 0) {
        conversation.endTimer = setTimeout(() => void this.endConversation(key, conversation), this.config.reconnectGraceMs);
        conversation.endTimer.unref();
        return;
      }
      await this.endConversation(key, conversation);
    };

    const listener: SessionListener = {
      authorize: async (ctx) => (headerOrgId && headerOrgId.toLowerCase() !== ctx.open.organizationId.toLowerCase() ? 'organization id differs from the Audiohook-Organization-Id header' : undefined),
      open: async (ctx) => {
        openedAt = this.deps.clock.now();
        if (ctx.probe) {
          this.health.probes++;
          log.info('connection probe answered; nothing recorded');
          return;
        }
        if (!ctx.media) {
          log.warn({ offered: ctx.open.media }, 'no usable media offered; the session is opened without audio');
          return;
        }
        this.health.sessionStarted();
        counted = true;
        conversationKey = `${credential.orgId}/${ctx.open.conversationId}`;
        live = await this.joinConversation(conversationKey, ctx, credential);
        for (const channel of ctx.media.channels) {
          const participantId = channel === 'external' ? ctx.open.participant.id : internalId(ctx);
          sinks.set(channel, await live.call.openSource(participantId, ctx.media.format, ctx.media.rate as 8000 | 16000, openedAt));
        }
        log.info({ conversationId: ctx.open.conversationId, media: ctx.media, continued: ctx.open.continuedSessions?.length ?? 0 }, 'audiohook session opened');
      },
      audio: (frame, position) => {
        const seq = frames++ >>> 0;
        let bytes = 0;
        for (const [channel, payload] of frame.channels) {
          sinks.get(channel)?.push({ seq, timestamp: position >>> 0, payload });
          bytes += payload.length;
        }
        this.health.received(bytes);
      },
      gap: (kind, start, samples) => {
        for (const sink of sinks.values()) sink.gap(start >>> 0, samples, kind === 'paused' ? 'Pause' : 'Discarded');
      },
      paused: (position) => void live?.call.pause(openedAt + (position * 1000) / rate(session)).catch((err: unknown) => log.warn({ err }, 'pause event failed')),
      resumed: (position) => void live?.call.resume(openedAt + (position * 1000) / rate(session)).catch((err: unknown) => log.warn({ err }, 'resume event failed')),
      update: (language) => log.info({ language }, 'audiohook update'),
      clientError: (code, message) => log.warn({ code, message }, 'audiohook client reported an error'),
      close: async (reason) => {
        log.info({ reason, frames }, 'audiohook session closing');
        await leave(reason === 'reconnect');
      },
      ended: (state) => {
        if (counted) this.health.sessionEnded();
        counted = false;
        if (state === 'lost') void leave(true);
      },
      rejected: (reason) => this.health.protocolError(reason, { sessionId: headerSessionId, remote }),
    };

    const session = new AudioHookServerSession(
      {
        send: (text) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        },
        close: () => ws.close(1000),
      },
      listener,
      headerSessionId,
    );
    const entry = {
      session,
      ws,
      finish: async () => {
        session.reconnect('server is shutting down');
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
        session.onTransportClosed();
        await leave(false);
        ws.terminate();
      },
    };
    this.sessions.add(entry);

    // One timer per session checks for silence (a timer re-armed per message would cost more than the message).
    const connectedAt = Date.now();
    let lastMessageAt = connectedAt;
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (session.state === 'preparing' && now - connectedAt > OPEN_TIMEOUT_MS) ws.terminate();
      else if (now - lastMessageAt > IDLE_TIMEOUT_MS) {
        log.warn('audiohook session idle; closing the connection');
        ws.terminate();
      }
    }, OPEN_TIMEOUT_MS / 2);
    watchdog.unref();
    ws.on('message', (data, isBinary) => {
      lastMessageAt = Date.now();
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) session.onBinary(bytes);
      else session.onText(bytes.toString('utf8'));
    });
    ws.on('close', () => {
      clearInterval(watchdog);
      this.sessions.delete(entry);
      session.onTransportClosed();
    });
    ws.on('error', (err) => log.warn({ err }, 'audiohook websocket error'));
  }

  /** Finalizes every live session (SIGTERM): clients are asked to reconnect elsewhere first. */
  async drain(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.finish()));
    await Promise.all([...this.conversations.entries()].map(async ([key, p]) => this.endConversation(key, await p)));
  }

  private joinConversation(key: string, ctx: OpenContext, credential: AudioHookCredential): Promise<LiveConversation> {
    const existing = this.conversations.get(key);
    const joined = (existing ?? this.startConversation(ctx, credential)).then((c) => {
      clearTimeout(c.endTimer);
      c.sessions++;
      return c;
    });
    if (!existing) {
      this.conversations.set(key, joined);
      joined.catch(() => this.conversations.delete(key));
    }
    return joined;
  }

  private async startConversation(ctx: OpenContext, credential: AudioHookCredential): Promise<LiveConversation> {
    const { participant } = ctx.open;
    const call = await TrunkCall.start(this.deps, {
      orgId: credential.orgId,
      conversationId: ctx.open.conversationId,
      connector: 'audiohook',
      trunkId: credential.trunkId,
      region: credential.region,
      direction: 'inbound',
      ani: participant.ani,
      dnis: participant.dnis,
      parties: [
        { participantId: participant.id, purpose: 'customer', name: participant.aniName, address: participant.ani },
        { participantId: internalId(ctx), purpose: 'agent', userId: 'audiohook.internal', address: participant.dnis },
      ],
    });
    return { call, sessions: 0 };
  }

  private async endConversation(key: string, conversation: LiveConversation): Promise<void> {
    clearTimeout(conversation.endTimer);
    if (conversation.sessions > 0) return;
    this.conversations.delete(key);
    try {
      await conversation.call.end();
    } catch (err) {
      this.logger.warn({ err, conversation: key }, 'audiohook: ending the conversation failed');
    }
  }
}

function internalId(ctx: OpenContext): string {
  return `${ctx.open.participant.id}.internal`;
}

function rate(session: AudioHookServerSession): number {
  return session.selectedMedia?.rate ?? 8000;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
