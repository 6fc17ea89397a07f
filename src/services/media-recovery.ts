import type { Logger } from 'pino';
import type { Span } from '../domain/capture/types.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { bodyDurationMs, wholeBodyLength, type BodyShape } from '../media/body-format.js';
import { EncryptedObjectReader, EncryptedObjectWriter, recoverDraft } from '../media/encrypted-object.js';
import { RecordingTrack } from '../media/recording-track.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { OpenRecording, RecordingHealth, RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import { annotationsOf, blobKeyFor } from './media-session.js';

/**
 * Start-up after a crash (DESIGN section 5, "Durability"): every recording a previous process left
 * open is finished from what reached the store — every chunk that authenticates is kept, the body
 * is cut back to whole frames or pages, the last chunk is sealed as final — and marked partial.
 * A recording that had nothing on the store yet becomes an empty, playable, partial recording.
 */

export interface RecoveryDeps {
  readonly media: RecordingMediaRepository;
  readonly blobs: BlobStore;
  readonly keys: KeyProvider;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function recoverRecordings(deps: RecoveryDeps): Promise<number> {
  const open = await deps.media.unfinished();
  for (const rec of open) {
    try {
      await recoverOne(deps, rec);
    } catch (err) {
      deps.logger.error({ err, recordingId: rec.id }, 'could not recover a recording; it is marked ERROR');
      await deps.media.setState(rec.orgId, rec.id, 'ERROR', deps.clock.now());
    }
  }
  if (open.length > 0) deps.logger.warn({ recordings: open.length }, 'recordings left open by a previous process were finished as partial');
  return open.length;
}

async function recoverOne(deps: RecoveryDeps, rec: OpenRecording): Promise<void> {
  const shape: BodyShape = { format: rec.audio.format, channels: rec.audio.dualChannel ? 2 : 1, sampleRate: rec.audio.sampleRate };
  const recovered = rec.blobKey ? await recoverDraft(deps.blobs, deps.keys, rec.blobKey, (w, start) => wholeBodyLength(shape, w, start)) : undefined;
  let bodyBytes: number;
  let sizeBytes: number;
  let durationMs: number;
  if (recovered) {
    const reader = await EncryptedObjectReader.open(deps.blobs, deps.keys, recovered.key);
    bodyBytes = recovered.size;
    sizeBytes = recovered.stat.size;
    durationMs = await bodyDurationMs(shape, bodyBytes, (a, b) => reader.read(a, b));
  } else {
    const blobKey = rec.blobKey ?? blobKeyFor(rec.orgId, rec.id, rec.startedAtMs);
    const writer = await EncryptedObjectWriter.create(deps.blobs, deps.keys, blobKey);
    await deps.media.started(rec.orgId, rec.id, { blobKey, keyId: writer.keyId, ...shape }, deps.clock.now());
    const stat = await new RecordingTrack(rec.id, shape, writer, deps.clock.now()).finish();
    bodyBytes = writer.size;
    sizeBytes = stat.size;
    durationMs = 0;
  }
  const endMs = realtimeEnd(rec.spans, rec.startedAtMs, durationMs);
  const before = rec.health;
  const health: RecordingHealth = {
    sources: before?.sources ?? [],
    silentParticipants: before?.silentParticipants ?? [],
    channels: before?.channels ?? [],
    durationMs,
    expectedMs: durationMs,
    conversationMs: endMs - rec.startedAtMs,
    warnings: [...new Set([...(before?.warnings ?? []), 'partial'])],
  };
  await deps.media.finished(
    rec.orgId,
    rec.id,
    { bodyBytes, sizeBytes, durationMs, partial: true, health, annotations: annotationsOf(rec.spans, rec.startedAtMs, endMs) },
    deps.clock.now(),
  );
}

/** The conversation instant the first `durationMs` of the recording's audio reach (cuts take no audio). */
function realtimeEnd(spans: readonly Span[], startMs: number, durationMs: number): number {
  let left = durationMs;
  let at = startMs;
  for (const s of spans) {
    const a = Math.max(startMs, s.fromMs);
    const b = s.toMs ?? Number.POSITIVE_INFINITY;
    if (b <= a) continue;
    if (!s.captured) {
      at = Number.isFinite(b) ? b : at;
      continue;
    }
    if (b - a >= left) return a + left;
    left -= b - a;
    at = b;
  }
  return at;
}
