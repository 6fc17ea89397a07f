import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ConnectorsConfig } from '../../config/config.js';
import type { SourceSink } from '../../media/source.js';
import type { ConnectorHealth } from '../../services/connector-health.js';
import { TrunkCall, type TrunkCallDeps } from '../trunk-call.js';
import type { Track, TwilioStart } from './messages.js';
import { candidateUrls, validTwilioSignature } from './signature.js';
import { TwilioStreamSession } from './stream-session.js';

/**
 * Twilio Media Streams into Capstan: the upgrade must carry a valid `X-Twilio-Signature`; each
 * stream becomes a trunk-side conversation (inbound track = the caller, outbound = what the caller
 * hears) and each track a source. `<Parameter>`s of the stream name the conversation and its parties.
 */

export const TWILIO_PATH = '/twilio/media';
/** A stream that sends garbage this often is closed (1008); one bad message is only counted. */
const MAX_INVALID = 50;

/** Custom parameters Capstan reads (names as set with `<Parameter name=… value=…>`). */
export interface StreamMetadata {
  readonly conversationId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly ani?: string;
  readonly dnis?: string;
  readonly agentUserId?: string;
  readonly agentName?: string;
  readonly customerName?: string;
}

const ID = /^[A-Za-z0-9._:@+-]{1,128}$/;

export function streamMetadata(start: TwilioStart): StreamMetadata {
  const p = start.customParameters;
  const pick = (...names: string[]) => names.map((n) => p[n]).find((v) => v !== undefined && v !== '');
  const conversationId = pick('conversationId');
  const agent = pick('agentUserId', 'agentId', 'userId');
  const direction = pick('direction');
  return {
    conversationId: conversationId && ID.test(conversationId) ? conversationId : `twilio-${start.callSid}`,
    direction: direction === 'outbound' || direction === 'outbound-api' || direction === 'outbound-dial' ? 'outbound' : 'inbound',
    ani: pick('ani', 'from', 'From', 'caller'),
    dnis: pick('dnis', 'to', 'To', 'called'),
    agentUserId: agent && ID.test(agent) ? agent : undefined,
    agentName: pick('agentName'),
    customerName: pick('customerName', 'callerName'),
  };
}

export class TwilioConnector {
  private readonly streams = new Set<{ ws: WebSocket; session: TwilioStreamSession }>();

  constructor(
    private readonly deps: TrunkCallDeps,
    private readonly config: ConnectorsConfig['twilio'],
    private readonly publicUrl: string | undefined,
    private readonly health: ConnectorHealth,
    private readonly logger: Logger,
  ) {
    health.enabled = config.authToken !== undefined;
  }

  /** Checks `X-Twilio-Signature` against the URLs Twilio may have used for this upgrade. */
  authenticate(request: IncomingMessage): { ok: true } | { ok: false; status: 401 | 403; reason: string } {
    const remote = request.socket.remoteAddress;
    if (!this.config.authToken) {
      this.health.reject('Twilio is not configured (no auth token)', { remote });
      return { ok: false, status: 403, reason: 'Twilio Media Streams are not configured' };
    }
    const signature = request.headers['x-twilio-signature'];
    const urls = candidateUrls(request.headers.host ?? '', request.url ?? TWILIO_PATH, this.publicUrl);
    if (!validTwilioSignature(this.config.authToken, Array.isArray(signature) ? signature[0] : signature, urls)) {
      this.health.reject(signature ? 'X-Twilio-Signature does not match' : 'missing X-Twilio-Signature', { remote, url: request.url });
      return { ok: false, status: 401, reason: 'invalid signature' };
    }
    return { ok: true };
  }

  connect(ws: WebSocket, request: IncomingMessage): void {
    const log = this.logger.child({ connector: 'twilio', remote: request.socket.remoteAddress });
    let call: TrunkCall | undefined;
    const sinks = new Map<Track, SourceSink>();
    let invalid = 0;
    let counted = false;

    const session = new TwilioStreamSession({
      start: async (start) => {
        const meta = streamMetadata(start);
        this.health.sessionStarted();
        counted = true;
        const startedAt = this.deps.clock.now();
        try {
          call = await TrunkCall.start(this.deps, {
            orgId: this.config.orgId,
            conversationId: meta.conversationId,
            connector: 'twilio',
            trunkId: this.config.trunkId,
            region: this.config.region,
            direction: meta.direction,
            ani: meta.ani,
            dnis: meta.dnis,
            parties: [
              { participantId: 'customer', purpose: 'customer', name: meta.customerName, address: meta.ani },
              { participantId: 'agent', purpose: 'agent', userId: meta.agentUserId ?? 'twilio.internal', name: meta.agentName, address: meta.dnis },
            ],
          });
          for (const track of start.tracks) {
            sinks.set(track, await call.openSource(track === 'inbound' ? 'customer' : 'agent', 'PCMU', 8000, startedAt));
          }
          log.info({ callSid: start.callSid, streamSid: start.streamSid, conversationId: meta.conversationId, tracks: start.tracks }, 'twilio stream started');
        } catch (err) {
          log.error({ err, callSid: start.callSid }, 'twilio: the stream could not be recorded');
          await call?.end().catch(() => undefined);
          call = undefined;
          ws.close(1011, 'recording could not start');
          throw err;
        }
      },
      media: (frame) => {
        sinks.get(frame.track)?.push({ seq: frame.chunk >>> 0, timestamp: frame.timestamp >>> 0, payload: frame.payload });
        this.health.received(frame.payload.length);
      },
      stop: async () => {
        if (counted) this.health.sessionEnded();
        counted = false;
        try {
          await call?.end();
          log.info('twilio stream stopped');
        } catch (err) {
          log.warn({ err }, 'twilio: ending the conversation failed');
        }
      },
      invalid: (reason) => {
        this.health.protocolError(reason);
        if (++invalid >= MAX_INVALID) ws.close(1008, 'too many invalid messages');
      },
    });
    const entry = { ws, session };
    this.streams.add(entry);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return session.onText('');
      session.onText((Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8'));
    });
    ws.on('close', () => {
      this.streams.delete(entry);
      void session.onTransportClosed().catch((err: unknown) => log.warn({ err }, 'twilio: finishing the stream failed'));
    });
    ws.on('error', (err) => log.warn({ err }, 'twilio websocket error'));
  }

  async drain(): Promise<void> {
    await Promise.all(
      [...this.streams].map(async ({ ws, session }) => {
        await session.onTransportClosed();
        ws.close(1001, 'server shutting down');
      }),
    );
  }
}
