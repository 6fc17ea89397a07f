import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlobNotFoundError } from '../../src/store/blob.store.js';
import { LocalBlobStore } from '../../src/store/local-blob.store.js';

describe('the local blob store', () => {
  const root = () => mkdtempSync(path.join(tmpdir(), 'capstan-blobs-'));

  it('refuses keys that could leave its folder', async () => {
    const store = new LocalBlobStore(root());
    for (const key of ['../escape', 'org/../../etc/passwd', '/etc/passwd', 'org/a\u0000b', '', 'org//x', 'org/.hidden', 'org/x/']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/unsafe object key/);
      await expect(store.read(key, 0, 1)).rejects.toThrow(/unsafe object key/);
    }
  });

  it('publishes a draft atomically: invisible until published, then readable and listed', async () => {
    const dir = root();
    const store = new LocalBlobStore(dir);
    const draft = await store.openDraft('org1/recordings/2026-01-01/r1');
    await draft.write(0, Buffer.from('hello '));
    await draft.write(6, Buffer.from('world!!'));
    await draft.write(6, Buffer.from('there'));
    await expect(store.read('org1/recordings/2026-01-01/r1', 0, 100)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.stat('org1/recordings/2026-01-01/r1')).toBeUndefined();
    const resumed = await store.openDraft('org1/recordings/2026-01-01/r1');
    expect(resumed.size).toBe(11);
    await resumed.publish();
    expect((await store.read('org1/recordings/2026-01-01/r1', 0, 100)).toString()).toBe('hello there');
    await store.put('org1/recordings/2026-01-02/r2', Buffer.from('x'));
    await store.put('org2/recordings/2026-01-01/r3', Buffer.from('y'));
    const listed: string[] = [];
    for await (const s of store.list('org1/')) listed.push(s.key);
    expect(listed).toEqual(['org1/recordings/2026-01-01/r1', 'org1/recordings/2026-01-02/r2']);
    expect(readdirSync(path.join(dir, 'drafts', 'org1', 'recordings', '2026-01-01'))).toEqual([]);
    expect(await store.delete('org1/recordings/2026-01-02/r2')).toBe(true);
    expect(await store.stat('org1/recordings/2026-01-02/r2')).toBeUndefined();
  });
});
