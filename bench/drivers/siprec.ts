import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { parseSipMessage } from '../../src/ingest/siprec/sip/message.js';
import type { BenchCall, DriverContext, ProtocolDriver } from './driver.js';

/**
 * SIPREC as an SBC sends it: an INVITE with two sendonly PCMU streams and RFC 7865 metadata over
 * UDP, RTP to the two answered ports (one packet per party per frame), BYE. One socket carries
 * every call's SIP and another every call's RTP, as on a real SBC.
 */

interface Leg {
  readonly callId: string;
  readonly sessionId: string;
  readonly fromTag: string;
  toHeader?: string;
  ports?: [number, number];
  ssrc: [number, number];
  /** CSeq of the last request that got its final response. */
  answered: number;
  onFinal?: (status: number) => void;
}

export function siprecDriver(ctx: DriverContext): ProtocolDriver {
  const legs = new Map<BenchCall, Leg>();
  const byCallId = new Map<string, Leg>();
  const sip = dgram.createSocket('udp4');
  const rtp = dgram.createSocket('udp4');
  let sipPort = 0;
  const samplesPerFrame = ctx.payload.length;

  const request = (leg: Leg, method: string, cseq: number, body?: { type: string; content: string }) => {
    const lines = [
      `${method} sip:srs@${ctx.host}:${ctx.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP ${ctx.host}:${sipPort};branch=z9hG4bK${randomBytes(8).toString('hex')};rport`,
      `From: <sip:sbc@${ctx.host}>;tag=${leg.fromTag}`,
      `To: ${leg.toHeader ?? `<sip:srs@${ctx.host}>`}`,
      `Call-ID: ${leg.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:sbc@${ctx.host}:${sipPort}>;+sip.src`,
      'Max-Forwards: 70',
    ];
    if (method === 'INVITE') lines.push('Require: siprec', `Session-ID: ${leg.sessionId};remote=00000000000000000000000000000000`);
    const content = body ? Buffer.from(body.content) : Buffer.alloc(0);
    if (body) lines.push(`Content-Type: ${body.type}`);
    lines.push(`Content-Length: ${content.length}`);
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), content]);
    sip.send(bytes, ctx.sipPort, ctx.host);
    if (method === 'ACK') return;
    // UDP: the request goes again (T1 doubling) until its final response, as RFC 3261 asks.
    let interval = 500;
    const again = () => {
      if (leg.answered === cseq) return;
      sip.send(bytes, ctx.sipPort, ctx.host);
      interval = Math.min(interval * 2, 4000);
      setTimeout(again, interval).unref();
    };
    setTimeout(again, interval).unref();
  };

  const offer = (leg: Leg) => {
    const sdp = ['v=0', `o=sbc 1 1 IN IP4 ${ctx.host}`, 's=-', `c=IN IP4 ${ctx.host}`, 't=0 0'];
    for (const label of ['1', '2']) sdp.push('m=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', `a=label:${label}`, 'a=sendonly');
    const metadata = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>complete</datamode>',
      `<participant participant_id="caller"><nameID aor="sip:+15551230001@carrier.example.com"/></participant>`,
      `<participant participant_id="agent"><nameID aor="sip:agent@cc.example.com"/></participant>`,
      '<stream stream_id="s1"><label>1</label></stream><stream stream_id="s2"><label>2</label></stream>',
      '<participantstreamassoc participant_id="caller"><send>s1</send></participantstreamassoc>',
      '<participantstreamassoc participant_id="agent"><send>s2</send></participantstreamassoc></recording>',
    ].join('\r\n');
    return {
      type: 'multipart/mixed;boundary=bench',
      content: `--bench\r\nContent-Type: application/sdp\r\n\r\n${sdp.join('\r\n')}\r\n--bench\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n${metadata}\r\n--bench--\r\n`,
    };
  };

  sip.on('message', (data) => {
    const message = parseSipMessage(data);
    if (message?.kind !== 'response') return;
    const leg = byCallId.get(message.headers.get('call-id') ?? '');
    if (!leg || message.status < 200) return;
    const [cseq, method] = message.headers.get('cseq')!.split(' ');
    if (leg.answered === Number(cseq)) {
      if (method === 'INVITE') request(leg, 'ACK', 1);
      return;
    }
    leg.answered = Number(cseq);
    if (method === 'INVITE') {
      leg.toHeader = message.headers.get('to');
      if (message.status === 200) {
        const ports = [...message.body.toString().matchAll(/^m=audio (\d+)/gm)].map((m) => Number(m[1]));
        leg.ports = [ports[0]!, ports[1]!];
        request(leg, 'ACK', 1);
      }
    }
    leg.onFinal?.(message.status);
  });

  return {
    async prepare() {
      await Promise.all([sip, rtp].map((s) => new Promise<void>((r) => s.bind(0, ctx.host, () => r()))));
      sipPort = sip.address().port;
    },
    async connect(call) {
      const leg: Leg = { callId: `${call.id}@bench`, sessionId: randomBytes(16).toString('hex'), fromTag: randomBytes(6).toString('hex'), ssrc: [randomBytes(4).readUInt32BE(), randomBytes(4).readUInt32BE()], answered: 0 };
      legs.set(call, leg);
      byCallId.set(leg.callId, leg);
      return true;
    },
    start(call, _startAt, ready) {
      const leg = legs.get(call)!;
      leg.onFinal = (status) => {
        leg.onFinal = undefined;
        ready(status === 200);
      };
      request(leg, 'INVITE', 1, offer(leg));
    },
    send(call) {
      const leg = legs.get(call)!;
      for (const i of [0, 1] as const) {
        const packet = Buffer.allocUnsafe(12 + ctx.payload.length);
        packet[0] = 0x80;
        packet[1] = 0;
        packet.writeUInt16BE(call.sent & 0xffff, 2);
        packet.writeUInt32BE((call.sent * samplesPerFrame) >>> 0, 4);
        packet.writeUInt32BE(leg.ssrc[i], 8);
        ctx.payload.copy(packet, 12);
        rtp.send(packet, leg.ports![i], ctx.host);
      }
    },
    end(call) {
      const leg = legs.get(call)!;
      return new Promise((resolve) => {
        leg.onFinal = () => resolve();
        request(leg, 'BYE', 2);
      });
    },
    conversationId: (call) => `siprec-${legs.get(call)!.sessionId}`,
    backlogBytes: () => 0,
    close(call) {
      byCallId.delete(legs.get(call)!.callId);
      if (byCallId.size === 0) {
        sip.close();
        rtp.close();
      }
    },
  };
}
