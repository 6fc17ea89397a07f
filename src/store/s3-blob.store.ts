import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { BlobNotFoundError, checkBlobKey, type BlobDraft, type BlobStat, type BlobStore } from './blob.store.js';

/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph) through the AWS SDK v3. Objects live at
 * `{prefix}{key}`. A draft is a run of part objects `{prefix}.drafts/{key}/{offset}`, one per
 * write, so that a live recording survives a restart of the process writing it; publishing
 * concatenates the parts into the object (one PUT, or a multipart upload when large) and removes
 * them. `.drafts` can never collide with a key: key segments do not start with a dot.
 */

export interface S3BlobStoreOptions {
  readonly bucket: string;
  /** Prepended to every key, e.g. `capstan/media/` (empty or ending in `/`). */
  readonly prefix?: string;
  readonly region?: string;
  /** An S3-compatible endpoint; AWS when absent. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Objects larger than this are published by multipart upload, in parts of this size. */
const MULTIPART_PART = 8 * 1024 * 1024;

export function s3Client(o: Omit<S3BlobStoreOptions, 'bucket' | 'prefix'>): S3Client {
  return new S3Client({
    region: o.region ?? 'us-east-1',
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle ?? false,
    ...(o.credentials ? { credentials: { ...o.credentials } } : {}),
    // Checksums only where S3 requires them: S3-compatible servers differ in what else they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    options: Pick<S3BlobStoreOptions, 'bucket' | 'prefix'>,
  ) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
  }

  static fromOptions(options: S3BlobStoreOptions): S3BlobStore {
    return new S3BlobStore(s3Client(options), options);
  }

  async put(key: string, data: Uint8Array): Promise<BlobStat> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data, ContentLength: data.length }));
    return { key, size: data.length };
  }

  async read(key: string, start: number, end: number): Promise<Buffer> {
    return this.readObject(this.objectKey(key), key, start, end);
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    const size = await this.sizeOf(this.objectKey(key));
    return size === undefined ? undefined : { key, size };
  }

  async delete(key: string): Promise<boolean> {
    const existed = (await this.stat(key)) !== undefined;
    if (existed) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    const parts = await this.listRaw(this.draftPrefix(key));
    await this.deleteRaw(parts.map((p) => p.key));
    return existed || parts.length > 0;
  }

  async *list(prefix: string): AsyncIterable<BlobStat> {
    if (prefix !== '') checkBlobKey(prefix, { prefix: true });
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const key = o.Key!.slice(this.prefix.length);
        if (!key.startsWith('.drafts/')) yield { key, size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async openDraft(key: string): Promise<BlobDraft> {
    checkBlobKey(key);
    const parts = (await this.listRaw(this.draftPrefix(key)))
      .map((o) => ({ offset: Number(o.key.slice(o.key.lastIndexOf('/') + 1)), size: o.size, raw: o.key }))
      .sort((a, b) => a.offset - b.offset);
    return new S3Draft(this, key, parts);
  }

  /** @internal for S3Draft */
  objectKey(key: string): string {
    return this.prefix + checkBlobKey(key);
  }

  /** @internal */
  draftPrefix(key: string): string {
    return `${this.prefix}.drafts/${checkBlobKey(key)}/`;
  }

  /** @internal */
  async putRaw(rawKey: string, data: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: rawKey, Body: data, ContentLength: data.length }));
  }

  /** @internal */
  async readObject(rawKey: string, key: string, start: number, end: number): Promise<Buffer> {
    if (end <= start) {
      if ((await this.sizeOf(rawKey)) === undefined) throw new BlobNotFoundError(key);
      return Buffer.alloc(0);
    }
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: rawKey, Range: `bytes=${Math.max(0, start)}-${end - 1}` }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      // 416: the object is shorter than `start`; reads clamp to the size.
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return Buffer.alloc(0);
      throw err;
    }
  }

  /** @internal */
  async deleteRaw(rawKeys: readonly string[]): Promise<void> {
    for (let i = 0; i < rawKeys.length; i += 1000) {
      const batch = rawKeys.slice(i, i + 1000);
      if (batch.length === 1) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: batch[0] }));
      else if (batch.length > 1) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  /** @internal Concatenates `chunks` into the object `rawKey`. */
  async publishRaw(rawKey: string, size: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    if (size <= MULTIPART_PART) {
      const whole: Buffer[] = [];
      for await (const c of chunks) whole.push(c);
      await this.putRaw(rawKey, Buffer.concat(whole));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: rawKey }));
    const done: Array<{ ETag: string; PartNumber: number }> = [];
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        const body = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        const PartNumber = done.length + 1;
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: rawKey, UploadId, PartNumber, Body: body, ContentLength: body.length }));
        done.push({ ETag: ETag!, PartNumber });
      };
      for await (const c of chunks) {
        pending.push(c);
        pendingBytes += c.length;
        if (pendingBytes >= MULTIPART_PART) await flush();
      }
      if (pendingBytes > 0) await flush();
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: rawKey, UploadId, MultipartUpload: { Parts: done } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: rawKey, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  private async sizeOf(rawKey: string): Promise<number | undefined> {
    try {
      return (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: rawKey }))).ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async listRaw(rawPrefix: string): Promise<Array<{ key: string; size: number }>> {
    const out: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: rawPrefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}

interface Part {
  readonly offset: number;
  readonly size: number;
  readonly raw: string;
}

/** A draft as part objects, one per write; a rewrite of the tail replaces the parts it covers. */
class S3Draft implements BlobDraft {
  constructor(
    private readonly store: S3BlobStore,
    readonly key: string,
    private parts: Part[],
  ) {}

  get size(): number {
    const last = this.parts[this.parts.length - 1];
    return last ? last.offset + last.size : 0;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (offset > this.size) throw new RangeError(`draft ${this.key}: write at ${offset} leaves a hole after ${this.size}`);
    const straddling = this.parts.find((p) => p.offset < offset && p.offset + p.size > offset);
    const start = straddling ? straddling.offset : offset;
    const head = straddling ? await this.store.readObject(straddling.raw, this.key, 0, offset - straddling.offset) : Buffer.alloc(0);
    const body = Buffer.concat([head, data]);
    const raw = `${this.store.draftPrefix(this.key)}${String(start).padStart(16, '0')}`;
    await this.store.putRaw(raw, body);
    const dropped = this.parts.filter((p) => p.offset >= start && p.raw !== raw);
    await this.store.deleteRaw(dropped.map((p) => p.raw));
    this.parts = [...this.parts.filter((p) => p.offset < start), { offset: start, size: body.length, raw }];
  }

  async read(start: number, end: number): Promise<Buffer> {
    const from = Math.max(0, Math.min(start, this.size));
    const to = Math.max(from, Math.min(end, this.size));
    const out: Buffer[] = [];
    for (const p of this.parts) {
      if (p.offset + p.size <= from || p.offset >= to) continue;
      out.push(await this.store.readObject(p.raw, this.key, Math.max(0, from - p.offset), Math.min(p.size, to - p.offset)));
    }
    return Buffer.concat(out);
  }

  async publish(): Promise<BlobStat> {
    const size = this.size;
    const parts = this.parts;
    const store = this.store;
    const key = this.key;
    async function* chunks() {
      for (const p of parts) yield await store.readObject(p.raw, key, 0, p.size);
    }
    await store.publishRaw(store.objectKey(key), size, chunks());
    await store.deleteRaw(parts.map((p) => p.raw));
    this.parts = [];
    return { key, size };
  }

  async discard(): Promise<void> {
    await this.store.deleteRaw(this.parts.map((p) => p.raw));
    this.parts = [];
  }
}
