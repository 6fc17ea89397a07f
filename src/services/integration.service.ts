import type { KeyProvider } from '../crypto/key-provider.js';
import { openSecret, sealSecret, type SealedSecret } from '../crypto/sealed-secret.js';
import { DomainError } from '../domain/errors.js';
import { callPolicyOf } from '../domain/policy/schema.js';
import { s3IntegrationSchema, type S3Integration } from '../domain/retention/integration.js';
import type { Clock } from '../store/clock.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { IntegrationRecord, IntegrationsRepository } from '../store/repositories/integrations.repository.js';
import type { PoliciesRepository } from '../store/repositories/policies.repository.js';
import { type Caller } from '../domain/access/principal.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';

/**
 * Export integrations (S3-compatible buckets) that retention policies and EXPORT jobs name by id.
 * A bucket's secret access key is stored sealed by the key provider (`sealedSecretAccessKey` in
 * the stored config), never in the clear, and opened only when an export needs it.
 */
export class IntegrationService {
  constructor(
    private readonly deps: { integrations: IntegrationsRepository; policies: PoliciesRepository; audit: AuditService; clock: Clock; keys: KeyProvider },
  ) {}

  list(orgId: string, page: PageRequest): Promise<Page<IntegrationRecord>> {
    return this.deps.integrations.list(orgId, page);
  }

  get(orgId: string, id: string): Promise<IntegrationRecord | undefined> {
    return this.deps.integrations.get(orgId, id);
  }

  /** The integration's settings, validated (for the exporter). */
  async settings(orgId: string, id: string): Promise<S3Integration | undefined> {
    const record = await this.deps.integrations.get(orgId, id);
    if (!record) return undefined;
    const { sealedSecretAccessKey, ...config } = record.config;
    const secretAccessKey = sealedSecretAccessKey ? await openSecret(this.deps.keys, sealedSecretAccessKey as SealedSecret) : undefined;
    return s3IntegrationSchema.parse({ name: record.name, type: record.type, ...config, ...(secretAccessKey ? { secretAccessKey } : {}) });
  }

  /** Creates or replaces; a replacement that omits the secret keeps the stored one. */
  async put(caller: Caller, id: string, input: S3Integration): Promise<{ record: IntegrationRecord; created: boolean }> {
    const { orgId } = caller.principal;
    const { integrations, audit, clock } = this.deps;
    const before = await integrations.get(orgId, id);
    const { name, type, secretAccessKey, ...config } = input;
    const sealed = secretAccessKey
      ? { sealedSecretAccessKey: await sealSecret(this.deps.keys, secretAccessKey) }
      : before?.config.sealedSecretAccessKey && config.accessKeyId === before.config.accessKeyId
        ? { sealedSecretAccessKey: before.config.sealedSecretAccessKey }
        : {};
    const created = await integrations.put(orgId, { id, name, type, config: { ...config, ...sealed } }, clock.now());
    await audit.record(auditOf(caller, created ? 'Create' : 'Update', 'Integration', { id, name }));
    return { record: (await integrations.get(orgId, id))!, created };
  }

  async remove(caller: Caller, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    const users = (await this.deps.policies.list(orgId)).filter((p) => callPolicyOf(p.definition).actions?.integrationExport?.integration.id === id);
    if (users.length > 0) {
      throw new DomainError('integration.inUse', `integration ${id} is the export target of ${users.map((p) => `"${p.definition.name}"`).join(', ')}`, id);
    }
    const removed = await this.deps.integrations.remove(orgId, id);
    if (removed) await this.deps.audit.record(auditOf(caller, 'Delete', 'Integration', { id }));
    return removed;
  }
}
