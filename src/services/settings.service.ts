import { z } from 'zod';
import { DomainError } from '../domain/errors.js';
import { longestDeleteDays } from '../domain/policy/schema.js';
import { DEFAULT_RECORDING_SETTINGS, recordingSettingsSchema, type RecordingSettings } from '../domain/settings.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { JobQueue } from '../store/job-queue.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { PoliciesRepository } from '../store/repositories/policies.repository.js';
import { type Caller } from '../domain/access/principal.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';
import { MAX_RETENTION_QUEUE } from './retention.service.js';

/**
 * Organization recording settings (the reference's RecordingSettings, plus the default snippet
 * retention and the maximum interaction retention). A PUT changes the fields it names.
 */

/** What a PUT may carry: every field optional; the server-controlled maximum is not settable. */
export const settingsUpdateSchema = recordingSettingsSchema
  .omit({ maxConfigurableScreenRecordingStreams: true })
  .partial()
  .extend({ maxConfigurableScreenRecordingStreams: z.unknown().optional() });
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

export interface SettingsServiceDeps {
  readonly db: Db;
  readonly organizations: OrganizationsRepository;
  readonly policies: PoliciesRepository;
  readonly queue: JobQueue;
  readonly audit: AuditService;
  readonly clock: Clock;
}

export class SettingsService {
  constructor(private readonly deps: SettingsServiceDeps) {}

  /** The settings; undefined when none were saved and `createDefault` is false. */
  async get(orgId: string, createDefault: boolean): Promise<RecordingSettings | undefined> {
    const { organizations, clock } = this.deps;
    if (await organizations.hasSettings(orgId)) return organizations.settings(orgId);
    if (!createDefault) return undefined;
    await organizations.saveSettings(orgId, DEFAULT_RECORDING_SETTINGS, clock.now());
    return DEFAULT_RECORDING_SETTINGS;
  }

  async update(caller: Caller, change: SettingsUpdate): Promise<RecordingSettings> {
    const { orgId } = caller.principal;
    const { db, organizations, policies, queue, audit, clock } = this.deps;
    const current = await organizations.settings(orgId);
    const { maxConfigurableScreenRecordingStreams: _serverControlled, ...wanted } = change;
    const next = recordingSettingsSchema.parse({ ...current, ...wanted });
    const details: Array<{ errorCode: string; fieldName: string; entityId?: string; entityName?: string }> = [];
    if (next.maxSimultaneousStreams > next.maxConfigurableScreenRecordingStreams) {
      details.push({ errorCode: 'settings.aboveMaximum', fieldName: 'maxSimultaneousStreams', entityName: `at most ${next.maxConfigurableScreenRecordingStreams}` });
    }
    // "Cannot be cleared once set; conflicts with existing delete dates/policies block setting it."
    if (current.maxInteractionRetentionDays !== null && next.maxInteractionRetentionDays === null) {
      details.push({ errorCode: 'settings.maxRetentionPermanent', fieldName: 'maxInteractionRetentionDays', entityName: 'once set, the maximum retention cannot be removed' });
    }
    const max = next.maxInteractionRetentionDays;
    if (max !== null && max !== current.maxInteractionRetentionDays) {
      for (const p of await policies.list(orgId)) {
        if (p.definition.enabled && longestDeleteDays(p.definition) > max) {
          details.push({ errorCode: 'settings.retentionConflict', fieldName: 'maxInteractionRetentionDays', entityId: p.id, entityName: `policy "${p.definition.name}" keeps recordings ${longestDeleteDays(p.definition)} days` });
        }
      }
      if (next.snippetRetentionDays > max) {
        details.push({ errorCode: 'settings.retentionConflict', fieldName: 'snippetRetentionDays', entityName: `longer than the maximum retention of ${max} days` });
      }
    }
    if (details.length > 0) throw new DomainError(details[0]!.errorCode, `the settings cannot be saved: ${details.map((d) => `${d.fieldName} ${d.entityName ?? ''}`.trim()).join('; ')}`, undefined, details);

    const now = clock.now();
    await inTransaction(db, async (trx) => {
      await organizations.saveSettings(orgId, next, now, trx);
      if (max !== null && max !== current.maxInteractionRetentionDays) {
        await queue.enqueue({ queue: MAX_RETENTION_QUEUE, key: orgId, orgId, payload: {}, runAtMs: now }, trx);
      }
      const propertyChanges = (Object.keys(next) as Array<keyof RecordingSettings>)
        .filter((k) => current[k] !== next[k])
        .map((k) => ({ property: k, oldValues: current[k] === null ? [] : [String(current[k])], newValues: next[k] === null ? [] : [String(next[k])] }));
      await audit.record(auditOf(caller, 'Update', 'RecordingSettings', { id: orgId }, { propertyChanges }), trx);
    });
    return next;
  }
}
