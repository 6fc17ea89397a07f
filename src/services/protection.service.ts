import { dueAt } from '../domain/retention/lifecycle.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import type { LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { ProtectionRepository } from '../store/repositories/protection.repository.js';
import type { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { type Caller } from '../domain/access/principal.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';

/**
 * Protection from deletion (a legal hold): "applies to all recordings of the conversation, blocks
 * manual deletion and overrides policy delete dates while in place; on removal the existing
 * policy delete date applies again; no effect if conversation has no recording". The lifecycle
 * rows carry the flag, so the scheduler, bulk jobs and direct deletion all see it.
 */

export interface ProtectionFailure {
  readonly conversationId: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface ProtectionServiceDeps {
  readonly db: Db;
  readonly conversations: ConversationsRepository;
  readonly recordings: RecordingsRepository;
  readonly protection: ProtectionRepository;
  readonly lifecycle: LifecycleRepository;
  readonly organizations: OrganizationsRepository;
  readonly audit: AuditService;
  readonly clock: Clock;
  /** "limit 1000 protected conversations per org". */
  readonly limit: number;
}

export class ProtectionService {
  constructor(private readonly deps: ProtectionServiceDeps) {}

  /** Which of these conversations are protected. */
  async query(orgId: string, conversationIds: readonly string[]): Promise<string[]> {
    const found = await this.deps.protection.protectedAmong(orgId, conversationIds);
    return conversationIds.filter((id, i) => found.has(id) && conversationIds.indexOf(id) === i);
  }

  /** Applies (`protect`) or revokes protection; answers the conversations it could not change, and why. */
  async set(caller: Caller, conversationIds: readonly string[], protect: boolean): Promise<ProtectionFailure[]> {
    const failures: ProtectionFailure[] = [];
    for (const conversationId of [...new Set(conversationIds)]) {
      const failure = await this.setOne(caller, conversationId, protect);
      if (failure) failures.push(failure);
    }
    return failures;
  }

  private async setOne(caller: Caller, conversationId: string, protect: boolean): Promise<ProtectionFailure | undefined> {
    const { orgId } = caller.principal;
    const { db, conversations, recordings, protection, lifecycle, organizations, audit, clock, limit } = this.deps;
    const fail = (errorCode: string, errorMessage: string) => ({ conversationId, errorCode, errorMessage });
    if (!(await conversations.get(orgId, conversationId))) return fail('not.found', `conversation ${conversationId} was not found`);
    if (protect && !(await recordings.listForConversation(orgId, conversationId)).some((r) => r.status !== 'discarded')) {
      return fail('protection.noRecordings', 'the conversation has no recording to protect');
    }
    return inTransaction(db, async (trx) => {
      // One organization's protections change one at a time, so that the limit holds.
      await organizations.lock(trx, orgId);
      const already = (await protection.protectedAmong(orgId, [conversationId], trx)).has(conversationId);
      if (already === protect) return undefined;
      const now = clock.now();
      if (protect) {
        if ((await protection.count(orgId, trx)) >= limit) {
          return fail('protection.limitReached', `an organization protects at most ${limit} conversations; revoke one first`);
        }
        await protection.protect(trx, orgId, conversationId, caller.principal.id, now);
      } else {
        await protection.revoke(trx, orgId, conversationId);
      }
      for (const record of await lifecycle.forConversations(orgId, [conversationId], trx, true)) {
        const next = { ...record, protected: protect };
        await lifecycle.update(trx, { ...next, dueAtMs: dueAt(next) }, now);
      }
      await audit.record(
        auditOf(caller, protect ? 'Protect' : 'Unprotect', 'Conversation', { id: conversationId }, {
          propertyChanges: [{ property: 'deletionProtected', oldValues: [String(!protect)], newValues: [String(protect)] }],
        }),
        trx,
      );
      return undefined;
    });
  }
}
