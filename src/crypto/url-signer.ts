import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readOrCreateSecretFile } from './secret-file.js';

/**
 * Signs short-lived URLs (playback): HMAC-SHA256 over the URL's named fields, so that a URL can
 * carry who may use it (a viewer id), for what (a recording, a format) and until when, and none
 * of it can be changed without breaking the signature. The secret comes from a file made on first
 * start (mode 0600); nodes behind one load balancer share it.
 */
export class UrlSigner {
  private constructor(private readonly secret: Buffer) {}

  static fromFile(file: string): UrlSigner {
    return new UrlSigner(Buffer.from(readOrCreateSecretFile(file, () => `${randomBytes(32).toString('base64')}\n`).trim(), 'base64'));
  }

  sign(fields: Readonly<Record<string, string>>): string {
    const mac = createHmac('sha256', this.secret);
    for (const key of Object.keys(fields).sort()) mac.update(`${key}=${fields[key]}\n`);
    return mac.digest('base64url');
  }

  verify(fields: Readonly<Record<string, string>>, signature: string): boolean {
    const expected = Buffer.from(this.sign(fields));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  toJSON() {
    return 'UrlSigner';
  }
}
