import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import { toneShare } from '../support/audio.js';
import { Call, iso, queueTransfer } from '../support/call.js';
import { TEST_ADMIN, signedIn, testApi, type TestApi } from '../support/api.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { recordCall } from '../support/recorded-call.js';

/**
 * Recordings as listeners get them, on real audio made at test time: segment access silences
 * what was handled outside the listener's queues, downloads follow the download permission, and
 * a playback URL works only for the one it was made for.
 */

// The customer says 440 Hz throughout; agent A 1 kHz, agent B 1.5 kHz (see queueTransfer for the queues).
const call = () => queueTransfer('seg-audio');

let handle: TestDb;
let api: TestApi;
let recordingId: string;
const RATE = 8000;

beforeAll(async () => {
  handle = await openTestDb('sqlite');
  api = await testApi(handle.db, { as: null });
  const admin = { principal: TEST_ADMIN };
  await api.services.telephony.put(DEFAULT_ORG_ID, 'trunks', { id: 't1', name: 'Carrier', format: 'WAV_ULAW' });
  await api.services.roles.create(admin, {
    id: 'sales-listener',
    name: 'Sales listener',
    description: '',
    permissions: ['recording:recordingSegment:view', 'recording:recording:download'],
    queueScopes: { 'recording:recordingSegment:view': ['sales'] },
  });
  await api.services.media.start();
  const recordings = await recordCall(api.services, call(), [
    { participantId: 'c', fromSec: 0, toSec: 14, hz: 440 },
    { participantId: 'a', fromSec: 4, toSec: 8, hz: 1000 },
    { participantId: 'b', fromSec: 10, toSec: 14, hz: 1500 },
  ]);
  recordingId = recordings.find((r) => r.row.kind === 'trunk')!.row.id;
}, 60_000);
afterAll(async () => {
  await api.services.media.drain();
  await handle.cleanup();
});

const get = (url: string, headers: Record<string, string>) => api.app.inject({ method: 'GET', url: url.replace(/^https?:\/\/[^/]+/, ''), headers });
const recordingAs = async (headers: Record<string, string>, query = '') => get(`/api/v2/conversations/seg-audio/recordings/${recordingId}?maxWaitMs=0${query}`, headers);
const lastAudit = async (userId: string) => (await api.services.audit.query(DEFAULT_ORG_ID, { fromMs: 0, toMs: Date.now() + 1000, userId }, 'desc', { limit: 1 })).entities[0]!;

/** The PCM16 samples of a WAV file, one array per channel, and where its data starts. */
function wav(bytes: Buffer): { dataOffset: number; channels: Int16Array[] } {
  let at = 12;
  while (bytes.toString('ascii', at, at + 4) !== 'data') at += 8 + bytes.readUInt32LE(at + 4);
  const dataOffset = at + 8;
  const channelCount = bytes.readUInt16LE(22);
  const all = new Int16Array(bytes.buffer.slice(bytes.byteOffset + dataOffset, bytes.byteOffset + bytes.length));
  const frames = all.length / channelCount;
  const channels = Array.from({ length: channelCount }, (_, c) => Int16Array.from({ length: frames }, (_, i) => all[i * channelCount + c]!));
  return { dataOffset, channels };
}
const seconds = (pcm: Int16Array, from: number, to: number) => pcm.subarray(Math.round(from * RATE), Math.round(to * RATE));
const silent = (pcm: Int16Array) => pcm.every((s) => s === 0);

