import { spawn } from 'node:child_process';
import { ulawToLinear } from './g711.js';

/**
 * Decoding stored recordings for the verifier: WAV (PCM16 or μ-law) is read here; Ogg/Opus is
 * handed to ffmpeg, an independent decoder, so that what Capstan encoded is judged by someone else.
 */

export type StoredFormat = 'WAV' | 'WAV_ULAW' | 'OGG_OPUS';

export interface DecodedAudio {
  /** The container and codec the bytes turned out to be. */
  readonly format: StoredFormat;
  readonly sampleRate: number;
  /** One array per channel, samples in [-1, 1]. */
  readonly channels: Float32Array[];
  readonly durationSec: number;
}

export class DecodeError extends Error {
  override name = 'DecodeError';
}

const ULAW_TABLE = Float32Array.from({ length: 256 }, (_, b) => ulawToLinear(b) / 32768);
const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Opus is decoded at 16 kHz: every signature is below 3 kHz, and fewer samples means faster detection. */
const OPUS_DECODE_RATE = 16_000;

export async function decodeAudio(bytes: Buffer): Promise<DecodedAudio> {
  const magic = bytes.subarray(0, 4).toString('latin1');
  if (magic === 'RIFF') return parseWav(bytes);
  if (magic === 'OggS') return { ...parseWav(await ffmpegToWav(bytes, OPUS_DECODE_RATE)), format: 'OGG_OPUS' };
  throw new DecodeError(`not a WAV or Ogg file (starts with ${JSON.stringify(bytes.subarray(0, 8).toString('latin1'))}, ${bytes.length} bytes)`);
}

export function parseWav(bytes: Buffer): DecodedAudio {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    throw new DecodeError('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    // A streamed WAV may not know its data size (0 or 0xFFFFFFFF): the data runs to the end.
    const size = id === 'data' && (declared === 0 || declared === 0xffffffff || body + declared > bytes.length) ? bytes.length - body : declared;
    if (id === 'fmt ') {
      let format = bytes.readUInt16LE(body);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 26) format = bytes.readUInt16LE(body + 24);
      fmt = { format, channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new DecodeError('WAV data before its fmt chunk');
      return decodeSamples(bytes.subarray(body, body + size), fmt);
    }
    offset = body + size + (size % 2);
  }
  throw new DecodeError('WAV file without a data chunk');
}

function decodeSamples(data: Buffer, fmt: { format: number; channels: number; sampleRate: number; bits: number }): DecodedAudio {
  const { channels: count, sampleRate } = fmt;
  if (count < 1 || count > 8 || sampleRate < 1000) throw new DecodeError(`implausible WAV: ${count} channels at ${sampleRate} Hz`);
  let format: StoredFormat;
  let bytesPerSample: number;
  if (fmt.format === WAVE_FORMAT_PCM && fmt.bits === 16) [format, bytesPerSample] = ['WAV', 2];
  else if (fmt.format === WAVE_FORMAT_MULAW && fmt.bits === 8) [format, bytesPerSample] = ['WAV_ULAW', 1];
  else throw new DecodeError(`unsupported WAV encoding: format ${fmt.format}, ${fmt.bits} bits`);
  const frames = Math.floor(data.length / (bytesPerSample * count));
  const channels = Array.from({ length: count }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) {
      const at = (i * count + c) * bytesPerSample;
      channels[c]![i] = bytesPerSample === 2 ? data.readInt16LE(at) / 32768 : ULAW_TABLE[data[at]!]!;
    }
  }
  return { format, sampleRate, channels, durationSec: frames / sampleRate };
}

function ffmpegToWav(bytes: Buffer, sampleRate: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-f', 'wav', '-acodec', 'pcm_s16le', '-ar', String(sampleRate), 'pipe:1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new DecodeError(`cannot run ffmpeg to decode Ogg/Opus: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new DecodeError(`ffmpeg could not decode the Ogg/Opus recording: ${err.trim() || `exit ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(bytes);
  });
}
