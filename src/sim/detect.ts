import { TONE_LEVEL } from './signature.js';

/**
 * Who is audible when: a Goertzel filter per signature frequency over Hann-windowed stretches
 * of one channel. An 80 ms window resolves 12.5 Hz, so signatures 150 Hz or more apart do not
 * leak into each other (Hann side lobes are below -80 dB that far out), and a 40 ms hop places
 * a change of speaker to within a few hundredths of a second.
 */

export interface DetectorSettings {
  readonly windowSec: number;
  readonly hopSec: number;
  /** A signature counts as audible at or above this amplitude (fraction of full scale). */
  readonly threshold: number;
}

/**
 * A voice is sent at TONE_LEVEL; it counts as heard from a tenth of that (-20 dB). Measured with
 * four voices mixed and encoded by libopus at 8 kbit/s (the worst case we found), a present
 * voice stays above -16 dB and an absent one below -27 dB; G.711 and PCM keep voices within
 * 0.1 dB and absent ones below -50 dB.
 */
export const DEFAULT_DETECTOR: DetectorSettings = { windowSec: 0.08, hopSec: 0.04, threshold: TONE_LEVEL / 10 };

export interface Detection {
  readonly hopSec: number;
  readonly windowSec: number;
  /** Centre of each analysis window, in seconds from the start. */
  readonly times: Float64Array;
  /** Per window, bit i set when frequencies[i] is audible. */
  readonly masks: Uint32Array;
  /** Per window, the amplitude of each frequency (window-major). */
  readonly levels: Float32Array;
  /** Per window, the RMS of everything in it, signatures or not. */
  readonly rms: Float32Array;
}

export function detect(samples: Float32Array, sampleRate: number, frequencies: readonly number[], settings: DetectorSettings = DEFAULT_DETECTOR): Detection {
  const size = Math.max(1, Math.round(settings.windowSec * sampleRate));
  const hop = Math.max(1, Math.round(settings.hopSec * sampleRate));
  const count = samples.length < size ? 0 : Math.floor((samples.length - size) / hop) + 1;
  const window = new Float32Array(size);
  let windowSum = 0;
  for (let n = 0; n < size; n++) {
    window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (size - 1 || 1));
    windowSum += window[n]!;
  }
  const coefficients = frequencies.map((f) => 2 * Math.cos((2 * Math.PI * f) / sampleRate));
  const times = new Float64Array(count);
  const masks = new Uint32Array(count);
  const levels = new Float32Array(count * frequencies.length);
  const rms = new Float32Array(count);
  for (let w = 0; w < count; w++) {
    const start = w * hop;
    times[w] = (start + size / 2) / sampleRate;
    let energy = 0;
    for (let n = 0; n < size; n++) energy += samples[start + n]! * samples[start + n]!;
    rms[w] = Math.sqrt(energy / size);
    let mask = 0;
    for (let f = 0; f < frequencies.length; f++) {
      const coefficient = coefficients[f]!;
      let s1 = 0;
      let s2 = 0;
      for (let n = 0; n < size; n++) {
        const s0 = samples[start + n]! * window[n]! + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      const power = Math.max(0, s1 * s1 + s2 * s2 - coefficient * s1 * s2);
      const amplitude = (2 * Math.sqrt(power)) / windowSum;
      levels[w * frequencies.length + f] = amplitude;
      if (amplitude >= settings.threshold) mask |= 1 << f;
    }
    masks[w] = mask;
  }
  return { hopSec: hop / sampleRate, windowSec: size / sampleRate, times, masks, levels, rms };
}
