import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, CHUNK_STRIDE, HEADER_SIZE, chunkOffset } from '../../src/crypto/container.js';
import { CryptoError } from '../../src/crypto/key-provider.js';
import { LocalKeyProvider } from '../../src/crypto/local-key.provider.js';
import { EncryptedObjectReader, EncryptedObjectWriter, recoverDraft } from '../../src/media/encrypted-object.js';
import type { BlobStore } from '../../src/store/blob.store.js';
import { LocalBlobStore } from '../../src/store/local-blob.store.js';

/** The encrypted container on a real folder: random access, tamper and truncation detection, recovery. */

function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-container-'));
  return { dir, store: new LocalBlobStore(path.join(dir, 'media')), keys: new LocalKeyProvider(path.join(dir, 'keys', 'local-keys.json')) };
}

/** A blob store that counts the bytes read through it. */
function counting(store: BlobStore) {
  const counted = { bytes: 0, reads: 0 };
  const wrapped: BlobStore = Object.assign(Object.create(store) as BlobStore, {
    read: async (key: string, start: number, end: number) => {
      const out = await store.read(key, start, end);
      counted.bytes += out.length;
      counted.reads++;
      return out;
    },
  });
  return { wrapped, counted };
}

async function writeObject(store: BlobStore, keys: LocalKeyProvider, key: string, data: Buffer, pieces = 7919) {
  const writer = await EncryptedObjectWriter.create(store, keys, key);
  for (let at = 0; at < data.length; at += pieces) {
    writer.append(data.subarray(at, at + pieces));
    if (at % (pieces * 13) === 0) await writer.flush(true);
  }
  await writer.finish();
}

