import type { MediaChannel, MediaOffer } from './messages.js';

/** AudioHook audio frames: samples interleaved in the order of the selected `channels`. */

export interface AudioFrame {
  /** One payload per channel, in the codec's own bytes (PCMU: 1 byte, L16: 2 bytes little-endian per sample). */
  readonly channels: ReadonlyMap<MediaChannel, Uint8Array>;
  readonly samples: number;
}

export function bytesPerSample(format: MediaOffer['format']): 1 | 2 {
  return format === 'PCMU' ? 1 : 2;
}

/** Splits an interleaved frame; undefined when its length is not a whole number of sample groups (an empty frame is). */
export function deinterleave(data: Uint8Array, media: MediaOffer): AudioFrame | undefined {
  const width = bytesPerSample(media.format);
  const stride = width * media.channels.length;
  if (data.length % stride !== 0) return undefined;
  const samples = data.length / stride;
  const channels = new Map<MediaChannel, Uint8Array>();
  if (media.channels.length === 1) {
    channels.set(media.channels[0]!, data);
    return { channels, samples };
  }
  const out = media.channels.map(() => new Uint8Array(samples * width));
  if (width === 1) {
    for (let s = 0, i = 0; s < samples; s++, i += 2) {
      out[0]![s] = data[i]!;
      out[1]![s] = data[i + 1]!;
    }
  } else {
    for (let s = 0, i = 0; s < samples; s++, i += 4) {
      const o = s * 2;
      out[0]![o] = data[i]!;
      out[0]![o + 1] = data[i + 1]!;
      out[1]![o] = data[i + 2]!;
      out[1]![o + 1] = data[i + 3]!;
    }
  }
  media.channels.forEach((c, i) => channels.set(c, out[i]!));
  return { channels, samples };
}
