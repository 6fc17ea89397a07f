import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TONE_LEVEL } from '../../src/sim/signature.js';

/**
 * Recordings made with sox (and ffmpeg for Opus), independently of the simulator's own tone
 * generator: each channel is a list of stretches, each stretch some tones at the simulator's
 * voice level (or silence).
 */

export type Stretch = readonly [seconds: number, frequencies: readonly number[]];

export interface SoxRecording {
  readonly rate?: 8000 | 16000;
  readonly encoding?: 'WAV' | 'WAV_ULAW' | 'OGG_OPUS';
}

export function soxRecording(channels: ReadonlyArray<readonly Stretch[]>, options: SoxRecording = {}): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-sox-'));
  const rate = String(options.rate ?? 8000);
  let n = 0;
  const file = () => path.join(dir, `${n++}.wav`);
  const sox = (...args: string[]) => execFileSync('sox', args);

  const channelFiles = channels.map((stretches) => {
    const parts = stretches.map(([seconds, freqs]) => {
      const tones = freqs.map((hz) => {
        const out = file();
        sox('-n', '-r', rate, '-c', '1', '-b', '16', out, 'synth', String(seconds), 'sine', String(hz), 'vol', String(TONE_LEVEL));
        return out;
      });
      if (tones.length === 0) {
        const out = file();
        sox('-n', '-r', rate, '-c', '1', '-b', '16', out, 'trim', '0', String(seconds));
        return out;
      }
      if (tones.length === 1) return tones[0]!;
      const out = file();
      sox('-m', ...tones.flatMap((t) => ['-v', '1', t]), out);
      return out;
    });
    const out = file();
    if (parts.length === 1) return parts[0]!;
    sox(...parts, out);
    return out;
  });
  let joined = channelFiles[0]!;
  if (channelFiles.length > 1) {
    joined = file();
    sox('-M', ...channelFiles, joined);
  }
  const encoding = options.encoding ?? 'WAV';
  if (encoding === 'WAV') return readFileSync(joined);
  if (encoding === 'WAV_ULAW') {
    const out = file();
    sox(joined, '-e', 'mu-law', out);
    return readFileSync(out);
  }
  const out = path.join(dir, 'out.ogg');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', joined, '-c:a', 'libopus', '-b:a', '24k', out]);
  return readFileSync(out);
}
