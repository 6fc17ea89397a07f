import { z } from 'zod';

/**
 * Telephony recording configuration (DESIGN section 4): trunks, stations, flows, queues and users
 * as far as recording is concerned, with the seed's defaults. Unknown ids resolve to "not
 * configured": no trunk or station recording, and no suppression.
 */

export const AUDIO_FORMATS = ['WAV', 'WAV_ULAW', 'OGG_OPUS'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

const name = z.string().trim().min(1).max(200);
const entityId = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
const region = z.string().trim().min(1).max(32);
const audio = {
  /** "Dual channel support": two channels (who speaks / who listens) or their sum. */
  dualChannel: z.boolean().default(true),
  /** "Choice in audio format". */
  format: z.enum(AUDIO_FORMATS).default('WAV_ULAW'),
  sampleRate: z.union([z.literal(8000), z.literal(16000)]).default(8000),
  /** Media region the recording is stored in when regional storage is on; unset = the home region. */
  region: region.optional(),
};

export const trunkSchema = z.object({
  id: entityId,
  name,
  /** Trunk-side (line) recording. Seed: "Genesys recommends enabling trunk-side recording by default". */
  recording: z.boolean().default(true),
  /** Optional recording of holds; off = "recording suppression on hold". */
  recordHolds: z.boolean().default(true),
  /** "Consult recording: Configurable at trunk". */
  consultRecording: z.boolean().default(false),
  /** Seed: "By default, Genesys Cloud does not continue recording after an external transfer". */
  continueOnExternalTransfer: z.boolean().default(false),
  /** "Recording only by consent: Configurable at trunk". */
  consentRequired: z.boolean().default(false),
  /** "Beep tone support: Yes" (trunk-side only); stored with each recording. */
  beepTone: z.boolean().default(false),
  ...audio,
});

export const stationSchema = z.object({
  id: entityId,
  name,
  /** Station-side recording: "enable station-side recording for users only when recording of internal calls is essential". */
  recording: z.boolean().default(false),
  ...audio,
});

export const flowSchema = z.object({
  id: entityId,
  name,
  /** Architect's "Suppress recording for the entire flow". */
  suppressRecording: z.boolean().default(false),
  /** The flow asks the caller for recording consent. */
  consentPrompt: z.boolean().default(false),
});

export const queueSchema = z.object({
  id: entityId,
  name,
  /** "Continue Voice Recording during Queue Wait"; off = queue-wait suppression. */
  recordQueueWait: z.boolean().default(true),
});

export const userSchema = z.object({
  id: entityId,
  name,
  email: z.string().max(200).optional(),
  stationId: entityId.optional(),
  /** External partners (outsourcers) get no screen recording. */
  externalPartner: z.boolean().default(false),
  /** The user's ACD calls are screen recorded (when the org allows more simultaneous streams). */
  screenRecording: z.boolean().default(false),
});

export type Trunk = z.infer<typeof trunkSchema>;
export type Station = z.infer<typeof stationSchema>;
export type Flow = z.infer<typeof flowSchema>;
export type Queue = z.infer<typeof queueSchema>;
export type TelephonyUser = z.infer<typeof userSchema>;

export const TELEPHONY_KINDS = {
  trunks: trunkSchema,
  stations: stationSchema,
  flows: flowSchema,
  queues: queueSchema,
  users: userSchema,
} as const;
export type TelephonyKind = keyof typeof TELEPHONY_KINDS;
export type TelephonyEntity<K extends TelephonyKind> = z.infer<(typeof TELEPHONY_KINDS)[K]>;

/** What the capture rules read: every configured entity a conversation may refer to. */
export interface TelephonyConfig {
  readonly trunks: ReadonlyMap<string, Trunk>;
  readonly stations: ReadonlyMap<string, Station>;
  readonly flows: ReadonlyMap<string, Flow>;
  readonly queues: ReadonlyMap<string, Queue>;
  readonly users: ReadonlyMap<string, TelephonyUser>;
}

export function telephonyConfig(parts: {
  trunks?: Iterable<Trunk>;
  stations?: Iterable<Station>;
  flows?: Iterable<Flow>;
  queues?: Iterable<Queue>;
  users?: Iterable<TelephonyUser>;
}): TelephonyConfig {
  const byId = <T extends { id: string }>(items: Iterable<T> = []) => new Map([...items].map((i) => [i.id, i]));
  return {
    trunks: byId(parts.trunks),
    stations: byId(parts.stations),
    flows: byId(parts.flows),
    queues: byId(parts.queues),
    users: byId(parts.users),
  };
}

/** Builds an entity from partial input with the seed's defaults filled in (throws on invalid input). */
export function withDefaults<K extends TelephonyKind>(kind: K, input: unknown): TelephonyEntity<K> {
  return TELEPHONY_KINDS[kind].parse(input) as TelephonyEntity<K>;
}
