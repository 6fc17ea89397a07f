import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ULAW_ENCODE } from '../../src/media/codecs/g711.js';
import { tone } from '../support/audio.js';
import { Call, iso } from '../support/call.js';
import { MediaClient, l16 } from '../support/media-client.js';
import { runSimpleCall } from '../support/media-call.js';
import { postJson, startTestServer } from '../support/server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
beforeAll(async () => {
  server = await startTestServer({ CAPSTAN_MEDIA_FLUSH_MS: '500' });
  await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV_ULAW' }, 'PUT');
});
afterAll(async () => {
  await server.close();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('playback', () => {
  it('serves exactly the right bytes for a Range at any offset of a long recording', async () => {
    const id = 'long-1';
    const minutes = 6;
    const seconds = minutes * 60;
    await postJson(`${server.url}/api/v2/capstan/events`, new Call(id).start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').inputs);
    const media = await MediaClient.connect(server.url);
    await media.open(1, { conversationId: id, participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) });
    await media.open(2, { conversationId: id, participantId: 'a', codec: 'L16', sampleRate: 16000, startAt: iso(0) });
    const customer = tone(440, 800, 8000);
    const agent = tone(1000, 1600, 16000);
    const customerFrame = Uint8Array.from(customer, (s) => ULAW_ENCODE[s & 0xffff]!);
    for (let i = 0; i < seconds * 10; i++) {
      media.frame(1, i, i * 800, customerFrame);
      media.frame(2, i, i * 1600, l16(agent));
    }
    await media.close(1);
    await media.close(2);
    await media.end();
    await postJson(`${server.url}/api/v2/capstan/events`, new Call(id).leave(seconds, 'c').end(seconds).inputs.map((e, i) => ({ ...e, eventId: `${id}-end-${i}` })));
    const [recording] = (await (await fetch(`${server.url}/api/v2/conversations/${id}/recordings?maxWaitMs=20000`)).json()) as any[];
    expect(recording.outputDurationMs).toBe(seconds * 1000);
    const uri: string = recording.mediaUris.S.mediaUri;
    const whole = Buffer.from(await (await fetch(uri)).arrayBuffer());
    expect(whole.length).toBe(58 + seconds * 8000 * 2);
    expect(whole.toString('ascii', 0, 4)).toBe('RIFF');

    for (const [start, end] of [
      [0, 57],
      [57, 58],
      [1, 200_000],
      [3_333_333, 3_333_333],
      [65_536 * 40 - 17, 65_536 * 41 + 17],
      [whole.length - 5, whole.length - 1],
    ] as Array<[number, number]>) {
      const res = await fetch(uri, { headers: { range: `bytes=${start}-${end}` } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${whole.length}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(start, end + 1))).toBe(true);
    }
    const suffix = await fetch(uri, { headers: { range: 'bytes=-100' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(whole.length - 100))).toBe(true);
    const beyond = await fetch(uri, { headers: { range: `bytes=${whole.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('refuses a playback URL whose signature or expiry was changed', async () => {
    const [recording] = await runSimpleCall(server.url, { conversationId: 'sig-1', seconds: 1 });
    const uri = new URL(recording.mediaUris.S.mediaUri);
    expect(uri.searchParams.get('viewer')).toBeTruthy();
    for (const [field, value] of [
      ['expires', String(Number(uri.searchParams.get('expires')) + 3600)],
      ['viewer', 'someone-else'],
      ['format', 'WAV'],
      ['signature', 'A'.repeat(43)],
    ]) {
      const changed = new URL(uri);
      changed.searchParams.set(field!, value!);
      const res = await fetch(changed);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'playback.invalidSignature' });
    }
  });

  it('keeps no plaintext audio at rest: the blob folder holds none of a known PCM pattern', async () => {
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV' }, 'PUT');
    const [recording] = await runSimpleCall(server.url, { conversationId: 'rest-1', seconds: 3, customerHz: 700 });
    const served = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
    // 32 bytes of the served PCM (the customer's tone, interleaved with the agent) from the middle of the call.
    const pattern = served.subarray(44 + 8000 * 4, 44 + 8000 * 4 + 32);
    expect(pattern.some((b) => b !== 0)).toBe(true);
    const files = filesUnder(path.join(server.dataDir, 'media'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file).includes(pattern)).toBe(false);
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV_ULAW' }, 'PUT');
  });

  it('deletes what the plan discards, also after audio reached the store: declined consent leaves no recording and no object', async () => {
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV_ULAW', consentRequired: true }, 'PUT');
    const id = 'consent-1';
    await postJson(`${server.url}/api/v2/capstan/events`, new Call(id).start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').inputs);
    const media = await MediaClient.connect(server.url);
    await media.open(1, { conversationId: id, participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) });
    const frame = Uint8Array.from(tone(440, 160, 8000), (s) => ULAW_ENCODE[s & 0xffff]!);
    for (let i = 0; i < 250; i++) media.frame(1, i, i * 160, frame);
    const drafts = path.join(server.dataDir, 'media', 'drafts');
    const written = () => { try { return filesUnder(drafts).some((f) => statSync(f).size > 0); } catch { return false; } };
    for (let i = 0; i < 100 && !written(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(written()).toBe(true);
    const [row] = (await (await fetch(`${server.url}/api/v2/conversations/${id}/recordings?maxWaitMs=0`)).json()) as any[];
    expect(row).toMatchObject({ fileState: 'UPLOADING', capstan: { mediaState: 'RECORDING' } });

    await postJson(`${server.url}/api/v2/capstan/events`, new Call(id).consent(4, false).inputs.map((e) => ({ ...e, eventId: `${id}-consent` })));
    await media.close(1);
    await media.end();
    await postJson(`${server.url}/api/v2/capstan/events`, new Call(id).leave(5, 'c').end(5).inputs.map((e, i) => ({ ...e, eventId: `${id}-end-${i}` })));
    const res = await fetch(`${server.url}/api/v2/conversations/${id}/recordings?maxWaitMs=10000`);
    expect(await res.json()).toEqual([]);
    expect(res.status).toBe(200);
    // The listing drops it at once; its object goes as soon as the pipeline catches up.
    const leftovers = () => filesUnder(path.join(server.dataDir, 'media')).filter((f) => f.includes(row.id));
    for (let i = 0; i < 50 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers()).toEqual([]);
    await postJson(`${server.url}/api/v2/capstan/config/trunks/t1`, { name: 'Carrier', format: 'WAV_ULAW' }, 'PUT');
  });
});
