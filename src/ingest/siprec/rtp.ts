/**
 * RTP (RFC 3550) receive for one recorded stream. Packets are placed on the source's timeline by
 * their RTP timestamp, anchored to the arrival clock at the first packet and again whenever the
 * sender changes SSRC (a transfer, a new media leg) or jumps its timestamp by more than a few
 * seconds; small jumps (silence suppression) keep their spacing. Sequence numbers are extended
 * past the 16-bit wrap so that the sink sees one increasing frame sequence.
 */

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Uint8Array;
}

export function parseRtp(data: Uint8Array): RtpPacket | undefined {
  if (data.length < 12 || data[0]! >> 6 !== 2) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const padding = (data[0]! & 0x20) !== 0;
  const extension = (data[0]! & 0x10) !== 0;
  const csrcCount = data[0]! & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (extension) {
    if (data.length < offset + 4) return undefined;
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = data.length;
  if (padding) {
    const pad = data[data.length - 1]!;
    if (pad === 0) return undefined;
    end -= pad;
  }
  if (end < offset) return undefined;
  return {
    marker: (data[1]! & 0x80) !== 0,
    payloadType: data[1]! & 0x7f,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: data.subarray(offset, end),
  };
}

export interface PlacedFrame {
  /** One more per frame sent to the sink. */
  readonly seq: number;
  /** Samples since the source's start (wrapping at 2^32). */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

export interface RtpStats {
  packets: number;
  ignored: number;
  ssrcChanges: number;
  timestampJumps: number;
}

/** How far (in seconds) an RTP timestamp may move away from the arrival clock before the stream is re-anchored. */
const MAX_DRIFT_S = 2;

export class RtpTimeline {
  readonly stats: RtpStats = { packets: 0, ignored: 0, ssrcChanges: 0, timestampJumps: 0 };
  private ssrc: number | undefined;
  /** source timestamp = rtp timestamp + offset (mod 2^32). */
  private offset = 0;
  /** Frame sequence of the current SSRC epoch's first packet, and where that epoch stands. */
  private epochBase = 0;
  private lastRaw = 0;
  private lastRelative = 0;
  private frames = 0;

  constructor(
    private readonly payloadType: number,
    private readonly rate: number,
  ) {}

  /**
   * Places a packet; `arrivalSamples` is where the arrival clock stands on the source's timeline
   * (samples since the source's start). Undefined for packets that are not this stream's audio.
   */
  place(packet: RtpPacket, arrivalSamples: number): PlacedFrame | undefined {
    if (packet.payloadType !== this.payloadType || packet.payload.length === 0) {
      this.stats.ignored++;
      return undefined;
    }
    this.stats.packets++;
    if (this.ssrc !== packet.ssrc) {
      if (this.ssrc !== undefined) this.stats.ssrcChanges++;
      this.anchor(packet, arrivalSamples);
    } else {
      const placed = (packet.timestamp + this.offset) >>> 0;
      const drift = signed32(placed - (arrivalSamples >>> 0));
      if (Math.abs(drift) > MAX_DRIFT_S * this.rate) {
        this.stats.timestampJumps++;
        this.anchor(packet, arrivalSamples);
      }
    }
    const seq = this.extend(packet.sequence);
    return { seq, timestamp: (packet.timestamp + this.offset) >>> 0, payload: packet.payload };
  }

  /** The sender paused on purpose: the next packet is placed by the arrival clock again. */
  reanchor(): void {
    this.ssrc = undefined;
  }

  private anchor(packet: RtpPacket, arrivalSamples: number): void {
    this.ssrc = packet.ssrc;
    this.offset = (arrivalSamples - packet.timestamp) >>> 0;
    this.epochBase = this.frames;
    this.lastRaw = packet.sequence;
    this.lastRelative = 0;
  }

  private extend(sequence: number): number {
    let delta = sequence - this.lastRaw;
    if (delta < -32768) delta += 65536;
    else if (delta > 32768) delta -= 65536;
    const relative = this.lastRelative + delta;
    if (delta > 0) {
      this.lastRaw = sequence;
      this.lastRelative = relative;
    }
    const seq = this.epochBase + relative;
    this.frames = Math.max(this.frames, seq + 1);
    return seq >>> 0;
  }
}

const signed32 = (v: number) => (v | 0);
