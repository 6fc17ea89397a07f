import type { Kysely } from 'kysely';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { ClaimedRecord, LifecycleRecord } from '../store/repositories/lifecycle.repository.js';
import type { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { Database } from '../store/schema.js';
import type { LifecycleMedia } from './lifecycle-scheduler.js';
import type { RecordingExporter } from './recording-exporter.js';

/**
 * The lifecycle's media steps on two blob stores: the hot tier recordings are written to and
 * played from, and the archive tier. Objects move as they are (still encrypted). Every step can
 * be repeated: a copy is skipped when the target already holds the object at full size, a
 * removal of what is gone does nothing. A recording whose audio is still being written waits.
 */
export class BlobLifecycleMedia implements LifecycleMedia {
  constructor(
    private readonly deps: {
      readonly hot: BlobStore;
      readonly archive: BlobStore;
      readonly media: RecordingMediaRepository;
      readonly exporter: RecordingExporter;
      readonly clock: Clock;
    },
  ) {}

  async archive(record: ClaimedRecord): Promise<void> {
    const key = objectOf(record);
    if (!key) return;
    await this.copy(key, this.deps.hot, this.deps.archive);
    await this.deps.hot.delete(key);
  }

  async restore(record: ClaimedRecord): Promise<void> {
    const key = objectOf(record);
    if (key) await this.copy(key, this.deps.archive, this.deps.hot);
  }

  /** The archive kept its copy: returning a restored recording is archiving it again (the copy is skipped). */
  rearchive(record: ClaimedRecord): Promise<void> {
    return this.archive(record);
  }

  async delete(record: ClaimedRecord): Promise<void> {
    const key = objectOf(record);
    if (!key) return;
    await this.deps.hot.delete(key);
    await this.deps.archive.delete(key);
    const left = [(await this.deps.hot.stat(key)) && 'hot', (await this.deps.archive.stat(key)) && 'archive'].filter(Boolean);
    if (left.length > 0) throw new Error(`object ${key} is still in the ${left.join(' and ')} store after deletion`);
  }

  export(record: ClaimedRecord): Promise<void> {
    return this.deps.exporter.export(record);
  }

  async forget(trx: Kysely<Database>, records: readonly LifecycleRecord[]): Promise<void> {
    for (const orgId of new Set(records.map((r) => r.orgId))) {
      await this.deps.media.mediaDeleted(orgId, records.filter((r) => r.orgId === orgId).map((r) => r.recordingId), this.deps.clock.now(), trx);
    }
  }

  /** Copies unless `to` already holds the object at the size `from` has (or `from` no longer has it). */
  private async copy(key: string, from: BlobStore, to: BlobStore): Promise<void> {
    const [source, target] = await Promise.all([from.stat(key), to.stat(key)]);
    if (!source) {
      if (target) return;
      throw new Error(`object ${key} is in neither store`);
    }
    if (target?.size === source.size) return;
    await to.put(key, await from.read(key, 0, source.size));
    const written = await to.stat(key);
    if (written?.size !== source.size) throw new Error(`copy of ${key} has ${written?.size ?? 0} bytes, expected ${source.size}`);
  }
}

/** The recording's object key; undefined when it has no media to move. Throws while it is being written. */
function objectOf(record: ClaimedRecord): string | undefined {
  if (record.object.mediaState === 'PENDING' || record.object.mediaState === 'RECORDING') throw new Error('the recording is still being written');
  return record.object.key ?? undefined;
}
