import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrunkCall } from '../../src/ingest/trunk-call.js';
import { startTestServer } from '../support/server.js';

/** The glue every connector shares: a trunk-side conversation from a connector session. */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer();
  await server.services.telephony.put('default', 'trunks', { id: 'glue', name: 'Glue trunk' });
});
afterAll(async () => {
  await server.close();
});

const deps = () => ({ conversations: server.services.conversations, media: server.services.media, clock: server.services.clock });
const spec = (conversationId: string) => ({
  orgId: 'default',
  conversationId,
  connector: 'twilio' as const,
  trunkId: 'glue',
  direction: 'inbound' as const,
  ani: '+15550001111',
  parties: [
    { participantId: 'cust', purpose: 'customer' as const, name: 'Caller' },
    { participantId: 'ag', purpose: 'agent' as const, userId: 'u-ag' },
  ],
});

describe('TrunkCall', () => {
  it('describes the call with events and ends it no earlier than its newest audio', async () => {
    const call = await TrunkCall.start(deps(), spec('glue-1'));
    const sink = await call.openSource('cust', 'PCMU', 8000);
    // A sender whose start was read late places its audio ahead of the wall clock (here 6 s).
    for (let i = 0; i < 40; i++) sink.push({ seq: i, timestamp: 8000 * 6 + i * 1600, payload: new Uint8Array(1600).fill(0xff) });
    await call.end();
    const conversation = (await (await fetch(`${server.url}/api/v2/capstan/conversations/glue-1`)).json()) as any;
    const types = conversation.events.map((e: any) => e.type);
    expect(types).toEqual(['conversation.started', 'participant.joined', 'participant.joined', 'segment', 'segment', 'participant.left', 'participant.left', 'conversation.ended']);
    const ended = Date.parse(conversation.events.at(-1).at);
    expect(ended - call.startedAtMs).toBeGreaterThanOrEqual(6000 + 7800);
  });

  it('joins a conversation the platform already started, adding audio only', async () => {
    const first = await TrunkCall.start(deps(), spec('glue-2'));
    const second = await TrunkCall.start(deps(), spec('glue-2'));
    expect(first.isAttached).toBe(false);
    expect(second.isAttached).toBe(true);
    await second.end();
    await first.end();
    const conversation = (await (await fetch(`${server.url}/api/v2/capstan/conversations/glue-2`)).json()) as any;
    expect(conversation.events.filter((e: any) => e.type === 'conversation.ended')).toHaveLength(1);
  });
});
