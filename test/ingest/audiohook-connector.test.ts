import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUlaw } from '../../src/media/codecs/g711.js';
import { AudioHookTestClient } from '../support/audiohook-client.js';
import { decodeWithFfmpeg, tone, toneShare } from '../support/audio.js';
import { startTestServer } from '../support/server.js';

/**
 * AudioHook into the real pipeline: a signed session streams stereo μ-law, pauses, closes; the
 * trunk-side recording has the external party on channel 1, the internal one on channel 2, and the
 * pause cut and annotated. Refusals are answered per protocol and counted.
 */

const API_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const SECRET = 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let url: string;

beforeAll(async () => {
  server = await startTestServer({
    CAPSTAN_AUDIOHOOK_API_KEY: API_KEY,
    CAPSTAN_AUDIOHOOK_CLIENT_SECRET: SECRET,
    CAPSTAN_AUDIOHOOK_CREDENTIALS: JSON.stringify([{ orgId: 'open-key-org', apiKey: 'unsigned-key', clientSecret: '' }]),
    CAPSTAN_AUDIOHOOK_RECONNECT_GRACE_MS: '1500',
  });
  url = `${server.url.replace('http', 'ws')}/audiohook`;
});
afterAll(async () => {
  await server.close();
});

const FRAME = 1600; // 200 ms, as the reference client sends
const external = encodeUlaw(tone(440, 8000 * 6, 8000));
const internal = encodeUlaw(tone(1000, 8000 * 6, 8000));

/** Streams in real time, as Genesys does: the conversation clock is the wall clock. */
async function stream(client: AudioHookTestClient, fromSample: number, seconds: number) {
  const started = Date.now();
  for (let s = fromSample, i = 0; s < fromSample + seconds * 8000; s += FRAME, i++) {
    client.audio(external.subarray(s, s + FRAME), internal.subarray(s, s + FRAME));
    await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * 200 - Date.now())));
  }
}

async function recordingsOf(conversationId: string) {
  const res = await fetch(`${server.url}/api/v2/conversations/${conversationId}/recordings?maxWaitMs=15000&formatId=WAV`);
  expect(res.status).toBe(200);
  return (await res.json()) as any[];
}

