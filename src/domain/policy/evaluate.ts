import type { RecordingKind } from '../capture/types.js';
import { matchConditions } from './conditions.js';
import type { PolicyFacts, RecordingFacts } from './facts.js';
import { callPolicyOf, MAX_SCREEN_RETENTION_DAYS, type Policy, type PolicyActions } from './schema.js';
import { DAY_MS } from './time.js';

/**
 * Policy evaluation at the end of a conversation (pure). The seeds' and CONFORMANCE.md's rules:
 * - "Policies run against any interactions that occur after you publish the policy": a policy
 *   applies only if it was enabled at or before the conversation's start.
 * - When several match, the recording is kept for the longest of their retentions; an explicit
 *   `alwaysDelete` wins over retention.
 * - "Genesys Cloud retains recordings of all external calls by default, even without any defined
 *   policies" (and station-side recordings of all interactions the user handled).
 * - Snippets: "The default retention period of the snippet recording can be configured", used
 *   unless a policy says otherwise.
 * - Screen recordings are kept at most one year, whatever a policy says.
 * - The organization's maximum interaction retention caps everything.
 * Every decision carries the policies that matched and why, so that "why will this be deleted on
 * that date?" has an answer.
 */

export interface RetentionSettings {
  readonly snippetRetentionDays: number;
  readonly maxInteractionRetentionDays: number | null;
}

/** What one policy says about how long a recording is kept. */
export type RetentionStatement =
  | { readonly kind: 'alwaysDelete' }
  | { readonly kind: 'deleteNow' }
  /** `deleteDays` null: indefinitely. */
  | { readonly kind: 'keep'; readonly deleteDays: number | null; readonly archiveDays: number | null };

export interface PolicyMatch {
  readonly policyId: string;
  readonly name: string;
  readonly reasons: readonly string[];
  readonly retention: RetentionStatement | null;
}

export type DecisionRule = 'alwaysDelete' | 'policy' | 'keptByDefault' | 'snippetDefault' | 'screenDefault' | 'userRecording';

export interface RetentionDecision {
  readonly recordingId: string;
  readonly evaluatedAtMs: number;
  readonly archiveAtMs: number | null;
  readonly deleteAtMs: number | null;
  readonly exportAtMs: number | null;
  readonly exportIntegrationId: string | null;
  readonly rule: DecisionRule;
  /** The policy whose retention won, when one did. */
  readonly winningPolicyId: string | null;
  readonly caps: ReadonlyArray<'screenMaximum' | 'orgMaximum'>;
  readonly matched: readonly PolicyMatch[];
  /** Policies whose conditions held but that were enabled after the conversation started. */
  readonly notYetEnabled: ReadonlyArray<{ policyId: string; name: string; enabledAtMs: number | null }>;
  /** The decision in sentences, in the order the rules were applied. */
  readonly explanation: readonly string[];
}

export interface EvaluationAssignment {
  readonly policyId: string;
  readonly evaluationFormId: string;
  readonly evaluatorUserId: string;
  /** "Evaluation assignments pick the first agent connected." */
  readonly agentUserId: string | null;
}

/** A decision as stored with its recording, with the conversation's evaluation assignments. */
export type StoredDecision = RetentionDecision & { readonly evaluations: readonly EvaluationAssignment[] };

export interface Evaluation {
  readonly decisions: readonly RetentionDecision[];
  readonly evaluations: readonly EvaluationAssignment[];
}

/** Kinds whose retention policies decide; ad-hoc recordings live in their owner's inbox instead. */
const POLICY_GOVERNED: ReadonlySet<RecordingKind> = new Set(['trunk', 'station', 'consult', 'snippet', 'screen']);

export function retentionOf(actions: PolicyActions | undefined, kind: RecordingKind): RetentionStatement | null {
  if (!actions) return null;
  if (actions.alwaysDelete) return { kind: 'alwaysDelete' };
  const screen = kind === 'screen' ? actions.initiateScreenRecording : undefined;
  if (screen?.deleteRetention || screen?.archiveRetention) {
    return { kind: 'keep', deleteDays: screen.deleteRetention?.days ?? null, archiveDays: screen.archiveRetention?.days ?? null };
  }
  if (actions.retainRecording === false && actions.deleteRecording) return { kind: 'deleteNow' };
  const duration = actions.retentionDuration;
  if (duration?.deleteRetention || duration?.archiveRetention) {
    return { kind: 'keep', deleteDays: duration.deleteRetention?.days ?? null, archiveDays: duration.archiveRetention?.days ?? null };
  }
  if (actions.retainRecording === true) return { kind: 'keep', deleteDays: null, archiveDays: null };
  return null;
}

