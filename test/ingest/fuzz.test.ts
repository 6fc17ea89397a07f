import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../src/ingest/audiohook/protocol/messages.js';
import { AudioHookServerSession, type SessionListener } from '../../src/ingest/audiohook/protocol/server-session.js';
import { verifySignature } from '../../src/ingest/audiohook/protocol/signature.js';
import { parseDictionary, StructuredFieldError } from '../../src/ingest/audiohook/protocol/structured-fields.js';
import { parseMetadata } from '../../src/ingest/siprec/metadata.js';
import { parseSiprecBody } from '../../src/ingest/siprec/multipart.js';
import { parseRtp, RtpTimeline } from '../../src/ingest/siprec/rtp.js';
import { parseSdp } from '../../src/ingest/siprec/sdp.js';
import { assignStreams } from '../../src/ingest/siprec/streams.js';
import { parseSipMessage } from '../../src/ingest/siprec/sip/message.js';
import { SipUas } from '../../src/ingest/siprec/sip/uas.js';
import { TwilioStreamSession } from '../../src/ingest/twilio/stream-session.js';
import { fixtureLines, fixtureText } from '../support/protocol-fixtures.js';
import { loadSiprecFixture, siprecFixtureNames } from '../support/siprec-fixtures.js';

/**
 * Every parser and state machine fed random and mutated inputs: nothing throws, nothing grows
 * without bound. Mutations start from the real fixtures so that the fuzzer reaches deep paths.
 */

const RUNS = 400;

/** Byte-level mutations of a seed: flips, cuts, splices, repeats. */
function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.integer({ min: 0, max: 4 })), { maxLength: 12 }), fc.uint8Array({ maxLength: 64 }))
    .map(([seed, edits, junk]) => {
      let out = Buffer.from(seed);
      for (const [at, value, kind] of edits) {
        const i = out.length === 0 ? 0 : at % out.length;
        if (kind === 0 && out.length) out[i] = value;
        else if (kind === 1) out = out.subarray(0, i);
        else if (kind === 2) out = Buffer.concat([out.subarray(0, i), junk, out.subarray(i)]);
        else if (kind === 3) out = Buffer.concat([out, out.subarray(i, i + 200)]);
        else out = Buffer.concat([out.subarray(i), out.subarray(0, i)]);
      }
      return new Uint8Array(out);
    });
}

const textOf = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ maxLength: 2048 }).map((s) => new Uint8Array(Buffer.from(s))));

function heapGrowthMb(run: () => void): number {
  const before = process.memoryUsage().heapUsed;
  run();
  return (process.memoryUsage().heapUsed - before) / 1024 / 1024;
}

