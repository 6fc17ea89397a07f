/**
 * SIP messages (RFC 3261 §7): parsing what arrives on the wire and writing responses. Header
 * names are case-insensitive and may use compact forms; values are kept as sent. Parsing never
 * throws: a malformed message is `undefined`, and the caller answers 400 when it can.
 */

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly headers: SipHeaders;
  readonly body: Buffer;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: SipHeaders;
  readonly body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export const MAX_SIP_MESSAGE = 64 * 1024;
const MAX_HEADERS = 128;

const COMPACT: Record<string, string> = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type',
  k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', u: 'allow-events', x: 'session-expires',
};

/** Headers in arrival order; names lower-cased with compact forms expanded. */
export class SipHeaders {
  constructor(readonly entries: Array<[string, string]> = []) {}

  get(name: string): string | undefined {
    return this.entries.find(([n]) => n === name)?.[1];
  }

  all(name: string): string[] {
    return this.entries.filter(([n]) => n === name).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.entries.some(([n]) => n === name);
  }
}

/** Finds where the header section ends (after the empty line), or -1. Tolerates LF-only line ends. */
export function headerEnd(data: Buffer, from = 0): { end: number; bodyStart: number } | undefined {
  const crlf = data.indexOf('\r\n\r\n', from);
  const lf = data.indexOf('\n\n', from);
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { end: crlf, bodyStart: crlf + 4 };
  return { end: lf, bodyStart: lf + 2 };
}

export function parseSipMessage(data: Buffer): SipMessage | undefined {
  if (data.length > MAX_SIP_MESSAGE) return undefined;
  const split = headerEnd(data);
  const head = (split ? data.subarray(0, split.end) : data).toString('latin1');
  const lines = unfold(head.split(/\r?\n/));
  const start = lines.shift();
  if (!start || lines.length > MAX_HEADERS) return undefined;
  const headers = new SipHeaders();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const raw = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9!%'*+\-._`~]+$/.test(raw)) return undefined;
    const name = COMPACT[raw] ?? raw;
    headers.entries.push([name, line.slice(colon + 1).trim()]);
  }
  let body = split ? data.subarray(split.bodyStart) : Buffer.alloc(0);
  const length = headers.get('content-length');
  if (length !== undefined) {
    if (!/^\d{1,6}$/.test(length)) return undefined;
    const n = Number(length);
    if (n > body.length) return undefined;
    body = body.subarray(0, n);
  }
  const response = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(start);
  if (response) return { kind: 'response', status: Number(response[1]), reason: response[2] ?? '', headers, body };
  const request = /^([A-Z]{2,16}) (\S{1,1024}) SIP\/2\.0$/.exec(start);
  if (!request) return undefined;
  for (const required of ['via', 'from', 'to', 'call-id', 'cseq']) if (!headers.has(required)) return undefined;
  if (!parseCSeq(headers.get('cseq')!)) return undefined;
  return { kind: 'request', method: request[1]!, uri: request[2]!, headers, body };
}

function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line);
  }
  return out;
}

export function parseCSeq(value: string): { seq: number; method: string } | undefined {
  const m = /^(\d{1,10})\s+([A-Z]+)$/.exec(value.trim());
  return m ? { seq: Number(m[1]), method: m[2]! } : undefined;
}

/** A header parameter (`;tag=…`, `;branch=…`) outside any angle-bracketed URI. */
export function headerParam(value: string, name: string): string | undefined {
  const close = value.lastIndexOf('>');
  const params = close >= 0 ? value.slice(close + 1) : value.slice(Math.max(0, value.indexOf(';')));
  for (const part of params.split(';').slice(1)) {
    const [k, v] = part.split('=');
    if (k?.trim().toLowerCase() === name) return v?.trim() ?? '';
  }
  return undefined;
}

/** The top Via's branch (RFC 3261 magic-cookie branches identify transactions). */
export function topBranch(request: SipRequest): string {
  const via = request.headers.get('via')!.split(',')[0]!;
  return headerParam(via, 'branch') ?? '';
}

export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : headerParam(value, 'tag');
}

export function optionTags(headers: SipHeaders, name: string): string[] {
  return headers
    .all(name)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

export interface ResponseOptions {
  readonly toTag?: string;
  readonly headers?: Array<[string, string]>;
  readonly body?: { type: string; content: string };
}

const REASONS: Record<number, string> = {
  100: 'Trying', 200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed', 415: 'Unsupported Media Type',
  420: 'Bad Extension', 481: 'Call/Transaction Does Not Exist', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 491: 'Request Pending', 500: 'Server Internal Error', 503: 'Service Unavailable', 513: 'Message Too Large',
};

/** Writes a response to `request` (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied, To tagged. */
export function buildResponse(request: SipRequest, status: number, options: ResponseOptions = {}): Buffer {
  const lines = [`SIP/2.0 ${status} ${REASONS[status] ?? 'Unknown'}`];
  for (const via of request.headers.all('via')) lines.push(`Via: ${via}`);
  lines.push(`From: ${request.headers.get('from')}`);
  const to = request.headers.get('to')!;
  lines.push(`To: ${options.toTag && status > 100 && tagOf(to) === undefined ? `${to};tag=${options.toTag}` : to}`);
  lines.push(`Call-ID: ${request.headers.get('call-id')}`);
  lines.push(`CSeq: ${request.headers.get('cseq')}`);
  for (const [name, value] of options.headers ?? []) lines.push(`${name}: ${value}`);
  const body = options.body ? Buffer.from(options.body.content, 'utf8') : Buffer.alloc(0);
  if (options.body) lines.push(`Content-Type: ${options.body.type}`);
  lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
