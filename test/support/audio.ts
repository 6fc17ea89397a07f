import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Audio for tests: tones made at test time, and measurements on what an independent decoder (ffmpeg) reads back. */

export function tone(frequency: number, samples: number, sampleRate: number, { amplitude = 8000, offset = 0 } = {}): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (i + offset)) / sampleRate));
  return out;
}

/** Goertzel power of one frequency in a mono signal, normalised to the signal's energy (1 = all of it). */
export function toneShare(pcm: Int16Array, frequency: number, sampleRate: number): number {
  if (pcm.length === 0) return 0;
  const k = (2 * Math.cos((2 * Math.PI * frequency) / sampleRate));
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < pcm.length; i++) {
    const x = pcm[i]!;
    energy += x * x;
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy);
}

export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

export interface Decoded {
  readonly channels: Int16Array[];
  readonly sampleRate: number;
  readonly durationMs: number;
}

/** Decodes a file with ffmpeg to PCM16 at its own rate, one array per channel. */
export function decodeWithFfmpeg(bytes: Uint8Array, channels: number, sampleRate: number): Decoded {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-audio-'));
  const file = path.join(dir, 'in');
  writeFileSync(file, bytes);
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-acodec', 'pcm_s16le', '-ac', String(channels), '-ar', String(sampleRate), '-'], {
    maxBuffer: 1 << 30,
  });
  const all = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const frames = all.length / channels;
  const out = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c]![i] = all[i * channels + c]!;
  return { channels: out, sampleRate, durationMs: (frames * 1000) / sampleRate };
}

/** What ffprobe says about a file: codec, channels, rate, duration. */
export function probe(bytes: Uint8Array): { codec: string; channels: number; sampleRate: number; durationMs: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-probe-'));
  const file = path.join(dir, 'in');
  writeFileSync(file, bytes);
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]).toString(),
  ) as { streams: Array<{ codec_name: string; channels: number; sample_rate: string; duration?: string }>; format: { duration: string } };
  const s = json.streams[0]!;
  return { codec: s.codec_name, channels: s.channels, sampleRate: Number(s.sample_rate), durationMs: Math.round(Number(s.duration ?? json.format.duration) * 1000) };
}

export function interleave(left: Int16Array, right: Int16Array): Int16Array {
  const out = new Int16Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i]!;
    out[2 * i + 1] = right[i]!;
  }
  return out;
}
