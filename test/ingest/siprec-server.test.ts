import dgram from 'node:dgram';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorHealth } from '../../src/services/connector-health.js';
import { parseSdp } from '../../src/ingest/siprec/sdp.js';
import { SiprecServer } from '../../src/ingest/siprec/srs.js';
import { SrsRefusal, type SrsCallInfo, type SrsCallSink, type SrsRecorder } from '../../src/ingest/siprec/srs-session.js';
import { tagOf, type SipResponse } from '../../src/ingest/siprec/sip/message.js';
import { loadSiprecFixture } from '../support/siprec-fixtures.js';
import { rtpPacket, sipClient } from '../support/sip-client.js';

/** The SIPREC server on real UDP and TCP sockets, with a recorder that keeps what it is handed. */

interface Recording {
  info: SrsCallInfo;
  frames: Array<{ participant: string; seq: number; timestamp: number; bytes: number }>;
  events: string[];
  ended?: string;
}

class KeepingRecorder implements SrsRecorder {
  readonly recordings: Recording[] = [];
  delayMs = 0;
  refuse: SrsRefusal | undefined;
  async begin(info: SrsCallInfo): Promise<SrsCallSink> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.refuse) throw this.refuse;
    const rec: Recording = { info, frames: [], events: [] };
    this.recordings.push(rec);
    return {
      frame: (s, f) => rec.frames.push({ participant: s.party!.participantId, seq: f.seq, timestamp: f.timestamp, bytes: f.payload.length }),
      pause: (s, at) => rec.events.push(`pause ${s.label} @${Math.round(at / 800) / 10}s`),
      resume: (s, from, samples) => rec.events.push(`resume ${s.label} gap ${Math.round(samples / 800) / 10}s`),
      metadata: () => rec.events.push('metadata'),
      end: async (reason) => void (rec.ended = reason),
    };
  }
  find(callId: string) {
    return this.recordings.find((r) => r.info.callId === callId);
  }
}

