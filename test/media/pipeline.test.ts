import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ULAW_DECODE, ULAW_ENCODE } from '../../src/media/codecs/g711.js';
import { decodeWithFfmpeg, tone } from '../support/audio.js';
import { Call, iso } from '../support/call.js';
import { MediaClient, l16 } from '../support/media-client.js';
import { postJson, startTestServer } from '../support/server.js';

/**
 * The vertical slice: events and audio in over HTTP and the native media WebSocket, an encrypted
 * recording out through the recordings API and its playback URL, decoded by ffmpeg.
 */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const FRAME_MS = 20;
const SECONDS = 10;

/** μ-law frames of a 440 Hz tone at 8 kHz (what the customer says) and L16 frames of 1 kHz at 16 kHz (the agent). */
function customerFrames() {
  const pcm = tone(440, 8000 * SECONDS, 8000);
  const ulaw = Uint8Array.from(pcm, (s) => ULAW_ENCODE[s & 0xffff]!);
  return Array.from({ length: (SECONDS * 1000) / FRAME_MS }, (_, i) => ulaw.subarray(i * 160, (i + 1) * 160));
}
function agentFrames() {
  const pcm = tone(1000, 16000 * SECONDS, 16000);
  return Array.from({ length: (SECONDS * 1000) / FRAME_MS }, (_, i) => pcm.subarray(i * 320, (i + 1) * 320));
}

