import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../src/ingest/siprec/metadata.js';
import { parseSiprecBody } from '../../src/ingest/siprec/multipart.js';
import { buildAnswer, parseSdp } from '../../src/ingest/siprec/sdp.js';
import { assignStreams } from '../../src/ingest/siprec/streams.js';
import { parseSipMessage, type SipRequest } from '../../src/ingest/siprec/sip/message.js';
import { loadSiprecFixture, siprecFixtureNames } from '../support/siprec-fixtures.js';

/** The vendor corpus: what each SBC sends must come out as the right parties on the right streams. */

function parse(name: string) {
  const message = parseSipMessage(loadSiprecFixture(name)) as SipRequest;
  expect(message?.kind).toBe('request');
  const body = parseSiprecBody(message.headers.get('content-type'), message.body.toString('utf8'))!;
  expect(body).toBeDefined();
  const sdp = parseSdp(body.sdp!)!;
  expect(sdp).toBeDefined();
  const metadata = body.metadata === undefined ? undefined : parseMetadata(body.metadata);
  return { message, body, sdp, metadata, assignment: assignStreams(sdp, metadata) };
}

/** Who speaks on each offered audio stream, as `label:participant(role)`. */
function speakers(name: string): string[] {
  return parse(name).assignment.streams.map((s) => `${s.label ?? '-'}:${s.party ? `${s.party.aor ?? s.party.participantId}(${s.party.role})` : 'not recorded'}`);
}

describe('SIPREC vendor corpus', () => {
  it('has every variant the reference lists', () => {
    expect(siprecFixtureNames()).toHaveLength(8);
  });

  it('RFC 7865 metadata with stream associations: caller on label 1, agent on label 2', () => {
    const { message, metadata } = parse('rfc7866-two-streams.sip');
    expect(message.method).toBe('INVITE');
    expect(message.headers.get('require')).toBe('siprec');
    expect(metadata?.dataMode).toBe('complete');
    expect(metadata?.participants.map((p) => p.name)).toEqual(['Pat Caller', 'Agent 42']);
    expect(speakers('rfc7866-two-streams.sip')).toEqual(['1:sip:+15551230001@carrier.example.com(external)', '2:sip:agent42@cc.example.com(internal)']);
  });

  it('Sonus: pre-RFC namespace, application/rs-metadata, quoted boundary, associations inside <participant>', () => {
    const { body } = parse('sonus-prerfc-namespace.sip');
    expect(body.metadata).toContain('callData');
    expect(speakers('sonus-prerfc-namespace.sip')).toEqual(['a_leg:sip:+15557654321@carrier.example.net(external)', 'b_leg:sip:4000@pbx.example.com(internal)']);
  });

  it('a namespace prefix, and associations that put the caller on the first stream although the agent is listed first', () => {
    const streams = speakers('prefixed-namespace-agent-first.sip');
    expect(streams[0]).toMatch(/^inbound:sip:\+15550001111@carrier\.example\.com/);
    expect(streams[1]).toMatch(/^outbound:sip:jdoe@cc\.example\.com/);
    const { assignment } = parse('prefixed-namespace-agent-first.sip');
    expect(assignment.streams.map((s) => s.codec)).toEqual(['PCMA', 'PCMA']);
  });

  it('no participantstreamassoc: participants are taken in order onto the streams in m-line order', () => {
    expect(speakers('no-stream-association.sip')).toEqual(['10:sip:+15552223333@pstn.example.com(external)', '11:sip:5001@pbx.example.com(internal)']);
  });

  it('Cisco NBR: plain SDP without metadata, first stream the caller', () => {
    const { metadata, message } = parse('cisco-nbr-no-metadata.sip');
    expect(metadata).toBeUndefined();
    expect(message.headers.get('session-id')).toMatch(/^8d3c1a2b/);
    expect(speakers('cisco-nbr-no-metadata.sip')).toEqual(['-:external(external)', '-:internal(internal)']);
  });

  it('Oracle three-stream mode: the mixed third stream is answered but not recorded', () => {
    expect(speakers('oracle-three-streams.sip')).toEqual([
      '1:sip:+15559998888@carrier.example.com(external)',
      '2:sip:7001@cc.example.com(internal)',
      '3:not recorded',
    ]);
  });

  it('BroadWorks: compact headers, bare LF, a=direction:both and the pre-RFC <aor> form', () => {
    const { message, sdp, metadata } = parse('broadworks-lf-only.sip');
    expect(message.headers.get('call-id')).toBe('bw-1@198.51.100.70');
    expect(sdp.media.map((m) => m.direction)).toEqual(['sendrecv', 'sendrecv']);
    expect(metadata?.participants[0]?.name).toBe('Sam Sender');
    expect(speakers('broadworks-lf-only.sip')).toEqual(['1:sip:+15554443333@pstn.example.com(external)', '2:sip:2001@enterprise.example.com(internal)']);
  });

  it('an inactive stream and a video m-line: the answer mirrors every m-line in order, video refused with port 0', () => {
    const { sdp, assignment } = parse('inactive-and-video.sip');
    expect(sdp.media.map((m) => `${m.media}:${m.direction}`)).toEqual(['audio:sendonly', 'video:sendonly', 'audio:inactive']);
    const byIndex = new Map(assignment.streams.map((s) => [s.mediaIndex, s]));
    const answer = buildAnswer(sdp, sdp.media.map((_, i) => ({ port: byIndex.get(i)?.party ? 40000 + i * 2 : undefined, payloadType: byIndex.get(i)?.payloadType })), '192.0.2.10', 1);
    const mLines = answer.split('\r\n').filter((l) => l.startsWith('m='));
    expect(mLines).toEqual(['m=audio 40000 RTP/AVP 0', 'm=video 0 RTP/AVP 96', 'm=audio 40004 RTP/AVP 0']);
    expect(answer).toContain('a=label:1\r\na=recvonly');
    expect(answer).toContain('a=label:2\r\na=inactive');
  });

  it('answers each corpus offer with the same number of m-lines, in order, labels kept', () => {
    for (const name of siprecFixtureNames()) {
      const { sdp, assignment } = parse(name);
      const byIndex = new Map(assignment.streams.map((s) => [s.mediaIndex, s]));
      const answer = parseSdp(buildAnswer(sdp, sdp.media.map((_, i) => ({ port: byIndex.has(i) ? 40000 + i * 2 : undefined, payloadType: byIndex.get(i)?.payloadType })), '192.0.2.10', 1))!;
      expect(answer.media.map((m) => m.media), name).toEqual(sdp.media.map((m) => m.media));
      expect(answer.media.map((m) => m.label), name).toEqual(sdp.media.map((m) => (byIndex.has(sdp.media.indexOf(m)) ? m.label : undefined)));
      for (const m of answer.media) if (m.port !== 0) expect(['recvonly', 'inactive'], name).toContain(m.direction);
    }
  });

  it('refuses what is not SIPREC: XML without <recording>, a body of another type, SDP without v=0', () => {
    expect(parseMetadata('<html><body/></html>')).toBeUndefined();
    expect(parseMetadata('not xml at all <<<')).toBeUndefined();
    expect(parseSiprecBody('text/plain', 'hello')).toBeUndefined();
    expect(parseSiprecBody('multipart/mixed', '--x\r\n\r\n--x--')).toBeUndefined();
    expect(parseSdp('o=nothing')).toBeUndefined();
  });
});