/** How long a statement keeps a recording, for "the longest retention wins". */
const keptFor = (s: RetentionStatement) => (s.kind === 'keep' ? (s.deleteDays ?? Number.POSITIVE_INFINITY) : 0);
const archivedAfter = (s: RetentionStatement) => (s.kind === 'keep' ? (s.archiveDays ?? Number.POSITIVE_INFINITY) : 0);

export function describeRetention(s: RetentionStatement): string {
  if (s.kind === 'alwaysDelete') return 'always deletes';
  if (s.kind === 'deleteNow') return 'deletes at once';
  const keep = s.deleteDays === null ? 'keeps indefinitely' : `keeps for ${s.deleteDays} days`;
  return s.archiveDays === null ? keep : `${keep}, archiving after ${s.archiveDays} days`;
}

const day = (ms: number) => new Date(ms).toISOString();

export interface EvaluationInput {
  readonly facts: PolicyFacts;
  readonly recordings: readonly RecordingFacts[];
  readonly policies: readonly Policy[];
  readonly settings: RetentionSettings;
  readonly nowMs: number;
}

export function evaluatePolicies(input: EvaluationInput): Evaluation {
  const { facts, policies } = input;
  const ordered = [...policies].sort(
    (a, b) => (a.definition.order ?? Number.MAX_SAFE_INTEGER) - (b.definition.order ?? Number.MAX_SAFE_INTEGER) || a.definition.name.localeCompare(b.definition.name) || a.id.localeCompare(b.id),
  );
  const applicable: Array<{ policy: Policy; reasons: readonly string[] }> = [];
  const notYetEnabled: RetentionDecision['notYetEnabled'][number][] = [];
  for (const policy of ordered) {
    if (!policy.definition.enabled) continue;
    const result = matchConditions(callPolicyOf(policy.definition).conditions, facts);
    if (!result.matched) continue;
    if (policy.enabledAtMs === null || policy.enabledAtMs > facts.startedAtMs) {
      notYetEnabled.push({ policyId: policy.id, name: policy.definition.name, enabledAtMs: policy.enabledAtMs });
    } else {
      applicable.push({ policy, reasons: result.reasons });
    }
  }

  const firstAgent = facts.agentUserIds[0] ?? null;
  const evaluations = applicable.flatMap(({ policy }) =>
    (callPolicyOf(policy.definition).actions?.assignEvaluations ?? []).map((a) => ({
      policyId: policy.id,
      evaluationFormId: a.evaluationForm.id,
      evaluatorUserId: a.user.id,
      agentUserId: firstAgent,
    })),
  );
  return { decisions: input.recordings.map((r) => decide(input, r, applicable, notYetEnabled)), evaluations };
}

