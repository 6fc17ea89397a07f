/**
 * RIFF/WAVE headers, synthesized at playback and export time from a recording's metadata: the
 * stored body is the bare sample data, so nothing at the start of a stored object ever has to be
 * rewritten when a recording finishes.
 */

export type WavEncoding = 'pcm16' | 'ulaw';

export interface WavFormat {
  readonly encoding: WavEncoding;
  readonly channels: number;
  readonly sampleRate: number;
}

export function bytesPerSample(encoding: WavEncoding): number {
  return encoding === 'pcm16' ? 2 : 1;
}

/** The header for `dataBytes` bytes of samples: 44 bytes for PCM, 58 for μ-law (which needs a `fact` chunk). */
export function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const pcm = format.encoding === 'pcm16';
  const sampleBytes = bytesPerSample(format.encoding);
  const blockAlign = format.channels * sampleBytes;
  const fmtSize = pcm ? 16 : 18;
  const factSize = pcm ? 0 : 12;
  const header = Buffer.alloc(12 + 8 + fmtSize + factSize + 8);
  let at = header.write('RIFF', 0, 'ascii');
  at = header.writeUInt32LE(header.length - 8 + dataBytes, at);
  at += header.write('WAVE', at, 'ascii');
  at += header.write('fmt ', at, 'ascii');
  at = header.writeUInt32LE(fmtSize, at);
  at = header.writeUInt16LE(pcm ? 1 : 7, at);
  at = header.writeUInt16LE(format.channels, at);
  at = header.writeUInt32LE(format.sampleRate, at);
  at = header.writeUInt32LE(format.sampleRate * blockAlign, at);
  at = header.writeUInt16LE(blockAlign, at);
  at = header.writeUInt16LE(sampleBytes * 8, at);
  if (!pcm) {
    at = header.writeUInt16LE(0, at);
    at += header.write('fact', at, 'ascii');
    at = header.writeUInt32LE(4, at);
    at = header.writeUInt32LE(Math.floor(dataBytes / blockAlign), at);
  }
  at += header.write('data', at, 'ascii');
  header.writeUInt32LE(dataBytes, at);
  return header;
}
