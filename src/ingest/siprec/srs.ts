import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Logger } from 'pino';
import { parseMetadata, type RecordingMetadata } from './metadata.js';
import { mediaType, parseSiprecBody } from './multipart.js';
import { parseSdp, type SessionDescription } from './sdp.js';
import { SrsRefusal, SrsSession, type MediaSocketOptions, type SrsRecorder } from './srs-session.js';
import { assignStreams } from './streams.js';
import { headerParam, optionTags, tagOf, type SipRequest } from './sip/message.js';
import { listenSip, type Peer, type SipListeners, type TransportOptions } from './sip/transport.js';
import { SipUas, type ServerTransaction } from './sip/uas.js';

/**
 * A SIPREC session recording server (RFC 7866) on its own small SIP stack: the dialog layer over
 * SipUas. Initial INVITEs become SrsSessions; re-INVITE and UPDATE pause, resume and update
 * metadata; BYE and CANCEL end; OPTIONS answers keep-alives. Anything malformed is answered with
 * the matching SIP error and touches no other session.
 */

export interface SiprecServerOptions {
  readonly sip: TransportOptions;
  readonly media: MediaSocketOptions;
  /** The address put in answers (`c=`, Contact); defaults to the address the request arrived on. */
  readonly advertisedAddress?: string;
  readonly maxSessions: number;
  /** Only these sources may start sessions (exact addresses or IPv4 CIDR blocks); empty = anyone. */
  readonly allowedSources: readonly string[];
  /** A session with no RTP nor SIP this long (while not paused) is ended. */
  readonly idleTimeoutMs: number;
  readonly now: () => number;
}

/** What the server reports as it goes (Capstan's SrsObserver fits). */
export interface SrsObserver {
  reject(reason: string, context: { remote?: string; [key: string]: unknown }): void;
  protocolError(detail: string, context: Record<string, unknown>): void;
  sessionStarted(): void;
  sessionEnded(): void;
  received(bytes: number): void;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE';
const SUPPORTED = ['siprec', 'timer'];

export class SiprecServer {
  private readonly sessions = new Map<string, SrsSession & { localTag: string; remoteTag: string }>();
  private readonly pending = new Map<string, { cancelled: boolean }>();
  private uas!: SipUas;
  private listeners!: SipListeners;
  private idleTimer!: NodeJS.Timeout;

  private constructor(
    private readonly options: SiprecServerOptions,
    private readonly recorder: SrsRecorder,
    private readonly health: SrsObserver,
    private readonly logger: Logger,
  ) {}

  static async listen(options: SiprecServerOptions, recorder: SrsRecorder, health: SrsObserver, logger: Logger): Promise<SiprecServer> {
    const server = new SiprecServer(options, recorder, health, logger);
    server.uas = new SipUas(
      {
        request: (txn) => server.onRequest(txn),
        ack: (ack) => server.sessionOf(ack)?.touch(),
        cancelled: (invite) => server.onCancelled(invite),
        ackTimeout: (invite) => void server.endSession(invite.headers.get('call-id')!, 'no ACK for the 200 OK'),
      },
      options.now,
    );
    server.listeners = await listenSip(options.sip, {
      message: (message, peer) => server.uas.receive(message, peer),
      malformed: (peer, reason) => health.protocolError(reason, { remote: `${peer.address}:${peer.port}/${peer.transport}` }),
    });
    server.idleTimer = setInterval(() => server.endIdle(), 5000);
    server.idleTimer.unref();
    return server;
  }

  get ports() {
    return { udp: this.listeners.udpPort, tcp: this.listeners.tcpPort, tls: this.listeners.tlsPort };
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Ends every session (their recordings are finalized), then stops listening. */
  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    await Promise.all([...this.sessions.keys()].map((callId) => this.endSession(callId, 'server shutting down')));
    this.uas.close();
    await this.listeners.close();
  }

  private onRequest(txn: ServerTransaction): void {
    const { request } = txn;
    const inDialog = tagOf(request.headers.get('to')) !== undefined;
    try {
      switch (request.method) {
        case 'OPTIONS':
          return txn.respond(200, { headers: [['Allow', ALLOW], ['Accept', 'application/sdp, application/rs-metadata+xml'], ['Supported', SUPPORTED.join(', ')]] });
        case 'INVITE':
          if (inDialog) return this.onReinvite(txn);
          void this.onInvite(txn).catch((err: unknown) => {
            this.logger.error({ err, callId: request.headers.get('call-id') }, 'siprec: INVITE failed');
            if (!txn.answered) txn.respond(500);
          });
          return;
        case 'UPDATE':
          return this.onReinvite(txn);
        case 'BYE': {
          const session = this.sessionOf(request);
          if (!session) return txn.respond(481);
          txn.respond(200);
          void this.endSession(session.info.callId, 'BYE');
          return;
        }
        default:
          return txn.respond(405, { headers: [['Allow', ALLOW]] });
      }
    } catch (err) {
      this.logger.error({ err, callId: request.headers.get('call-id') }, 'siprec: request failed');
      if (!txn.answered) txn.respond(500);
    }
  }

