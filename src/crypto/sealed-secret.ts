import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CryptoError, type KeyProvider } from './key-provider.js';

/**
 * A small secret Capstan must use again later (an export bucket's secret access key), stored the
 * way recordings are: AES-256-GCM under a data key of its own, the data key wrapped by the key
 * provider's key-encryption key. The database holds only this sealed form.
 */
export interface SealedSecret {
  readonly keyId: string;
  /** base64: the wrapped data key, the nonce, and ciphertext followed by the GCM tag. */
  readonly wrapped: string;
  readonly nonce: string;
  readonly sealed: string;
}

const TAG = 16;

export async function sealSecret(keys: KeyProvider, plaintext: string): Promise<SealedSecret> {
  const key = await keys.generateDataKey();
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.plaintext, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { keyId: key.keyId, wrapped: key.wrapped.toString('base64'), nonce: nonce.toString('base64'), sealed: sealed.toString('base64') };
}

/** Throws CryptoError when the key is unknown or the sealed bytes were altered. */
export async function openSecret(keys: KeyProvider, secret: SealedSecret): Promise<string> {
  const dataKey = await keys.unwrapDataKey(secret.keyId, Buffer.from(secret.wrapped, 'base64'));
  const bytes = Buffer.from(secret.sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(secret.nonce, 'base64'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG)), decipher.final()]).toString('utf8');
  } catch {
    throw new CryptoError('container.corrupt', 'a sealed secret failed to authenticate');
  }
}
