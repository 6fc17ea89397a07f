/**
 * Envelope encryption (DESIGN section 7): every stored object is encrypted with a data key of its
 * own, and only the data key *wrapped* by a key-encryption key is stored with the object. A key
 * provider holds the key-encryption keys (a local key file, a cloud KMS, a customer's key
 * manager); the plaintext data key never leaves the process.
 */

export interface DataKey {
  /** Names the key-encryption key that wrapped this data key; stored in the object's header. */
  readonly keyId: string;
  /** 32 bytes for AES-256. Never stored, never logged. */
  readonly plaintext: Buffer;
  /** The data key wrapped by the key-encryption key; stored in the object's header. */
  readonly wrapped: Buffer;
}

export interface KeyProvider {
  /** A fresh random data key, wrapped by the current key-encryption key. */
  generateDataKey(): Promise<DataKey>;
  /** Throws CryptoError `crypto.unknownKey` or `crypto.unwrapFailed`. */
  unwrapDataKey(keyId: string, wrapped: Uint8Array): Promise<Buffer>;
}

export type CryptoErrorCode = 'crypto.unknownKey' | 'crypto.unwrapFailed' | 'container.corrupt' | 'container.truncated' | 'container.badHeader';

/** Stored bytes failed to authenticate, or a key is missing: the object cannot be trusted or read. */
export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}