function decide(
  input: EvaluationInput,
  recording: RecordingFacts,
  applicable: ReadonlyArray<{ policy: Policy; reasons: readonly string[] }>,
  notYetEnabled: RetentionDecision['notYetEnabled'],
): RetentionDecision {
  const { nowMs, settings, facts } = input;
  const start = recording.startedAtMs;
  const explanation: string[] = [];
  const governed = POLICY_GOVERNED.has(recording.kind);
  const matched: PolicyMatch[] = governed
    ? applicable.map(({ policy, reasons }) => ({
        policyId: policy.id,
        name: policy.definition.name,
        reasons,
        retention: retentionOf(callPolicyOf(policy.definition).actions, recording.kind),
      }))
    : [];
  for (const p of notYetEnabled) {
    explanation.push(
      `Policy "${p.name}" would have matched, but ${p.enabledAtMs === null ? 'it is not enabled' : `it was enabled at ${day(p.enabledAtMs)}`}, after the conversation started at ${day(facts.startedAtMs)}: policies are not retroactive.`,
    );
  }

  let rule: DecisionRule;
  let winningPolicyId: string | null = null;
  let deleteAtMs: number | null = null;
  let archiveAtMs: number | null = null;
  const stated = matched.filter((m): m is PolicyMatch & { retention: RetentionStatement } => m.retention !== null);
  const always = stated.find((m) => m.retention.kind === 'alwaysDelete');

  if (!governed) {
    rule = 'userRecording';
    explanation.push('Ad-hoc recordings belong to their owner\'s inbox: retention policies do not govern them, so it is kept until deleted.');
  } else if (always) {
    rule = 'alwaysDelete';
    winningPolicyId = always.policyId;
    deleteAtMs = nowMs;
    explanation.push(`Policy "${always.name}" matched (${always.reasons.join('; ')}) and always deletes: that wins over the retention of any other matching policy.`);
  } else if (stated.length > 0) {
    rule = 'policy';
    const winner = stated.reduce((best, m) =>
      keptFor(m.retention) > keptFor(best.retention) || (keptFor(m.retention) === keptFor(best.retention) && archivedAfter(m.retention) > archivedAfter(best.retention)) ? m : best,
    );
    winningPolicyId = winner.policyId;
    const r = winner.retention;
    if (r.kind === 'deleteNow') deleteAtMs = nowMs;
    else if (r.kind === 'keep') {
      deleteAtMs = r.deleteDays === null ? null : start + r.deleteDays * DAY_MS;
      archiveAtMs = r.archiveDays === null ? null : start + r.archiveDays * DAY_MS;
    }
    explanation.push(`Policy "${winner.name}" matched (${winner.reasons.join('; ')}) and ${describeRetention(r)}.`);
    if (stated.length > 1) {
      const others = stated.filter((m) => m !== winner).map((m) => `"${m.name}" ${describeRetention(m.retention)}`);
      explanation.push(`${stated.length} policies matched and the longest retention wins; the others: ${others.join('; ')}.`);
    }
  } else if (recording.kind === 'snippet') {
    rule = 'snippetDefault';
    deleteAtMs = start + settings.snippetRetentionDays * DAY_MS;
    explanation.push(`No matching policy says how long to keep it: snippets take the organization's default snippet retention of ${settings.snippetRetentionDays} days.`);
  } else if (recording.kind === 'screen') {
    rule = 'screenDefault';
    explanation.push('No matching policy says how long to keep it.');
  } else {
    rule = 'keptByDefault';
    explanation.push(
      facts.direction === 'internal'
        ? 'No matching policy says how long to keep it: station-side recordings are kept indefinitely.'
        : 'No matching policy says how long to keep it: recordings of external calls are kept indefinitely ("Genesys Cloud retains recordings of all external calls by default").',
    );
  }
  const unstated = matched.filter((m) => m.retention === null);
  if (unstated.length > 0 && rule !== 'userRecording') {
    explanation.push(`Matching policies without a retention action: ${unstated.map((m) => `"${m.name}"`).join(', ')}.`);
  }

  const caps: Array<'screenMaximum' | 'orgMaximum'> = [];
  const cap = (limitMs: number, name: 'screenMaximum' | 'orgMaximum', sentence: string) => {
    if (deleteAtMs === null || deleteAtMs > limitMs) {
      deleteAtMs = limitMs;
      caps.push(name);
      explanation.push(sentence);
    }
  };
  if (recording.kind === 'screen') {
    cap(start + MAX_SCREEN_RETENTION_DAYS * DAY_MS, 'screenMaximum', `Screen recordings are kept at most one year: deleted on ${day(start + MAX_SCREEN_RETENTION_DAYS * DAY_MS)}.`);
  }
  if (settings.maxInteractionRetentionDays !== null) {
    const limit = start + settings.maxInteractionRetentionDays * DAY_MS;
    cap(limit, 'orgMaximum', `The organization keeps interaction data at most ${settings.maxInteractionRetentionDays} days: deleted on ${day(limit)}.`);
  }
  if (archiveAtMs !== null && deleteAtMs !== null && archiveAtMs >= deleteAtMs) archiveAtMs = null;

  let exportAtMs: number | null = null;
  let exportIntegrationId: string | null = null;
  if (governed) {
    const exporter = applicable.find(({ policy }) => {
      const action = callPolicyOf(policy.definition).actions?.integrationExport;
      return action && (recording.kind !== 'screen' || action.shouldExportScreenRecordings !== false);
    });
    if (exporter) {
      exportIntegrationId = callPolicyOf(exporter.policy.definition).actions!.integrationExport!.integration.id;
      exportAtMs = deleteAtMs === null ? nowMs : Math.min(nowMs, deleteAtMs);
      explanation.push(`Policy "${exporter.policy.definition.name}" exports it to integration ${exportIntegrationId}.`);
    }
  }
  return {
    recordingId: recording.id,
    evaluatedAtMs: nowMs,
    archiveAtMs,
    deleteAtMs,
    exportAtMs,
    exportIntegrationId,
    rule,
    winningPolicyId,
    caps,
    matched,
    notYetEnabled,
    explanation,
  };
}
