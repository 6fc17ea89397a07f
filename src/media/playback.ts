import { maskPcm16 } from '../domain/access/mask.js';
import type { MediaRange } from '../domain/access/segments.js';
import type { AudioFormat } from '../domain/telephony.js';
import { ULAW_DECODE } from './codecs/g711.js';
import { decodeOggOpus } from './codecs/ogg-opus.js';
import { parsePage, lastPage } from './codecs/ogg.js';
import { wavHeader } from './codecs/wav.js';
import { servedWavHeader, type BodyShape } from './body-format.js';
import type { EncryptedObjectReader } from './encrypted-object.js';

/**
 * What playback serves: a recording's stored body with its header (WAV, WAV_ULAW, OGG_OPUS as
 * stored), or PCM16 WAV made from it (`?formatId=WAV`). Every representation knows its exact
 * size up front and produces any byte range, decrypting only the chunks the range needs (Ogg/Opus
 * to WAV has to decode from the start).
 */

export interface Representation {
  readonly size: number;
  readonly contentType: string;
  /** Where the audio data starts, after the file header (WAV representations). */
  readonly dataOffset?: number;
  /** Bytes [start, end) of the served file. */
  bytes(start: number, end: number): AsyncIterable<Buffer>;
}

export async function representation(shape: BodyShape, reader: EncryptedObjectReader, served: AudioFormat): Promise<Representation> {
  const body = reader.size;
  if (shape.format === 'OGG_OPUS' && served === 'OGG_OPUS') {
    return { size: body, contentType: 'audio/ogg; codecs=opus', bytes: (s, e) => reader.stream(s, e) };
  }
  if (shape.format !== 'OGG_OPUS' && (served === shape.format || shape.format === 'WAV')) {
    return withHeader(servedWavHeader(shape, body), body, (s, e) => reader.stream(s, e));
  }
  if (shape.format === 'WAV_ULAW') {
    return withHeader(pcmHeader(shape, body * 2), body * 2, (s, e) => ulawAsPcm(reader, s, e));
  }
  const samples = await opusSamples(reader);
  const pcmBytes = samples * shape.channels * 2;
  return withHeader(pcmHeader(shape, pcmBytes), pcmBytes, (s, e) => opusAsPcm(reader, s, e));
}

/**
 * A PCM16 WAV representation with only the permitted media ranges audible (segment access,
 * src/domain/access): everything else is served as silence, for any byte range asked for.
 */
export function silenced(pcmWav: Representation, shape: Pick<BodyShape, 'channels' | 'sampleRate'>, permitted: readonly MediaRange[]): Representation {
  const dataOffset = pcmWav.dataOffset ?? 0;
  return {
    ...pcmWav,
    async *bytes(start, end) {
      let at = start;
      for await (const chunk of pcmWav.bytes(start, end)) {
        const out = Buffer.from(chunk);
        const skip = Math.max(0, dataOffset - at);
        if (skip < out.length) maskPcm16(out.subarray(skip), { byteOffset: at + skip - dataOffset, channels: shape.channels, sampleRate: shape.sampleRate }, permitted);
        yield out;
        at += chunk.length;
      }
    },
  };
}

function pcmHeader(shape: BodyShape, dataBytes: number): Buffer {
  return wavHeader({ encoding: 'pcm16', channels: shape.channels, sampleRate: shape.sampleRate }, dataBytes);
}

function withHeader(header: Buffer, bodySize: number, body: (start: number, end: number) => AsyncIterable<Buffer>): Representation {
  return {
    size: header.length + bodySize,
    contentType: 'audio/wav',
    dataOffset: header.length,
    async *bytes(start, end) {
      if (start < header.length) yield header.subarray(start, Math.min(end, header.length));
      if (end > header.length) yield* body(Math.max(0, start - header.length), end - header.length);
    },
  };
}

async function* ulawAsPcm(reader: EncryptedObjectReader, start: number, end: number): AsyncIterable<Buffer> {
  let at = start - (start % 2);
  for await (const ulaw of reader.stream(Math.floor(start / 2), Math.ceil(end / 2))) {
    const pcm = Buffer.allocUnsafe(ulaw.length * 2);
    for (let i = 0; i < ulaw.length; i++) pcm.writeInt16LE(ULAW_DECODE[ulaw[i]!]!, 2 * i);
    yield pcm.subarray(Math.max(0, start - at), Math.min(pcm.length, end - at));
    at += pcm.length;
  }
}

async function opusSamples(reader: EncryptedObjectReader): Promise<number> {
  const head = parsePage(await reader.read(0, 4096), 0);
  const last = lastPage(await reader.read(Math.max(0, reader.size - 70_000), reader.size));
  if (!head || !last) return 0;
  const rate = head.packets[0]!.readUInt32LE(12);
  const preSkip = head.packets[0]!.readUInt16LE(10);
  return Math.max(0, Math.round((Number(last.page.granule) - preSkip) / (48000 / rate)));
}

async function* opusAsPcm(reader: EncryptedObjectReader, start: number, end: number): AsyncIterable<Buffer> {
  let at = 0;
  const decoding = decodeOggOpus(await reader.read(0, reader.size));
  for (let next = decoding.next(); !next.done && at < end; next = decoding.next()) {
    const pcm = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    if (at + pcm.length > start) yield pcm.subarray(Math.max(0, start - at), Math.min(pcm.length, end - at));
    at += pcm.length;
  }
}
