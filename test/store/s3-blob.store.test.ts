import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError } from '../../src/store/blob.store.js';
import { S3BlobStore } from '../../src/store/s3-blob.store.js';
import { startS3, type TestS3 } from '../support/s3.js';

/** The S3 blob store against an S3-compatible server started by the test, read back through the AWS SDK. */
describe('the S3 blob store', () => {
  let s3: TestS3;
  let store: S3BlobStore;

  beforeAll(async () => {
    s3 = await startS3();
    store = new S3BlobStore(s3.client, { bucket: await s3.bucket('capstan-media'), prefix: 'media/' });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('stores, reads ranges (clamped), stats, lists by prefix and deletes', async () => {
    await store.put('org1/recordings/2026-01-01/r1', Buffer.from('hello world'));
    await store.put('org1/recordings/2026-01-02/r2', Buffer.from('x'));
    await store.put('org2/recordings/2026-01-01/r3', Buffer.from('y'));
    expect((await store.read('org1/recordings/2026-01-01/r1', 6, 100)).toString()).toBe('world');
    expect((await store.read('org1/recordings/2026-01-01/r1', 20, 30)).length).toBe(0);
    expect(await store.stat('org1/recordings/2026-01-01/r1')).toEqual({ key: 'org1/recordings/2026-01-01/r1', size: 11 });
    const listed: string[] = [];
    for await (const s of store.list('org1/')) listed.push(s.key);
    expect(listed).toEqual(['org1/recordings/2026-01-01/r1', 'org1/recordings/2026-01-02/r2']);
    expect(await s3.keys('capstan-media')).toContain('media/org1/recordings/2026-01-01/r1');
    expect(await store.delete('org1/recordings/2026-01-02/r2')).toBe(true);
    expect(await store.delete('org1/recordings/2026-01-02/r2')).toBe(false);
    expect(await store.stat('org1/recordings/2026-01-02/r2')).toBeUndefined();
    await expect(store.read('org1/recordings/2026-01-02/r2', 0, 1)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('refuses keys that could escape the prefix', async () => {
    for (const key of ['../escape', 'org/../x', '/abs', 'org/.drafts', '']) await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/unsafe object key/);
  });

  it('keeps a live draft across a restart, rewrites its tail, and publishes it atomically', async () => {
    const key = 'org1/recordings/2026-01-03/live';
    const draft = await store.openDraft(key);
    await draft.write(0, Buffer.from('hello '));
    await draft.write(6, Buffer.from('world!!'));
    await draft.write(8, Buffer.from('rld'));
    await draft.write(6, Buffer.from('there'));
    expect(await store.stat(key)).toBeUndefined();
    const listed: string[] = [];
    for await (const s of store.list('org1/recordings/2026-01-03/')) listed.push(s.key);
    expect(listed).toEqual([]);

    const resumed = await store.openDraft(key);
    expect(resumed.size).toBe(11);
    expect((await resumed.read(3, 9)).toString()).toBe('lo the');
    await expect(resumed.write(20, Buffer.from('gap'))).rejects.toThrow(/hole/);
    await resumed.publish();
    expect((await store.read(key, 0, 100)).toString()).toBe('hello there');
    expect(await s3.keys('capstan-media', 'media/.drafts/')).toEqual([]);
  });

  it('publishes a large draft by multipart upload', async () => {
    const key = 'org1/recordings/2026-01-04/big';
    const draft = await store.openDraft(key);
    const block = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < 4; i++) await draft.write(i * block.length, block.fill(65 + i));
    await draft.publish();
    expect(await store.stat(key)).toEqual({ key, size: 12 * 1024 * 1024 });
    expect((await store.read(key, 9 * 1024 * 1024 - 1, 9 * 1024 * 1024 + 1)).toString()).toBe('CD');
  });

  it('discarding a draft leaves nothing behind', async () => {
    const draft = await store.openDraft('org1/recordings/2026-01-05/gone');
    await draft.write(0, Buffer.from('x'));
    await draft.discard();
    expect(await s3.keys('capstan-media', 'media/.drafts/org1/recordings/2026-01-05/')).toEqual([]);
  });
});
