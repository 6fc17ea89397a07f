import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { longestDeleteDays, policyReferences, type Policy, type PolicyInput, type PolicyReferences } from '../domain/policy/schema.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { IntegrationsRepository } from '../store/repositories/integrations.repository.js';
import type { PoliciesRepository } from '../store/repositories/policies.repository.js';
import type { TelephonyRepository } from '../store/repositories/telephony.repository.js';
import { type Caller } from '../domain/access/principal.js';
import type { AuditRecordInput } from '../domain/audit.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';

/**
 * Media retention policies: create, list, read, replace, enable or disable, delete. A policy
 * applies to conversations that start after it is enabled (domain/policy/evaluate.ts), so
 * enabling stamps the instant; edits keep it.
 */

/** Organizations hold at most this many policies, which is also why listings filter in memory. */
export const MAX_POLICIES = 1000;

export interface PolicyError {
  readonly errorCode: string;
  readonly fieldName: string;
  readonly entityId: string;
  readonly message: string;
}

export interface PolicyView {
  readonly policy: Policy;
  /** Display names of the users and queues the policy names. */
  readonly names: ReadonlyMap<string, string>;
  /** References to entities that no longer exist: the policy cannot do all it says. */
  readonly errors: readonly PolicyError[];
}

export interface PolicyFilter {
  readonly name?: string;
  readonly enabled?: boolean;
  readonly hasErrors?: boolean;
  readonly deleteDaysThreshold?: number;
}

export interface PolicyServiceDeps {
  readonly db: Db;
  readonly policies: PoliciesRepository;
  readonly telephony: TelephonyRepository;
  readonly integrations: IntegrationsRepository;
  readonly audit: AuditService;
  readonly clock: Clock;
}

export class PolicyService {
  constructor(private readonly deps: PolicyServiceDeps) {}

  /** Every policy that passes the filter, by name; the caller pages. */
  async list(orgId: string, filter: PolicyFilter): Promise<PolicyView[]> {
    const needle = filter.name?.toLowerCase();
    const chosen = (await this.deps.policies.list(orgId)).filter(
      (p) =>
        (needle === undefined || p.definition.name.toLowerCase().includes(needle)) &&
        (filter.enabled === undefined || p.definition.enabled === filter.enabled) &&
        (filter.deleteDaysThreshold === undefined || longestDeleteDays(p.definition) > filter.deleteDaysThreshold),
    );
    const views = await this.views(orgId, chosen);
    return filter.hasErrors === undefined ? views : views.filter((v) => v.errors.length > 0 === filter.hasErrors);
  }

  async get(orgId: string, id: string): Promise<PolicyView | undefined> {
    const policy = await this.deps.policies.get(orgId, id);
    return policy ? (await this.views(orgId, [policy]))[0] : undefined;
  }

  async create(caller: Caller, definition: PolicyInput): Promise<PolicyView> {
    const { orgId } = caller.principal;
    const { db, policies, audit, clock } = this.deps;
    await this.checkReferences(orgId, definition);
    const now = clock.now();
    const policy: Policy = { id: randomUUID(), definition, createdAtMs: now, modifiedAtMs: now, enabledAtMs: definition.enabled ? now : null };
    await inTransaction(db, async (trx) => {
      if ((await policies.count(orgId, trx)) >= MAX_POLICIES) {
        throw new DomainError('policy.limitReached', `an organization holds at most ${MAX_POLICIES} retention policies`);
      }
      await this.checkName(orgId, definition.name, undefined, trx);
      await policies.save(trx, orgId, policy);
      await audit.record(this.entry(caller, 'Create', policy, [{ property: 'enabled', oldValues: [], newValues: [String(definition.enabled)] }]), trx);
    });
    return this.view(orgId, policy);
  }

  /** Replaces the definition (PUT). */
  async replace(caller: Caller, id: string, definition: PolicyInput): Promise<PolicyView | undefined> {
    const { orgId } = caller.principal;
    await this.checkReferences(orgId, definition);
    return this.change(caller, id, () => definition);
  }

  async setEnabled(caller: Caller, id: string, enabled: boolean): Promise<PolicyView | undefined> {
    return this.change(caller, id, (current) => ({ ...current, enabled }));
  }

  /** Deletes the policies; returns those that existed. */
  async remove(caller: Caller, ids: readonly string[]): Promise<Policy[]> {
    const { orgId } = caller.principal;
    return inTransaction(this.deps.db, async (trx) => {
      const removed = await this.deps.policies.remove(trx, orgId, [...new Set(ids)]);
      for (const policy of removed) await this.deps.audit.record(this.entry(caller, 'Delete', policy), trx);
      return removed;
    });
  }

