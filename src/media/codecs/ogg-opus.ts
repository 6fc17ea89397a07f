import { randomBytes } from 'node:crypto';
import { Decoder, Encoder } from '@evan/opus/wasm/index.mjs';
import { PAGE_BOS, PAGE_EOS, encodePage, parsePage, segmentsOf } from './ogg.js';

/**
 * Ogg/Opus (RFC 7845) for OGG_OPUS recordings: PCM16 in 20 ms Opus packets, one Ogg page per
 * `encode` call (the pipeline encodes about a second at a time), the two header pages first and
 * the end-of-stream page last, with the granule position trimming the padding of the final frame.
 */

const FRAME_MS = 20;
const OPUS_SET_BITRATE = 4002;
const OPUS_GET_LOOKAHEAD = 4027;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
/** Per channel: a voice channel stays clear, and each channel keeps its own talker. */
const BITRATE_PER_CHANNEL = 24_000;
const VENDOR = 'Capstan';

export class OggOpusEncoder {
  private readonly encoder: Encoder;
  private readonly frameSamples: number;
  private readonly preSkip: number;
  private readonly serial = randomBytes(4).readUInt32LE(0);
  private readonly scale: number;
  private leftover: Int16Array;
  private leftoverLength = 0;
  private sequence = 0;
  private packets = 0;
  private samples = 0;

  constructor(
    readonly channels: 1 | 2,
    readonly sampleRate: 8000 | 16000,
  ) {
    this.encoder = new Encoder({ channels, sample_rate: sampleRate, application: 'audio' });
    this.encoder.ctl(OPUS_SET_BITRATE, BITRATE_PER_CHANNEL * channels);
    this.encoder.ctl(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
    this.scale = 48000 / sampleRate;
    this.frameSamples = (sampleRate * FRAME_MS) / 1000;
    this.preSkip = this.encoder.ctl(OPUS_GET_LOOKAHEAD) * this.scale;
    this.leftover = new Int16Array(this.frameSamples * channels);
  }

  /** The identification and comment header pages: the start of every OGG_OPUS body. */
  headerPages(): Buffer {
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'ascii');
    head.writeUInt8(1, 8);
    head.writeUInt8(this.channels, 9);
    head.writeUInt16LE(this.preSkip, 10);
    head.writeUInt32LE(this.sampleRate, 12);
    head.writeInt16LE(0, 16);
    head.writeUInt8(0, 18);
    const vendor = Buffer.from(VENDOR, 'utf8');
    const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
    tags.write('OpusTags', 0, 'ascii');
    tags.writeUInt32LE(vendor.length, 8);
    vendor.copy(tags, 12);
    tags.writeUInt32LE(0, 12 + vendor.length);
    return Buffer.concat([this.page(PAGE_BOS, 0n, [head]), this.page(0, 0n, [tags])]);
  }

  /** Encodes interleaved PCM16; returns the pages of every whole 20 ms frame (samples left over wait for the next call). */
  encode(pcm: Int16Array): Buffer {
    const packets: Uint8Array[] = [];
    const frame = this.leftover.length;
    let at = 0;
    if (this.leftoverLength > 0) {
      const take = Math.min(frame - this.leftoverLength, pcm.length);
      this.leftover.set(pcm.subarray(0, take), this.leftoverLength);
      this.leftoverLength += take;
      at = take;
      if (this.leftoverLength === frame) {
        packets.push(this.encoder.encode(this.leftover));
        this.leftoverLength = 0;
      }
    }
    for (; at + frame <= pcm.length; at += frame) packets.push(this.encoder.encode(pcm.subarray(at, at + frame)));
    if (at < pcm.length) {
      this.leftover.set(pcm.subarray(at), this.leftoverLength);
      this.leftoverLength += pcm.length - at;
    }
    this.samples += pcm.length / this.channels;
    return this.pages(packets, 0);
  }

  /** Pads the last frame, flushes the codec's look-ahead and writes the end-of-stream page. */
  finish(): Buffer {
    const packets: Uint8Array[] = [];
    const needed = this.samples * this.scale + this.preSkip;
    this.leftover.fill(0, this.leftoverLength);
    this.leftoverLength = 0;
    do {
      packets.push(this.encoder.encode(this.leftover));
      this.leftover.fill(0);
    } while ((this.packets + packets.length) * this.frameSamples * this.scale < needed);
    this.encoder.drop();
    return this.pages(packets, PAGE_EOS, BigInt(Math.round(needed)));
  }

  close(): void {
    this.encoder.drop();
  }

  private pages(packets: Uint8Array[], lastFlags: number, lastGranule?: bigint): Buffer {
    const out: Buffer[] = [];
    let page: Uint8Array[] = [];
    let segments = 0;
    const emit = (flags: number) => {
      this.packets += page.length;
      const granule = BigInt(this.packets * this.frameSamples * this.scale);
      out.push(this.page(flags, flags & PAGE_EOS && lastGranule !== undefined ? lastGranule : granule, page));
      page = [];
      segments = 0;
    };
    for (const packet of packets) {
      if (segments + segmentsOf(packet) > 255) emit(0);
      page.push(packet);
      segments += segmentsOf(packet);
    }
    if (page.length > 0 || lastFlags & PAGE_EOS) emit(lastFlags);
    return Buffer.concat(out);
  }

  private page(flags: number, granule: bigint, packets: readonly Uint8Array[]): Buffer {
    return encodePage({ flags, granule, serial: this.serial, sequence: this.sequence++, packets });
  }
}

export interface OpusStreamInfo {
  readonly channels: 1 | 2;
  readonly sampleRate: 8000 | 16000;
  /** Samples per channel at `sampleRate`, after pre-skip and end trimming. */
  readonly samples: number;
}

/**
 * Decodes a whole OGG_OPUS body back to interleaved PCM16 at its input rate (for `?formatId=WAV`
 * on an Opus recording). Pages are read in order; the last page's granule says where audio ends.
 */
export function* decodeOggOpus(body: Buffer): Generator<Int16Array, OpusStreamInfo> {
  let at = 0;
  const head = parsePage(body, at);
  if (!head || head.packets[0]?.toString('ascii', 0, 8) !== 'OpusHead') throw new Error('not an Ogg/Opus stream');
  const packet = head.packets[0];
  const channels = packet.readUInt8(9) as 1 | 2;
  const preSkip = packet.readUInt16LE(10);
  const sampleRate = packet.readUInt32LE(12) as 8000 | 16000;
  const scale = 48000 / sampleRate;
  at += head.length;
  const decoder = new Decoder({ channels, sample_rate: sampleRate });
  let skip = Math.round(preSkip / scale);
  let produced = 0;
  let limit = Number.POSITIVE_INFINITY;
  try {
    for (let page = parsePage(body, at); page; page = parsePage(body, at)) {
      at += page.length;
      if (page.packets[0]?.toString('ascii', 0, 8) === 'OpusTags') continue;
      if (page.flags & PAGE_EOS) limit = Math.max(0, Math.round((Number(page.granule) - preSkip) / scale));
      for (const p of page.packets) {
        const bytes = decoder.decode(p);
        let pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
        const drop = Math.min(skip, pcm.length / channels);
        skip -= drop;
        pcm = pcm.subarray(drop * channels, Math.max(drop * channels, Math.min(pcm.length, (limit - produced + drop) * channels)));
        produced += pcm.length / channels;
        if (pcm.length > 0) yield pcm;
      }
    }
  } finally {
    decoder.drop();
  }
  return { channels, sampleRate, samples: produced };
}
