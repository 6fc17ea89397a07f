/** The API shapes the Recordings pages read (docs/search.md, docs/access.md, the reference recording API). */

export type RecordingKind = 'trunk' | 'station' | 'consult' | 'adhoc' | 'snippet' | 'screen';
export const RECORDING_KINDS: readonly RecordingKind[] = ['trunk', 'station', 'consult', 'adhoc', 'snippet', 'screen'];
export const KIND_LABEL: Record<RecordingKind, string> = {
  trunk: 'Trunk',
  station: 'Station',
  consult: 'Consult',
  adhoc: 'Ad-hoc',
  snippet: 'Snippet',
  screen: 'Screen',
};

/** One row of `POST /api/v2/analytics/conversations/details/query`. */
export interface ConversationRow {
  readonly conversationId: string;
  readonly conversationStart: string;
  readonly conversationEnd?: string;
  readonly originatingDirection?: string;
  readonly capstan: {
    readonly durationMs: number | null;
    readonly direction: string | null;
    readonly ani: string | null;
    readonly dnis: string | null;
    readonly users: readonly { id: string; name: string | null; purpose: string }[];
    readonly queues: readonly { id: string; name: string | null }[];
    readonly wrapUpCodes: readonly string[];
    readonly recorded: boolean;
    readonly recordingKinds: readonly RecordingKind[];
    readonly recordingCount: number;
  };
}

export interface SearchAnswer {
  readonly conversations: ConversationRow[];
  readonly totalHits?: number;
  readonly cursor?: string;
}

export interface Annotation {
  readonly id: string;
  readonly name: string | null;
  readonly type: string;
  readonly reason: string | null;
  readonly description?: string;
  readonly user?: { id: string };
  /** Position and length in the recording's audio, in milliseconds. */
  readonly recordingLocation: number;
  readonly recordingDurationMs: number;
  /** Conversation time the annotation covers (a cut's length, though the audio skips it). */
  readonly realtimeDurationMs: number;
}

export interface ChannelRole {
  readonly channel: 1 | 2;
  readonly role: 'says' | 'hears';
  readonly participantId: string;
}

/** `GET /api/v2/conversations/:id/recordings`, with Capstan's `capstan` block. */
export interface Recording {
  readonly id: string;
  readonly conversationId: string;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly mediaSubtype: string | null;
  readonly annotations: Annotation[];
  readonly fileState: string;
  readonly mediaUris: { S: { mediaUri: string } } | null;
  readonly archiveDate: string | null;
  readonly deleteDate: string | null;
  readonly exportDate: string | null;
  readonly exportedDate: string | null;
  readonly restoreExpirationTime?: string;
  readonly outputDurationMs: number | null;
  readonly capstan: {
    readonly kind: RecordingKind;
    readonly participantId: string;
    readonly userId: string | null;
    readonly channels: readonly ChannelRole[];
    readonly format: string;
    readonly dualChannel: boolean;
    readonly mediaState: string;
    readonly partial: boolean;
    readonly access: {
      readonly basis: string;
      readonly download: boolean;
      readonly segments?: { withheld: readonly { recordingLocation: number; recordingDurationMs: number | null; queueId: string | null }[] };
    };
    readonly retention: { protected: boolean; rule: string | null; selfUri: string } | null;
  };
}

/** `GET /api/v2/capstan/recordings/:id/retention`. */
export interface RetentionExplained {
  readonly fileState: string;
  readonly archiveDate: string | null;
  readonly deleteDate: string | null;
  readonly exportDate: string | null;
  readonly exportedDate: string | null;
  readonly restoreExpirationTime: string | null;
  readonly protected: boolean;
  readonly evaluatedDate: string | null;
  readonly lastError?: string;
  readonly decision: {
    readonly rule: string;
    readonly winningPolicyId: string | null;
    readonly matchedPolicies: readonly { id: string; name: string; reasons: readonly string[] }[];
    readonly notYetEnabledPolicies: readonly { id: string; name: string; enabledDate: string | null }[];
    readonly explanation: readonly string[];
  } | null;
}

export interface WireEvent {
  readonly type: string;
  readonly at: string;
  readonly participantId?: string;
  readonly participantIds?: string[];
  readonly kind?: string;
  readonly queueId?: string;
  readonly flowId?: string;
  readonly fromParticipantId?: string;
  readonly toParticipantId?: string;
  readonly targetParticipantId?: string;
  readonly mode?: string;
  readonly state?: string;
  readonly wrapupCode?: string;
  readonly userId?: string;
  readonly record?: boolean;
}

/** `GET /api/v2/capstan/conversations/:id`. */
export interface Conversation {
  readonly id: string;
  readonly direction: string | null;
  readonly ani: string | null;
  readonly dnis: string | null;
  readonly startTime: string;
  readonly endTime: string | null;
  readonly state: string;
  readonly participants: readonly {
    id: string;
    purpose: string;
    userId: string | null;
    name: string | null;
    joinTime: string | null;
    leaveTime: string | null;
    wrapupCode: string | null;
  }[];
  readonly events: readonly WireEvent[];
  /** The recording plan: who is on which channel over time. */
  readonly recordings: readonly { id: string; spans: readonly { captured: boolean; ch1: readonly string[]; ch2: readonly string[] }[] }[];
}

export interface Evaluation {
  readonly id: string;
  readonly conversation: { id: string };
  readonly evaluator: { id: string };
  readonly agent: { id: string };
  readonly status: string;
  readonly dateCreated: string | null;
  readonly changedDate: string | null;
}
