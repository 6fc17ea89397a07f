import { randomUUID } from 'node:crypto';
import { AccessDenied } from '../domain/access/errors.js';
import { actorOf, hasPermission, type Caller } from '../domain/access/principal.js';
import type { EvaluationStatus } from '../domain/access/recording-access.js';
import { propertyChanges } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { Evaluation, EvaluationFilter, EvaluationsRepository } from '../store/repositories/evaluations.repository.js';
import type { UsersRepository } from '../store/repositories/users.repository.js';
import type { AuditService } from './audit.service.js';
import type { ConversationService } from './conversation.service.js';

export interface NewEvaluation {
  readonly conversationId: string;
  readonly evaluatorUserId: string;
  readonly agentUserId: string;
  readonly status: EvaluationStatus;
}

/**
 * Minimal evaluation assignments, enough for the access rules to be real: an evaluator assigned
 * to a conversation may listen to its policy-based recordings; the agent may once the evaluation
 * is FINISHED ("agents reviewing an evaluation of themselves").
 */
export class EvaluationService {
  constructor(
    private readonly deps: {
      readonly db: Db;
      readonly evaluations: EvaluationsRepository;
      readonly users: UsersRepository;
      readonly conversations: ConversationService;
      readonly audit: AuditService;
      readonly clock: Clock;
    },
  ) {}

  async create(caller: Caller, input: NewEvaluation): Promise<Evaluation> {
    const { orgId } = caller.principal;
    const { evaluations, users, conversations, audit, clock, db } = this.deps;
    const view = await conversations.get(orgId, input.conversationId);
    if (!view) throw new DomainError('evaluation.unknownConversation', `conversation ${input.conversationId} was not found`, input.conversationId);
    for (const userId of [input.evaluatorUserId, input.agentUserId]) {
      if (!(await users.get(orgId, userId))) throw new DomainError('evaluation.unknownUser', `user ${userId} was not found`, userId);
    }
    const participants = Object.values(view.folded.state.conversation.participants);
    if (!participants.some((p) => p.userId === input.agentUserId)) {
      throw new DomainError('evaluation.agentNotOnConversation', `user ${input.agentUserId} took no part in conversation ${input.conversationId}`, input.agentUserId);
    }
    const evaluation = { orgId, id: randomUUID(), ...input };
    return inTransaction(db, async (trx) => {
      const now = clock.now();
      await evaluations.insert(trx, evaluation, now);
      await audit.record(
        {
          orgId,
          actor: actorOf(caller),
          serviceName: 'Quality',
          action: 'Create',
          entityType: 'Evaluation',
          entity: { id: evaluation.id },
          status: 'SUCCESS',
          propertyChanges: propertyChanges(undefined, evaluation, ['conversationId', 'evaluatorUserId', 'agentUserId', 'status']),
        },
        trx,
      );
      return { ...evaluation, createdAtMs: now, updatedAtMs: now };
    });
  }

  /** Holders of quality:evaluation:view see every evaluation; others theirs to do and the finished ones of themselves. */
  list(caller: Caller, filter: Omit<EvaluationFilter, 'visibleTo'>, page: PageRequest): Promise<Page<Evaluation>> {
    const { principal } = caller;
    const visibleTo = hasPermission(principal, 'quality:evaluation:view') ? undefined : (principal.userId ?? '');
    return this.deps.evaluations.list(principal.orgId, { ...filter, ...(visibleTo !== undefined ? { visibleTo } : {}) }, page);
  }

  async get(caller: Caller, conversationId: string, id: string): Promise<Evaluation | undefined> {
    const evaluation = await this.deps.evaluations.get(caller.principal.orgId, id);
    if (!evaluation || evaluation.conversationId !== conversationId) return undefined;
    const me = caller.principal.userId;
    const mine = me !== undefined && (evaluation.evaluatorUserId === me || (evaluation.agentUserId === me && evaluation.status === 'FINISHED'));
    if (!mine && !hasPermission(caller.principal, 'quality:evaluation:view')) {
      throw new AccessDenied('This evaluation is not yours to see', { serviceName: 'Quality', action: 'View', entityType: 'Evaluation', entityId: id });
    }
    return evaluation;
  }

  /** The assigned evaluator, or a holder of quality:evaluation:edit, moves an evaluation along. */
  async setStatus(caller: Caller, conversationId: string, id: string, status: EvaluationStatus): Promise<Evaluation | undefined> {
    const { orgId, userId } = caller.principal;
    const { evaluations, audit, clock, db } = this.deps;
    const before = await evaluations.get(orgId, id);
    if (!before || before.conversationId !== conversationId) return undefined;
    if (before.evaluatorUserId !== userId && !hasPermission(caller.principal, 'quality:evaluation:edit')) {
      throw new AccessDenied('Only the assigned evaluator or a holder of quality:evaluation:edit can change this evaluation', {
        serviceName: 'Quality',
        action: 'Update',
        entityType: 'Evaluation',
        entityId: id,
      });
    }
    const after = { ...before, status, updatedAtMs: clock.now() };
    await inTransaction(db, async (trx) => {
      await evaluations.setStatus(trx, orgId, id, status, after.updatedAtMs);
      await audit.record(
        { orgId, actor: actorOf(caller), serviceName: 'Quality', action: 'Update', entityType: 'Evaluation', entity: { id }, status: 'SUCCESS', propertyChanges: propertyChanges(before, after, ['status']) },
        trx,
      );
    });
    return after;
  }

  async remove(caller: Caller, conversationId: string, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    const { evaluations, audit, db } = this.deps;
    const evaluation = await evaluations.get(orgId, id);
    if (!evaluation || evaluation.conversationId !== conversationId) return false;
    await inTransaction(db, async (trx) => {
      await evaluations.remove(trx, orgId, id);
      await audit.record({ orgId, actor: actorOf(caller), serviceName: 'Quality', action: 'Delete', entityType: 'Evaluation', entity: { id }, status: 'SUCCESS' }, trx);
    });
    return true;
  }
}
