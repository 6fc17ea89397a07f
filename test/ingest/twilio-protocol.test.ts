import { describe, expect, it } from 'vitest';
import { parseTwilioMessage } from '../../src/ingest/twilio/messages.js';
import { candidateUrls, twilioSignature, validTwilioSignature } from '../../src/ingest/twilio/signature.js';
import { TwilioStreamSession, type TwilioFrame } from '../../src/ingest/twilio/stream-session.js';
import { streamMetadata } from '../../src/ingest/twilio/twilio.connector.js';
import { fixtureLines } from '../support/protocol-fixtures.js';

/** Twilio Media Streams: the message sequence of the docs, both tracks aligned by timestamp. */

const lines = fixtureLines('twilio', 'stream.jsonl');

function harness() {
  const log: string[] = [];
  const frames: TwilioFrame[] = [];
  const session = new TwilioStreamSession({
    start: async (s) => void log.push(`start:${s.callSid}:${s.tracks.join('+')}`),
    media: (f) => frames.push(f),
    stop: async () => void log.push('stop'),
    invalid: (r) => log.push(`invalid:${r}`),
  });
  return { session, log, frames };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe('Twilio Media Streams', () => {
  it('connected, start, media on both tracks, mark and dtmf ignored, stop', async () => {
    const { session, log, frames } = harness();
    for (const line of lines) session.onText(line);
    await settle();
    expect(session.state).toBe('stopped');
    expect(log).toEqual(['start:CA0123456789abcdef0123456789abcdef:inbound+outbound', 'stop']);
    expect(frames.map((f) => `${f.track}#${f.chunk}@${f.timestamp}:${f.payload.length}`)).toEqual(['inbound#1@40:160', 'outbound#1@40:160', 'inbound#2@200:160']);
  });

  it('maps custom parameters to the conversation', () => {
    const start = parseTwilioMessage(lines[1]!);
    expect(start.ok && start.message.event === 'start').toBe(true);
    if (!start.ok || start.message.event !== 'start') return;
    expect(streamMetadata(start.message.start)).toEqual({
      conversationId: 'tw-conv-1',
      direction: 'inbound',
      ani: '+15017122661',
      dnis: '+15558675310',
      agentUserId: 'alice',
      agentName: undefined,
      customerName: undefined,
    });
    const plain = { ...start.message.start, customParameters: { conversationId: 'has spaces!' } };
    expect(streamMetadata(plain).conversationId).toBe('twilio-CA0123456789abcdef0123456789abcdef');
  });

  it('tolerates a missing connected and numeric counters; refuses media before start, other formats and a second start', async () => {
    const { session, log, frames } = harness();
    session.onText(lines[2]!);
    session.onText(lines[1]!);
    session.onText(lines[2]!.replace('"chunk":"1","timestamp":"5"', '"chunk":7,"timestamp":60'));
    session.onText(lines[1]!);
    await settle();
    expect(frames.map((f) => f.chunk)).toEqual([7]);
    expect(log.filter((l) => l.startsWith('invalid'))).toEqual(['invalid:media in state connecting', 'invalid:a second start']);
    const other = harness();
    other.session.onText(lines[1]!.replace('audio/x-mulaw', 'audio/l16'));
    expect(other.log).toEqual(['invalid:unsupported media format audio/l16/8000/1']);
  });

  it('an abrupt close without stop still ends a started stream', async () => {
    const { session, log } = harness();
    session.onText(lines[0]!);
    session.onText(lines[1]!);
    await session.onTransportClosed();
    expect(log.at(-1)).toBe('stop');
  });

  it('validates X-Twilio-Signature over the URL Twilio used', () => {
    const token = '12345';
    const urls = candidateUrls('rec.example.com', '/twilio/media', undefined);
    const good = twilioSignature(token, 'wss://rec.example.com/twilio/media');
    expect(validTwilioSignature(token, good, urls)).toBe(true);
    expect(validTwilioSignature('54321', good, urls)).toBe(false);
    expect(validTwilioSignature(token, good, candidateUrls('other.example.com', '/twilio/media', undefined))).toBe(false);
    expect(validTwilioSignature(token, undefined, urls)).toBe(false);
    const behindProxy = twilioSignature(token, 'wss://public.example.com/twilio/media');
    expect(validTwilioSignature(token, behindProxy, candidateUrls('10.0.0.5:8080', '/twilio/media', 'https://public.example.com'))).toBe(true);
  });
});
