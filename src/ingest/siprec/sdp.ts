/**
 * The SDP (RFC 4566) a SIPREC offer carries and the answer an SRS gives (RFC 3264): one m-line per
 * recorded stream, each answered in the same order with the same label, as `recvonly` (or
 * `inactive` when the offer pauses it). Only what an SRS needs is parsed; unknown lines are kept out.
 */

export type Direction = 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive';
export type G711 = 'PCMU' | 'PCMA';

export interface SdpMedia {
  readonly media: string;
  readonly port: number;
  readonly proto: string;
  readonly formats: readonly string[];
  readonly rtpmap: ReadonlyMap<string, string>;
  readonly label: string | undefined;
  readonly direction: Direction;
  readonly connection: string | undefined;
}

export interface SessionDescription {
  readonly connection: string | undefined;
  readonly direction: Direction | undefined;
  readonly media: readonly SdpMedia[];
}

const MAX_MEDIA = 16;

export function parseSdp(text: string): SessionDescription | undefined {
  if (text.length > 32 * 1024) return undefined;
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== 'v=0') return undefined;
  let connection: string | undefined;
  let sessionDirection: Direction | undefined;
  const media: Array<{ -readonly [K in keyof SdpMedia]: SdpMedia[K] } & { rtpmap: Map<string, string> }> = [];
  for (const line of lines) {
    const type = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') return undefined;
    const current = media[media.length - 1];
    if (type === 'm') {
      const m = /^(\w+) (\d{1,5})(?:\/\d+)? (\S+) ?(.*)$/.exec(value);
      if (!m || media.length >= MAX_MEDIA) return undefined;
      media.push({
        media: m[1]!,
        port: Number(m[2]),
        proto: m[3]!,
        formats: m[4]!.split(' ').filter(Boolean).slice(0, 32),
        rtpmap: new Map(),
        label: undefined,
        direction: sessionDirection ?? 'sendrecv',
        connection: undefined,
      });
    } else if (type === 'c') {
      const address = /^IN IP[46] ([^/\s]+)/.exec(value)?.[1];
      if (current) current.connection = address;
      else connection = address;
    } else if (type === 'a') {
      const direction = directionOf(value);
      if (direction) {
        if (current) current.direction = direction;
        else sessionDirection = direction;
        continue;
      }
      if (!current) continue;
      const rtpmap = /^rtpmap:(\d{1,3}) ([^\s]+)$/.exec(value);
      if (rtpmap && current.rtpmap.size < 32) current.rtpmap.set(rtpmap[1]!, rtpmap[2]!);
      const label = /^label:(.{1,64})$/.exec(value);
      if (label) current.label = label[1]!;
    }
  }
  return { connection, direction: sessionDirection, media };
}

function directionOf(attribute: string): Direction | undefined {
  if (attribute === 'sendonly' || attribute === 'recvonly' || attribute === 'sendrecv' || attribute === 'inactive') return attribute;
  // Seen in some recorders' offers: a non-standard `a=direction:both`, meaning both ways.
  if (attribute === 'direction:both') return 'sendrecv';
  return undefined;
}

/** The G.711 codec and payload type an audio stream offers, preferring the first listed. */
export function g711Of(media: SdpMedia): { codec: G711; payloadType: number } | undefined {
  if (media.media !== 'audio' || media.port === 0 || !media.proto.startsWith('RTP/')) return undefined;
  for (const format of media.formats) {
    const map = media.rtpmap.get(format)?.toUpperCase();
    if (map?.startsWith('PCMU/8000') || (format === '0' && map === undefined)) return { codec: 'PCMU', payloadType: Number(format) };
    if (map?.startsWith('PCMA/8000') || (format === '8' && map === undefined)) return { codec: 'PCMA', payloadType: Number(format) };
  }
  return undefined;
}

/** Whether the sender is sending on this stream (a SIPREC pause is `inactive`). */
export const isSending = (media: SdpMedia) => media.direction === 'sendonly' || media.direction === 'sendrecv';

export interface AnswerStream {
  /** Our RTP port; undefined rejects the stream (port 0). */
  readonly port: number | undefined;
  readonly payloadType: number | undefined;
}

export function buildAnswer(offer: SessionDescription, streams: readonly AnswerStream[], address: string, version: number): string {
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  const lines = ['v=0', `o=capstan 1 ${version} IN ${ip} ${address}`, 's=capstan', `c=IN ${ip} ${address}`, 't=0 0'];
  offer.media.forEach((m, i) => {
    const answer = streams[i];
    if (!answer?.port || answer.payloadType === undefined) {
      lines.push(`m=${m.media} 0 ${m.proto} ${m.formats[0] ?? '0'}`);
      return;
    }
    const pt = String(answer.payloadType);
    lines.push(`m=${m.media} ${answer.port} ${m.proto} ${pt}`);
    lines.push(`a=rtpmap:${pt} ${m.rtpmap.get(pt) ?? (pt === '8' ? 'PCMA/8000' : 'PCMU/8000')}`);
    if (m.label !== undefined) lines.push(`a=label:${m.label}`);
    lines.push(isSending(m) ? 'a=recvonly' : 'a=inactive');
  });
  return `${lines.join('\r\n')}\r\n`;
}
