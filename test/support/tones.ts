import { encodeMuLaw } from './g711.js';

/** Test signals: sine tones as 16-bit PCM and µ-law, and their dominant frequency. */

export function sine(frequency: number, samples: number, rate = 8000, amplitude = 8000, phase = 0): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (i + phase)) / rate));
  return out;
}

export function muLawTone(frequency: number, samples: number, phase = 0): Uint8Array {
  return encodeMuLaw(sine(frequency, samples, 8000, 8000, phase));
}

/** Interleaves two mono byte streams sample by sample (`width` bytes per sample). */
export function interleave(a: Uint8Array, b: Uint8Array, width = 1): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  for (let s = 0; s < a.length / width; s++) {
    out.set(a.subarray(s * width, (s + 1) * width), s * 2 * width);
    out.set(b.subarray(s * width, (s + 1) * width), s * 2 * width + width);
  }
  return out;
}

/** Power of `frequency` in `pcm` (Goertzel), normalised by length. */
export function tonePower(pcm: Int16Array | Float32Array, frequency: number, rate = 8000): number {
  const k = (2 * Math.PI * frequency) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < pcm.length; i++) {
    const s = pcm[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / Math.max(1, pcm.length) ** 2;
}

/** Root mean square of a PCM stretch. */
export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}