describe('segment access on real audio', () => {
  let sally: Record<string, string>;
  let masked: Buffer;
  let full: Buffer;
  beforeAll(async () => {
    sally = await signedIn(api, { id: 'sally', roleIds: ['sales-listener'] });
    const supervisor = await signedIn(api, { id: 'sam', roleIds: ['supervisor'] });
    const mine = (await recordingAs(sally)).json();
    masked = (await get(mine.mediaUris.S.mediaUri, {})).rawPayload;
    const theirs = (await recordingAs(supervisor, '&formatId=WAV')).json();
    full = (await get(theirs.mediaUris.S.mediaUri, {})).rawPayload;
  });

  it('lists which spans are withheld, in real time and in the recording', async () => {
    const body = (await recordingAs(sally)).json();
    expect(body.capstan.access).toEqual({
      basis: 'segmentPermission',
      download: false,
      segments: {
        permitted: [{ recordingLocation: 2000, recordingEnd: 8000 }],
        withheld: [
          { startTime: iso(0), endTime: iso(2), recordingLocation: 0, recordingDurationMs: 2000, queueId: null },
          { startTime: iso(8), endTime: iso(14), recordingLocation: 8000, recordingDurationMs: 6000, queueId: 'support' },
        ],
      },
    });
    expect(body.mediaUris.S.mediaUri).toMatch(/format=WAV&/);
  });

  it('serves silence outside the permitted spans and the call itself inside them', () => {
    const [ch1, ch2] = wav(masked).channels as [Int16Array, Int16Array];
    expect(ch1.length).toBe(14 * RATE);
    for (const pcm of [ch1, ch2]) {
      expect(silent(seconds(pcm, 0, 2))).toBe(true);
      expect(silent(seconds(pcm, 8, 14))).toBe(true);
    }
    // Inside: the customer (ch1) and what the customer hears, agent A (ch2).
    expect(toneShare(seconds(ch1, 2.1, 7.9), 440, RATE)).toBeGreaterThan(0.9);
    expect(toneShare(seconds(ch2, 4.1, 7.9), 1000, RATE)).toBeGreaterThan(0.9);
    // The unmasked file has agent B where Sally hears nothing.
    expect(toneShare(seconds(wav(full).channels[1]!, 10.1, 13.9), 1500, RATE)).toBeGreaterThan(0.9);
  });

  it('is byte for byte the full recording inside the permitted spans, for any range asked for', async () => {
    const { dataOffset } = wav(full);
    expect(masked.length).toBe(full.length);
    const permittedStart = dataOffset + 2 * RATE * 4;
    const permittedEnd = dataOffset + 8 * RATE * 4;
    for (let i = 0; i < full.length; i += 997) {
      const expected = i < dataOffset || (i >= permittedStart && i < permittedEnd) ? full[i] : 0;
      expect(masked[i], `byte ${i}`).toBe(expected);
    }
    const mine = (await recordingAs(sally)).json();
    // An odd offset that straddles the start of the permitted span.
    const start = permittedStart - 101;
    const ranged = await api.app.inject({ method: 'GET', url: mine.mediaUris.S.mediaUri.replace(/^https?:\/\/[^/]+/, ''), headers: { range: `bytes=${start}-${start + 999}` } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.rawPayload.equals(masked.subarray(start, start + 1000))).toBe(true);
  });

  it('audits the play with what was withheld, and refuses a download of a partial recording', async () => {
    expect(await lastAudit('sally')).toMatchObject({ action: 'Play', status: 'SUCCESS', entityId: recordingId, context: expect.stringContaining('"withheldSpans":"2"') });
    const download = await recordingAs(sally, '&download=true');
    expect(download.statusCode).toBe(403);
    expect(download.json().message).toMatch(/only some segments/);
    expect(await lastAudit('sally')).toMatchObject({ action: 'Download', status: 'FAILURE', entityId: recordingId });
  });

  it('hears nothing of a conversation handled only in other queues', async () => {
    const support = await signedIn(api, { id: 'sue', roleIds: ['sales-listener'] });
    await api.services.roles.update({ principal: TEST_ADMIN }, 'sales-listener', {
      name: 'Sales listener',
      description: '',
      permissions: ['recording:recordingSegment:view'],
      queueScopes: { 'recording:recordingSegment:view': ['billing'] },
    });
    const body = (await recordingAs(support)).json();
    expect(body.capstan.access.segments.permitted).toEqual([]);
    const bytes = (await get(body.mediaUris.S.mediaUri, {})).rawPayload;
    expect(wav(bytes).channels.every(silent)).toBe(true);
  });
});

describe('downloads and playback URLs', () => {
  it('gives holders of recording:recording:download a download URL that serves an attachment, audited', async () => {
    const supervisor = await signedIn(api, { id: 'sam', roleIds: ['supervisor'] });
    const res = await recordingAs(supervisor, '&download=true');
    expect(res.statusCode).toBe(200);
    const url = res.json().mediaUris.S.mediaUri as string;
    expect(url).toMatch(/purpose=download/);
    const file = await get(url, {});
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${recordingId}.wav"`);
    expect(await lastAudit('sam')).toMatchObject({ action: 'Download', status: 'SUCCESS', entityId: recordingId });
  });

  it('refuses a download to an evaluator who may listen, with 403', async () => {
    const evaluator = await signedIn(api, { id: 'eva', roleIds: ['evaluator'] });
    await api.services.users.create({ principal: TEST_ADMIN }, { id: 'ua', name: 'Agent A', roleIds: ['agent'], state: 'active', externalPartner: false });
    await api.services.evaluations.create({ principal: TEST_ADMIN }, { conversationId: 'seg-audio', evaluatorUserId: 'eva', agentUserId: 'ua', status: 'PENDING' });
    expect((await recordingAs(evaluator)).statusCode).toBe(200);
    const res = await recordingAs(evaluator, '&download=true');
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/downloading needs recording:recording:download/);
  });

  it('plays a URL only for the one it was made for, and only while they still may', async () => {
    const supervisor = await signedIn(api, { id: 'sid', roleIds: ['supervisor'] });
    const agent = await signedIn(api, { id: 'ua' });
    const url = (await recordingAs(supervisor)).json().mediaUris.S.mediaUri as string;
    expect((await get(url, supervisor)).statusCode).toBe(200);
    const someoneElse = await get(url, agent);
    expect(someoneElse.statusCode).toBe(403);
    expect(someoneElse.json().message).toMatch(/made for someone else/);
    expect(await lastAudit('ua')).toMatchObject({ action: 'Play', status: 'FAILURE', entityId: recordingId });

    await api.services.users.update({ principal: TEST_ADMIN }, 'sid', { roleIds: ['agent'] });
    const revoked = await get(url, {});
    expect(revoked.statusCode).toBe(403);
    expect(await lastAudit('sid')).toMatchObject({ action: 'Play', status: 'FAILURE', entityId: recordingId });
  });
});

