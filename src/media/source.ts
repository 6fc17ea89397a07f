/**
 * The one way audio enters Capstan's core: a *source* is what one participant says, as encoded
 * frames with timestamps. Every connector (native media WebSocket, AudioHook, SIPREC, Twilio)
 * translates its protocol into sources; nothing past this interface sees protocol details.
 */

export type Codec = 'PCMU' | 'PCMA' | 'L16';
export type SourceConnector = 'native' | 'audiohook' | 'siprec' | 'twilio';

export interface SourceDescriptor {
  readonly orgId: string;
  readonly conversationId: string;
  readonly participantId: string;
  /** L16 is signed 16-bit little-endian; connectors convert network-order L16 themselves. */
  readonly codec: Codec;
  readonly sampleRate: 8000 | 16000;
  /** Conversation-clock instant (epoch ms) of the source's sample 0. */
  readonly startAtMs: number;
  readonly connector: SourceConnector;
}

export interface SourceFrame {
  /** Increases by one per frame sent, wrapping at 2^32; repeats and gaps in it count as duplicates and losses. */
  readonly seq: number;
  /** Samples since the source's start, at its sample rate, wrapping at 2^32. */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export type GapReason = 'Pause' | 'Discarded';

/**
 * What became of a frame: placed in the buffer, a repeat of a `seq` already seen, too late for
 * its stretch of time (already rendered), or refused (a timestamp jumping more than 10 s past what
 * the source has sent, a payload that is not whole samples).
 */
export type PushResult = 'accepted' | 'duplicate' | 'late' | 'tooFar' | 'badPayload';

/** A source's counters, as its recordings' health reports them. */
export interface SourceStats {
  readonly framesReceived: number;
  /** Frames never received (holes in `seq`). */
  readonly framesLost: number;
  /** Frames received after their stretch was rendered: not in the recording. */
  readonly framesLate: number;
  readonly duplicates: number;
  /** Stretches of the source's lifetime with no audio (lost or late frames, a stalled sender), and their total length. */
  readonly gaps: number;
  readonly gapMs: number;
  /** Silence the sender declared on purpose (`gap`), by reason, in milliseconds. */
  readonly declaredGapMs: Readonly<Partial<Record<GapReason, number>>>;
}

export interface SourceSink {
  /** The sink keeps `frame.payload` (no copy): the caller must not reuse its memory. */
  push(frame: SourceFrame): PushResult;
  /**
   * The sender skipped a stretch on purpose (AudioHook `paused`/`discarded`, a SIPREC
   * `a=inactive` stream): it is kept aligned with the conversation clock and annotated.
   */
  gap(fromTimestamp: number, samples: number, reason: GapReason): void;
  /** The source has ended; buffered audio is rendered. Idempotent. */
  close(): SourceStats;
}

export interface MediaIngest {
  /**
   * Throws DomainError `media.unknownConversation` when the conversation has not started,
   * `media.conversationEnded` when its recordings are already finished, `media.draining` while
   * the server shuts down.
   */
  open(source: SourceDescriptor): Promise<SourceSink>;
}