  private async onInvite(txn: ServerTransaction): Promise<void> {
    const { request, peer } = txn;
    const callId = request.headers.get('call-id')!;
    const remote = `${peer.address}:${peer.port}/${peer.transport}`;
    const refuse = (status: number, reason: string, headers: Array<[string, string]> = []) => {
      this.health.reject(reason, { remote, callId, status });
      txn.respond(status, { headers });
    };
    if (this.sessions.has(callId) || this.pending.has(callId)) return refuse(491, 'call already in progress');
    if (!sourceAllowed(peer.address, this.options.allowedSources)) return refuse(403, 'source address not allowed');
    const unsupported = optionTags(request.headers, 'require').filter((t) => !SUPPORTED.includes(t));
    if (unsupported.length) return refuse(420, `unsupported extension ${unsupported.join(',')}`, [['Unsupported', unsupported.join(', ')]]);
    if (this.sessions.size + this.pending.size >= this.options.maxSessions) return refuse(503, 'too many sessions', [['Retry-After', '10']]);

    const body = parseSiprecBody(request.headers.get('content-type'), request.body.toString('utf8'));
    const offer = body?.sdp === undefined ? undefined : parseSdp(body.sdp);
    if (!offer) return refuse(body ? 488 : 415, body ? 'offer has no usable SDP' : `unsupported body ${mediaType(request.headers.get('content-type')) || '(none)'}`);
    const metadata = body?.metadata === undefined ? undefined : parseMetadata(body.metadata);
    if (body?.metadata !== undefined && !metadata) this.health.protocolError('metadata is not RFC 7865 XML; streams are taken in order', { remote, callId });
    const assignment = assignStreams(offer, metadata);
    if (!assignment.streams.some((s) => s.party)) return refuse(488, 'no G.711 audio stream to record');

    const info = {
      callId,
      recordingId: recordingIdOf(request, metadata),
      remote,
      metadata,
      assignment,
      startedAtMs: this.options.now(),
    };
    const localTag = randomBytes(8).toString('hex');
    const session = Object.assign(new SrsSession(info, offer, this.options.now, (bytes) => this.health.received(bytes)), {
      localTag,
      remoteTag: tagOf(request.headers.get('from')) ?? '',
    });
    const pending = { cancelled: false };
    this.pending.set(callId, pending);
    try {
      await session.bindMedia(this.options.media);
      const sink = await this.recorder.begin(info);
      if (pending.cancelled) {
        this.pending.delete(callId);
        await sink.end('CANCEL', this.options.now());
        await session.end('CANCEL');
        return;
      }
      session.attach(sink);
    } catch (err) {
      this.pending.delete(callId);
      await session.end('refused');
      const status = err instanceof SrsRefusal ? err.status : 500;
      if (!(err instanceof SrsRefusal)) this.logger.error({ err, callId }, 'siprec: recorder failed to start');
      if (!pending.cancelled) refuse(status, err instanceof SrsRefusal ? err.message : 'recorder failed');
      return;
    }
    this.pending.delete(callId);
    this.sessions.set(callId, session);
    this.health.sessionStarted();
    const address = this.advertised(peer);
    txn.respond(200, {
      toTag: localTag,
      headers: [
        ['Contact', `<sip:srs@${hostPort(address, peer)};transport=${peer.transport.toLowerCase()}>;+sip.srs`],
        ['Allow', ALLOW],
        ['Supported', SUPPORTED.join(', ')],
        ...recordRoutes(request),
        ...sessionIdHeader(request, info.recordingId),
        ...sessionExpires(request),
      ],
      body: { type: 'application/sdp', content: session.answer(address) },
    });
    this.logger.info({ callId, remote, recordingId: info.recordingId, streams: assignment.streams.length, parties: assignment.parties.length }, 'siprec: session started');
  }

  private onReinvite(txn: ServerTransaction): void {
    const { request, peer } = txn;
    const session = this.sessionOf(request);
    if (!session) return txn.respond(481);
    session.touch();
    const body = request.body.length ? parseSiprecBody(request.headers.get('content-type'), request.body.toString('utf8')) : undefined;
    if (request.body.length && !body) {
      this.health.protocolError('re-INVITE body not understood', { callId: session.info.callId });
      return txn.respond(415);
    }
    let offer: SessionDescription | undefined;
    if (body?.sdp !== undefined) {
      offer = parseSdp(body.sdp);
      if (!offer) return txn.respond(488);
      session.update(offer);
    }
    if (body?.metadata !== undefined) {
      const metadata: RecordingMetadata | undefined = parseMetadata(body.metadata);
      if (metadata) session.metadata(metadata);
      else this.health.protocolError('metadata update is not RFC 7865 XML', { callId: session.info.callId });
    }
    const address = this.advertised(peer);
    txn.respond(200, {
      toTag: session.localTag,
      headers: [['Contact', `<sip:srs@${hostPort(address, peer)};transport=${peer.transport.toLowerCase()}>;+sip.srs`], ['Allow', ALLOW], ...sessionExpires(request)],
      // UPDATE without SDP gets no body; a re-INVITE always carries our current description.
      ...(offer || request.method === 'INVITE' ? { body: { type: 'application/sdp', content: session.answer(address) } } : {}),
    });
  }

