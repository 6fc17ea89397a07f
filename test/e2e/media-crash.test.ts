import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ULAW_ENCODE } from '../../src/media/codecs/g711.js';
import { decodeWithFfmpeg, tone, toneShare } from '../support/audio.js';
import { Call, iso } from '../support/call.js';
import { MediaClient } from '../support/media-client.js';
import { startCapstan, type CapstanProcess } from '../support/process.js';
import { bearer } from '../support/credentials.js';

/** A server killed mid-call (SIGKILL) or stopped (SIGTERM) comes back with partial, playable recordings. */

const running: CapstanProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
});

function draftBytes(dataDir: string): number {
  const walk = (dir: string): number => {
    try {
      return readdirSync(dir).reduce((n, name) => {
        const full = path.join(dir, name);
        return n + (statSync(full).isDirectory() ? walk(full) : statSync(full).size);
      }, 0);
    } catch {
      return 0;
    }
  };
  return walk(path.join(dataDir, 'media', 'drafts'));
}

const ADMIN = { CAPSTAN_ADMIN_CLIENT_ID: 'media-e2e', CAPSTAN_ADMIN_CLIENT_SECRET: 'media-e2e-secret-0123456789' };
const auth = (url: string) => bearer(url, ADMIN.CAPSTAN_ADMIN_CLIENT_ID, ADMIN.CAPSTAN_ADMIN_CLIENT_SECRET);

async function send(url: string, headers: Record<string, string>, body: unknown, method = 'POST') {
  return fetch(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function liveCall(url: string, id: string, seconds: number): Promise<MediaClient> {
  const headers = await auth(url);
  await send(`${url}/api/v2/capstan/config/trunks/t1`, headers, { name: 'Carrier', format: 'WAV_ULAW' }, 'PUT');
  await send(`${url}/api/v2/capstan/events`, headers, new Call(id).start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a').inputs);
  const media = await MediaClient.connect(url, headers);
  await media.open(1, { conversationId: id, participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) });
  // 400 Hz fills a 20 ms frame with whole cycles, so one frame repeated is a clean tone.
  const frame = Uint8Array.from(tone(400, 160, 8000), (s) => ULAW_ENCODE[s & 0xffff]!);
  for (let i = 0; i < seconds * 50; i++) media.frame(1, i, i * 160, frame);
  return media;
}

async function playable(url: string, id: string) {
  const headers = await auth(url);
  const [recording] = (await (await fetch(`${url}/api/v2/conversations/${id}/recordings?maxWaitMs=5000`, { headers })).json()) as any[];
  const file = Buffer.from(await (await fetch(recording.mediaUris.S.mediaUri)).arrayBuffer());
  return { recording, decoded: decodeWithFfmpeg(file, 2, 8000) };
}

describe('media durability', () => {
  it('restarts after SIGKILL mid-call into a partial recording that plays what was flushed', async () => {
    const first = await startCapstan({ ...ADMIN, CAPSTAN_MEDIA_FLUSH_MS: '300' });
    running.push(first);
    await liveCall(first.url, 'crash-1', 10);
    for (let i = 0; i < 100 && draftBytes(first.dataDir) < 20_000; i++) await new Promise((r) => setTimeout(r, 100));
    expect(draftBytes(first.dataDir)).toBeGreaterThan(20_000);
    await first.stop('SIGKILL');

    const second = await startCapstan({ ...ADMIN, CAPSTAN_DATA_DIR: first.dataDir });
    running.push(second);
    const { recording, decoded } = await playable(second.url, 'crash-1');
    expect(recording).toMatchObject({ fileState: 'AVAILABLE', capstan: { partial: true } });
    expect(recording.capstan.health.warnings).toContain('partial');
    expect(recording.outputDurationMs).toBeGreaterThan(1000);
    expect(recording.outputDurationMs).toBeLessThanOrEqual(10_000);
    expect(Math.abs(decoded.durationMs - recording.outputDurationMs)).toBeLessThanOrEqual(1);
    expect(toneShare(decoded.channels[0]!, 400, 8000)).toBeGreaterThan(0.9);
    await second.stop();
  });

  it('finishes live recordings on SIGTERM with everything that arrived', async () => {
    const first = await startCapstan(ADMIN);
    running.push(first);
    const media = await liveCall(first.url, 'drain-1', 6);
    await media.next((m) => m.type === 'opened');
    await new Promise((r) => setTimeout(r, 300));
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startCapstan({ ...ADMIN, CAPSTAN_DATA_DIR: first.dataDir });
    running.push(second);
    const { recording, decoded } = await playable(second.url, 'drain-1');
    expect(recording).toMatchObject({ fileState: 'AVAILABLE', outputDurationMs: 6000, capstan: { partial: true } });
    expect(decoded.durationMs).toBe(6000);
    await second.stop();
  });
});
