import { z } from 'zod';
import { isTimeZone, parseDateRange, parseDurationRange, parseTimeOfDay } from './time.js';

/**
 * Media retention policies with the reference API's field names (Policy, MediaPolicies,
 * CallMediaPolicyConditions, PolicyActions). Entity references are stored as `{id}`; unknown
 * fields are dropped, as the reference SDKs send fields newer or older than ours. Rules the
 * shape alone cannot say are checked here too, each with a stable error code on its field.
 */

/** Longest retention a policy may ask for: 100 years. */
export const MAX_RETENTION_DAYS = 36_500;
/** "Screen-recording policies max 1 year." */
export const MAX_SCREEN_RETENTION_DAYS = 365;

const id = z.string().trim().min(1).max(128);
/** An entity reference as clients send it; the name and selfUri we render ourselves. */
const ref = z.object({ id }).transform((r) => ({ id: r.id }));
const refs = (max: number) => z.array(ref).max(max);

const fail = (ctx: z.RefinementCtx, path: PropertyKey[], errorCode: string, message: string) =>
  ctx.addIssue({ code: 'custom', path, message, params: { errorCode } });

const days = z.number().int().min(1).max(MAX_RETENTION_DAYS);
const archiveRetention = z.object({ days, storageMedium: z.enum(['CLOUDARCHIVE']).default('CLOUDARCHIVE') });
const deleteRetention = z.object({ days });

function archiveBeforeDelete(r: { archiveRetention?: { days: number }; deleteRetention?: { days: number } }, ctx: z.RefinementCtx) {
  if (r.archiveRetention && r.deleteRetention && r.archiveRetention.days >= r.deleteRetention.days) {
    fail(ctx, ['archiveRetention', 'days'], 'policy.archiveAfterDelete', 'archive days must be fewer than delete days: a deleted recording cannot be archived');
  }
}

const retentionDuration = z
  .object({ archiveRetention: archiveRetention.optional(), deleteRetention: deleteRetention.optional() })
  .superRefine(archiveBeforeDelete);

const timeOfDay = z.string().refine((v) => parseTimeOfDay(v) !== undefined, 'must be a time of day HH:mm[:ss[.SSS]]');
const timeSlot = z
  .object({ startTime: timeOfDay, stopTime: timeOfDay, day: z.number().int().min(1).max(7) })
  .superRefine((s, ctx) => {
    if (parseTimeOfDay(s.startTime)! >= parseTimeOfDay(s.stopTime)!) fail(ctx, ['stopTime'], 'policy.emptyTimeSlot', 'stopTime must be after startTime');
  });

const timeAllowed = z.object({
  timeSlots: z.array(timeSlot).max(100).default([]),
  timeZoneId: z
    .string()
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris', params: { errorCode: 'policy.unknownTimeZone' } })
    .default('UTC'),
  empty: z.boolean().optional(),
});

const duration = z
  .object({
    durationTarget: z.enum(['DURATION', 'DURATION_RANGE']).optional(),
    durationOperator: z.string().max(32).optional(),
    durationRange: z.string().max(64),
    durationMode: z.enum(['Between', 'Over', 'Under']),
  })
  .superRefine((d, ctx) => {
    const range = parseDurationRange(d.durationRange);
    const want = d.durationMode === 'Between' ? 2 : 1;
    if (!range || range.length !== want) {
      const example = want === 2 ? 'PT1M/PT5M' : 'PT5M';
      fail(ctx, ['durationRange'], 'policy.invalidDuration', `durationMode ${d.durationMode} needs ${want === 2 ? 'two ISO-8601 durations' : 'one ISO-8601 duration'}, e.g. ${example}`);
    } else if (want === 2 && range[0]! >= range[1]!) {
      fail(ctx, ['durationRange'], 'policy.invalidDuration', 'the first duration of a Between range must be the shorter');
    }
  });

const dateRange = z.string().refine((v) => parseDateRange(v) !== undefined, {
  message: 'must be an ISO-8601 interval start/end with start before end, e.g. 2026-01-01T00:00:00Z/2026-02-01T00:00:00Z',
  params: { errorCode: 'policy.invalidDateRange' },
});

/** Conditions not backed by anything Capstan knows: accepted when empty, refused otherwise. */
const unsupportedList = (what: string) =>
  z
    .array(z.unknown())
    .superRefine((v, ctx) => {
      if (v.length > 0) fail(ctx, [], 'policy.unsupported', `${what} are not supported by Capstan; leave the list empty`);
    })
    .transform(() => undefined)
    .optional();

export const policyConditionsSchema = z.object({
  forUsers: refs(1000).optional(),
  directions: z.array(z.enum(['INBOUND', 'OUTBOUND'])).max(2).optional(),
  dateRanges: z.array(dateRange).max(100).optional(),
  forQueues: refs(1000).optional(),
  wrapupCodes: refs(1000).optional(),
  languages: refs(100).optional(),
  timeAllowed: timeAllowed.optional(),
  duration: duration.optional(),
  mediaTypes: z.array(z.enum(['CALL', 'CHAT'])).optional(),
  teams: unsupportedList('team conditions'),
  customerParticipation: z.enum(['YES', 'NO']).optional(),
});

const screenRecordingAction = z
  .object({
    recordACW: z.boolean().optional(),
    archiveRetention: archiveRetention.optional(),
    deleteRetention: z.object({ days: z.number().int().min(1) }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.deleteRetention && s.deleteRetention.days > MAX_SCREEN_RETENTION_DAYS) {
      fail(ctx, ['deleteRetention', 'days'], 'policy.screenRetentionTooLong', `screen recordings are kept at most ${MAX_SCREEN_RETENTION_DAYS} days`);
    }
    archiveBeforeDelete(s, ctx);
  });

