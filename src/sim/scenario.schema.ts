import { z } from 'zod';
import { PURPOSES } from '../domain/events.js';
import { SIGNATURE_HZ } from './signature.js';

/**
 * The scenario file (docs/scenarios.md): the telephony configuration, the participants, a
 * timeline in seconds, and what the recordings must hold. Validated here with readable paths
 * (`timeline.4.to`), then cross-checked in scenario.ts.
 */

const id = z.string().min(1).max(40).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
const ids = z.union([id, z.array(id).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const seconds = z.number().min(0).max(86_400);
const duration = z.number().positive().max(86_400);

export const CONFIG_KINDS = ['trunks', 'stations', 'flows', 'queues', 'users'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

const entities = z.record(id, z.record(z.string(), z.unknown()).default({})).default({});
export const inlineConfigSchema = z.strictObject({
  trunks: entities,
  stations: entities,
  flows: entities,
  queues: entities,
  users: entities,
});
export type ScenarioConfig = z.infer<typeof inlineConfigSchema>;

const participantSchema = z.strictObject({
  purpose: z.enum(PURPOSES),
  /** A user of `config.users` (or of the organization, for ids the scenario does not configure). */
  user: id.optional(),
  station: id.optional(),
  trunk: id.optional(),
  name: z.string().max(200).optional(),
  address: z.string().max(128).optional(),
  signature: z.union(SIGNATURE_HZ.map((hz) => z.literal(hz)) as [z.ZodLiteral<number>, ...z.ZodLiteral<number>[]]).optional(),
  codec: z.enum(['PCMU', 'PCMA', 'L16']).default('PCMU'),
  sampleRate: z.union([z.literal(8000), z.literal(16000)]).default(8000),
  /** Seconds this participant's audio is sent behind the others (a slower media path). */
  delay: z.number().min(0).max(10).default(0),
  /** When the participant talks, in conversation seconds; default: from joining until leaving, wrap-up or the end. */
  speaks: z.union([z.literal(false), z.array(z.tuple([seconds, seconds])).min(1)]).optional(),
});
export type ParticipantDef = z.infer<typeof participantSchema>;

/** One verb per timeline step; its other keys are that verb's details. */
export const STEP_SCHEMAS = {
  start: z.strictObject({ start: z.enum(['inbound', 'outbound', 'internal']), trunk: id.optional(), ani: z.string().max(64).optional(), dnis: z.string().max(64).optional(), region: z.string().max(32).optional() }),
  join: z.strictObject({ join: ids }),
  leave: z.strictObject({ leave: ids }),
  ivr: z.strictObject({ ivr: ids, flow: id.optional() }),
  wait: z.strictObject({ wait: ids, queue: id.optional() }),
  talk: z.strictObject({ talk: ids }),
  hold: z.strictObject({ hold: ids }),
  wrapup: z.strictObject({ wrapup: ids }),
  wrapupDone: z.strictObject({ wrapupDone: id, code: id.optional() }),
  consent: z.strictObject({ consent: z.boolean() }),
  transfer: z.strictObject({ transfer: z.enum(['blind', 'consult', 'external']), from: id, to: id }),
  consult: z.strictObject({ consult: z.array(id).min(2) }),
  consultEnd: z.strictObject({ consultEnd: z.literal(true) }),
  monitor: z.strictObject({ monitor: id, target: id }),
  coach: z.strictObject({ coach: id, target: id }),
  barge: z.strictObject({ barge: id, target: id }),
  monitorEnd: z.strictObject({ monitorEnd: id }),
  securePause: z.strictObject({ securePause: z.boolean() }),
  adhoc: z.strictObject({ adhoc: id, record: z.boolean() }),
  snippet: z.strictObject({ snippet: id, record: z.boolean() }),
  end: z.strictObject({ end: z.literal(true) }),
  /** Any conversation event as on the wire, without eventId, conversationId and at. */
  event: z.strictObject({ event: z.looseObject({ type: z.string() }) }),
} as const;
export type Verb = keyof typeof STEP_SCHEMAS;
export const VERBS = Object.keys(STEP_SCHEMAS) as Verb[];
export type Step = { [V in Verb]: { at: number; verb: V; args: z.infer<(typeof STEP_SCHEMAS)[V]> } }[Verb];

const stepSchema = z
  .looseObject({ at: seconds })
  .transform((raw, ctx): Step => {
    const { at, ...rest } = raw;
    const verbs = VERBS.filter((v) => v in rest);
    if (verbs.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: verbs.length === 0 ? `needs one of: ${VERBS.join(', ')}` : `has several verbs (${verbs.join(', ')}); use one step each`,
      });
      return z.NEVER;
    }
    const verb = verbs[0]!;
    const parsed = STEP_SCHEMAS[verb].safeParse(rest);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return { at, verb, args: parsed.data } as Step;
  });

export const CUT_REASONS = ['FlowOrQueue', 'Hold', 'SecurePause', 'Pause'] as const;
export const EXPECTED_KINDS = ['trunk', 'station', 'consult', 'adhoc', 'snippet'] as const;
export type ExpectedKind = (typeof EXPECTED_KINDS)[number];

const spanSchema = z.strictObject({
  from: seconds,
  to: duration,
  ch1: z.array(id),
  ch2: z.array(id),
});

const annotationSchema = z.strictObject({
  reason: z.enum(CUT_REASONS),
  /** Position in the recording's media, in seconds. */
  at: seconds,
  /** Real-time length of the annotated stretch, in seconds. */
  duration,
  /** Cut from the media (the default), or kept in it and only annotated (a recorded hold). */
  cut: z.boolean().default(true),
});

const recordingSchema = z.strictObject({
  kind: z.enum(EXPECTED_KINDS),
  /** The participant whose perspective the recording takes (channel 1 of trunk, station, ad-hoc and snippet recordings). */
  perspective: id,
  /** The owner (station, ad-hoc and snippet recordings), a `config.users` id. */
  user: id.optional(),
  /** When the recording starts, in conversation seconds. */
  startsAt: seconds.optional(),
  /** Seconds of media; 0 when every moment was cut. */
  duration: seconds,
  format: z.enum(['WAV', 'WAV_ULAW', 'OGG_OPUS']).optional(),
  /** Whether the recording carries the trunk's beep-tone setting ("Beep tone support": trunk-side yes, station-side no). */
  beepTone: z.boolean().optional(),
  /** 2 for dual channel (the default), 1 when the recording is the sum of both sides. */
  channels: z.union([z.literal(1), z.literal(2)]).default(2),
  annotations: z.array(annotationSchema).default([]),
  /** Who is audible on each channel, in recording seconds, covering 0 to `duration` without gaps. */
  spans: z.array(spanSchema).default([]),
});
export type ExpectedRecording = z.infer<typeof recordingSchema>;
export type ExpectedSpan = z.infer<typeof spanSchema>;
export type ExpectedAnnotation = z.infer<typeof annotationSchema>;

/** How closely the recordings must match; the defaults are justified in docs/scenarios.md. */
const toleranceSchema = z.strictObject({
  /** Seconds either side of a span boundary where either neighbour's voices are accepted. */
  boundary: z.number().min(0).max(5).default(0.15),
  /** Seconds a recording's length, start or annotation may be off by. */
  duration: z.number().min(0).max(5).default(0.1),
  /** A mismatch shorter than this (seconds) is noise, not a finding. */
  minimumMismatch: z.number().min(0).max(5).default(0.15),
});
export type Tolerance = z.infer<typeof toleranceSchema>;
export const DEFAULT_TOLERANCE: Tolerance = toleranceSchema.parse({});

const deliverySchema = z.strictObject({
  /** Post every batch of events twice (idempotent retries). */
  repeatEvents: z.boolean().default(false),
  /** Send every 10th audio frame twice. */
  duplicateFrames: z.boolean().default(false),
  /** Send each pair of audio frames in reverse order. */
  reorderFrames: z.boolean().default(false),
  /** Post each event this many seconds after the audio has passed its instant (inside the server's ordering window). */
  eventLag: z.number().min(0).max(10).default(0),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const scenarioFileSchema = z.strictObject({
  name: z.string().min(1).max(60).regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1).max(200),
  /** The seed sentence (or CONFORMANCE.md row) the scenario demonstrates. */
  seed: z.string().max(2000).optional(),
  /** Inline configuration, or the path of a `*.config.yaml` file next to it. */
  config: z.union([z.string().min(1), inlineConfigSchema]).optional(),
  participants: z.record(id, participantSchema),
  timeline: z.array(stepSchema).min(1),
  expect: z.strictObject({
    recordings: z.array(recordingSchema),
    tolerance: toleranceSchema.default(DEFAULT_TOLERANCE),
  }),
  delivery: deliverySchema.default(deliverySchema.parse({})),
});
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
