import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  StructuredFieldError,
  isInnerList,
  parseDictionary,
  serializeInnerList,
  serializeItem,
  type InnerList,
  type Item,
} from './structured-fields.js';

/**
 * HTTP Message Signatures (RFC 9421) as AudioHook uses them: HMAC-SHA256 over the request target,
 * the authority and the AudioHook headers, keyed with the base64-decoded client secret. The checks
 * follow the protocol's reference verifier: every required component covered, a nonce of at least
 * 22 characters, `keyid` equal to the X-API-KEY header, a bounded age, and a constant-time compare.
 * An unknown key is still run through an HMAC (with a random key) so that the answer takes as long.
 */

export type HeaderFields = Record<string, string | string[] | undefined>;

export const AUDIOHOOK_SIGNED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

export type VerifyCode = 'VERIFIED' | 'UNSIGNED' | 'INVALID' | 'EXPIRED' | 'PRECONDITION' | 'FAILED';
export interface VerifyResult {
  readonly code: VerifyCode;
  readonly reason?: string;
}

/** Seconds a signature stays acceptable after `created` (the reference verifier's value). */
export const MAX_SIGNATURE_AGE_S = 10;
const MAX_CLOCK_SKEW_S = 3;
const MIN_NONCE_LENGTH = 22;

export interface SignedRequest {
  readonly headers: HeaderFields;
  /** Path and query as sent. */
  readonly requestTarget: string;
  /** Host header value (host[:port]). */
  readonly authority: string;
}

export interface VerifyOptions {
  /** The client secret (decoded) for a key id; undefined when the key is unknown, empty when the key needs no signature. */
  readonly secretFor: (keyId: string) => Uint8Array | undefined;
  /** Epoch seconds. */
  readonly nowS: number;
}

export function headerValue(headers: HeaderFields, name: string): string | undefined {
  const field = headers[name];
  if (field === undefined) return undefined;
  const canonical = (v: string) => v.trim().replace(/[ \t]*\r\n[ \t]+/g, ' ');
  return Array.isArray(field) ? field.map(canonical).join(', ') : canonical(field);
}

const fail = (code: Exclude<VerifyCode, 'VERIFIED'>, reason?: string): VerifyResult => ({ code, reason });

export function verifySignature(request: SignedRequest, options: VerifyOptions): VerifyResult {
  const apiKey = headerValue(request.headers, 'x-api-key');
  if (!apiKey) return fail('PRECONDITION', 'missing X-API-KEY header');
  let inputs;
  let signatures;
  try {
    inputs = parseDictionary(headerValue(request.headers, 'signature-input') ?? '');
    signatures = parseDictionary(headerValue(request.headers, 'signature') ?? '');
  } catch (err) {
    if (err instanceof StructuredFieldError) return fail('INVALID', `malformed signature header: ${err.message}`);
    throw err;
  }
  if (inputs.size === 0 && signatures.size === 0) {
    const secret = options.secretFor(apiKey);
    return secret !== undefined && secret.length === 0 ? { code: 'VERIFIED' } : fail('UNSIGNED', 'request is not signed');
  }
  const [label, input] = [...inputs][0] ?? [];
  if (!label || !input || !isInnerList(input)) return fail('INVALID', 'signature-input is not an inner list');
  const signature = signatures.get(label);
  if (!signature || isInnerList(signature) || !(signature.value instanceof Uint8Array)) return fail('INVALID', `no signature for label ${label}`);

  const params = new Map(input.params);
  for (const key of params.keys()) {
    if (!['alg', 'created', 'expires', 'keyid', 'nonce'].includes(key)) return fail('INVALID', `unknown signature parameter ${key}`);
  }
  const alg = params.get('alg');
  if (alg !== undefined && alg !== 'hmac-sha256') return fail('INVALID', 'only hmac-sha256 is supported');
  const created = params.get('created');
  const expires = params.get('expires');
  const keyId = params.get('keyid');
  const nonce = params.get('nonce');
  if (typeof created !== 'number' || !Number.isInteger(created)) return fail('PRECONDITION', 'no created parameter');
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires))) return fail('INVALID', 'expires must be an integer');
  if (created > options.nowS + MAX_CLOCK_SKEW_S) return fail('PRECONDITION', 'created is in the future');
  if (typeof expires === 'number' && expires < options.nowS + MAX_CLOCK_SKEW_S) return fail('EXPIRED', 'signature expired');
  if (created + MAX_SIGNATURE_AGE_S < options.nowS + MAX_CLOCK_SKEW_S) return fail('EXPIRED', 'signature too old');
  if (typeof nonce !== 'string' || nonce.length < MIN_NONCE_LENGTH) return fail('PRECONDITION', 'nonce missing or too short');
  if (typeof keyId !== 'string' || keyId !== apiKey) return fail('PRECONDITION', 'keyid does not match X-API-KEY');

  const base = signatureBase(request, input);
  if (typeof base !== 'string') return base;

  const secret = options.secretFor(keyId);
  const key = secret === undefined ? randomBytes(32) : secret;
  const expected = createHmac('sha256', key).update(base).digest();
  const given = Buffer.from(signature.value);
  // A wrong-length signature is still compared (against itself) so that it costs the same time.
  const same = timingSafeEqual(given.length === expected.length ? given : expected, expected) && given.length === expected.length;
  return same && secret !== undefined ? { code: 'VERIFIED' } : fail('FAILED', 'signature does not match');
}

