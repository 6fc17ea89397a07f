import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CryptoError, type DataKey, type KeyProvider } from './key-provider.js';
import { readOrCreateSecretFile } from './secret-file.js';

/**
 * The default key provider: key-encryption keys in a local JSON file (created on first start with
 * mode 0600). Data keys are wrapped with AES-256-GCM under the current key; the key id is bound
 * into the wrap as associated data, so a wrapped key cannot be replayed under another id. Older
 * keys stay in the file and keep unwrapping what they wrapped.
 */

const keyFileSchema = z.object({
  version: z.literal(1),
  currentKeyId: z.string().min(1),
  keys: z.array(z.object({ id: z.string().min(1), createdAt: z.string(), material: z.string() })).min(1),
});

const NONCE = 12;
const TAG = 16;

export class LocalKeyProvider implements KeyProvider {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentKeyId: string;

  constructor(keyFile: string, now: () => Date = () => new Date()) {
    const text = readOrCreateSecretFile(keyFile, () => {
      const id = `local-${randomBytes(4).toString('hex')}`;
      const file = { version: 1, currentKeyId: id, keys: [{ id, createdAt: now().toISOString(), material: randomBytes(32).toString('base64') }] };
      return `${JSON.stringify(file, null, 2)}\n`;
    });
    let parsed: z.infer<typeof keyFileSchema>;
    try {
      parsed = keyFileSchema.parse(JSON.parse(text));
    } catch {
      // The message names the file, never its content.
      throw new Error(`the key file ${keyFile} is not a valid Capstan key file`);
    }
    this.keys = new Map(parsed.keys.map((k) => [k.id, Buffer.from(k.material, 'base64')]));
    if (![...this.keys.values()].every((k) => k.length === 32) || !this.keys.has(parsed.currentKeyId)) {
      throw new Error(`the key file ${keyFile} is not a valid Capstan key file`);
    }
    this.currentKeyId = parsed.currentKeyId;
  }

  async generateDataKey(): Promise<DataKey> {
    const plaintext = randomBytes(32);
    const kek = this.keys.get(this.currentKeyId)!;
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', kek, nonce);
    cipher.setAAD(aad(this.currentKeyId));
    const wrapped = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { keyId: this.currentKeyId, plaintext, wrapped };
  }

  async unwrapDataKey(keyId: string, wrapped: Uint8Array): Promise<Buffer> {
    const kek = this.keys.get(keyId);
    if (!kek) throw new CryptoError('crypto.unknownKey', `key ${keyId} is not in this key file`);
    if (wrapped.length !== NONCE + 32 + TAG) throw new CryptoError('crypto.unwrapFailed', `the data key wrapped by ${keyId} has the wrong length`);
    const bytes = Buffer.from(wrapped);
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, NONCE));
      decipher.setAAD(aad(keyId));
      decipher.setAuthTag(bytes.subarray(NONCE + 32));
      return Buffer.concat([decipher.update(bytes.subarray(NONCE, NONCE + 32)), decipher.final()]);
    } catch {
      throw new CryptoError('crypto.unwrapFailed', `the data key wrapped by ${keyId} does not authenticate`);
    }
  }

  /** Keys are not printed by accident (logs, REPL, error reports). */
  toJSON() {
    return { provider: 'local', currentKeyId: this.currentKeyId };
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `LocalKeyProvider(${this.currentKeyId})`;
  }
}

function aad(keyId: string): Buffer {
  return Buffer.from(`capstan-data-key:${keyId}`);
}
