/**
 * The body of a SIPREC INVITE: `multipart/mixed` with an SDP part and an RFC 7865 metadata part
 * (RFC 7866 §9). The boundary may be quoted; parts may use CRLF or bare LF; the metadata content
 * type is `application/rs-metadata+xml` or the older `application/rs-metadata`. A plain SDP body
 * (no metadata) is accepted too.
 */

export interface SiprecBody {
  readonly sdp: string | undefined;
  readonly metadata: string | undefined;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function parameter(contentType: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]{1,200})"|([^;\\s]{1,200}))`, 'i').exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

const isMetadata = (type: string) => type === 'application/rs-metadata+xml' || type === 'application/rs-metadata';

/** Splits a SIP body by its Content-Type; undefined when it is neither SDP nor a usable multipart. */
export function parseSiprecBody(contentType: string | undefined, body: string): SiprecBody | undefined {
  const type = mediaType(contentType);
  if (type === 'application/sdp') return { sdp: body, metadata: undefined };
  if (isMetadata(type)) return { sdp: undefined, metadata: body };
  if (!type.startsWith('multipart/')) return undefined;
  const boundary = parameter(contentType!, 'boundary');
  if (!boundary) return undefined;
  const delimiter = `--${boundary}`;
  const chunks = body.split(delimiter);
  if (chunks.length < 2 || chunks.length > 34) return undefined;
  let sdp: string | undefined;
  let metadata: string | undefined;
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = chunk.replace(/^[ \t]*\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(part);
    const headerText = split ? part.slice(0, split.index) : '';
    const content = (split ? part.slice(split.index + split[0].length) : part).replace(/\r?\n$/, '');
    const partType = mediaType(/^content-type\s*:\s*(.*)$/im.exec(headerText)?.[1]);
    if (partType === 'application/sdp') sdp ??= content;
    else if (isMetadata(partType)) metadata ??= content;
  }
  return sdp === undefined && metadata === undefined ? undefined : { sdp, metadata };
}
