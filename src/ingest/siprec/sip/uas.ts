import { buildResponse, parseCSeq, topBranch, type ResponseOptions, type SipMessage, type SipRequest } from './message.js';
import type { Peer } from './transport.js';

/**
 * The server side of SIP transactions (RFC 3261 §17.2) for a user agent that only answers:
 * a retransmitted request gets the last response again, INVITE gets 100 Trying at once, a 2xx to
 * INVITE over UDP is retransmitted (T1 doubling up to T2) until the ACK arrives, and CANCEL ends a
 * pending INVITE with 487. Transactions are bounded in number and forgotten after Timer J.
 */

export const T1_MS = 500;
export const T2_MS = 4000;
const TXN_LIFETIME_MS = 64 * T1_MS;
const MAX_TRANSACTIONS = 20_000;

export interface ServerTransaction {
  readonly request: SipRequest;
  readonly peer: Peer;
  /** Sends a final (or provisional) response; a second final response is ignored. */
  respond(status: number, options?: ResponseOptions): void;
  readonly answered: boolean;
}

export interface UasHandlers {
  /** A new request (not a retransmission, not ACK or CANCEL). Answer it through `txn.respond`. */
  request(txn: ServerTransaction): void;
  /** The ACK for a 2xx (the dialog is confirmed). */
  ack(request: SipRequest, peer: Peer): void;
  /** A pending INVITE was cancelled (it has already been answered 487). */
  cancelled(invite: SipRequest): void;
  /** A 2xx to INVITE was never acknowledged within 64·T1. */
  ackTimeout(invite: SipRequest): void;
}

interface Txn extends ServerTransaction {
  last?: Buffer;
  final: boolean;
  expiresAt: number;
  retransmit?: NodeJS.Timeout;
}

export class SipUas {
  private readonly txns = new Map<string, Txn>();
  /** 2xx responses to INVITE waiting for their ACK, by Call-ID and CSeq number. */
  private readonly awaitingAck = new Map<string, Txn>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly handlers: UasHandlers,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 5000);
    this.sweeper.unref();
  }

  get transactionCount(): number {
    return this.txns.size;
  }

  receive(message: SipMessage, peer: Peer): void {
    if (message.kind === 'response') return;
    const method = message.method;
    const branch = topBranch(message);
    if (method === 'ACK') return this.onAck(message, peer, branch);
    if (method === 'CANCEL') return this.onCancel(message, peer, branch);
    const key = `${branch}|${method}|${message.headers.get('call-id')}`;
    const existing = this.txns.get(key);
    if (existing) {
      if (existing.last) peer.send(existing.last);
      return;
    }
    if (this.txns.size >= MAX_TRANSACTIONS) {
      peer.send(buildResponse(message, 503, { headers: [['Retry-After', '5']] }));
      return;
    }
    const txn = this.create(message, peer);
    this.txns.set(key, txn);
    if (method === 'INVITE') txn.respond(100);
    this.handlers.request(txn);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const txn of this.txns.values()) if (txn.retransmit) clearTimeout(txn.retransmit);
    this.txns.clear();
    this.awaitingAck.clear();
  }

  private create(request: SipRequest, peer: Peer): Txn {
    const txn: Txn = {
      request,
      peer,
      final: false,
      expiresAt: this.now() + TXN_LIFETIME_MS,
      get answered() {
        return this.final;
      },
      respond: (status, options) => {
        if (txn.final) return;
        const data = buildResponse(request, status, options);
        txn.last = data;
        peer.send(data);
        if (status < 200) return;
        txn.final = true;
        txn.expiresAt = this.now() + TXN_LIFETIME_MS;
        if (request.method === 'INVITE' && status < 300) this.expectAck(txn);
      },
    };
    return txn;
  }

  private expectAck(txn: Txn): void {
    const key = ackKey(txn.request);
    this.awaitingAck.set(key, txn);
    if (txn.peer.transport !== 'UDP') {
      txn.retransmit = setTimeout(() => this.ackTimedOut(key, txn), TXN_LIFETIME_MS);
      return;
    }
    let interval = T1_MS;
    let elapsed = 0;
    const tick = () => {
      elapsed += interval;
      if (elapsed >= TXN_LIFETIME_MS) return this.ackTimedOut(key, txn);
      txn.peer.send(txn.last!);
      interval = Math.min(interval * 2, T2_MS);
      txn.retransmit = setTimeout(tick, interval);
    };
    txn.retransmit = setTimeout(tick, interval);
  }

  private ackTimedOut(key: string, txn: Txn): void {
    if (this.awaitingAck.get(key) !== txn) return;
    this.awaitingAck.delete(key);
    this.handlers.ackTimeout(txn.request);
  }

  private onAck(ack: SipRequest, peer: Peer, branch: string): void {
    // ACK of a non-2xx final response belongs to the INVITE transaction (same branch): absorb it.
    if (this.txns.has(`${branch}|INVITE|${ack.headers.get('call-id')}`)) {
      const txn = this.txns.get(`${branch}|INVITE|${ack.headers.get('call-id')}`)!;
      if (txn.final && !this.awaitingAck.has(ackKey(txn.request))) return;
    }
    const key = ackKey(ack);
    const pending = this.awaitingAck.get(key);
    if (pending) {
      clearTimeout(pending.retransmit);
      this.awaitingAck.delete(key);
      this.handlers.ack(ack, peer);
    }
  }

  private onCancel(cancel: SipRequest, peer: Peer, branch: string): void {
    const invite = this.txns.get(`${branch}|INVITE|${cancel.headers.get('call-id')}`);
    if (!invite) {
      peer.send(buildResponse(cancel, 481));
      return;
    }
    peer.send(buildResponse(cancel, 200));
    if (invite.final) return;
    invite.respond(487);
    this.handlers.cancelled(invite.request);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, txn] of this.txns) {
      if (txn.expiresAt <= now && (txn.final || now - txn.expiresAt > TXN_LIFETIME_MS)) this.txns.delete(key);
    }
  }
}

function ackKey(request: SipRequest): string {
  return `${request.headers.get('call-id')}|${parseCSeq(request.headers.get('cseq')!)!.seq}`;
}
