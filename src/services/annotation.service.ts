import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { realtimeOffset } from '../domain/annotation-time.js';
import { AccessDenied } from '../domain/access/errors.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import type { AnnotationsRepository } from '../store/repositories/annotations.repository.js';
import type { Annotation } from '../store/repositories/recording-media.repository.js';
import { type Caller, hasPermission } from '../domain/access/principal.js';
import type { AccessService } from './access.service.js';
import type { AuditService } from './audit.service.js';
import { auditOf } from './audit-events.js';
import type { RecordingsService, RecordingView } from './recordings.service.js';

/**
 * Annotations on recordings, as the reference API: people add, change and remove their own
 * (bookmarks), located in the recording's audio; the plan's annotations (cuts, holds, secure
 * pauses) are listed with them but never change. Bookmarks are shown only to holders of
 * `recording:annotation:view`.
 */

export const annotationBodySchema = z.object({
  name: z.string().trim().max(200).optional(),
  type: z.string().trim().min(1).max(64).default('bookmark'),
  location: z.number().int().min(0),
  durationMs: z.number().int().min(0).default(0),
  description: z.string().max(500).optional(),
});
export type AnnotationBody = z.infer<typeof annotationBodySchema>;

export interface AnnotationServiceDeps {
  readonly recordings: RecordingsService;
  readonly access: AccessService;
  readonly annotations: AnnotationsRepository;
  readonly audit: AuditService;
  readonly clock: Clock;
}

export class AnnotationService {
  constructor(private readonly deps: AnnotationServiceDeps) {}

  /** The recording's annotations the caller may see; undefined when there is no such recording. */
  async list(caller: Caller, conversationId: string, recordingId: string): Promise<{ view: RecordingView; annotations: Annotation[] } | undefined> {
    const view = await this.visible(caller, conversationId, recordingId);
    if (!view) return undefined;
    const seesBookmarks = hasPermission(caller.principal, 'recording:annotation:view');
    return { view, annotations: view.annotations.filter((a) => a.system || seesBookmarks) };
  }

  /** Creates the annotation, or replaces it when `id` names an existing one (the reference's upsert). */
  async save(caller: Caller, conversationId: string, recordingId: string, id: string | undefined, body: AnnotationBody) {
    const { orgId } = caller.principal;
    const { annotations, audit, clock } = this.deps;
    const view = await this.visible(caller, conversationId, recordingId);
    if (!view) return undefined;
    const existing = id ? await annotations.get(orgId, recordingId, id) : undefined;
    if (existing?.system) throw new DomainError('annotation.system', 'annotations of cuts and holds belong to the recording and cannot be changed', existing.id);
    const permission = existing ? 'recording:annotation:edit' : 'recording:annotation:add';
    if (!hasPermission(caller.principal, permission)) {
      throw new AccessDenied(`${existing ? 'Changing' : 'Adding'} an annotation needs ${permission}`, {
        serviceName: 'Recording',
        action: existing ? 'Update' : 'Create',
        entityType: 'Annotation',
        entityId: existing?.id ?? recordingId,
        context: { conversationId, recordingId },
      });
    }
    const { row } = view;
    const length = row.media.durationMs;
    if (length !== null && body.location > length) {
      throw new DomainError('annotation.outOfRange', `location ${body.location} ms is past the end of the recording (${length} ms)`, undefined, [
        { errorCode: 'annotation.outOfRange', fieldName: 'location' },
      ]);
    }
    const realtimeLocationMs = realtimeOffset(row.spans, row.startedAtMs, body.location);
    const input = {
      type: body.type,
      name: body.name ?? null,
      description: body.description ?? null,
      locationMs: body.location,
      durationMs: body.durationMs,
      realtimeLocationMs,
      realtimeDurationMs: realtimeOffset(row.spans, row.startedAtMs, body.location + body.durationMs) - realtimeLocationMs,
    };
    const now = clock.now();
    const annotationId = existing?.id ?? id ?? randomUUID();
    if (existing) await annotations.update(orgId, recordingId, annotationId, input, now);
    else await annotations.insert(orgId, recordingId, annotationId, { ...input, userId: caller.principal.userId ?? caller.principal.id }, now);
    await audit.record(auditOf(caller, existing ? 'Update' : 'Create', 'Annotation', { id: annotationId, ...(input.name ? { name: input.name } : {}) }, { context: { conversationId, recordingId } }));
    return { view, annotation: (await annotations.get(orgId, recordingId, annotationId))!, created: !existing };
  }

  async remove(caller: Caller, conversationId: string, recordingId: string, id: string): Promise<boolean> {
    const { orgId } = caller.principal;
    const { annotations, audit } = this.deps;
    if (!(await this.visible(caller, conversationId, recordingId))) return false;
    const existing = await annotations.get(orgId, recordingId, id);
    if (!existing) return false;
    if (existing.system) throw new DomainError('annotation.system', 'annotations of cuts and holds belong to the recording and cannot be removed', id);
    await annotations.remove(orgId, recordingId, id);
    await audit.record(auditOf(caller, 'Delete', 'Annotation', { id }, { context: { conversationId, recordingId } }));
    return true;
  }

  /** The recording, when the caller may see it (AccessDenied otherwise); undefined when there is none. */
  private async visible(caller: Caller, conversationId: string, recordingId: string): Promise<RecordingView | undefined> {
    const view = await this.deps.recordings.get(caller.principal.orgId, conversationId, recordingId);
    if (view) await this.deps.access.authorizeRecording(caller, view.row, 'View');
    return view;
  }
}