describe('a call through the media pipeline', () => {
  it('yields a correctly aligned recording from a stream with reordering, loss and duplicates, with the cut hold absent and annotated', async () => {
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV', recordHolds: false }, 'PUT');
    const call = new Call('pipe-1').start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').hold(4, 'a').talk(6, 'a');
    expect((await postJson(`${server.url}/api/v2/capstan/events`, call.inputs)).status).toBe(202);

    const media = await MediaClient.connect(server.url);
    expect(await media.open(1, { conversationId: 'pipe-1', participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) })).toMatchObject({ type: 'opened' });
    expect(await media.open(2, { conversationId: 'pipe-1', participantId: 'a', codec: 'L16', sampleRate: 16000, startAt: iso(0) })).toMatchObject({ type: 'opened' });

    const customer = customerFrames();
    const agent = agentFrames();
    const lost = new Set([101, 102, 333]);
    const order = customer.map((_, i) => i);
    // Reordered: every 37th frame swapped with its successor; duplicated: every 50th sent twice.
    for (let i = 0; i + 1 < order.length; i += 37) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
    for (const i of order) {
      if (!lost.has(i)) media.frame(1, i, i * 160, customer[i]!);
      if (i % 50 === 0) media.frame(1, i, i * 160, customer[i]!);
      media.frame(2, 1000 + i, i * 320, l16(agent[i]!));
    }
    const closed = await media.close(1);
    expect(closed).toMatchObject({ framesLost: 3, duplicates: 10 });
    await media.close(2);
    await postJson(`${server.url}/api/v2/capstan/events`, new Call('pipe-1').event(10, 'participant.left', { participantId: 'c' }).event(10, 'conversation.ended', {}).inputs.map((e, i) => ({ ...e, eventId: `pipe-1-end-${i}` })));

    const res = await fetch(`${server.url}/api/v2/conversations/pipe-1/recordings?maxWaitMs=10000`);
    expect(res.status).toBe(200);
    const [recording] = (await res.json()) as any[];
    expect(recording).toMatchObject({ mediaSubtype: 'Trunk', fileState: 'AVAILABLE', outputDurationMs: 8000, capstan: { format: 'WAV', partial: false } });
    expect(recording.annotations).toEqual([
      expect.objectContaining({ type: 'pause', reason: 'Hold', realtimeLocation: 4000, realtimeDurationMs: 2000, recordingLocation: 4000, recordingDurationMs: 0 }),
    ]);
    expect(recording.capstan.health.sources).toEqual(
      expect.arrayContaining([expect.objectContaining({ participantId: 'c', framesLost: 3, duplicates: 10, framesLate: 0 })]),
    );
    expect(recording.capstan.health.warnings).toContain('framesLost');

    const audio = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
    expect(audio.length).toBe(recording.outputSizeInBytes);
    const decoded = decodeWithFfmpeg(audio, 2, 8000);
    expect(decoded.durationMs).toBe(8000);

    // Channel 1, sample for sample: the customer's μ-law tone where it was captured (0–4 s and
    // 6–10 s of the call), silence exactly where frames were lost, nothing of the cut hold.
    const source = tone(440, 8000 * SECONDS, 8000);
    const expected = (n: number) => (lost.has(Math.floor(n / 160)) ? 0 : ULAW_DECODE[ULAW_ENCODE[source[n]! & 0xffff]!]!);
    const callSample = (r: number) => (r < 32000 ? r : r + 16000);
    let mismatches = 0;
    for (let r = 0; r < 64000; r++) if (decoded.channels[0]![r] !== expected(callSample(r))) mismatches++;
    expect(mismatches).toBe(0);
    // Channel 2: the agent's 16 kHz tone at 8 kHz, aligned the same way.
    const agentPcm = tone(1000, 16000 * SECONDS, 16000);
    let off = 0;
    for (let r = 0; r < 64000; r++) {
      const n = callSample(r);
      if (decoded.channels[1]![r] !== (agentPcm[2 * n]! + agentPcm[2 * n + 1]!) >> 1) off++;
    }
    expect(off).toBe(0);
    await media.end();
  });

  it('stores a μ-law trunk recording of μ-law parties byte for byte as they were sent, with their levels', async () => {
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t2`, { name: 'Carrier', format: 'WAV_ULAW', dualChannel: true, recordHolds: false }, 'PUT');
    const call = new Call('pipe-2').start(0, 'inbound', { trunkId: 't2' }).join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').hold(2, 'a').talk(3, 'a');
    expect((await postJson(`${server.url}/api/v2/capstan/events`, call.inputs)).status).toBe(202);
    const media = await MediaClient.connect(server.url);
    for (const [stream, participantId] of [[1, 'c'], [2, 'a']] as const) {
      expect(await media.open(stream, { conversationId: 'pipe-2', participantId, codec: 'PCMU', sampleRate: 8000, startAt: iso(0) })).toMatchObject({ type: 'opened' });
    }
    // Every byte value on both sides (0x7f, μ-law's negative zero, included), in 4 s of 20 ms frames.
    const sent = [0, 1].map((side) => Uint8Array.from({ length: 4 * 8000 }, (_, n) => (n * (side ? 7 : 3) + side * 11) & 0xff));
    for (let i = 0; i < 200; i++) {
      for (const side of [0, 1]) media.frame(side + 1, i, i * 160, sent[side]!.subarray(i * 160, (i + 1) * 160));
    }
    await media.close(1);
    await media.close(2);
    await postJson(`${server.url}/api/v2/capstan/events`, new Call('pipe-2').event(4, 'conversation.ended', {}).inputs.map((e, i) => ({ ...e, eventId: `pipe-2-end-${i}` })));

    const [recording] = (await (await fetch(`${server.url}/api/v2/conversations/pipe-2/recordings?maxWaitMs=10000`)).json()) as any[];
    expect(recording).toMatchObject({ fileState: 'AVAILABLE', outputDurationMs: 3000, capstan: { format: 'WAV_ULAW' } });
    const file = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
    const body = file.subarray(file.indexOf('data') + 8);
    expect(body.length).toBe(2 * 3 * 8000);
    // 0–2 s and 3–4 s of the call (the hold is cut), interleaved, 0x7f written as 0xff.
    const canonical = (b: number) => (b === 0x7f ? 0xff : b);
    let mismatches = 0;
    for (let r = 0; r < 3 * 8000; r++) {
      const n = r < 16000 ? r : r + 8000;
      for (const side of [0, 1]) if (body[2 * r + side] !== canonical(sent[side]![n]!)) mismatches++;
    }
    expect(mismatches).toBe(0);
    // The levels are those of the decoded samples.
    const peak = (side: number) => Math.max(...Array.from({ length: 3 * 8000 }, (_, r) => Math.abs(ULAW_DECODE[body[2 * r + side]!]!)));
    expect(recording.capstan.health.channels).toEqual([
      expect.objectContaining({ channel: 1, peakDbfs: Math.round(20 * Math.log10(peak(0) / 32768) * 10) / 10 }),
      expect.objectContaining({ channel: 2, peakDbfs: Math.round(20 * Math.log10(peak(1) / 32768) * 10) / 10 }),
    ]);
    await media.end();
  });
});
