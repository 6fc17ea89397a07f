import {
  CHUNK_SIZE,
  CHUNK_STRIDE,
  ChunkCipher,
  HEADER_SIZE,
  chunkOffset,
  decodeHeader,
  encodeHeader,
  layoutOf,
} from '../crypto/container.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { BlobNotFoundError, type BlobDraft, type BlobStat, type BlobStore } from '../store/blob.store.js';

/**
 * Encrypted objects on a blob store, in the container format of crypto/container.ts: written
 * live (appended as a call goes, flushed in whole chunks, a partial tail flushed early and
 * rewritten later), read at any byte range by decrypting only the chunks it covers, and recovered
 * after a crash from whatever reached the store.
 */

export class EncryptedObjectWriter {
  private pending = Buffer.alloc(2 * CHUNK_SIZE);
  private pendingLength = 0;
  /** Full chunks already written; never rewritten. */
  private sealedChunks = 0;
  private headerWritten = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Plaintext bytes appended so far. */
  size = 0;
  /** Write operations issued to the store. */
  writes = 0;

  private constructor(
    private readonly draft: BlobDraft,
    private readonly header: Buffer,
    private readonly cipher: ChunkCipher,
    readonly keyId: string,
  ) {}

  static async create(store: BlobStore, keys: KeyProvider, key: string): Promise<EncryptedObjectWriter> {
    const dataKey = await keys.generateDataKey();
    const header = encodeHeader({ keyId: dataKey.keyId, wrappedKey: dataKey.wrapped });
    const draft = await store.openDraft(key);
    return new EncryptedObjectWriter(draft, header, new ChunkCipher(dataKey.plaintext, header), dataKey.keyId);
  }

  get key(): string {
    return this.draft.key;
  }

  /** Plaintext bytes not yet on the store in a chunk that will stay (the tail may have been flushed early). */
  get unsealedBytes(): number {
    return this.pendingLength;
  }