  private onCancelled(invite: SipRequest): void {
    const pending = this.pending.get(invite.headers.get('call-id')!);
    if (pending) pending.cancelled = true;
  }

  private sessionOf(request: SipRequest) {
    const session = this.sessions.get(request.headers.get('call-id')!);
    if (!session) return undefined;
    const toTag = tagOf(request.headers.get('to'));
    const fromTag = tagOf(request.headers.get('from'));
    return toTag === session.localTag && fromTag === session.remoteTag ? session : undefined;
  }

  private async endSession(callId: string, reason: string): Promise<void> {
    const session = this.sessions.get(callId);
    if (!session) return;
    this.sessions.delete(callId);
    this.health.sessionEnded();
    try {
      await session.end(reason);
    } catch (err) {
      this.logger.error({ err, callId }, 'siprec: ending the session failed');
    }
    this.logger.info({ callId, reason, rtp: session.rtpStats }, 'siprec: session ended');
  }

  private endIdle(): void {
    const now = this.options.now();
    for (const [callId, session] of this.sessions) {
      if (!session.isPaused && now - session.lastActivityMs > this.options.idleTimeoutMs) void this.endSession(callId, 'idle: no RTP or SIP');
    }
  }

  private advertised(peer: Peer): string {
    if (this.options.advertisedAddress) return this.options.advertisedAddress;
    const local = peer.localAddress;
    if (local && local !== '0.0.0.0' && local !== '::') return local.replace(/^::ffff:/, '');
    return this.options.media.host !== '0.0.0.0' && this.options.media.host !== '::' ? this.options.media.host : '127.0.0.1';
  }
}

function hostPort(address: string, peer: Peer): string {
  return `${address.includes(':') ? `[${address}]` : address}:${peer.localPort}`;
}

function recordRoutes(request: SipRequest): Array<[string, string]> {
  return request.headers.all('record-route').map((v) => ['Record-Route', v]);
}

function sessionExpires(request: SipRequest): Array<[string, string]> {
  const value = request.headers.get('session-expires');
  const seconds = value ? /^(\d{1,6})/.exec(value)?.[1] : undefined;
  if (!seconds) return [];
  const refresher = headerParam(value!, 'refresher') ?? 'uac';
  return optionTags(request.headers, 'supported').includes('timer')
    ? [['Session-Expires', `${seconds};refresher=${refresher}`], ['Require', 'timer']]
    : [['Session-Expires', `${seconds};refresher=${refresher}`]];
}

/** RFC 7989: answer with our own UUID and theirs as `remote`. */
function sessionIdHeader(request: SipRequest, recordingId: string): Array<[string, string]> {
  const theirs = request.headers.get('session-id');
  if (!theirs) return [];
  const local = /^([0-9a-f]{32})/i.exec(theirs.trim())?.[1];
  const ours = createHash('sha256').update(`srs:${recordingId}`).digest('hex').slice(0, 32);
  return [['Session-ID', local ? `${ours};remote=${local.toLowerCase()}` : ours]];
}

/** The id a recorded call is known by: the SRC's Session-ID, the metadata's sipSessionID, else a hash of the Call-ID. */
export function recordingIdOf(request: SipRequest, metadata: RecordingMetadata | undefined): string {
  const fromHeader = /^([0-9a-f]{32})/i.exec(request.headers.get('session-id')?.trim() ?? '')?.[1];
  const fromMetadata = /^([0-9a-f]{32})/i.exec(metadata?.sipSessionId?.trim() ?? '')?.[1];
  const id = fromHeader ?? fromMetadata;
  if (id && !/^0+$/.test(id)) return id.toLowerCase();
  return createHash('sha256').update(request.headers.get('call-id')!).digest('hex').slice(0, 32);
}

export function sourceAllowed(address: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const plain = address.replace(/^::ffff:/, '');
  return allowed.some((entry) => {
    const [base, bits] = entry.split('/');
    if (bits === undefined) return base === plain;
    if (!net.isIPv4(base!) || !net.isIPv4(plain)) return false;
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
    return ((ipv4(base!) & mask) >>> 0) === ((ipv4(plain) & mask) >>> 0);
  });
}

const ipv4 = (a: string) => a.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
