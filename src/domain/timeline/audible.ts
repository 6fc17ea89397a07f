import { type ConversationState, type ParticipantState, isConnected, isInternalParty, isOnCall } from './state.js';

/**
 * The audible graph (DESIGN section 3): at an instant, whose voice does each participant hear?
 * - the customer hears IVR prompts, then queue audio, then the agent(s);
 * - a participant on hold is out of the conversation's audio: nobody hears them, they hear no one;
 * - in a consult the consulting parties hear each other and not the customer;
 * - a monitor is heard by nobody, a coach by the coached agent only, a barge by everyone.
 */

/** Parties talking together in the main call: connected, interacting, not held, not in the consult. */
export function bridge(state: ConversationState): ParticipantState[] {
  const consulting = new Set(state.consult?.participantIds ?? []);
  return Object.values(state.participants).filter((p) => {
    if (!isConnected(p)) return false;
    if (p.monitoring?.mode === 'barge') return true;
    if (p.purpose === 'monitor' || p.purpose === 'coach' || p.purpose === 'barge') return false;
    if (p.purpose === 'ivr' || p.purpose === 'acd') return false;
    return p.segment === 'interact' && !consulting.has(p.id);
  });
}

const ids = (ps: ParticipantState[]) => ps.map((p) => p.id).sort();

function coachesOf(state: ConversationState, targetId: string): ParticipantState[] {
  return Object.values(state.participants).filter(
    (p) => isConnected(p) && p.monitoring?.mode === 'coach' && p.monitoring.targetParticipantId === targetId,
  );
}

/** Ids of the participants whose voice `participantId` hears now, sorted. */
export function hears(state: ConversationState, participantId: string): string[] {
  const x = state.participants[participantId];
  if (!x || !isConnected(x)) return [];

  if (x.monitoring && x.monitoring.mode !== 'barge') {
    // A silent listener hears the call as its target hears it, plus the target.
    const target = x.monitoring.targetParticipantId;
    return [...new Set([target, ...hears(state, target)])].filter((id) => id !== x.id).sort();
  }
  if (x.monitoring?.mode === 'barge') return ids(bridge(state).filter((p) => p.id !== x.id));

  const coaches = coachesOf(state, x.id);
  if (state.consult?.participantIds.includes(x.id)) {
    const others = state.consult.participantIds.filter((id) => id !== x.id && isConnected(state.participants[id]!));
    return [...others, ...ids(coaches)].sort();
  }
  switch (x.segment) {
    case 'ivr':
      return ids(Object.values(state.participants).filter((p) => p.purpose === 'ivr' && isConnected(p)));
    case 'queue':
      return ids(Object.values(state.participants).filter((p) => p.purpose === 'acd' && isConnected(p)));
    case 'interact':
      return ids([...bridge(state).filter((p) => p.id !== x.id), ...coaches]);
    default:
      return [];
  }
}

/**
 * Is this party held: out of the conversation's audio while others take care of the call? Either
 * its own segment says hold, or it is alone in the call while an internal party has it on hold or
 * is consulting someone else.
 */
export function isHeld(state: ConversationState, participantId: string): boolean {
  const x = state.participants[participantId];
  if (!x || !isOnCall(x)) return false;
  if (x.segment === 'hold') return true;
  if (x.segment !== 'interact' || state.consult?.participantIds.includes(x.id)) return false;
  const alone = bridge(state).every((p) => p.id === x.id);
  if (!alone) return false;
  const consulting = new Set(state.consult?.participantIds ?? []);
  return Object.values(state.participants).some(
    (p) => p.id !== x.id && isInternalParty(p) && isOnCall(p) && (p.segment === 'hold' || consulting.has(p.id)),
  );
}