describe('AudioHook connector', () => {
  it('records a session as a trunk-side recording: external on channel 1, internal on channel 2, the pause cut and annotated', async () => {
    const conversationId = 'b3a5e0c2-6f1d-4c3e-9a7b-2d4e6f8a0c1e';
    const client = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET, conversationId, participantId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f' });
    const opened = await client.open();
    expect(opened.parameters.media).toEqual([{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }]);
    await stream(client, 0, 2);
    const pause = client.pauseFor(1);
    await new Promise((r) => setTimeout(r, 1000));
    pause.resume();
    await stream(client, 3 * 8000, 1);
    await client.close();

    const [recording] = await recordingsOf(conversationId);
    expect(recording).toMatchObject({ mediaSubtype: 'Trunk', fileState: 'AVAILABLE' });
    expect(recording.capstan.channels).toEqual([
      { channel: 1, role: 'says', participantId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f' },
      { channel: 2, role: 'hears', participantId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f' },
    ]);
    const pauses = recording.annotations.filter((a: any) => a.reason === 'SecurePause');
    expect(pauses).toHaveLength(1);
    expect(pauses[0].realtimeDurationMs).toBeGreaterThan(700);
    expect(pauses[0].realtimeDurationMs).toBeLessThan(1600);
    expect(pauses[0].recordingDurationMs).toBe(0);

    const audio = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
    const decoded = decodeWithFfmpeg(audio, 2, 8000);
    // 3 s sent (2 s, the pause, 1 s); the span of the pause itself is cut.
    expect(decoded.durationMs).toBeGreaterThan(2600);
    expect(decoded.durationMs).toBeLessThan(3600);
    const [left, right] = decoded.channels as [Int16Array, Int16Array];
    const firstSecond = (pcm: Int16Array) => pcm.subarray(4000, 12000);
    expect(toneShare(firstSecond(left), 440, 8000)).toBeGreaterThan(0.8);
    expect(toneShare(firstSecond(right), 1000, 8000)).toBeGreaterThan(0.8);
    expect(toneShare(firstSecond(left), 1000, 8000)).toBeLessThan(0.05);
  });

  it('keeps the last frame whole when the client closes right after sending it, as the reference client does', async () => {
    const conversationId = 'e7c1a9d2-3b4f-4e6a-8c0d-1f2e3a4b5c6d';
    const client = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET, conversationId, participantId: 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0' });
    await client.open();
    // Each 200 ms frame goes out at the start of its interval; close follows the tenth at once (t ≈ 1.8 s).
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + i * 200 - Date.now())));
      client.audio(external.subarray(i * FRAME, (i + 1) * FRAME), internal.subarray(i * FRAME, (i + 1) * FRAME));
    }
    await client.close();

    const [recording] = await recordingsOf(conversationId);
    const decoded = decodeWithFfmpeg(Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer()), 2, 8000);
    expect(decoded.durationMs).toBeGreaterThanOrEqual(1995);
    const [left, right] = decoded.channels as [Int16Array, Int16Array];
    expect(toneShare(left.subarray(2 * 8000 - FRAME / 2, 2 * 8000), 440, 8000)).toBeGreaterThan(0.8);
    expect(toneShare(right.subarray(2 * 8000 - FRAME / 2, 2 * 8000), 1000, 8000)).toBeGreaterThan(0.8);
  });

  it('a session that breaks the protocol is disconnected without touching another live session', async () => {
    const conversationId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const good = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET, conversationId });
    await good.open();
    const hostile = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET });
    await hostile.open();
    const streaming = stream(good, 0, 2);
    const disconnect = hostile.next('disconnect');
    hostile.ws.send('{"version":"2","type":"open","id":"not-a-uuid"');
    hostile.ws.send(new Uint8Array(3));
    expect((await disconnect).parameters.reason).toBe('error');
    hostile.ws.terminate();
    await streaming;
    await good.close();
    const [recording] = await recordingsOf(conversationId);
    const decoded = decodeWithFfmpeg(Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer()), 2, 8000);
    expect(decoded.durationMs).toBeGreaterThan(1700);
    expect(toneShare(decoded.channels[0]!.subarray(4000, 12000), 440, 8000)).toBeGreaterThan(0.8);
  });

  it('a connection probe completes the handshake and records nothing', async () => {
    const probes = () => server.services.connectorHealth.audiohook.probes;
    const before = probes();
    const client = await AudioHookTestClient.connect({
      url,
      apiKey: API_KEY,
      clientSecret: SECRET,
      conversationId: '00000000-0000-0000-0000-000000000000',
      participantId: '00000000-0000-0000-0000-000000000000',
    });
    expect((await client.open()).type).toBe('opened');
    await client.close();
    expect(probes()).toBe(before + 1);
    expect((await fetch(`${server.url}/api/v2/capstan/conversations/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });

  it('refuses a bad secret or an unknown key with 401, no sooner than 500 ms, and says why in the health figures only', async () => {
    for (const options of [
      { apiKey: API_KEY, clientSecret: Buffer.alloc(32, 1).toString('base64') },
      { apiKey: 'no-such-key', clientSecret: SECRET },
      { apiKey: API_KEY, clientSecret: '' },
    ]) {
      const started = Date.now();
      const refused = await AudioHookTestClient.connect({ url, ...options }).catch((err: { status?: number }) => err);
      expect((refused as { status?: number }).status).toBe(401);
      expect(Date.now() - started).toBeGreaterThanOrEqual(490);
    }
    const health = (await (await fetch(`${server.url}/api/v2/capstan/connectors`)).json()) as any;
    const audiohook = health.entities.find((c: any) => c.connector === 'audiohook');
    expect(audiohook.rejected).toMatchObject({ 'FAILED: signature does not match': 2, 'UNSIGNED: request is not signed': 1 });
  });

  it('accepts unsigned requests for a key whose secret is empty, and disconnects an organization mismatch as unauthorized', async () => {
    const unsigned = await AudioHookTestClient.connect({ url, apiKey: 'unsigned-key', clientSecret: '', conversationId: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70' });
    expect((await unsigned.open()).type).toBe('opened');
    await unsigned.close();

    const mismatch = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET });
    (mismatch.options as { organizationId?: string }).organizationId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const disconnect = mismatch.next('disconnect');
    void mismatch.open().catch(() => undefined);
    expect((await disconnect).parameters.reason).toBe('unauthorized');
    await mismatch.close();
  });

  it('a session that closes with reconnect is continued by the next one in the same conversation', async () => {
    const conversationId = 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a81';
    const participantId = 'f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b92';
    const first = await AudioHookTestClient.connect({ url, apiKey: API_KEY, clientSecret: SECRET, conversationId, participantId });
    await first.open();
    await stream(first, 0, 1);
    await first.close('reconnect');
    const second = await AudioHookTestClient.connect({
      url, apiKey: API_KEY, clientSecret: SECRET, conversationId, participantId,
      continuedSessions: [{ id: first.sessionId, serverseq: 2, clientseq: 2 }],
    });
    await second.open();
    await stream(second, 8000, 1);
    await second.close();
    const conversation = (await (await fetch(`${server.url}/api/v2/capstan/conversations/${conversationId}`)).json()) as any;
    expect(conversation.events.filter((e: any) => e.type === 'conversation.started')).toHaveLength(1);
    const recordings = await recordingsOf(conversationId);
    expect(recordings).toHaveLength(1);
    const decoded = decodeWithFfmpeg(Buffer.from(await (await fetch(recordings[0].mediaUris.S.mediaUri)).arrayBuffer()), 2, 8000);
    expect(decoded.durationMs).toBeGreaterThan(1800);
  });
});