  private async change(caller: Caller, id: string, next: (current: PolicyInput) => PolicyInput): Promise<PolicyView | undefined> {
    const { orgId } = caller.principal;
    const { db, policies, audit, clock } = this.deps;
    const updated = await inTransaction(db, async (trx) => {
      const current = await policies.get(orgId, id, trx);
      if (!current) return undefined;
      const definition = next(current.definition);
      await this.checkName(orgId, definition.name, id, trx);
      const now = clock.now();
      // Switching on publishes the policy from now on; edits of an enabled policy keep its start.
      const enabledAtMs = !definition.enabled ? null : current.definition.enabled ? current.enabledAtMs : now;
      const policy: Policy = { ...current, definition, modifiedAtMs: now, enabledAtMs };
      await policies.save(trx, orgId, policy);
      const changes: Array<{ property: string; oldValues: string[]; newValues: string[] }> = (['name', 'enabled', 'description', 'order'] as const)
        .filter((k) => current.definition[k] !== definition[k])
        .map((k) => ({ property: k, oldValues: valueOf(current.definition[k]), newValues: valueOf(definition[k]) }));
      if (JSON.stringify(current.definition.mediaPolicies) !== JSON.stringify(definition.mediaPolicies)) {
        changes.push({ property: 'mediaPolicies', oldValues: [], newValues: [] });
      }
      await audit.record(this.entry(caller, 'Update', policy, changes), trx);
      return policy;
    });
    return updated ? this.view(orgId, updated) : undefined;
  }

  private entry(caller: Caller, action: string, policy: Policy, propertyChanges?: AuditRecordInput['propertyChanges']) {
    return auditOf(caller, action, 'RetentionPolicy', { id: policy.id, name: policy.definition.name }, propertyChanges ? { propertyChanges } : {});
  }

  private async checkName(orgId: string, name: string, self: string | undefined, exec: Parameters<PoliciesRepository['idByName']>[2]) {
    const holder = await this.deps.policies.idByName(orgId, name, exec);
    if (holder !== undefined && holder !== self) {
      throw new DomainError('policy.nameTaken', `a policy named "${name}" already exists`, holder, [{ errorCode: 'policy.nameTaken', fieldName: 'name', entityId: holder }]);
    }
  }

  /** Which referenced users, queues and integrations do not exist. */
  private async missing(orgId: string, definitions: readonly PolicyInput[]): Promise<{ missing: Set<string>; names: Map<string, string> }> {
    const wanted: Record<keyof PolicyReferences, Set<string>> = { users: new Set(), queues: new Set(), integrations: new Set() };
    for (const d of definitions) for (const r of policyReferences(d)) wanted[r.kind].add(r.id);
    const { telephony, integrations } = this.deps;
    const [users, queues, exports] = await Promise.all([
      telephony.getMany(orgId, 'users', [...wanted.users]),
      telephony.getMany(orgId, 'queues', [...wanted.queues]),
      integrations.existing(orgId, [...wanted.integrations]),
    ]);
    const names = new Map<string, string>([...users, ...queues].map((e) => [e.id, e.name]));
    const missing = new Set<string>();
    for (const id of wanted.users) if (!users.some((u) => u.id === id)) missing.add(`users:${id}`);
    for (const id of wanted.queues) if (!queues.some((q) => q.id === id)) missing.add(`queues:${id}`);
    for (const id of wanted.integrations) if (!exports.has(id)) missing.add(`integrations:${id}`);
    return { missing, names };
  }

  private async checkReferences(orgId: string, definition: PolicyInput): Promise<void> {
    const { missing } = await this.missing(orgId, [definition]);
    const details = policyReferences(definition)
      .filter((r) => missing.has(`${r.kind}:${r.id}`))
      .map((r) => ({ errorCode: 'policy.unknownReference', fieldName: r.fieldName, entityId: r.id, entityName: `no such ${r.kind.slice(0, -1)}` }));
    if (details.length > 0) {
      throw new DomainError('policy.unknownReference', `the policy names ${details.length === 1 ? 'an entity that does' : 'entities that do'} not exist: ${details.map((d) => d.fieldName).join(', ')}`, undefined, details);
    }
  }

  private async view(orgId: string, policy: Policy): Promise<PolicyView> {
    return (await this.views(orgId, [policy]))[0]!;
  }

  private async views(orgId: string, list: readonly Policy[]): Promise<PolicyView[]> {
    const { missing, names } = await this.missing(orgId, list.map((p) => p.definition));
    return list.map((policy) => ({
      policy,
      names,
      errors: policyReferences(policy.definition)
        .filter((r) => missing.has(`${r.kind}:${r.id}`))
        .map((r) => ({ errorCode: 'policy.unknownReference', fieldName: r.fieldName, entityId: r.id, message: `${r.fieldName} names ${r.kind.slice(0, -1)} ${r.id}, which no longer exists` })),
    }));
  }
}

const valueOf = (v: unknown) => (v === undefined || v === null ? [] : [String(v)]);
