import type { Station, TelephonyConfig, Trunk } from '../telephony.js';
import { isInternalParty, isOnCall, type ConversationState, type ParticipantState } from '../timeline/state.js';

/** Lookups the capture rules share: which trunk, which station, which party is "the external participant". */

export const isExternalCall = (c: ConversationState) => c.direction === 'inbound' || c.direction === 'outbound';

/** The external participant whose perspective trunk-side recording takes: the first external customer to join. */
export function externalParty(c: ConversationState): ParticipantState | undefined {
  for (const id of c.joinOrder) {
    const p = c.participants[id]!;
    if (p.purpose === 'customer' && p.userId === undefined) return p;
  }
  return undefined;
}

export function trunkOf(c: ConversationState, config: TelephonyConfig): Trunk | undefined {
  const trunkId = c.trunkId ?? externalParty(c)?.trunkId;
  return trunkId === undefined ? undefined : config.trunks.get(trunkId);
}

/** Trunk-side recording applies: an external call on a trunk with recording enabled. */
export function recordingTrunk(c: ConversationState, config: TelephonyConfig): Trunk | undefined {
  const trunk = trunkOf(c, config);
  return isExternalCall(c) && trunk?.recording ? trunk : undefined;
}

export function stationOf(p: ParticipantState, config: TelephonyConfig): Station | undefined {
  const stationId = p.stationId ?? (p.userId ? config.users.get(p.userId)?.stationId : undefined);
  return stationId === undefined ? undefined : config.stations.get(stationId);
}

/** Parties whose station can record them: agents and users, and an internal user calling in as a customer. */
export const canHaveStationRecording = (p: ParticipantState) => isInternalParty(p);

/** After an external transfer, only external parties are left talking ("an external to external connected call"). */
export function isExternalToExternal(c: ConversationState): boolean {
  if (!c.transfers.some((t) => t.kind === 'external')) return false;
  return !Object.values(c.participants).some(
    (p) => isOnCall(p) && (isInternalParty(p) || p.purpose === 'ivr' || p.purpose === 'acd'),
  );
}

/** Distinct users who have handled the call (picked it up). */
export function handlingUsers(c: ConversationState): Set<string> {
  const users = new Set<string>();
  for (const p of Object.values(c.participants)) {
    if ((p.purpose === 'agent' || p.purpose === 'user') && p.firstInteractAtMs !== undefined && p.userId) users.add(p.userId);
  }
  return users;
}