describe('the encrypted container', () => {
  it('reads back exactly the bytes of any range of a long object, reading only the chunks it covers', async () => {
    const { store, keys } = setup();
    // An hour of 8 kHz stereo μ-law is 57.6 MB; 20 MB keeps the test quick and spans 300+ chunks.
    const data = randomBytes(20 * 1024 * 1024 + 12345);
    await writeObject(store, keys, 'org/recordings/long', data, 65_000);
    const { wrapped, counted } = counting(store);
    const reader = await EncryptedObjectReader.open(wrapped, keys, 'org/recordings/long');
    expect(reader.size).toBe(data.length);
    for (const [start, length] of [
      [0, 1],
      [CHUNK_SIZE - 3, 7],
      [13_456_789, 100_000],
      [data.length - 10, 10],
      [5 * CHUNK_SIZE, CHUNK_SIZE],
      [data.length - 1_000_000, 1_000_000],
    ] as const) {
      counted.bytes = 0;
      expect((await reader.read(start, start + length)).equals(data.subarray(start, start + length))).toBe(true);
      const chunks = Math.floor((start + length - 1) / CHUNK_SIZE) - Math.floor(start / CHUNK_SIZE) + 1;
      expect(counted.bytes).toBeLessThanOrEqual(chunks * CHUNK_STRIDE);
    }
  });

  it('detects a flipped byte anywhere in the object', async () => {
    const { store, keys, dir } = setup();
    const data = randomBytes(3 * CHUNK_SIZE + 500);
    await writeObject(store, keys, 'org/o', data);
    const file = path.join(dir, 'media', 'objects', 'org', 'o');
    const original = readFileSync(file);
    for (const at of [HEADER_SIZE - 200, chunkOffset(0) + 5, chunkOffset(1) + 20_000, chunkOffset(3) + 30, original.length - 1]) {
      const tampered = Buffer.from(original);
      tampered[at]! ^= 0x01;
      writeFileSync(file, tampered);
      const attempt = (async () => (await EncryptedObjectReader.open(store, keys, 'org/o')).read(0, data.length))();
      await expect(attempt).rejects.toBeInstanceOf(CryptoError);
    }
  });

  it('detects a truncated object, also when it is cut exactly at a chunk boundary', async () => {
    const { store, keys, dir } = setup();
    const data = randomBytes(3 * CHUNK_SIZE + 500);
    await writeObject(store, keys, 'org/t', data);
    const file = path.join(dir, 'media', 'objects', 'org', 't');
    const original = readFileSync(file);
    writeFileSync(file, original.subarray(0, chunkOffset(3)));
    const reader = await EncryptedObjectReader.open(store, keys, 'org/t');
    await expect(reader.read(0, reader.size)).rejects.toMatchObject({ code: 'container.truncated' });
    writeFileSync(file, original.subarray(0, chunkOffset(2) + 1000));
    await expect(EncryptedObjectReader.open(store, keys, 'org/t').then((r) => r.read(0, r.size))).rejects.toBeInstanceOf(CryptoError);
  });

  it('recovers a draft left by a crash: every chunk that authenticates, the last one sealed as final', async () => {
    const { store, keys } = setup();
    const data = randomBytes(2 * CHUNK_SIZE + 3000);
    const writer = await EncryptedObjectWriter.create(store, keys, 'org/crashed');
    writer.append(data);
    await writer.flush(true);
    writer.append(randomBytes(5000));
    // The process dies here: the last 5000 bytes never reached the store.
    const recovered = await recoverDraft(store, keys, 'org/crashed', (window, start) => start + window.length);
    expect(recovered?.size).toBe(data.length);
    const reader = await EncryptedObjectReader.open(store, keys, 'org/crashed');
    expect((await reader.read(0, reader.size)).equals(data)).toBe(true);
  });

  it('recovers from a torn write by dropping the chunk it tore', async () => {
    const { store, keys, dir } = setup();
    const data = randomBytes(2 * CHUNK_SIZE + 3000);
    const writer = await EncryptedObjectWriter.create(store, keys, 'org/torn');
    writer.append(data);
    await writer.flush(true);
    const draftFile = path.join(dir, 'media', 'drafts', 'org', 'torn');
    writeFileSync(draftFile, readFileSync(draftFile).subarray(0, chunkOffset(2) + 1500));
    const recovered = await recoverDraft(store, keys, 'org/torn', (window, start) => start + window.length);
    expect(recovered?.size).toBe(2 * CHUNK_SIZE);
    const reader = await EncryptedObjectReader.open(store, keys, 'org/torn');
    expect((await reader.read(0, reader.size)).equals(data.subarray(0, 2 * CHUNK_SIZE))).toBe(true);
  });

  it('keeps no plaintext: the data key is wrapped and the key file is readable by its owner only', async () => {
    const { store, keys, dir } = setup();
    const data = Buffer.alloc(200_000, 'CAPSTAN-PLAINTEXT-');
    await writeObject(store, keys, 'org/secret', data);
    const stored = readFileSync(path.join(dir, 'media', 'objects', 'org', 'secret'));
    expect(stored.includes(Buffer.from('CAPSTAN-PLAINTEXT-'))).toBe(false);
    expect(statSync(path.join(dir, 'keys', 'local-keys.json')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(keys)).not.toContain(JSON.parse(readFileSync(path.join(dir, 'keys', 'local-keys.json'), 'utf8')).keys[0].material);
  });

  it('refuses a wrapped key replayed under another key id', async () => {
    const { keys } = setup();
    const dataKey = await keys.generateDataKey();
    await expect(keys.unwrapDataKey('local-other', dataKey.wrapped)).rejects.toMatchObject({ code: 'crypto.unknownKey' });
    const flipped = Buffer.from(dataKey.wrapped);
    flipped[20]! ^= 1;
    await expect(keys.unwrapDataKey(dataKey.keyId, flipped)).rejects.toMatchObject({ code: 'crypto.unwrapFailed' });
    expect((await keys.unwrapDataKey(dataKey.keyId, dataKey.wrapped)).equals(dataKey.plaintext)).toBe(true);
  });
});
