import type { AudioFormat } from '../telephony.js';

/** The kinds of recording (DESIGN section 3 and the seed's categories). */
export const RECORDING_KINDS = ['trunk', 'station', 'consult', 'adhoc', 'snippet', 'screen'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];

/** Why a span of a recording is annotated (the reference's annotation `reason`). */
export const CUT_REASONS = ['FlowOrQueue', 'Hold', 'SecurePause', 'Pause'] as const;
export type CutReason = (typeof CUT_REASONS)[number];

/** What one channel of a recording carries: a participant's voice, or what a participant hears. */
export interface ChannelRole {
  readonly channel: 1 | 2;
  readonly role: 'says' | 'hears';
  readonly participantId: string;
}

export interface AudioSpec {
  readonly format: AudioFormat;
  readonly dualChannel: boolean;
  readonly sampleRate: 8000 | 16000;
  readonly region?: string;
  readonly beepTone: boolean;
}

export interface RecordingSpec {
  /** Stable within the conversation, e.g. `trunk:p1`, `snippet:p2:2`; replaying a timeline gives the same keys. */
  readonly key: string;
  readonly kind: RecordingKind;
  /** Whose perspective the recording takes (the external participant, the station's user, ...). */
  readonly participantId: string;
  /** The user the recording belongs to (station, ad-hoc, snippet, screen). */
  readonly userId?: string;
  readonly trunkId?: string;
  readonly stationId?: string;
  /** ADHOC recordings live in the owner's inbox; all others are part of the customer experience. */
  readonly fileRole: 'CUSTOMER_EXPERIENCE' | 'ADHOC';
  readonly channels: readonly ChannelRole[];
  /** Audio recordings only. */
  readonly audio?: AudioSpec;
  /** Screen recordings only: how many monitors may be captured. */
  readonly maxMonitors?: number;
}

/**
 * The state of a recording over a stretch of conversation time. `captured: false` is a cut: the
 * span is not in the media, only an annotation with its reason. `captured: true` with a reason is
 * kept in the media and annotated (a recorded hold). ch1/ch2 list whose voices are mixed into each
 * channel (DESIGN section 3's perspective table).
 */
export interface SpanState {
  readonly captured: boolean;
  readonly reason?: CutReason;
  readonly ch1: readonly string[];
  readonly ch2: readonly string[];
}

export interface Span extends SpanState {
  readonly fromMs: number;
  /** Open while the recording is still going. */
  readonly toMs?: number;
}

export type DiscardReason = 'consentDeclined' | 'consentMissing' | 'passedBetweenUsers' | 'externalPartner';

/** What the capture rules ask the media layer to do, at a conversation instant. */
export type CaptureCommand =
  | { readonly type: 'start'; readonly atMs: number; readonly spec: RecordingSpec; readonly span: SpanState }
  | { readonly type: 'span'; readonly atMs: number; readonly key: string; readonly span: SpanState }
  | { readonly type: 'stop'; readonly atMs: number; readonly key: string }
  | { readonly type: 'discard'; readonly atMs: number; readonly key: string; readonly reason: DiscardReason };

export interface PlannedRecording {
  readonly spec: RecordingSpec;
  readonly startedAtMs: number;
  readonly stoppedAtMs?: number;
  readonly status: 'active' | 'stopped' | 'discarded';
  readonly discardReason?: DiscardReason;
  readonly spans: readonly Span[];
}

/** The recording plan of a conversation so far: every recording the rules started, with its spans. */
export interface RecordingPlan {
  readonly recordings: readonly PlannedRecording[];
}
