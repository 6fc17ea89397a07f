import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the account's Auth Token, over the URL Twilio
 * requested (a WebSocket upgrade has no form parameters to append). Behind a proxy the URL Twilio
 * saw is not the one this process sees, so the caller passes every URL it may have used.
 */

export function twilioSignature(authToken: string, url: string): string {
  return createHmac('sha1', authToken).update(url, 'utf8').digest('base64');
}

/** Whether `signature` matches any candidate URL; every candidate is compared in constant time. */
export function validTwilioSignature(authToken: string, signature: string | undefined, candidateUrls: readonly string[]): boolean {
  if (!signature || signature.length > 128) return false;
  const given = Buffer.from(signature);
  let ok = false;
  for (const url of candidateUrls) {
    const expected = Buffer.from(twilioSignature(authToken, url));
    const same = timingSafeEqual(given.length === expected.length ? given : expected, expected) && given.length === expected.length;
    ok = ok || same;
  }
  return ok;
}

/** The URLs Twilio may have signed for an upgrade of `path` at `host`: its wss:// and https:// forms (and ws/http locally). */
export function candidateUrls(host: string, path: string, publicUrl: string | undefined): string[] {
  const urls = [`wss://${host}${path}`, `https://${host}${path}`, `ws://${host}${path}`, `http://${host}${path}`];
  if (publicUrl) {
    const base = new URL(publicUrl);
    const wsProto = base.protocol === 'https:' ? 'wss:' : 'ws:';
    urls.unshift(`${base.protocol}//${base.host}${path}`, `${wsProto}//${base.host}${path}`);
  }
  return [...new Set(urls)];
}
