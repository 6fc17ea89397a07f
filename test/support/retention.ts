import { ULAW_ENCODE } from '../../src/media/codecs/g711.js';
import { EncryptedObjectWriter } from '../../src/media/encrypted-object.js';
import { DEFAULT_ORG_ID, type Services } from '../../src/services/index.js';
import { blobKeyFor } from '../../src/services/media-session.js';
import { RecordingMediaRepository } from '../../src/store/repositories/recording-media.repository.js';
import { RecordingsRepository } from '../../src/store/repositories/recordings.repository.js';
import { tone } from './audio.js';
import { Call, T0 } from './call.js';
import { TEST_ADMIN, signedIn, type TestApi } from './api.js';

/** Helpers for retention tests: a clock the test moves, principals chosen per request, calls to post. */

export class TestClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

/**
 * A way to call the API as someone: the test administrator by default; otherwise a user of that
 * id signed in with a role holding `permissions` (every permission when none are given).
 */
export function caller(api: TestApi, as?: string, permissions?: string[]) {
  let headers: Promise<Record<string, string>> | undefined;
  const headersOf = async (): Promise<Record<string, string>> => {
    if (!as) return { 'content-type': 'application/json' };
    const roleId = `r-${as}`;
    if (!(await api.services.roles.get(DEFAULT_ORG_ID, roleId))) {
      await api.services.roles.create({ principal: TEST_ADMIN }, { id: roleId, name: roleId, description: '', permissions: permissions ?? ['*'], queueScopes: {} });
    }
    const { cookie } = await signedIn(api, { id: as, roleIds: [roleId] });
    return { 'content-type': 'application/json', cookie };
  };
  return async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    api.app.inject({ method, url, headers: await (headers ??= headersOf()), ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
}

/** An inbound ACD call of `seconds` through queue q1 to agent ua, on trunk t1, starting `startSec` after T0. */
export function acdCall(id: string, options: { startSec?: number; seconds?: number; wrapupCode?: string; language?: string } = {}): Call {
  const s = options.startSec ?? 0;
  const end = s + (options.seconds ?? 60);
  const call = new Call(id)
    .start(s, 'inbound', options.language ? { language: options.language } : {})
    .join(s, 'c', 'customer')
    .join(s, 'acd', 'acd')
    .queue(s, 'c', 'q1')
    .join(s + 5, 'a', 'agent')
    .talk(s + 5, 'c', 'a')
    .leave(s + 5, 'acd')
    .leave(end, 'c');
  if (options.wrapupCode) return call.wrapup(end, 'a').end(end).wrapupDone(end + 10, 'a', options.wrapupCode);
  return call.leave(end, 'a').end(end);
}

export async function postCall(api: TestApi, call: Call): Promise<void> {
  const res = await api.app.inject({ method: 'POST', url: '/api/v2/capstan/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(call.inputs) });
  if (res.statusCode !== 202) throw new Error(`events refused: ${res.body}`);
}

export const at = (sec: number) => T0 + sec * 1000;

/**
 * Gives every recording of a conversation encrypted μ-law audio on the hot store, as the media
 * pipeline would have written it (a tone of `seconds`), and marks it AVAILABLE. Returns the bodies by recording id.
 */
export async function recordMedia(services: Services, conversationId: string, seconds = 1, orgId = DEFAULT_ORG_ID): Promise<Map<string, Buffer>> {
  const media = new RecordingMediaRepository(services.db);
  const bodies = new Map<string, Buffer>();
  for (const row of await new RecordingsRepository(services.db).listForConversation(orgId, conversationId)) {
    if (row.status === 'discarded' || !row.audio) continue;
    const body = Buffer.from(Uint8Array.from(tone(440 + bodies.size * 100, 8000 * seconds, 8000), (s) => ULAW_ENCODE[s & 0xffff]!));
    const blobKey = blobKeyFor(orgId, row.id, row.startedAtMs);
    const writer = await EncryptedObjectWriter.create(services.blobs, services.keys, blobKey);
    writer.append(body);
    const stat = await writer.finish();
    const now = services.clock.now();
    await media.started(orgId, row.id, { blobKey, keyId: writer.keyId, format: 'WAV_ULAW', channels: 1, sampleRate: 8000 }, now);
    const health = { sources: [], silentParticipants: [], channels: [], durationMs: seconds * 1000, expectedMs: seconds * 1000, conversationMs: seconds * 1000, warnings: [] };
    await media.finished(orgId, row.id, { bodyBytes: body.length, sizeBytes: stat.size, durationMs: seconds * 1000, partial: false, health, annotations: [] }, now);
    bodies.set(row.id, body);
  }
  return bodies;
}
