import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Call, iso } from '../support/call.js';
import { MediaClient, encodeFrame } from '../support/media-client.js';
import { postJson, startTestServer } from '../support/server.js';

/** The native media protocol's errors: each is answered, none crashes the server or touches a recording. */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
beforeAll(async () => {
  server = await startTestServer();
  await postJson(`${server.url}/api/v2/capstan/events`, new Call('proto-1').start(0, 'inbound').join(0, 'c', 'customer').inputs);
});
afterAll(async () => {
  await server.close();
});

const open = { conversationId: 'proto-1', participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) } as const;

describe('the native media protocol', () => {
  it('answers malformed messages and unknown sessions with stable error codes and keeps the connection', async () => {
    const client = await MediaClient.connect(server.url);
    client.socket.send('{not json');
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'media.badMessage' });
    client.control({ type: 'open', stream: 1, ...open, codec: 'G729' });
    expect(await client.next((m) => m.type === 'error' && m.stream === 1)).toMatchObject({ code: 'media.badMessage' });
    expect(await client.open(2, { ...open, conversationId: 'nobody' })).toMatchObject({ type: 'error', code: 'media.unknownConversation' });
    client.frame(9, 0, 0, Buffer.alloc(160));
    expect(await client.next((m) => m.code === 'media.unknownStream')).toMatchObject({ stream: 9 });
    client.socket.send(Buffer.from([1, 0, 0]));
    expect(await client.next((m) => m.code === 'media.badFrame')).toBeTruthy();

    expect(await client.open(3, open)).toMatchObject({ type: 'opened' });
    client.control({ type: 'open', stream: 3, ...open });
    expect(await client.next((m) => m.type === 'error' && m.stream === 3)).toMatchObject({ code: 'media.streamInUse' });
    client.control({ type: 'open', stream: 4, ...open, codec: 'L16' });
    await client.next((m) => m.type === 'opened' && m.stream === 4);
    client.frame(4, 0, 0, Buffer.alloc(161));
    expect(await client.next((m) => m.code === 'media.badFrame' && m.stream === 4)).toMatchObject({ message: expect.stringContaining('whole samples') });
    client.frame(3, 0, 8000 * 60, Buffer.alloc(160));
    expect(await client.next((m) => m.code === 'media.badFrame' && m.stream === 3)).toMatchObject({ message: expect.stringContaining('10 s') });
    client.frame(3, 1, 0, Buffer.alloc(160, 0xff));
    expect(await client.close(3)).toMatchObject({ framesReceived: 1, framesLost: 0 });
    await client.end();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('closes a connection that keeps sending garbage with 1008', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v2/capstan/media`);
    await new Promise((r) => socket.once('open', r));
    const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
    for (let i = 0; i < 60; i++) socket.send(encodeFrame(77, i, 0, Buffer.alloc(10)));
    expect(await closed).toBe(1008);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses an upgrade on a path nobody registered', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/v2/capstan/nothing`);
    const status = await new Promise<number | undefined>((r) => socket.once('unexpected-response', (_req, res) => r(res.statusCode)));
    expect(status).toBe(404);
  });
});
