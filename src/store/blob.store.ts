/**
 * Where media bytes live: a local folder by default, an S3-compatible bucket at scale. Keys are
 * `/`-separated paths of safe segments, prefixed by the organization id, never carrying personal
 * data. Objects are immutable once published; live recordings are written as *drafts* that only
 * become objects when published, atomically.
 */

export interface BlobStat {
  readonly key: string;
  readonly size: number;
}

export interface BlobStore {
  /** Stores a whole object atomically (replacing one under the same key). */
  put(key: string, data: Uint8Array): Promise<BlobStat>;
  /** Bytes [start, end) of an object, clamped to its size. Throws BlobNotFoundError. */
  read(key: string, start: number, end: number): Promise<Buffer>;
  stat(key: string): Promise<BlobStat | undefined>;
  /** Removes the object and any draft under the key; true when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Published objects whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<BlobStat>;
  /** Opens the draft of a key for live writing, resuming the one left by a previous process if any. */
  openDraft(key: string): Promise<BlobDraft>;
}

/** An object being written: invisible to `read`/`list` until published. */
export interface BlobDraft {
  readonly key: string;
  /** Bytes in the draft so far. */
  readonly size: number;
  /**
   * Replaces everything from `offset` on with `data` (`offset` ≤ size): appends, or rewrites a
   * tail that was flushed early. One call is one write operation on the backing store.
   */
  write(offset: number, data: Uint8Array): Promise<void>;
  read(start: number, end: number): Promise<Buffer>;
  /** Makes the draft the object under its key, atomically; the draft is gone afterwards. */
  publish(): Promise<BlobStat>;
  /** Drops the draft. */
  discard(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no object ${key}`);
    this.name = 'BlobNotFoundError';
  }
}

/** Object keys: relative, `/`-separated segments of letters, digits, `.`, `_`, `-`; no `..`, no NUL. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function checkBlobKey(key: string, { prefix = false } = {}): string {
  const segments = key.split('/');
  if (prefix && segments[segments.length - 1] === '') segments.pop();
  const ok = key.length > 0 && key.length <= 1024 && segments.length > 0 && segments.every((s) => SEGMENT.test(s) && s !== '..');
  if (!ok) throw new RangeError(`unsafe object key ${JSON.stringify(key.slice(0, 80))}`);
  return key;
}