function signatureBase(request: SignedRequest, input: InnerList): string | VerifyResult {
  const lines: string[] = [];
  const covered = new Set<string>();
  for (const component of input.items) {
    if (typeof component.value !== 'string' || component.params.length > 0) return fail('INVALID', 'unsupported signature component');
    const name = component.value;
    if (covered.has(name)) return fail('INVALID', `component ${name} listed twice`);
    covered.add(name);
    const value = componentValue(request, name);
    if (value === undefined) return fail('INVALID', `component ${name} is not in the request`);
    lines.push(`${serializeItem(component as Item)}: ${value}`);
  }
  for (const required of AUDIOHOOK_SIGNED_COMPONENTS) {
    if (!covered.has(required)) return fail('PRECONDITION', `component ${required} is not signed`);
  }
  lines.push(`"@signature-params": ${serializeInnerList(input)}`);
  return lines.join('\n');
}

function componentValue(request: SignedRequest, name: string): string | undefined {
  if (name === '@request-target') return request.requestTarget;
  if (name === '@authority') return request.authority.toLowerCase();
  if (name.startsWith('@')) return undefined;
  return headerValue(request.headers, name);
}

export interface SignOptions {
  readonly apiKey: string;
  readonly secret: Uint8Array;
  readonly requestTarget: string;
  readonly authority: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly createdS: number;
  readonly nonce?: string;
}

/** Signs an upgrade request as an AudioHook client does (used by tests and the ingest benchmark). */
export function signRequest(o: SignOptions): { 'signature-input': string; signature: string } {
  const items = AUDIOHOOK_SIGNED_COMPONENTS.map((value) => ({ value, params: [] }));
  const input: InnerList = {
    items,
    params: [
      ['keyid', o.apiKey],
      ['nonce', o.nonce ?? randomBytes(18).toString('base64')],
      ['alg', 'hmac-sha256'],
      ['created', o.createdS],
      ['expires', o.createdS + 30],
    ],
  };
  const request: SignedRequest = { headers: o.headers, requestTarget: o.requestTarget, authority: o.authority };
  const base = signatureBase(request, input) as string;
  const mac = createHmac('sha256', o.secret).update(base).digest();
  return { 'signature-input': `sig1=${serializeInnerList(input)}`, signature: `sig1=:${mac.toString('base64')}:` };
}

export interface UpgradeHeaderOptions {
  readonly apiKey: string;
  /** Decoded client secret; empty sends the request unsigned. */
  readonly secret: Uint8Array;
  readonly organizationId: string;
  readonly sessionId: string;
  readonly requestTarget: string;
  readonly authority: string;
}

/** Every header of an AudioHook client's upgrade request, signed (used by tests and the ingest benchmark). */
export function upgradeHeaders(o: UpgradeHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'audiohook-organization-id': o.organizationId,
    'audiohook-session-id': o.sessionId,
    'audiohook-correlation-id': randomUUID(),
    'x-api-key': o.apiKey,
  };
  if (o.secret.length === 0) return headers;
  return { ...headers, ...signRequest({ ...o, headers, createdS: Math.floor(Date.now() / 1000) }) };
}
