/** The waveform of a recording: per-channel peaks of decoded audio, drawn on a canvas. */

export interface Peaks {
  /** One array per channel, each `columns` long, values 0..1. */
  readonly channels: Float32Array[];
  readonly durationSec: number;
}

/** Decodes audio bytes (WAV or Ogg Opus) without an AudioContext, so no user gesture is needed. */
export async function decode(bytes: ArrayBuffer): Promise<AudioBuffer> {
  // A low rate is enough for a picture of the sound; decodeAudioData resamples to it.
  return new OfflineAudioContext(1, 1, 8000).decodeAudioData(bytes);
}

export function peaksOf(buffer: AudioBuffer, columns: number): Peaks {
  const channels: Float32Array[] = [];
  for (let c = 0; c < Math.min(2, buffer.numberOfChannels); c++) {
    const data = buffer.getChannelData(c);
    const out = new Float32Array(columns);
    const per = data.length / columns;
    for (let i = 0; i < columns; i++) {
      let max = 0;
      const end = Math.min(data.length, Math.floor((i + 1) * per));
      for (let j = Math.floor(i * per); j < end; j++) {
        const v = Math.abs(data[j]!);
        if (v > max) max = v;
      }
      out[i] = max;
    }
    channels.push(out);
  }
  // Calls are often quiet: scale so that the loudest moment fills its band.
  const loudest = Math.max(0.01, ...channels.map((ch) => ch.reduce((m, v) => Math.max(m, v), 0)));
  for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] = ch[i]! / loudest;
  return { channels, durationSec: buffer.duration };
}

/** Draws each channel in its own band: channel 1 on top, channel 2 below; played part darker. */
export function drawWaveform(canvas: HTMLCanvasElement, peaks: Peaks, playedFraction: number, muted: readonly boolean[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const bands = peaks.channels.length;
  const band = height / bands;
  const playedX = playedFraction * width;
  peaks.channels.forEach((data, c) => {
    const mid = band * c + band / 2;
    const scale = (band / 2 - 2) * 0.9;
    const columns = data.length;
    for (let x = 0; x < width; x++) {
      const v = data[Math.floor((x / width) * columns)] ?? 0;
      const h = Math.max(1, v * scale);
      ctx.fillStyle = muted[c] ? '#c3c9d2' : x < playedX ? (c === 0 ? '#1f5fbf' : '#2e7d32') : c === 0 ? '#8fb0e3' : '#94c897';
      ctx.fillRect(x, mid - h, 1, h * 2);
    }
    if (c > 0) {
      ctx.fillStyle = '#d9dee5';
      ctx.fillRect(0, band * c, width, 1);
    }
  });
}
