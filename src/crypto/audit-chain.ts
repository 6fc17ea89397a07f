import { createHash } from 'node:crypto';

/**
 * The audit trail is a hash chain per organization: event n stores the hash of event n-1 and its
 * own hash, computed over that previous hash and every stored field. Editing a field breaks the
 * event's own hash; removing or inserting an event breaks the link of the one after it; removing
 * the newest events is caught against the chain head kept beside the events (and, to catch a
 * rewrite of the whole chain, against a head recorded elsewhere: an anchor).
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Every stored field of an event, as the database holds it. */
export interface ChainedEvent {
  readonly orgId: string;
  readonly seq: number;
  readonly id: string;
  readonly eventDateMs: number;
  readonly serviceName: string;
  readonly level: string;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string | null;
  readonly entityName: string | null;
  readonly status: string;
  readonly userId: string | null;
  readonly clientId: string | null;
  readonly actorName: string | null;
  readonly remoteIp: string | null;
  readonly message: string | null;
  /** JSON text, hashed exactly as stored. */
  readonly propertyChanges: string;
  readonly context: string;
}

export interface StoredLink extends ChainedEvent {
  readonly prevHash: string;
  readonly hash: string;
}

export function chainHash(prevHash: string, e: ChainedEvent): string {
  const fields = [
    e.orgId, e.seq, e.id, e.eventDateMs, e.serviceName, e.level, e.action, e.entityType, e.entityId, e.entityName,
    e.status, e.userId, e.clientId, e.actorName, e.remoteIp, e.message, e.propertyChanges, e.context,
  ];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export type ChainVerdict =
  | { readonly ok: true; readonly events: number; readonly head: ChainHead }
  | { readonly ok: false; readonly events: number; readonly brokenAt: { readonly seq: number; readonly id?: string }; readonly reason: string };

/**
 * Walks one organization's events in sequence order and names the first broken link. `head` is
 * the stored chain head; `anchor`, when given, is a head recorded earlier that the chain must
 * still pass through.
 */
export async function verifyChain(links: AsyncIterable<StoredLink>, head: ChainHead | undefined, anchor?: ChainHead): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let events = 0;
  let anchorSeen = false;
  for await (const link of links) {
    const at = { seq: link.seq, id: link.id };
    if (link.seq !== expectedSeq) {
      return { ok: false, events, brokenAt: at, reason: `event ${expectedSeq}${link.seq - expectedSeq > 1 ? `..${link.seq - 1}` : ''} is missing before event ${link.seq} (removed)` };
    }
    if (link.prevHash !== prevHash) {
      return { ok: false, events, brokenAt: at, reason: `event ${link.seq} does not link to event ${link.seq - 1} (an event was inserted or replaced)` };
    }
    if (chainHash(prevHash, link) !== link.hash) {
      return { ok: false, events, brokenAt: at, reason: `event ${link.seq} was changed after it was written (its hash does not match its fields)` };
    }
    if (anchor && anchor.seq === link.seq) {
      if (anchor.hash !== link.hash) return { ok: false, events, brokenAt: at, reason: `event ${link.seq} is not the one anchored (the chain was rewritten)` };
      anchorSeen = true;
    }
    prevHash = link.hash;
    expectedSeq++;
    events++;
  }
  const last = { seq: expectedSeq - 1, hash: prevHash };
  if (anchor && !anchorSeen) {
    return { ok: false, events, brokenAt: { seq: Math.min(anchor.seq, last.seq + 1) }, reason: `the chain ends at event ${last.seq}, before the anchored event ${anchor.seq} (events were removed)` };
  }
  if (head && head.seq > last.seq) {
    return { ok: false, events, brokenAt: { seq: last.seq + 1 }, reason: `the chain ends at event ${last.seq} but ${head.seq} were written (the newest events were removed)` };
  }
  if (head && head.seq < last.seq) {
    return { ok: false, events, brokenAt: { seq: head.seq + 1 }, reason: `events after ${head.seq} were added outside Capstan` };
  }
  if (head && head.hash !== last.hash) {
    return { ok: false, events, brokenAt: { seq: last.seq }, reason: `event ${last.seq} is not the newest event Capstan wrote` };
  }
  return { ok: true, events, head: last };
}
