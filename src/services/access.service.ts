import type { RecordingKind, Span } from '../domain/capture/types.js';
import { AccessDenied } from '../domain/access/errors.js';
import { actorOf, viewerOf, type Caller } from '../domain/access/principal.js';
import { recordingAccess, type RecordingAccess } from '../domain/access/recording-access.js';
import { queueTimeline, segmentAccess, type SegmentAccess } from '../domain/access/segments.js';
import type { EvaluationsRepository } from '../store/repositories/evaluations.repository.js';
import type { AuditService } from './audit.service.js';
import type { ConversationService } from './conversation.service.js';

/** The facts about a recording that access depends on (a RecordingRow has them all). */
export interface RecordingSubject {
  readonly id: string;
  readonly orgId: string;
  readonly conversationId: string;
  readonly kind: RecordingKind;
  readonly userId: string | null;
  readonly spans: readonly Span[];
  readonly stoppedAtMs: number | null;
}

export type RecordingAction = 'View' | 'Play' | 'Download';

export interface RecordingGrant {
  readonly access: Exclude<RecordingAccess, { view: 'none' }>;
  /** Present when only some spans may be heard: serve silence outside `permitted`, list `withheld` in the metadata. */
  readonly segments?: SegmentAccess;
}

/**
 * Applies the access rules (src/domain/access) to real recordings: who may view, play or
 * download which recording, which spans a segment-limited listener hears, and an audit event for
 * every decision. Refusals throw AccessDenied, which the API answers with 403 and audits.
 */
export class AccessService {
  constructor(
    private readonly deps: {
      readonly evaluations: EvaluationsRepository;
      readonly conversations: ConversationService;
      readonly audit: AuditService;
    },
  ) {}

  /** What the caller may do with each of a conversation's recordings; no audit (for filtering listings). */
  async decide(caller: Caller, recordings: readonly RecordingSubject[]): Promise<Map<string, RecordingAccess>> {
    const viewer = viewerOf(caller.principal);
    const byConversation = new Map<string, Awaited<ReturnType<EvaluationsRepository['forConversation']>>>();
    const out = new Map<string, RecordingAccess>();
    for (const r of recordings) {
      if (!byConversation.has(r.conversationId)) byConversation.set(r.conversationId, await this.deps.evaluations.forConversation(r.orgId, r.conversationId));
      out.set(r.id, recordingAccess(viewer, r, byConversation.get(r.conversationId)!));
    }
    return out;
  }

  /**
   * Lets the caller view, play or download a recording, or throws AccessDenied. Audits the
   * granted access (the API audits refusals). Screen recordings are never downloadable.
   */
  async authorizeRecording(caller: Caller, recording: RecordingSubject, action: RecordingAction): Promise<RecordingGrant> {
    const access = (await this.decide(caller, [recording])).get(recording.id)!;
    const context = { conversationId: recording.conversationId, kind: recording.kind };
    if (access.view === 'none') {
      throw new AccessDenied(`You may not ${action.toLowerCase()} this recording: ${access.reason}`, { serviceName: 'Recording', action, entityType: 'Recording', entityId: recording.id, context });
    }
    if (action === 'Download' && !access.download) {
      const reason =
        recording.kind === 'screen'
          ? 'screen recordings can be viewed but never downloaded'
          : access.view === 'segments'
            ? 'only some segments of this recording are yours to hear; it cannot be downloaded'
            : 'downloading needs recording:recording:download';
      throw new AccessDenied(`You may not download this recording: ${reason}`, { serviceName: 'Recording', action, entityType: 'Recording', entityId: recording.id, context });
    }
    const segments = access.view === 'segments' ? await this.segments(recording, access.queueIds) : undefined;
    await this.deps.audit.record({
      orgId: recording.orgId,
      actor: actorOf(caller),
      serviceName: 'Recording',
      action,
      entityType: 'Recording',
      entity: { id: recording.id },
      status: 'SUCCESS',
      context: {
        ...context,
        basis: access.basis,
        ...(segments ? { withheldSpans: String(segments.withheld.length) } : {}),
      },
    });
    return { access, ...(segments ? { segments } : {}) };
  }

  /** The parts of a recording a listener limited to `queueIds` may hear. */
  async segments(recording: RecordingSubject, queueIds: ReadonlySet<string>): Promise<SegmentAccess> {
    const view = await this.deps.conversations.get(recording.orgId, recording.conversationId);
    const timeline = queueTimeline(view?.folded.applied ?? []);
    return segmentAccess(recording, timeline, queueIds);
  }
}