export const policyActionsSchema = z
  .object({
    retainRecording: z.boolean().optional(),
    deleteRecording: z.boolean().optional(),
    alwaysDelete: z.boolean().optional(),
    assignEvaluations: z.array(z.object({ evaluationForm: ref, user: ref })).max(100).optional(),
    retentionDuration: retentionDuration.optional(),
    initiateScreenRecording: screenRecordingAction.optional(),
    integrationExport: z.object({ integration: ref, shouldExportScreenRecordings: z.boolean().optional() }).optional(),
    assignMeteredEvaluations: unsupportedList('metered evaluation assignments'),
    assignMeteredAssignmentByAgent: unsupportedList('metered assignments by agent'),
    assignCalibrations: unsupportedList('calibration assignments'),
    assignSurveys: unsupportedList('survey assignments'),
  })
  .superRefine((a, ctx) => {
    if (a.retainRecording === false && !a.deleteRecording && !a.alwaysDelete) {
      fail(ctx, ['retainRecording'], 'policy.noRetentionAction', 'a policy that does not retain recordings must delete them: set deleteRecording or alwaysDelete');
    }
    if (a.retainRecording === false && a.deleteRecording && a.retentionDuration?.deleteRetention) {
      fail(ctx, ['retentionDuration', 'deleteRetention'], 'policy.conflictingRetention', 'deleteRecording deletes at once; a delete retention would never apply');
    }
  });

export const mediaPolicySchema = z.object({
  conditions: policyConditionsSchema.optional(),
  actions: policyActionsSchema.optional(),
});

export const policyInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  order: z.number().int().min(0).max(1_000_000).optional(),
  mediaPolicies: z
    .object({
      callPolicy: mediaPolicySchema.optional(),
      chatPolicy: mediaPolicySchema.optional(),
      emailPolicy: mediaPolicySchema.optional(),
      messagePolicy: mediaPolicySchema.optional(),
    })
    .optional(),
  /** The legacy, pre-media form: evaluated for calls when `mediaPolicies.callPolicy` is absent. */
  conditions: policyConditionsSchema.optional(),
  actions: policyActionsSchema.optional(),
});

export const policyPatchSchema = z.object({ enabled: z.boolean() });

export type PolicyInput = z.infer<typeof policyInputSchema>;
export type PolicyConditions = z.infer<typeof policyConditionsSchema>;
export type PolicyActions = z.infer<typeof policyActionsSchema>;
export type MediaPolicy = z.infer<typeof mediaPolicySchema>;
export type MediaPolicyInput = z.input<typeof mediaPolicySchema>;

/** A stored policy: its definition plus what Capstan keeps about its life. */
export interface Policy {
  readonly id: string;
  readonly definition: PolicyInput;
  readonly createdAtMs: number;
  readonly modifiedAtMs: number;
  /**
   * When the policy was last switched on (or created enabled); null while disabled. A policy
   * applies only to conversations that started at or after this instant.
   */
  readonly enabledAtMs: number | null;
}

/** The policy that governs calls: `mediaPolicies.callPolicy`, else the legacy top-level form. */
export function callPolicyOf(definition: PolicyInput): MediaPolicy {
  return definition.mediaPolicies?.callPolicy ?? { conditions: definition.conditions, actions: definition.actions };
}

export interface PolicyReferences {
  readonly users: string[];
  readonly queues: string[];
  readonly integrations: string[];
}

/** Every entity a policy names that must exist, with the field that names it (for error details). */
export function policyReferences(definition: PolicyInput): Array<{ kind: keyof PolicyReferences; id: string; fieldName: string }> {
  const out: Array<{ kind: keyof PolicyReferences; id: string; fieldName: string }> = [];
  const media: Array<[string, MediaPolicy | undefined]> = [
    ...Object.entries(definition.mediaPolicies ?? {}).map(([k, v]) => [`mediaPolicies.${k}`, v] as [string, MediaPolicy | undefined]),
    ['', { conditions: definition.conditions, actions: definition.actions }],
  ];
  for (const [prefix, policy] of media) {
    const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
    policy?.conditions?.forUsers?.forEach((u, i) => out.push({ kind: 'users', id: u.id, fieldName: at(`conditions.forUsers.${i}.id`) }));
    policy?.conditions?.forQueues?.forEach((q, i) => out.push({ kind: 'queues', id: q.id, fieldName: at(`conditions.forQueues.${i}.id`) }));
    policy?.actions?.assignEvaluations?.forEach((a, i) => out.push({ kind: 'users', id: a.user.id, fieldName: at(`actions.assignEvaluations.${i}.user.id`) }));
    const integration = policy?.actions?.integrationExport?.integration;
    if (integration) out.push({ kind: 'integrations', id: integration.id, fieldName: at('actions.integrationExport.integration.id') });
  }
  return out;
}

/** The longest delete retention any action of the policy asks for (the `deleteDaysThreshold` filter). */
export function longestDeleteDays(definition: PolicyInput): number {
  const all = [...Object.values(definition.mediaPolicies ?? {}), { conditions: definition.conditions, actions: definition.actions }];
  let longest = 0;
  for (const p of all) {
    longest = Math.max(longest, p?.actions?.retentionDuration?.deleteRetention?.days ?? 0, p?.actions?.initiateScreenRecording?.deleteRetention?.days ?? 0);
  }
  return longest;
}
