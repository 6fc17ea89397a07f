import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { evaluatePolicies, type EvaluationAssignment } from '../domain/policy/evaluate.js';
import { pendingWrapups, policyFacts } from '../domain/policy/facts.js';
import { DAY_MS } from '../domain/policy/time.js';
import { dueAt, type LifecycleState } from '../domain/retention/lifecycle.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { JobQueue } from '../store/job-queue.js';
import type { EvaluationsRepository } from '../store/repositories/evaluations.repository.js';
import type { LifecycleRecord, LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { PoliciesRepository } from '../store/repositories/policies.repository.js';
import type { ProtectionRepository } from '../store/repositories/protection.repository.js';
import type { UsersRepository } from '../store/repositories/users.repository.js';
import type { Database } from '../store/schema.js';
import { AccessDenied } from '../domain/access/errors.js';
import { DomainError } from '../domain/errors.js';
import { type Caller, hasPermission } from '../domain/access/principal.js';
import type { AuditService } from './audit.service.js';
import { RETENTION_ACTOR, auditOf } from './audit-events.js';
import type { ConversationHub, ConversationUpdate } from './conversation-hub.js';
import type { ConversationService } from './conversation.service.js';

/**
 * Retention at the end of a conversation: once it has ended (and its agents have finished
 * after-call work, or waited long enough), the policies in force when it started are evaluated
 * and each recording gets its dates and the reasons for them.
 */

export const EVALUATE_QUEUE = 'retention.evaluate';
export const MAX_RETENTION_QUEUE = 'retention.maximum';

export interface RetentionServiceDeps {
  readonly db: Db;
  readonly conversations: ConversationService;
  readonly policies: PoliciesRepository;
  readonly organizations: OrganizationsRepository;
  readonly lifecycle: LifecycleRepository;
  readonly protection: ProtectionRepository;
  readonly jobs: JobQueue;
  readonly evaluations: EvaluationsRepository;
  readonly users: UsersRepository;
  readonly audit: AuditService;
  readonly clock: Clock;
  /** How long evaluation waits for agents still in after-call work (their wrap-up codes are conditions). */
  readonly wrapupWaitMs: number;
}

/** The dates a PUT of a recording may change (ISO instants; null removes the date). */
export interface DateChange {
  readonly archiveDate?: string | null;
  readonly deleteDate?: string | null;
  readonly exportDate?: string | null;
  readonly clearExport?: boolean;
}

export type EvaluationOutcome =
  | { readonly status: 'evaluated'; readonly recordings: number }
  | { readonly status: 'waiting'; readonly retryAtMs: number }
  | { readonly status: 'notEnded' | 'unknown' };

export class RetentionService {
  constructor(private readonly deps: RetentionServiceDeps) {}

  /** Queues the evaluation of every conversation that ends, in the transaction that ends it. */
  attach(hub: ConversationHub): void {
    hub.subscribeInTransaction((trx, update) => this.onConversationChanged(trx, update));
  }

  private async onConversationChanged(trx: Kysely<Database>, update: ConversationUpdate): Promise<void> {
    if (update.folded.state.conversation.status === 'ended') {
      await this.deps.jobs.enqueue(
        { queue: EVALUATE_QUEUE, key: `${update.orgId}/${update.conversationId}`, orgId: update.orgId, payload: { conversationId: update.conversationId }, runAtMs: this.deps.clock.now() },
        trx,
      );
    }
  }

  /**
   * Evaluates the policies for the recordings of an ended conversation that have no decision yet
   * (a recording is decided once; later changes go through its dates).
   */
  async evaluate(orgId: string, conversationId: string): Promise<EvaluationOutcome> {
    const { db, conversations, policies, organizations, lifecycle, protection, audit, clock, wrapupWaitMs } = this.deps;
    const view = await conversations.get(orgId, conversationId);
    if (!view) return { status: 'unknown' };
    const state = view.folded.state.conversation;
    const facts = policyFacts(state, view.folded.applied);
    if (!facts) return { status: 'notEnded' };
    const now = clock.now();
    if (pendingWrapups(state).length > 0 && now < facts.endedAtMs + wrapupWaitMs) return { status: 'waiting', retryAtMs: facts.endedAtMs + wrapupWaitMs };

    const decided = new Set((await lifecycle.forConversations(orgId, [conversationId])).map((r) => r.recordingId));
    const firstPass = decided.size === 0;
    const recordings = view.recordings
      .filter((r) => r.status !== 'discarded' && !decided.has(r.id))
      .map((r) => ({ id: r.id, kind: r.kind, userId: r.userId, startedAtMs: r.startedAtMs }));
    if (recordings.length === 0) return { status: 'evaluated', recordings: 0 };
    const settings = await organizations.settings(orgId);
    const evaluation = evaluatePolicies({ facts, recordings, policies: await policies.list(orgId), settings, nowMs: now });
    const isProtected = (await protection.protectedAmong(orgId, [conversationId])).has(conversationId);
    const records = evaluation.decisions.map((decision, i): LifecycleRecord => {
      const lifecycleState: LifecycleState = {
        fileState: 'AVAILABLE',
        archiveAtMs: decision.archiveAtMs,
        deleteAtMs: decision.deleteAtMs,
        exportAtMs: decision.exportAtMs,
        exportedAtMs: null,
        exportIntegrationId: decision.exportIntegrationId,
        restoreUntilMs: null,
        protected: isProtected,
      };
      return {
        ...lifecycleState,
        recordingId: decision.recordingId,
        orgId,
        conversationId,
        kind: recordings[i]!.kind,
        startedAtMs: recordings[i]!.startedAtMs,
        dueAtMs: dueAt(lifecycleState),
        decision: { ...decision, evaluations: evaluation.evaluations },
        evaluatedAtMs: now,
        attempts: 0,
        lastError: null,
      };
    });
    await inTransaction(db, async (trx) => {
      await lifecycle.insertMany(trx, records, now);
      if (firstPass) await this.assignEvaluations(trx, orgId, conversationId, evaluation.evaluations, now);
      await audit.recordAll(
        records.map((r) => ({
          orgId,
          actor: RETENTION_ACTOR,
          serviceName: 'Recording' as const,
          level: 'SYSTEM' as const,
          action: 'ApplyRetentionPolicies',
          entityType: 'Recording',
          entity: { id: r.recordingId },
          status: 'SUCCESS' as const,
          message: r.decision!.explanation.join(' '),
          propertyChanges: [
            { property: 'archiveDate', oldValues: [], newValues: isoList(r.archiveAtMs) },
            { property: 'deleteDate', oldValues: [], newValues: isoList(r.deleteAtMs) },
            { property: 'exportDate', oldValues: [], newValues: isoList(r.exportAtMs) },
          ],
          context: { conversationId, rule: r.decision!.rule, policies: r.decision!.matched.map((m) => m.policyId).join(',') },
        })),
        trx,
      );
    });
    return { status: 'evaluated', recordings: records.length };
  }

  /**
   * The policies' `assignEvaluations`: the first agent of the conversation, to be evaluated by the
   * policy's evaluator (who may then listen to its recordings). Evaluators who no longer exist are
   * passed over.
   */
  private async assignEvaluations(trx: Kysely<Database>, orgId: string, conversationId: string, assignments: readonly EvaluationAssignment[], now: number): Promise<void> {
    const { evaluations, users, audit } = this.deps;
    for (const a of assignments) {
      if (!a.agentUserId || !(await users.get(orgId, a.evaluatorUserId, trx))) continue;
      const id = randomUUID();
      await evaluations.insert(trx, { orgId, id, conversationId, evaluatorUserId: a.evaluatorUserId, agentUserId: a.agentUserId, status: 'PENDING' }, now);
      await audit.record(
        {
          orgId,
          actor: RETENTION_ACTOR,
          serviceName: 'Quality',
          action: 'Create',
          entityType: 'Evaluation',
          entity: { id },
          status: 'SUCCESS',
          context: { conversationId, policyId: a.policyId, evaluationFormId: a.evaluationFormId, evaluatorUserId: a.evaluatorUserId, agentUserId: a.agentUserId },
        },
        trx,
      );
    }
  }

  /** A recording's lifecycle: its dates, where its media is, and the decision that set them. */
  explain(orgId: string, recordingId: string): Promise<LifecycleRecord | undefined> {
    return this.deps.lifecycle.get(orgId, recordingId);
  }

  /**
   * Changes a recording's archive, delete or export date (the reference's PUT recording). A new
   * archive date on an archived recording restores it until then. A delete date that has come is
   * refused while the conversation is protected.
   */
  async changeDates(caller: Caller, conversationId: string, recordingId: string, change: DateChange): Promise<LifecycleRecord | undefined> {
    const { orgId } = caller.principal;
    const { db, lifecycle, audit, clock } = this.deps;
    return inTransaction(db, async (trx) => {
      const [current] = await lifecycle.lock(trx, [recordingId]);
      if (!current || current.orgId !== orgId || current.conversationId !== conversationId) return undefined;
      const now = clock.now();
      const family = current.kind === 'screen' ? 'screenRecording' : current.kind === 'snippet' ? 'snippetRecording' : 'recording';
      const need = (action: 'editRetention' | 'restore') => {
        const permission = `recording:${family}:${action}`;
        if (!hasPermission(caller.principal, permission)) {
          throw new AccessDenied(`Changing this recording's dates needs ${permission}`, { serviceName: 'Recording', action: 'Update', entityType: 'Recording', entityId: recordingId, context: { conversationId } });
        }
      };
      if (current.fileState === 'DELETED' || current.fileState === 'DELETING') throw new DomainError('recording.deleted', `recording ${recordingId} has been deleted`, recordingId);
      let next: LifecycleState = current;
      if (change.deleteDate !== undefined) {
        need('editRetention');
        const deleteAtMs = change.deleteDate === null ? null : Date.parse(change.deleteDate);
        if (deleteAtMs !== null && deleteAtMs <= now && current.protected) {
          throw new DomainError('recording.protected', `conversation ${conversationId} is protected from deletion: its recordings cannot be deleted`, recordingId);
        }
        next = { ...next, deleteAtMs };
      }
      if (change.archiveDate !== undefined) {
        const archiveAtMs = change.archiveDate === null ? null : Date.parse(change.archiveDate);
        if (next.fileState === 'AVAILABLE') {
          need('editRetention');
          next = { ...next, archiveAtMs };
        } else if (archiveAtMs !== null) {
          // "A new archiveDate on an ARCHIVED recording = restore until that date."
          need('restore');
          const restoring = archiveAtMs > now && next.fileState === 'ARCHIVED';
          next = { ...next, archiveAtMs, restoreUntilMs: archiveAtMs, fileState: restoring ? 'RESTORING' : next.fileState };
        }
      }
      if (change.clearExport) next = { ...next, exportAtMs: null };
      if (change.exportDate !== undefined) {
        need('editRetention');
        if (change.exportDate !== null && !next.exportIntegrationId) {
          throw new DomainError('recording.noExportIntegration', 'this recording has no export integration: use an EXPORT job to export it', recordingId, [
            { errorCode: 'recording.noExportIntegration', fieldName: 'exportDate' },
          ]);
        }
        next = { ...next, exportAtMs: change.exportDate === null ? null : Date.parse(change.exportDate) };
      }
      const record = { ...current, ...next, dueAtMs: dueAt(next) };
      await lifecycle.update(trx, record, now);
      const changes = (
        [
          ['archiveDate', current.archiveAtMs, record.archiveAtMs],
          ['deleteDate', current.deleteAtMs, record.deleteAtMs],
          ['exportDate', current.exportAtMs, record.exportAtMs],
          ['fileState', current.fileState, record.fileState],
        ] as const
      )
        .filter(([, a, b]) => a !== b)
        .map(([property, a, b]) => ({ property, oldValues: typeof a === 'number' ? isoList(a) : [String(a ?? '')].filter(Boolean), newValues: typeof b === 'number' ? isoList(b) : [String(b ?? '')].filter(Boolean) }));
      const action = record.fileState === 'RESTORING' && current.fileState !== 'RESTORING' ? 'Restore' : 'Update';
      await audit.record(auditOf(caller, action, 'Recording', { id: recordingId }, { context: { conversationId }, propertyChanges: changes }), trx);
      return record;
    });
  }

  /** Applies the organization's maximum retention to every recording already decided. */
  async applyMaximumRetention(orgId: string): Promise<number> {
    const { maxInteractionRetentionDays } = await this.deps.organizations.settings(orgId);
    if (maxInteractionRetentionDays === null) return 0;
    return this.deps.lifecycle.capDeleteDates(orgId, maxInteractionRetentionDays * DAY_MS, this.deps.clock.now());
  }
}

export const isoList = (ms: number | null) => (ms === null ? [] : [new Date(ms).toISOString()]);