const until = async (check: () => boolean, ms = 3000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function inDialog(method: string, invite: Buffer, ok: SipResponse, cseq: number, body?: { type: string; content: string }, branch = `z9hG4bK-${method}-${cseq}-${Math.random()}`): string {
  const text = invite.toString();
  const header = (name: string) => new RegExp(`^(?:${name}): (.*)$`, 'mi').exec(text)![1]!;
  const lines = [
    `${method} sip:srs@127.0.0.1 SIP/2.0`,
    header('Via|v').replace(/branch=[^;\s]+/, `branch=${branch}`).replace(/^/, 'Via: '),
    `From: ${header('From|f')}`,
    `To: ${ok.headers.get('to')}`,
    `Call-ID: ${header('Call-ID|i')}`,
    `CSeq: ${cseq} ${method}`,
  ];
  const payload = body ? Buffer.from(body.content) : Buffer.alloc(0);
  if (body) lines.push(`Content-Type: ${body.type}`);
  lines.push(`Content-Length: ${payload.length}`);
  return `${lines.join('\r\n')}\r\n\r\n${payload.toString()}`;
}

function offerWith(invite: Buffer, direction: string): { type: string; content: string } {
  const sdp = /v=0[\s\S]*?(?=\r\n--)/.exec(invite.toString())![0];
  return { type: 'application/sdp', content: `${sdp.replace(/a=sendonly/g, `a=${direction}`)}\r\n` };
}

describe('SIPREC server', () => {
  const recorder = new KeepingRecorder();
  const health = new ConnectorHealth('siprec', pino({ level: 'silent' }));
  let server: SiprecServer;
  const rtp = dgram.createSocket('udp4');

  beforeAll(async () => {
    server = await SiprecServer.listen(
      {
        sip: { host: '127.0.0.1', port: 0 },
        media: { host: '127.0.0.1', portMin: 0, portMax: 0 },
        maxSessions: 10,
        allowedSources: [],
        idleTimeoutMs: 60_000,
        now: Date.now,
      },
      recorder,
      health,
      pino({ level: 'silent' }),
    );
    await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    rtp.close();
    await server.close();
  });

  it('UDP: answers 100 then 200 with every m-line recvonly, retransmits the 200 until the ACK, records RTP per party, pauses and resumes on re-INVITE, ends on BYE', async () => {
    const client = await sipClient('UDP', server.ports.udp);
    const invite = loadSiprecFixture('rfc7866-two-streams.sip', { callId: 'udp-call-1', branch: 'z9hG4bK-udp-1' });
    client.send(invite);
    expect((await client.next()).status).toBe(100);
    const ok = await client.next((r) => r.status === 200);
    const localTag = tagOf(ok.headers.get('to'));
    expect(localTag).toBeTruthy();
    expect(ok.headers.get('contact')).toBe(`<sip:srs@127.0.0.1:${server.ports.udp};transport=udp>;+sip.srs`);
    expect(ok.headers.get('session-id')).toMatch(/^[0-9a-f]{32};remote=4f2a1c9e8b7d46e0a1b2c3d4e5f60718$/);
    const answer = parseSdp(ok.body.toString())!;
    expect(answer.media.map((m) => [m.label, m.direction, m.formats.join(' ')])).toEqual([
      ['1', 'recvonly', '0'],
      ['2', 'recvonly', '0'],
    ]);
    // No ACK yet: the 200 comes again (T1 = 500 ms).
    const again = await client.next((r) => r.status === 200, 1500);
    expect(tagOf(again.headers.get('to'))).toBe(localTag);
    client.send(invite);
    await client.next((r) => r.status === 200, 1000);
    expect(recorder.recordings.filter((r) => r.info.callId === 'udp-call-1')).toHaveLength(1);
    client.send(inDialog('ACK', invite, ok, 101));

    const [p1, p2] = answer.media.map((m) => m.port);
    for (let i = 0; i < 5; i++) {
      rtp.send(rtpPacket({ pt: 0, seq: 100 + i, ts: 1000 + i * 160, ssrc: 11, payload: new Uint8Array(160).fill(0xff) }), p1!, '127.0.0.1');
      rtp.send(rtpPacket({ pt: 0, seq: 65534 + i, ts: 4294967000 + i * 160, ssrc: 22, payload: new Uint8Array(160).fill(0x7e) }), p2!, '127.0.0.1');
      rtp.send(rtpPacket({ pt: 101, seq: 9, ts: 1, ssrc: 11, payload: new Uint8Array(4) }), p1!, '127.0.0.1');
    }
    const rec = recorder.find('udp-call-1')!;
    await until(() => rec.frames.length === 10);
    const caller = rec.frames.filter((f) => f.participant === 'Y2FsbGVyLXBhcnRpY2lwYW50');
    const agent = rec.frames.filter((f) => f.participant === 'YWdlbnQtcGFydGljaXBhbnQ_');
    expect(caller.map((f) => f.bytes)).toEqual([160, 160, 160, 160, 160]);
    expect(agent.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(agent[4]!.timestamp - agent[0]!.timestamp).toBe(640);

    client.send(inDialog('INVITE', invite, ok, 102, offerWith(invite, 'inactive')));
    const paused = await client.next((r) => r.status === 200 && r.headers.get('cseq') === '102 INVITE');
    expect(parseSdp(paused.body.toString())!.media.map((m) => m.direction)).toEqual(['inactive', 'inactive']);
    client.send(inDialog('ACK', invite, ok, 102));
    await new Promise((r) => setTimeout(r, 300));
    client.send(inDialog('INVITE', invite, ok, 103, offerWith(invite, 'sendonly')));
    const resumed = await client.next((r) => r.status === 200 && r.headers.get('cseq') === '103 INVITE');
    expect(parseSdp(resumed.body.toString())!.media.map((m) => m.direction)).toEqual(['recvonly', 'recvonly']);
    expect(rec.events.filter((e) => e.startsWith('pause'))).toHaveLength(2);
    expect(rec.events.filter((e) => e.startsWith('resume')).length).toBe(2);
    expect(rec.events.find((e) => e.startsWith('resume'))).toMatch(/gap 0\.[2-5]s/);

    client.send(inDialog('BYE', invite, ok, 104));
    expect((await client.next((r) => r.headers.get('cseq') === '104 BYE')).status).toBe(200);
    await until(() => rec.ended === 'BYE');
    client.send(inDialog('BYE', invite, ok, 105));
    expect((await client.next((r) => r.headers.get('cseq') === '105 BYE')).status).toBe(481);
    client.close();
  });

  it('TCP: a pre-RFC Sonus offer with session timers is answered on the stream, metadata updates reach the recorder', async () => {
    const client = await sipClient('TCP', server.ports.tcp);
    const invite = loadSiprecFixture('sonus-prerfc-namespace.sip', { callId: 'tcp-call-1' });
    client.send(invite);
    const ok = await client.next((r) => r.status === 200);
    expect(ok.headers.get('session-expires')).toBe('1800;refresher=uac');
    expect(ok.headers.get('require')).toBe('timer');
    expect(ok.headers.get('contact')).toContain('transport=tcp');
    client.send(inDialog('ACK', invite, ok, 1));
    const metadata = /<\?xml[\s\S]*<\/recording>/.exec(invite.toString())![0];
    client.send(inDialog('UPDATE', invite, ok, 2, { type: 'application/rs-metadata+xml', content: metadata }));
    expect((await client.next((r) => r.headers.get('cseq') === '2 UPDATE')).status).toBe(200);
    const rec = recorder.find('tcp-call-1')!;
    expect(rec.events).toContain('metadata');
    expect(rec.info.assignment.streams.map((s) => s.party?.role)).toEqual(['external', 'internal']);
    client.send(inDialog('BYE', invite, ok, 3));
    await until(() => rec.ended === 'BYE');
    client.close();
  });

  it('CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, and the recording is ended', async () => {
    recorder.delayMs = 300;
    const client = await sipClient('UDP', server.ports.udp);
    const invite = loadSiprecFixture('cisco-nbr-no-metadata.sip', { callId: 'cancel-1', branch: 'z9hG4bK-cancel-1' });
    client.send(invite);
    await client.next((r) => r.status === 100);
    const text = invite.toString();
    const cancel = [
      'CANCEL sip:recorder@192.0.2.10:5060 SIP/2.0',
      /^Via: .*$/m.exec(text)![0],
      /^From: .*$/m.exec(text)![0],
      /^To: .*$/m.exec(text)![0],
      'Call-ID: cancel-1',
      'CSeq: 101 CANCEL',
      'Content-Length: 0',
    ].join('\r\n');
    client.send(`${cancel}\r\n\r\n`);
    expect((await client.next((r) => r.headers.get('cseq') === '101 CANCEL')).status).toBe(200);
    expect((await client.next((r) => r.headers.get('cseq') === '101 INVITE' && r.status >= 200)).status).toBe(487);
    await until(() => recorder.find('cancel-1')?.ended === 'CANCEL');
    recorder.delayMs = 0;
    client.close();
  });

  it('answers OPTIONS, refuses what it cannot do with the right SIP status, and counts refusals', async () => {
    const client = await sipClient('UDP', server.ports.udp);
    const base = loadSiprecFixture('rfc7866-two-streams.sip', { callId: 'err-1' }).toString();
    const options = base.replace(/^INVITE /, 'OPTIONS ').replace('CSeq: 101 INVITE', 'CSeq: 1 OPTIONS').replace(/Content-Type[\s\S]*$/, 'Content-Length: 0\r\n\r\n');
    client.send(options);
    const ok = await client.next((r) => r.headers.get('cseq') === '1 OPTIONS');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('allow')).toContain('UPDATE');

    client.send(base.replace('Require: siprec', 'Require: siprec, 100rel').replace('err-1', 'err-2').replace('z9hG4bK-rfc-1', 'z9hG4bK-e2'));
    const bad = await client.next((r) => r.status === 420);
    expect(bad.headers.get('unsupported')).toBe('100rel');

    client.send(base.replace('multipart/mixed;boundary=b1', 'text/plain').replace('err-1', 'err-3').replace('z9hG4bK-rfc-1', 'z9hG4bK-e3'));
    expect((await client.next((r) => r.status >= 400 && r.headers.get('call-id') === 'err-3')).status).toBe(415);

    // Same length, so Content-Length still holds: G.729 and G.722 only.
    const noG711 = base.replace('m=audio 20000 RTP/AVP 0 101', 'm=audio 20000 RTP/AVP 18 99').replace('m=audio 20002 RTP/AVP 0', 'm=audio 20002 RTP/AVP 9');
    client.send(noG711.replace('err-1', 'err-4').replace('z9hG4bK-rfc-1', 'z9hG4bK-e4'));
    expect((await client.next((r) => r.status >= 400 && r.headers.get('call-id') === 'err-4')).status).toBe(488);

    recorder.refuse = new SrsRefusal(503, 'media ingest refused the sources');
    client.send(base.replace('err-1', 'err-5').replace('z9hG4bK-rfc-1', 'z9hG4bK-e5'));
    expect((await client.next((r) => r.status >= 400 && r.headers.get('call-id') === 'err-5')).status).toBe(503);
    recorder.refuse = undefined;

    const reinvite = base.replace('To: <sip:srs@192.0.2.10>', 'To: <sip:srs@192.0.2.10>;tag=nope').replace('err-1', 'err-6').replace('z9hG4bK-rfc-1', 'z9hG4bK-e6');
    client.send(reinvite);
    expect((await client.next((r) => r.status >= 400 && r.headers.get('call-id') === 'err-6')).status).toBe(481);

    client.send('INVITE sip:x SIP/2.0\r\nthis is not a header\r\n\r\n');
    client.send(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    await until(() => health.protocolErrors >= 2);
    const snapshot = health.snapshot();
    expect(snapshot.rejected['unsupported extension 100rel']).toBe(1);
    expect(snapshot.recentRejections.map((r) => r.reason)).toContain('no G.711 audio stream to record');
    client.close();
  });

  it('an SSRC change and a timestamp jump keep the stream on the arrival clock', async () => {
    const client = await sipClient('UDP', server.ports.udp);
    const invite = loadSiprecFixture('rfc7866-two-streams.sip', { callId: 'ssrc-1', branch: 'z9hG4bK-ssrc-1' });
    client.send(invite);
    const ok = await client.next((r) => r.status === 200);
    client.send(inDialog('ACK', invite, ok, 101));
    const port = parseSdp(ok.body.toString())!.media[0]!.port;
    const payload = new Uint8Array(160);
    rtp.send(rtpPacket({ pt: 0, seq: 1, ts: 0, ssrc: 1, payload }), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    rtp.send(rtpPacket({ pt: 0, seq: 5000, ts: 777_000, ssrc: 2, payload }), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    rtp.send(rtpPacket({ pt: 0, seq: 5001, ts: 9_000_000, ssrc: 2, payload }), port, '127.0.0.1');
    const rec = recorder.find('ssrc-1')!;
    await until(() => rec.frames.length === 3);
    const [a, b, c] = rec.frames;
    expect(b!.seq).toBe(a!.seq + 1);
    expect(c!.seq).toBe(b!.seq + 1);
    // Each step is about 200 ms of arrival time (1600 samples), whatever the RTP timestamps said.
    expect(b!.timestamp - a!.timestamp).toBeGreaterThan(1000);
    expect(b!.timestamp - a!.timestamp).toBeLessThan(3000);
    expect(c!.timestamp - b!.timestamp).toBeGreaterThan(1000);
    expect(c!.timestamp - b!.timestamp).toBeLessThan(3000);
    client.send(inDialog('BYE', invite, ok, 102));
    await until(() => rec.ended === 'BYE');
    client.close();
  });
});
