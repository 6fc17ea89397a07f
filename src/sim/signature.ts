import { linearToAlaw, linearToUlaw } from './g711.js';

/**
 * Every simulated participant speaks a signature: a steady tone of its own frequency, so that the
 * stored audio itself says who is audible. The frequencies sit inside the telephone band, at
 * least 150 Hz apart, with no signature on another's 2nd or 3rd harmonic or on a third-order
 * intermodulation product (2f1 - f2) of two others (±100 Hz), and away from 1400 Hz and 1000 Hz
 * (usual beep and test tones). Each is a multiple of 50 Hz, so 20 ms holds whole cycles and one
 * precomputed 20 ms pattern repeats seamlessly for as long as a participant speaks.
 */
export const SIGNATURE_HZ = [400, 600, 900, 1100, 1550, 1900, 2100, 2300, 2500, 2800] as const;
export type SignatureHz = (typeof SIGNATURE_HZ)[number];

/** Peak level of one voice, as a fraction of full scale (-20 dBFS): four mixed voices stay clear of clipping. */
export const TONE_LEVEL = 0.1;
export const PATTERN_MS = 20;

export type SourceCodec = 'PCMU' | 'PCMA' | 'L16';
export type SampleRate = 8000 | 16000;

export const bytesPerSample = (codec: SourceCodec) => (codec === 'L16' ? 2 : 1);

/** The encoded payload of `frameMs` milliseconds of a signature (a whole number of 20 ms patterns). */
export function signaturePayload(hz: number, codec: SourceCodec, sampleRate: SampleRate, frameMs: number): Buffer {
  if (frameMs % PATTERN_MS !== 0) throw new Error(`frame length ${frameMs} ms is not a multiple of ${PATTERN_MS} ms`);
  const samples = (sampleRate * frameMs) / 1000;
  const out = Buffer.alloc(samples * bytesPerSample(codec));
  const amplitude = TONE_LEVEL * 32767;
  for (let i = 0; i < samples; i++) {
    const value = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    if (codec === 'L16') out.writeInt16LE(value, i * 2);
    else out[i] = codec === 'PCMU' ? linearToUlaw(value) : linearToAlaw(value);
  }
  return out;
}
