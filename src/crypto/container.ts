import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CryptoError } from './key-provider.js';

/**
 * The encrypted container every stored object uses (docs/container.md): a fixed-size header
 * (format version, key id, wrapped data key), then AES-256-GCM chunks of CHUNK_SIZE plaintext
 * bytes at a fixed stride, so that any byte range is decrypted by reading only its chunks.
 *
 * Each chunk is `nonce (12) | ciphertext | tag (16)`. The nonce is random per seal, not a counter:
 * a partial tail chunk is flushed early and sealed again when it grows, and a counter nonce would
 * then repeat under the same key. The associated data binds each chunk to its header, its index
 * and whether it is the last one, so reordered, spliced, truncated or extended objects fail.
 */

export const CONTAINER_VERSION = 1;
export const HEADER_SIZE = 256;
export const CHUNK_SIZE = 64 * 1024;
export const NONCE_SIZE = 12;
export const TAG_SIZE = 16;
export const CHUNK_OVERHEAD = NONCE_SIZE + TAG_SIZE;
export const CHUNK_STRIDE = CHUNK_SIZE + CHUNK_OVERHEAD;

const MAGIC = Buffer.from('CPSTNENC', 'ascii');
const MAX_KEY_ID = 96;
const MAX_WRAPPED = 128;

export interface ContainerHeader {
  readonly keyId: string;
  readonly wrappedKey: Buffer;
}

export function encodeHeader(header: ContainerHeader): Buffer {
  const keyId = Buffer.from(header.keyId, 'utf8');
  if (keyId.length === 0 || keyId.length > MAX_KEY_ID) throw new RangeError(`key id must be 1-${MAX_KEY_ID} bytes`);
  if (header.wrappedKey.length === 0 || header.wrappedKey.length > MAX_WRAPPED) throw new RangeError(`wrapped key must be 1-${MAX_WRAPPED} bytes`);
  const out = Buffer.alloc(HEADER_SIZE);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt8(CONTAINER_VERSION, at);
  at = out.writeUInt8(0, at);
  at = out.writeUInt16BE(HEADER_SIZE, at);
  at = out.writeUInt32BE(CHUNK_SIZE, at);
  at = out.writeUInt8(keyId.length, at);
  at += keyId.copy(out, at);
  at = out.writeUInt16BE(header.wrappedKey.length, at);
  header.wrappedKey.copy(out, at);
  return out;
}

export function decodeHeader(bytes: Uint8Array): ContainerHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new CryptoError('container.badHeader', `not a Capstan container: ${why}`);
  if (buf.length < HEADER_SIZE) throw bad('the header is incomplete');
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('wrong magic');
  let at = MAGIC.length;
  const version = buf.readUInt8(at);
  if (version !== CONTAINER_VERSION) throw bad(`unknown version ${version}`);
  at += 2;
  if (buf.readUInt16BE(at) !== HEADER_SIZE || buf.readUInt32BE(at + 2) !== CHUNK_SIZE) throw bad('unexpected header or chunk size');
  at += 6;
  const keyIdLength = buf.readUInt8(at++);
  if (keyIdLength === 0 || keyIdLength > MAX_KEY_ID) throw bad('bad key id');
  const keyId = buf.toString('utf8', at, at + keyIdLength);
  at += keyIdLength;
  const wrappedLength = buf.readUInt16BE(at);
  at += 2;
  if (wrappedLength === 0 || wrappedLength > MAX_WRAPPED) throw bad('bad wrapped key');
  return { keyId, wrappedKey: Buffer.from(buf.subarray(at, at + wrappedLength)) };
}

/** Where chunk `index` starts in the object. */
export function chunkOffset(index: number): number {
  return HEADER_SIZE + index * CHUNK_STRIDE;
}

export interface Layout {
  readonly chunks: number;
  /** Plaintext bytes in the object. */
  readonly plaintextSize: number;
  /** Plaintext bytes in the last chunk. */
  readonly lastChunkSize: number;
}

/** The chunk layout an object of `objectSize` bytes must have; throws `container.truncated` for impossible sizes. */
export function layoutOf(objectSize: number): Layout {
  const body = objectSize - HEADER_SIZE;
  if (body < CHUNK_OVERHEAD) throw new CryptoError('container.truncated', `the object (${objectSize} bytes) has no complete chunk`);
  const full = Math.floor(body / CHUNK_STRIDE);
  const rest = body % CHUNK_STRIDE;
  if (rest === 0) return { chunks: full, plaintextSize: full * CHUNK_SIZE, lastChunkSize: CHUNK_SIZE };
  if (rest < CHUNK_OVERHEAD) throw new CryptoError('container.truncated', `the object (${objectSize} bytes) ends inside a chunk`);
  return { chunks: full + 1, plaintextSize: full * CHUNK_SIZE + rest - CHUNK_OVERHEAD, lastChunkSize: rest - CHUNK_OVERHEAD };
}

/** Object size for a plaintext of `plaintextSize` bytes (an empty plaintext still has one, empty, final chunk). */
export function objectSizeFor(plaintextSize: number): number {
  const chunks = Math.max(1, Math.ceil(plaintextSize / CHUNK_SIZE));
  return HEADER_SIZE + plaintextSize + chunks * CHUNK_OVERHEAD;
}

/** Seals and opens the chunks of one object, under its data key. */
export class ChunkCipher {
  private readonly headerDigest: Buffer;

  constructor(
    private readonly dataKey: Buffer,
    header: Buffer,
  ) {
    this.headerDigest = createHash('sha256').update(header).digest();
  }

  seal(index: number, final: boolean, plaintext: Uint8Array): Buffer {
    if (plaintext.length > CHUNK_SIZE) throw new RangeError('a chunk holds at most CHUNK_SIZE bytes');
    const nonce = randomBytes(NONCE_SIZE);
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, nonce);
    cipher.setAAD(this.aad(index, final));
    const out = Buffer.allocUnsafe(plaintext.length + CHUNK_OVERHEAD);
    nonce.copy(out, 0);
    const body = cipher.update(plaintext);
    body.copy(out, NONCE_SIZE);
    cipher.final();
    cipher.getAuthTag().copy(out, NONCE_SIZE + body.length);
    return out;
  }

  /** Throws `container.corrupt` when the chunk does not authenticate as (index, final). */
  open(index: number, final: boolean, sealed: Uint8Array): Buffer {
    const plaintext = this.tryOpen(index, final, sealed);
    if (plaintext) return plaintext;
    // A last chunk that authenticates as "not last" means bytes after it were cut off.
    if (final && this.tryOpen(index, false, sealed)) {
      throw new CryptoError('container.truncated', `the object was truncated after chunk ${index}`);
    }
    throw new CryptoError('container.corrupt', `chunk ${index} does not authenticate`);
  }

  tryOpen(index: number, final: boolean, sealed: Uint8Array): Buffer | undefined {
    if (sealed.length < CHUNK_OVERHEAD) return undefined;
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.dataKey, bytes.subarray(0, NONCE_SIZE));
      decipher.setAAD(this.aad(index, final));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_SIZE));
      const plaintext = decipher.update(bytes.subarray(NONCE_SIZE, bytes.length - TAG_SIZE));
      decipher.final();
      return plaintext;
    } catch {
      return undefined;
    }
  }

  private aad(index: number, final: boolean): Buffer {
    const aad = Buffer.alloc(32 + 8 + 1);
    this.headerDigest.copy(aad, 0);
    aad.writeBigUInt64BE(BigInt(index), 32);
    aad.writeUInt8(final ? 1 : 0, 40);
    return aad;
  }
}
