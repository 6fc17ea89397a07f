import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWithFfmpeg, probe, toneShare } from '../support/audio.js';
import { runSimpleCall } from '../support/media-call.js';
import { postJson, startTestServer } from '../support/server.js';

/** Every stored format, decoded by an independent decoder (ffmpeg), has the right length and the right voice on each channel. */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const CASES = [
  { format: 'WAV', dualChannel: true, sampleRate: 8000, codec: 'pcm_s16le' },
  { format: 'WAV_ULAW', dualChannel: true, sampleRate: 8000, codec: 'pcm_mulaw' },
  { format: 'OGG_OPUS', dualChannel: true, sampleRate: 8000, codec: 'opus' },
  { format: 'WAV', dualChannel: false, sampleRate: 16000, codec: 'pcm_s16le' },
  { format: 'WAV_ULAW', dualChannel: false, sampleRate: 16000, codec: 'pcm_mulaw' },
  { format: 'OGG_OPUS', dualChannel: true, sampleRate: 16000, codec: 'opus' },
] as const;

describe('recording formats', () => {
  for (const c of CASES) {
    const name = `${c.format} ${c.dualChannel ? 'dual channel' : 'mono'} ${c.sampleRate / 1000} kHz`;
    it(`${name} decodes to the call's length with the customer and the agent where they belong`, async () => {
      const id = `fmt-${c.format}-${c.dualChannel}-${c.sampleRate}`;
      await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: c.format, dualChannel: c.dualChannel, sampleRate: c.sampleRate }, 'PUT');
      const [recording] = await runSimpleCall(server.url, { conversationId: id, seconds: 4 });
      expect(recording).toMatchObject({ fileState: 'AVAILABLE', outputDurationMs: 4000, capstan: { format: c.format } });
      const file = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
      const channels = c.dualChannel ? 2 : 1;
      const info = probe(file);
      expect(info).toMatchObject({ codec: c.codec, channels });
      const decoded = decodeWithFfmpeg(file, channels, c.sampleRate);
      expect(Math.abs(decoded.durationMs - 4000)).toBeLessThanOrEqual(1);
      const [ch1, ch2] = decoded.channels;
      if (c.dualChannel) {
        expect(toneShare(ch1!, 440, c.sampleRate)).toBeGreaterThan(0.9);
        expect(toneShare(ch1!, 1000, c.sampleRate)).toBeLessThan(0.01);
        expect(toneShare(ch2!, 1000, c.sampleRate)).toBeGreaterThan(0.9);
        expect(toneShare(ch2!, 440, c.sampleRate)).toBeLessThan(0.01);
      } else {
        expect(toneShare(ch1!, 440, c.sampleRate)).toBeGreaterThan(0.3);
        expect(toneShare(ch1!, 1000, c.sampleRate)).toBeGreaterThan(0.3);
      }

      // ?formatId=WAV serves PCM16 WAV of the same recording.
      const listed = (await (await fetch(`${server.url}/api/v2/conversations/${id}/recordings?formatId=WAV`)).json()) as any[];
      const pcm = Buffer.from(await (await fetch(listed[0].mediaUris.S.mediaUri)).arrayBuffer());
      expect(probe(pcm)).toMatchObject({ codec: 'pcm_s16le', channels, sampleRate: c.sampleRate });
      const asPcm = decodeWithFfmpeg(pcm, channels, c.sampleRate);
      expect(asPcm.durationMs).toBe(decoded.durationMs);
      expect(toneShare(asPcm.channels[0]!, 440, c.sampleRate)).toBeGreaterThan(c.dualChannel ? 0.9 : 0.3);
    });
  }
});
