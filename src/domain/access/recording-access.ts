import type { RecordingKind } from '../capture/types.js';
import { holds } from './permissions.js';

/**
 * Who can listen to (or view) a recording, per kind — the seed's table "Who can listen to the
 * recording?" and the screen-recording rules — and who can download it. Pure: the caller passes
 * the viewer, the recording and the evaluations of its conversation.
 */

export interface Viewer {
  /** The signed-in user; API clients acting on their own have none. */
  readonly userId?: string;
  /** Granted permission patterns (see permissions.ts). */
  readonly permissions: ReadonlySet<string>;
  /** Scopable permission → queues it is limited to (absent = unlimited). */
  readonly queueScopes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Users of an external partner (outsourcer): screen recordings are an internal-only tool. */
  readonly externalPartner: boolean;
}

export interface RecordingFacts {
  readonly kind: RecordingKind;
  /** Owner of an ad-hoc recording, capturer of a snippet, user of a station or screen recording. */
  readonly userId: string | null;
}

export const EVALUATION_STATUSES = ['PENDING', 'INPROGRESS', 'FINISHED'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export interface EvaluationFacts {
  readonly evaluatorUserId: string;
  readonly agentUserId: string;
  readonly status: EvaluationStatus;
}

export type AccessBasis =
  | 'owner'
  | 'permission'
  | 'assignedEvaluator'
  | 'evaluatedAgent'
  | 'capturedBy'
  | 'segmentPermission';

export type RecordingAccess =
  | { readonly view: 'full'; readonly download: boolean; readonly basis: AccessBasis }
  /** Only the spans handled in these queues may be heard; the rest is silence. Never downloadable. */
  | { readonly view: 'segments'; readonly download: false; readonly basis: 'segmentPermission'; readonly queueIds: ReadonlySet<string> }
  | { readonly view: 'none'; readonly download: false; readonly reason: string };

/** The reference API's view permissions for recordings (any one lets a caller list a conversation's recordings). */
export const RECORDING_VIEW_PERMISSIONS = [
  'recording:recording:view',
  'recording:recordingSegment:view',
  'recording:snippetRecording:view',
  'recording:screenRecording:view',
] as const;

/**
 * A caller holding a view permission, or a user who took part in the conversation, is answered
 * with the recordings they may see, even none (an admin on a call that has only someone's ad-hoc
 * recording, an agent on a call with nothing of hers to hear); a caller with neither and no
 * relationship to any of the recordings is refused. `participantUserIds`: the conversation's
 * users, asked for only when the permissions do not settle it.
 */
export async function mayListRecordings(viewer: Viewer, participantUserIds: () => Promise<ReadonlySet<string>>): Promise<boolean> {
  if (RECORDING_VIEW_PERMISSIONS.some((p) => holds(viewer.permissions, p))) return true;
  return viewer.userId !== undefined && (await participantUserIds()).has(viewer.userId);
}

export function recordingAccess(viewer: Viewer, recording: RecordingFacts, evaluations: readonly EvaluationFacts[]): RecordingAccess {
  const has = (p: string) => holds(viewer.permissions, p);
  const isMine = viewer.userId !== undefined && recording.userId === viewer.userId;
  const full = (basis: AccessBasis, downloadable = has('recording:recording:download')) =>
    ({ view: 'full', download: downloadable, basis }) as const;
  const none = (reason: string) => ({ view: 'none', download: false, reason }) as const;

  switch (recording.kind) {
    case 'adhoc':
      // "The user who made the recording." — the inbox is "only available to that user".
      return isMine ? full('owner', true) : none('an ad-hoc recording is available only to the user who made it');

    case 'snippet':
      // "Supervisors with the correct permissions." / "Agents can review their own snippet recordings that they captured in a call."
      if (has('recording:snippetRecording:view')) return full('permission');
      if (isMine) return full('capturedBy');
      return none('snippets are for holders of recording:snippetRecording:view and the agent who captured them');

    case 'screen':
      // "Screen recordings can be viewed in Genesys Cloud, but not downloaded." "Agents do not
      // currently have permission to view their own screen recordings." "External customers cannot view screen recordings."
      if (viewer.externalPartner) return none('screen recordings are an internal-only tool: external partners cannot view them');
      if (has('recording:screenRecording:view')) return full('permission', false);
      return none('screen recordings are for holders of recording:screenRecording:view');

    default: {
      // Policy-based: "Supervisors with the correct permissions. Evaluators assigned to evaluate an
      // interaction. Agents reviewing an evaluation of themselves."
      if (has('recording:recording:view')) return full('permission');
      const me = viewer.userId;
      if (me !== undefined && evaluations.some((e) => e.evaluatorUserId === me)) return full('assignedEvaluator');
      if (me !== undefined && evaluations.some((e) => e.agentUserId === me && e.status === 'FINISHED')) return full('evaluatedAgent');
      if (has('recording:recordingSegment:view')) {
        const queueIds = viewer.queueScopes.get('recording:recordingSegment:view');
        if (!queueIds) return full('segmentPermission');
        return { view: 'segments', download: false, basis: 'segmentPermission', queueIds };
      }
      return none('policy-based recordings are for holders of recording:recording:view or recording:recordingSegment:view, assigned evaluators and agents reviewing an evaluation of themselves');
    }
  }
}
