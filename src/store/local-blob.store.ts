import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BlobNotFoundError, checkBlobKey, type BlobDraft, type BlobStat, type BlobStore } from './blob.store.js';

/**
 * Blobs in a local folder: `objects/<key>` for published objects, `drafts/<key>` for live ones.
 * Both live under one root so that publishing is a rename within one file system. Every key is
 * checked before it becomes a path (no `..`, no absolute paths, no NUL), and the resolved path
 * must stay under the root.
 */
export class LocalBlobStore implements BlobStore {
  private readonly objects: string;
  private readonly drafts: string;

  constructor(root: string) {
    this.objects = path.resolve(root, 'objects');
    this.drafts = path.resolve(root, 'drafts');
  }

  async put(key: string, data: Uint8Array): Promise<BlobStat> {
    const target = this.pathOf(this.objects, key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    return { key, size: data.length };
  }

  async read(key: string, start: number, end: number): Promise<Buffer> {
    return readRange(this.pathOf(this.objects, key), key, start, end);
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    try {
      const s = await stat(this.pathOf(this.objects, key));
      return { key, size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    let removed = false;
    for (const file of [this.pathOf(this.objects, key), this.pathOf(this.drafts, key)]) {
      try {
        await unlink(file);
        removed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return removed;
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    if (prefix !== '') checkBlobKey(prefix, { prefix: true });
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(dirPart, prefix);
  }

  async openDraft(key: string): Promise<BlobDraft> {
    const file = this.pathOf(this.drafts, key);
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, constants.O_CREAT | constants.O_RDWR, 0o600);
    const { size } = await handle.stat();
    await handle.close();
    return new LocalDraft(key, file, this.pathOf(this.objects, key), size);
  }

  private async *walk(dir: string, prefix: string): AsyncIterable<BlobStat> {
    let entries: string[];
    try {
      const handle = await opendir(path.join(this.objects, dir));
      entries = [];
      for await (const entry of handle) entries.push(entry.name + (entry.isDirectory() ? '/' : ''));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of entries.sort()) {
      const key = dir ? `${dir}/${name}` : name;
      if (name.endsWith('/')) {
        const sub = key.slice(0, -1);
        if (`${sub}/`.startsWith(prefix) || prefix.startsWith(`${sub}/`)) yield* this.walk(sub, prefix);
      } else if (key.startsWith(prefix) && !name.endsWith('.tmp')) {
        yield { key, size: (await stat(path.join(this.objects, key))).size };
      }
    }
  }

  private pathOf(base: string, key: string): string {
    const resolved = path.resolve(base, checkBlobKey(key));
    if (!resolved.startsWith(base + path.sep)) throw new RangeError('unsafe object key');
    return resolved;
  }
}

class LocalDraft implements BlobDraft {
  private handle: FileHandle | undefined;

  constructor(
    readonly key: string,
    private readonly file: string,
    private readonly target: string,
    public size: number,
  ) {}

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (offset > this.size) throw new RangeError(`draft ${this.key}: write at ${offset} leaves a hole after ${this.size}`);
    // The descriptor stays open while the call goes on: one write is then one system call.
    this.handle ??= await open(this.file, 'r+');
    await this.handle.write(data, 0, data.length, offset);
    if (offset + data.length < this.size) await this.handle.truncate(offset + data.length);
    this.size = offset + data.length;
  }

  read(start: number, end: number): Promise<Buffer> {
    return readRange(this.file, this.key, start, end);
  }

  /**
   * A rename: atomic, and safe against a process crash at once. Like the live writes before it,
   * it does not wait for the disk (an fsync per finished call would stall every other call on a
   * busy disk); the file system writes it back within seconds.
   */
  async publish(): Promise<BlobStat> {
    await this.release();
    // The day's folder usually exists: making it only when the rename says it does not saves
    // a round trip through the thread pool on the way to a playable recording.
    try {
      await rename(this.file, this.target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(path.dirname(this.target), { recursive: true });
      await rename(this.file, this.target);
    }
    return { key: this.key, size: this.size };
  }

  async discard(): Promise<void> {
    await this.release();
    await rm(this.file, { force: true });
  }

  private async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

async function readRange(file: string, key: string, start: number, end: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    const from = Math.max(0, Math.min(start, size));
    const to = Math.max(from, Math.min(end, size));
    const out = Buffer.allocUnsafe(to - from);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, from + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  } finally {
    await handle.close();
  }
}
