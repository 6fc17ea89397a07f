import type { AudioFormat } from '../domain/telephony.js';
import { encodeUlaw } from './codecs/g711.js';
import { lastPage, parsePage } from './codecs/ogg.js';
import { OggOpusEncoder } from './codecs/ogg-opus.js';
import { bytesPerSample, wavHeader, type WavEncoding } from './codecs/wav.js';

/**
 * What a stored recording body is, per format: WAV and WAV_ULAW store bare samples (the RIFF
 * header is synthesized when served), OGG_OPUS stores complete Ogg pages. One place knows how
 * to encode each, how long a body plays, and where a body cut short by a crash can be trimmed.
 */

export interface BodyShape {
  readonly format: AudioFormat;
  readonly channels: 1 | 2;
  readonly sampleRate: 8000 | 16000;
}

export interface BodyEncoder {
  /** Bytes every body starts with (the Ogg header pages); empty for WAV. */
  start(): Buffer;
  /** Interleaved PCM16 in; body bytes out (possibly empty while an Opus frame fills). */
  encode(pcm: Int16Array): Buffer;
  /** The last bytes of the body. */
  finish(): Buffer;
  /** Releases codec memory without finishing. */
  close(): void;
}

const wavEncoding = (format: AudioFormat): WavEncoding => (format === 'WAV' ? 'pcm16' : 'ulaw');

export function bodyEncoder(shape: BodyShape): BodyEncoder {
  if (shape.format === 'OGG_OPUS') {
    const opus = new OggOpusEncoder(shape.channels, shape.sampleRate);
    return { start: () => opus.headerPages(), encode: (pcm) => opus.encode(pcm), finish: () => opus.finish(), close: () => opus.close() };
  }
  const encode = shape.format === 'WAV' ? (pcm: Int16Array) => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength) : encodeUlaw;
  return { start: () => Buffer.alloc(0), encode, finish: () => Buffer.alloc(0), close: () => undefined };
}

/** The RIFF header served before a WAV body of `bodyBytes` (WAV and WAV_ULAW only). */
export function servedWavHeader(shape: BodyShape, bodyBytes: number): Buffer {
  return wavHeader({ encoding: wavEncoding(shape.format), channels: shape.channels, sampleRate: shape.sampleRate }, bodyBytes);
}

/** Bytes per sample frame (all channels) of a WAV body. */
export function wavFrameBytes(shape: BodyShape): number {
  return bytesPerSample(wavEncoding(shape.format)) * shape.channels;
}

/**
 * How much of a body's last bytes (`window`, starting at body offset `windowStart`) is whole:
 * whole sample frames for WAV, whole pages for Ogg.
 */
export function wholeBodyLength(shape: BodyShape, window: Buffer, windowStart: number): number {
  if (shape.format === 'OGG_OPUS') {
    const last = lastPage(window);
    return windowStart + (last ? last.at + last.page.length : 0);
  }
  const end = windowStart + window.length;
  return end - (end % wavFrameBytes(shape));
}

/** How long a stored body plays: arithmetic for WAV, the last page's granule for Ogg/Opus. */
export async function bodyDurationMs(shape: BodyShape, bodyBytes: number, read: (start: number, end: number) => Promise<Buffer>): Promise<number> {
  if (shape.format !== 'OGG_OPUS') return Math.floor((bodyBytes / wavFrameBytes(shape) / shape.sampleRate) * 1000);
  const head = parsePage(await read(0, Math.min(bodyBytes, 4096)), 0);
  const last = lastPage(await read(Math.max(0, bodyBytes - 70_000), bodyBytes));
  if (!head || !last) return 0;
  const preSkip = head.packets[0]!.readUInt16LE(10);
  return Math.max(0, Math.floor((Number(last.page.granule) - preSkip) / 48));
}
