import { describe, expect, it } from 'vitest';
import { signRequest, verifySignature, type SignedRequest } from '../../src/ingest/audiohook/protocol/signature.js';
import { parseDictionary, serializeInnerList, isInnerList } from '../../src/ingest/audiohook/protocol/structured-fields.js';

/** HTTP message signatures as the AudioHook client sends them (sample credentials from the protocol docs). */

const API_KEY = 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh';
const SECRET = new Uint8Array(Buffer.from('TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=', 'base64'));
const NOW = 1_795_299_966;
const headers = {
  host: 'capstan.example.com',
  'audiohook-organization-id': 'fa235a55-4b3c-4e2d-8f9a-0b1c2d3e4f50',
  'audiohook-session-id': '1f35f7df-6a4c-4d0b-9b11-3c1f2a0e5d77',
  'audiohook-correlation-id': '97c14b38-1d2e-4f3a-9b8c-7d6e5f4a3b21',
  'x-api-key': API_KEY,
};

function signed(overrides: Partial<Parameters<typeof signRequest>[0]> = {}): SignedRequest {
  const sig = signRequest({ apiKey: API_KEY, secret: SECRET, requestTarget: '/audiohook', authority: headers.host, headers, createdS: NOW, nonce: 'WUfPlTNFn1sT3o0o1Hj5dQ==', ...overrides });
  return { headers: { ...headers, ...sig }, requestTarget: '/audiohook', authority: headers.host };
}

const secretFor = (key: string) => (key === API_KEY ? SECRET : undefined);

describe('AudioHook request signatures', () => {
  it('verifies a signed upgrade, and the signature-input round-trips through the structured-field parser', () => {
    const request = signed();
    expect(verifySignature(request, { secretFor, nowS: NOW + 1 })).toEqual({ code: 'VERIFIED' });
    const input = parseDictionary(request.headers['signature-input'] as string).get('sig1')!;
    expect(isInnerList(input) && `sig1=${serializeInnerList(input)}`).toBe(request.headers['signature-input']);
    expect(request.headers['signature-input']).toBe(
      'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="WUfPlTNFn1sT3o0o1Hj5dQ==";alg="hmac-sha256";created=1795299966;expires=1795299996',
    );
  });

  it('fails a tampered header, another path or host, a wrong secret, and an unknown key', () => {
    const base = signed();
    const tampered = (h: Record<string, string>) => verifySignature({ ...base, headers: { ...base.headers, ...h } }, { secretFor, nowS: NOW }).code;
    expect(tampered({ 'audiohook-session-id': '2f35f7df-6a4c-4d0b-9b11-3c1f2a0e5d77' })).toBe('FAILED');
    expect(verifySignature({ ...base, requestTarget: '/other' }, { secretFor, nowS: NOW }).code).toBe('FAILED');
    expect(verifySignature({ ...base, authority: 'evil.example.com' }, { secretFor, nowS: NOW }).code).toBe('FAILED');
    expect(verifySignature(signed({ secret: new Uint8Array(32) }), { secretFor, nowS: NOW }).code).toBe('FAILED');
    expect(verifySignature(base, { secretFor: () => undefined, nowS: NOW }).code).toBe('FAILED');
  });

  it('applies the reference verifier preconditions: age, future created, nonce length, keyid, covered components', () => {
    expect(verifySignature(signed(), { secretFor, nowS: NOW + 60 }).code).toBe('EXPIRED');
    expect(verifySignature(signed({ createdS: NOW + 60 }), { secretFor, nowS: NOW }).code).toBe('PRECONDITION');
    expect(verifySignature(signed({ nonce: 'short' }), { secretFor, nowS: NOW }).code).toBe('PRECONDITION');
    const other = signed({ apiKey: 'another-key' });
    expect(verifySignature(other, { secretFor, nowS: NOW }).code).toBe('PRECONDITION');
    const partial = signed();
    const input = (partial.headers['signature-input'] as string).replace(' "x-api-key"', '');
    expect(verifySignature({ ...partial, headers: { ...partial.headers, 'signature-input': input } }, { secretFor, nowS: NOW }).code).toBe('PRECONDITION');
    expect(verifySignature({ ...partial, headers: { ...partial.headers, signature: 'sig1=:not base64!:' } }, { secretFor, nowS: NOW }).code).toBe('INVALID');
  });

  it('accepts an unsigned request only for a key whose secret is empty', () => {
    const unsigned = { headers, requestTarget: '/audiohook', authority: headers.host };
    expect(verifySignature(unsigned, { secretFor, nowS: NOW }).code).toBe('UNSIGNED');
    expect(verifySignature(unsigned, { secretFor: () => new Uint8Array(0), nowS: NOW }).code).toBe('VERIFIED');
  });
});
