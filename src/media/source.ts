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

export interface SourceSink {
  push(frame: SourceFrame): void;
  /**
   * The sender skipped a stretch on purpose (AudioHook `paused`/`discarded`, a SIPREC
   * `a=inactive` stream): it is kept aligned with the conversation clock and annotated.
   */
  gap(fromTimestamp: number, samples: number, reason: GapReason): void;
  /** The source has ended; buffered audio is rendered. Idempotent. */
  close(): void;
}

export interface MediaIngest {
  /** Throws DomainError `media.unknownConversation` when the conversation has not started. */
  open(source: SourceDescriptor): Promise<SourceSink>;
}
