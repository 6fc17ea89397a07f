import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUlaw } from '../../src/media/codecs/g711.js';
import { decodeWithFfmpeg, tone, toneShare } from '../support/audio.js';
import { startTestServer } from '../support/server.js';
import { TwilioTestClient } from '../support/twilio-client.js';

/** Twilio Media Streams into the real pipeline: both tracks aligned by timestamp, parameters mapped, signatures enforced. */

const TOKEN = 'twilio-auth-token-for-tests';
type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let url: string;

beforeAll(async () => {
  server = await startTestServer({ CAPSTAN_TWILIO_AUTH_TOKEN: TOKEN });
  url = `${server.url.replace('http', 'ws')}/twilio/media`;
});
afterAll(async () => {
  await server.close();
});

describe('Twilio connector', () => {
  it('records inbound on channel 1 and outbound on channel 2, aligned by timestamp although the tracks arrive unevenly', async () => {
    const client = await TwilioTestClient.connect({
      url,
      authToken: TOKEN,
      customParameters: { conversationId: 'tw-e2e-1', agentId: 'alice', from: '+15017122661', to: '+15558675310', customerName: 'Pat' },
    });
    client.start();
    const inbound = encodeUlaw(tone(440, 8000 * 3, 8000));
    const outbound = encodeUlaw(tone(1000, 8000 * 3, 8000));
    const started = Date.now();
    // 20 ms chunks in real time; the outbound track runs 100 ms behind inbound on the wire.
    for (let i = 0; i < 150; i++) {
      client.media('inbound', i * 20, inbound.subarray(i * 160, (i + 1) * 160));
      if (i >= 5) client.media('outbound', (i - 5) * 20, outbound.subarray((i - 5) * 160, (i - 4) * 160));
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 20 - Date.now())));
    }
    for (let i = 145; i < 150; i++) client.media('outbound', i * 20, outbound.subarray(i * 160, (i + 1) * 160));
    await client.stop();

    const conversation = (await (await fetch(`${server.url}/api/v2/capstan/conversations/tw-e2e-1`)).json()) as any;
    const started0 = conversation.events.find((e: any) => e.type === 'conversation.started');
    expect(started0).toMatchObject({ trunkId: 'twilio', ani: '+15017122661', dnis: '+15558675310', direction: 'inbound' });
    expect(conversation.events.find((e: any) => e.type === 'participant.joined' && e.purpose === 'agent')).toMatchObject({ userId: 'alice' });

    const [recording] = (await (await fetch(`${server.url}/api/v2/conversations/tw-e2e-1/recordings?maxWaitMs=15000&formatId=WAV`)).json()) as any[];
    expect(recording).toMatchObject({ mediaSubtype: 'Trunk', fileState: 'AVAILABLE' });
    const decoded = decodeWithFfmpeg(Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer()), 2, 8000);
    const [left, right] = decoded.channels as [Int16Array, Int16Array];
    const middle = (pcm: Int16Array) => pcm.subarray(4000, 16000);
    expect(toneShare(middle(left), 440, 8000)).toBeGreaterThan(0.8);
    expect(toneShare(middle(right), 1000, 8000)).toBeGreaterThan(0.8);
    // Aligned: both tones start within one chunk of each other.
    const onset = (pcm: Int16Array) => pcm.findIndex((v) => Math.abs(v) > 2000);
    expect(Math.abs(onset(left) - onset(right))).toBeLessThanOrEqual(160);
  });

  it('refuses an upgrade with a wrong or missing X-Twilio-Signature (401) and counts it', async () => {
    const wrong = await TwilioTestClient.connect({ url, authToken: TOKEN }, 'bm90IGEgc2lnbmF0dXJl').catch((e: { status?: number }) => e);
    expect((wrong as { status?: number }).status).toBe(401);
    const missing = await TwilioTestClient.connect({ url, authToken: TOKEN }, '').catch((e: { status?: number }) => e);
    expect((missing as { status?: number }).status).toBe(401);
    expect(server.services.connectorHealth.twilio.snapshot().rejected).toMatchObject({ 'X-Twilio-Signature does not match': 1, 'missing X-Twilio-Signature': 1 });
  });

  it('a stream that drops without stop still ends its conversation', async () => {
    const client = await TwilioTestClient.connect({ url, authToken: TOKEN, customParameters: { conversationId: 'tw-e2e-drop' } });
    client.start();
    for (let i = 0; i < 10; i++) client.media('inbound', i * 20, new Uint8Array(160).fill(0xff));
    await new Promise((r) => setTimeout(r, 100));
    client.ws.terminate();
    await new Promise((r) => setTimeout(r, 300));
    const conversation = (await (await fetch(`${server.url}/api/v2/capstan/conversations/tw-e2e-drop`)).json()) as any;
    expect(conversation.events.at(-1).type).toBe('conversation.ended');
  });
});