  append(data: Uint8Array): void {
    if (this.pendingLength + data.length > this.pending.length) {
      const grown = Buffer.alloc(Math.max(this.pending.length * 2, this.pendingLength + data.length));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    this.pending.set(data, this.pendingLength);
    this.pendingLength += data.length;
    this.size += data.length;
  }

  /**
   * Writes every complete chunk, and with `tail` the partial one after them too, in one write.
   * A chunk is complete once more data follows it, so that the last chunk is always the one
   * `finish` seals as final. Resolves true when something was written.
   */
  flush(tail: boolean): Promise<boolean> {
    return this.enqueue(() => this.writeOut(tail ? 'tail' : 'complete'));
  }

  /** Seals the last chunk as final and publishes the object. */
  finish(): Promise<BlobStat> {
    return this.enqueue(async () => {
      await this.writeOut('final');
      return this.draft.publish();
    });
  }

  abort(): Promise<void> {
    return this.enqueue(() => this.draft.discard());
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeOut(mode: 'complete' | 'tail' | 'final'): Promise<boolean> {
    const parts: Buffer[] = [];
    const offset = this.headerWritten ? chunkOffset(this.sealedChunks) : 0;
    if (!this.headerWritten) parts.push(this.header);
    let index = this.sealedChunks;
    let consumed = 0;
    while (this.pendingLength - consumed > CHUNK_SIZE) {
      parts.push(this.cipher.seal(index++, false, this.pending.subarray(consumed, consumed + CHUNK_SIZE)));
      consumed += CHUNK_SIZE;
    }
    const rest = this.pending.subarray(consumed, this.pendingLength);
    if (mode === 'final') parts.push(this.cipher.seal(index, true, rest));
    else if (mode === 'tail' && rest.length > 0) parts.push(this.cipher.seal(index, false, rest));
    if (parts.length === 0) return false;
    await this.draft.write(offset, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    this.writes++;
    this.headerWritten = true;
    this.sealedChunks = index;
    this.pending.copy(this.pending, 0, consumed, this.pendingLength);
    this.pendingLength -= consumed;
    return true;
  }
}

export class EncryptedObjectReader {
  private constructor(
    private readonly store: BlobStore,
    readonly key: string,
    readonly keyId: string,
    private readonly cipher: ChunkCipher,
    private readonly chunks: number,
    /** Plaintext bytes in the object. */
    readonly size: number,
  ) {}

  /** Throws BlobNotFoundError, or CryptoError when the header, size or key is wrong. */
  static async open(store: BlobStore, keys: KeyProvider, key: string): Promise<EncryptedObjectReader> {
    const stat = await store.stat(key);
    if (!stat) throw new BlobNotFoundError(key);
    const headerBytes = await store.read(key, 0, HEADER_SIZE);
    const header = decodeHeader(headerBytes);
    const layout = layoutOf(stat.size);
    const dataKey = await keys.unwrapDataKey(header.keyId, header.wrappedKey);
    return new EncryptedObjectReader(store, key, header.keyId, new ChunkCipher(dataKey, headerBytes), layout.chunks, layout.plaintextSize);
  }

  /** Plaintext bytes [start, end), reading and authenticating only the chunks they fall in. */
  async read(start: number, end: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.stream(start, end)) parts.push(part);
    return Buffer.concat(parts);
  }

  /** Plaintext bytes [start, end) as a stream, a few chunks per store read. */
  async *stream(start: number, end: number, chunksPerRead = 16): AsyncIterable<Buffer> {
    const from = Math.max(0, start);
    const to = Math.min(end, this.size);
    if (to <= from) return;
    const first = Math.floor(from / CHUNK_SIZE);
    const last = Math.floor((to - 1) / CHUNK_SIZE);
    for (let batch = first; batch <= last; batch += chunksPerRead) {
      const batchLast = Math.min(last, batch + chunksPerRead - 1);
      const bytes = await this.store.read(this.key, chunkOffset(batch), chunkOffset(batchLast + 1));
      for (let index = batch; index <= batchLast; index++) {
        const sealed = bytes.subarray((index - batch) * CHUNK_STRIDE, (index - batch + 1) * CHUNK_STRIDE);
        const plain = this.cipher.open(index, index === this.chunks - 1, sealed);
        const chunkStart = index * CHUNK_SIZE;
        yield plain.subarray(Math.max(0, from - chunkStart), Math.min(plain.length, to - chunkStart));
      }
    }
  }
}

export interface Recovered {
  readonly key: string;
  readonly keyId: string;
  /** Plaintext bytes kept. */
  readonly size: number;
  readonly stat: BlobStat;
}

/**
 * Finalizes the draft a crashed process left: keeps every chunk that authenticates, lets `trim`
 * cut the plaintext back to a whole unit of its format (it sees the last chunks, starting at
 * plaintext offset `windowStart`, and returns the length to keep), seals the new last chunk as
 * final and publishes. Returns undefined when not even a header reached the store.
 */
export async function recoverDraft(
  store: BlobStore,
  keys: KeyProvider,
  key: string,
  trim: (window: Buffer, windowStart: number) => number,
): Promise<Recovered | undefined> {
  const draft = await store.openDraft(key);
  if (draft.size < HEADER_SIZE) {
    await draft.discard();
    return undefined;
  }
  const headerBytes = await draft.read(0, HEADER_SIZE);
  const header = decodeHeader(headerBytes);
  const cipher = new ChunkCipher(await keys.unwrapDataKey(header.keyId, header.wrappedKey), headerBytes);

  // The last three chunks stay in memory: a format's last whole unit (an Ogg page is at most
  // 64 KiB) starts within them.
  const recent: Buffer[] = [];
  let good = 0;
  for (let index = 0; chunkOffset(index) < draft.size; index++) {
    const sealed = await draft.read(chunkOffset(index), chunkOffset(index + 1));
    const plain = cipher.tryOpen(index, false, sealed) ?? cipher.tryOpen(index, true, sealed);
    if (!plain) break;
    recent.push(plain);
    if (recent.length > 3) recent.shift();
    good = index + 1;
    if (plain.length < CHUNK_SIZE) break;
  }
  const windowStart = (good - recent.length) * CHUNK_SIZE;
  const window = Buffer.concat(recent);
  const keep = Math.max(windowStart + (windowStart > 0 ? 1 : 0), Math.min(windowStart + window.length, trim(window, windowStart)));
  const lastIndex = Math.max(0, Math.ceil(keep / CHUNK_SIZE) - 1);
  const lastPlain = window.subarray(lastIndex * CHUNK_SIZE - windowStart, keep - windowStart);
  await draft.write(chunkOffset(lastIndex), cipher.seal(lastIndex, true, lastPlain));
  return { key, keyId: header.keyId, size: keep, stat: await draft.publish() };
}