describe('fuzz: SIPREC parsers', () => {
  const invites = siprecFixtureNames().map((n) => new Uint8Array(loadSiprecFixture(n)));

  it('SIP, multipart, SDP, metadata and stream assignment never throw on random or mutated INVITEs', () => {
    const growth = heapGrowthMb(() =>
      fc.assert(
        fc.property(fc.oneof(mutated(invites), anyBytes), (bytes) => {
          const message = parseSipMessage(Buffer.from(bytes));
          const text = textOf(bytes);
          const body = parseSiprecBody(message?.headers.get('content-type') ?? 'multipart/mixed;boundary=b1', message?.body.toString('utf8') ?? text);
          const sdp = parseSdp(body?.sdp ?? text);
          const metadata = parseMetadata(body?.metadata ?? text);
          if (sdp) {
            const assignment = assignStreams(sdp, metadata);
            expect(assignment.streams.length).toBeLessThanOrEqual(sdp.media.length);
          }
          if (metadata) expect(metadata.participants.length).toBeLessThanOrEqual(32);
        }),
        { numRuns: RUNS * 3 },
      ),
    );
    expect(growth).toBeLessThan(256);
  });

  it('refuses oversized and hostile inputs quickly: a huge message, deep XML, an entity bomb', () => {
    expect(parseSipMessage(Buffer.alloc(200_000, 65))).toBeUndefined();
    expect(parseMetadata(`<recording>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</recording>`)).toBeUndefined();
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><recording><participant participant_id="p"><name>&c;&c;&c;</name></participant></recording>`;
    const parsed = parseMetadata(bomb);
    expect(parsed?.participants[0]?.name?.length ?? 0).toBeLessThan(100);
    expect(parseSdp(`v=0\n${'m=audio 1 RTP/AVP 0\n'.repeat(100)}`)).toBeUndefined();
  });

  it('the transaction layer never throws and answers every request it can parse', () => {
    const sent: Buffer[] = [];
    const peer = { transport: 'UDP' as const, address: '127.0.0.1', port: 5080, localAddress: '127.0.0.1', localPort: 5060, send: (b: Buffer) => void sent.push(b) };
    const uas = new SipUas({ request: (txn) => txn.respond(txn.request.method === 'INVITE' ? 486 : 200), ack: () => undefined, cancelled: () => undefined, ackTimeout: () => undefined });
    try {
      fc.assert(
        fc.property(mutated(invites), (bytes) => {
          const message = parseSipMessage(Buffer.from(bytes));
          if (message) uas.receive(message, peer);
        }),
        { numRuns: RUNS },
      );
      expect(uas.transactionCount).toBeLessThanOrEqual(RUNS);
      for (const answer of sent) expect(answer.toString('latin1')).toMatch(/^SIP\/2\.0 \d{3} /);
    } finally {
      uas.close();
    }
  });

  it('RTP parsing and placement never throw and keep frame sequence numbers within 32 bits', () => {
    const timeline = new RtpTimeline(0, 8000);
    let arrival = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.nat(1000), (bytes, step) => {
        if (bytes.length > 0) bytes[0] = (bytes[0]! & 0x3f) | 0x80;
        const packet = parseRtp(bytes);
        arrival += step;
        const placed = packet && timeline.place({ ...packet, payloadType: 0 }, arrival);
        if (placed) {
          expect(placed.seq).toBeGreaterThanOrEqual(0);
          expect(placed.seq).toBeLessThan(2 ** 32);
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('fuzz: AudioHook', () => {
  const lines = fixtureLines('audiohook', 'session.jsonl').map((l) => new Uint8Array(Buffer.from(l)));
  const opens = ['probe-open.json', 'open-l16-internal-first.json'].map((f) => new Uint8Array(Buffer.from(fixtureText('audiohook', f))));
  const listener: SessionListener = {
    authorize: async () => undefined,
    open: async () => undefined,
    audio: () => undefined,
    gap: () => undefined,
    paused: () => undefined,
    resumed: () => undefined,
    update: () => undefined,
    clientError: () => undefined,
    close: async () => undefined,
    ended: () => undefined,
    rejected: () => undefined,
  };

  it('message parsing never throws', () => {
    fc.assert(
      fc.property(fc.oneof(mutated([...lines, ...opens]), anyBytes), (bytes) => {
        const result = parseClientMessage(textOf(bytes));
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a session fed any mix of mutated messages and binary frames never throws and stays in a known state', async () => {
    const states = new Set(['preparing', 'opening', 'active', 'pausing', 'paused', 'resuming', 'closing', 'closed', 'disconnecting', 'lost']);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(mutated([...lines, ...opens]).map((b) => ({ text: textOf(b) })), fc.uint8Array({ maxLength: 700 }).map((b) => ({ binary: b }))), { maxLength: 30 }), async (inputs) => {
        const session = new AudioHookServerSession({ send: () => undefined, close: () => undefined }, listener, undefined);
        session.onText(textOf(lines[0]!));
        await Promise.resolve();
        for (const input of inputs) {
          if ('text' in input) session.onText(input.text);
          else session.onBinary(input.binary);
        }
        await new Promise((r) => setImmediate(r));
        expect(states.has(session.state)).toBe(true);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('structured fields and signature verification never throw on hostile headers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), (input, signature) => {
        try {
          parseDictionary(input);
        } catch (err) {
          expect(err).toBeInstanceOf(StructuredFieldError);
        }
        const result = verifySignature(
          { headers: { 'x-api-key': 'k', 'signature-input': input, signature }, requestTarget: '/audiohook', authority: 'h' },
          { secretFor: () => new Uint8Array(8), nowS: 1 },
        );
        expect(result.code).not.toBe('VERIFIED');
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('fuzz: Twilio', () => {
  const lines = fixtureLines('twilio', 'stream.jsonl').map((l) => new Uint8Array(Buffer.from(l)));

  it('a stream fed mutated and random messages never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(mutated(lines), anyBytes), { maxLength: 40 }), async (inputs) => {
        const session = new TwilioStreamSession({ start: async () => undefined, media: () => undefined, stop: async () => undefined, invalid: () => undefined });
        for (const input of inputs) session.onText(textOf(input));
        await session.onTransportClosed();
        expect(session.state).toBe('stopped');
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
