import type { RecordingKind, Span } from '../domain/capture/types.js';
import { AccessDenied } from '../domain/access/errors.js';
import { actorOf, viewerOf, type Caller } from '../domain/access/principal.js';
import { mayListRecordings, recordingAccess, type RecordingAccess } from '../domain/access/recording-access.js';
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
    return this.grant(caller, recording, (await this.decide(caller, [recording])).get(recording.id)!, action);
  }

  /**
   * The recordings of a listing the caller may see, each audited as viewed. Refuses (AccessDenied)
   * when there are recordings and the caller may see none of them, unless the caller holds a
   * recording view permission or took part in the conversation: they get an empty listing.
   */
  async viewable<R extends RecordingSubject>(caller: Caller, recordings: readonly R[]): Promise<Array<{ recording: R; grant: RecordingGrant }>> {
    const decisions = await this.decide(caller, recordings);
    const allowed = recordings.filter((r) => decisions.get(r.id)!.view !== 'none');
    if (recordings.length > 0 && allowed.length === 0 && !(await mayListRecordings(viewerOf(caller.principal), () => this.participantUserIds(recordings[0]!)))) {
      const first = recordings[0]!;
      throw this.denied(caller, first, 'View', `You may not view any recording of this conversation: ${(decisions.get(first.id) as { reason: string }).reason}`);
    }
    const out: Array<{ recording: R; grant: RecordingGrant }> = [];
    for (const recording of allowed) out.push({ recording, grant: await this.grant(caller, recording, decisions.get(recording.id)!, 'View') });
    return out;
  }

  private denied(caller: Caller, recording: RecordingSubject, action: RecordingAction, message: string): AccessDenied {
    return new AccessDenied(message, {
      serviceName: 'Recording',
      action,
      entityType: 'Recording',
      entityId: recording.id,
      context: { conversationId: recording.conversationId, kind: recording.kind },
      principal: caller.principal,
    });
  }

  private async grant(caller: Caller, recording: RecordingSubject, access: RecordingAccess, action: RecordingAction): Promise<RecordingGrant> {
    const context = { conversationId: recording.conversationId, kind: recording.kind };
    if (access.view === 'none') throw this.denied(caller, recording, action, `You may not ${action.toLowerCase()} this recording: ${access.reason}`);
    if (action === 'Download' && !access.download) {
      const reason =
        recording.kind === 'screen'
          ? 'screen recordings can be viewed but never downloaded'
          : access.view === 'segments'
            ? 'only some segments of this recording are yours to hear; it cannot be downloaded'
            : 'downloading needs recording:recording:download';
      throw this.denied(caller, recording, action, `You may not download this recording: ${reason}`);
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

  /** The users who took part in the recording's conversation. */
  private async participantUserIds(recording: RecordingSubject): Promise<ReadonlySet<string>> {
    const view = await this.deps.conversations.get(recording.orgId, recording.conversationId);
    return new Set(Object.values(view?.folded.state.conversation.participants ?? {}).flatMap((p) => (p.userId ? [p.userId] : [])));
  }

  /** The parts of a recording a listener limited to `queueIds` may hear. */
  async segments(recording: RecordingSubject, queueIds: ReadonlySet<string>): Promise<SegmentAccess> {
    const view = await this.deps.conversations.get(recording.orgId, recording.conversationId);
    const timeline = queueTimeline(view?.folded.applied ?? []);
    return segmentAccess(recording, timeline, queueIds);
  }
}