describe("listing a conversation whose only recording is somebody's ad-hoc recording", () => {
  const listAs = (headers: Record<string, string>) => get('/api/v2/conversations/adhoc-only/recordings?maxWaitMs=0', headers);
  beforeAll(async () => {
    const call = new Call('adhoc-only').start(0, 'internal').join(0, 'u1', 'user').join(0, 'u2', 'user').talk(0, 'u1', 'u2');
    call.adhoc(1, 'u1', true).adhoc(3, 'u1', false).leave(4, 'u1').leave(4, 'u2').end(4);
    await recordCall(api.services, call, [{ participantId: 'u1', fromSec: 0, toSec: 4, hz: 440 }]);
  }, 60_000);

  it('answers a holder of a recording view permission with the recordings they may see: none', async () => {
    const supervisor = await signedIn(api, { id: 'sup-adhoc', roleIds: ['supervisor'] });
    const res = await listAs(supervisor);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it('shows the owner their recording', async () => {
    const owner = await signedIn(api, { id: 'u1', roleIds: ['user'] });
    expect((await listAs(owner)).json().map((r: { recordingFileRole: string }) => r.recordingFileRole)).toEqual(['ADHOC']);
  });

  it('answers the other party of the call, who may hear none of it, with an empty listing', async () => {
    const otherParty = await signedIn(api, { id: 'u2', roleIds: ['user'] });
    const res = await listAs(otherParty);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  it('refuses, and audits, a caller with neither a view permission nor a relationship to it', async () => {
    const stranger = await signedIn(api, { id: 'agent-adhoc', roleIds: ['agent'] });
    const res = await listAs(stranger);
    expect(res.statusCode).toBe(403);
    expect((await lastAudit('agent-adhoc')).status).toBe('FAILURE');
  });
});
