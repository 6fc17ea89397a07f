import type { ConversationEvent } from '../events.js';
import type { TelephonyConfig } from '../telephony.js';
import { planFromCommands } from './plan.js';
import { replay, type CaptureState } from './rules.js';
import type { CaptureCommand, RecordingPlan } from './types.js';

export * from './types.js';
export { reduce, replay, initialCaptureState, type CaptureState, type CaptureNote, type LiveRecording } from './rules.js';
export { planFromCommands } from './plan.js';

export interface ConversationPlan {
  readonly state: CaptureState;
  readonly commands: readonly CaptureCommand[];
  readonly plan: RecordingPlan;
}

/** Replays an ordered, de-duplicated timeline and returns the recording plan. Throws DomainError. */
export function planTimeline(conversationId: string, events: readonly ConversationEvent[], config: TelephonyConfig): ConversationPlan {
  const { state, commands } = replay(conversationId, events, config);
  return { state, commands, plan: planFromCommands(commands) };
}
