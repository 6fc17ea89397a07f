import { randomUUID } from 'node:crypto';
import type { AudioSpec, Span } from '../../domain/capture/types.js';
import type { AudioFormat } from '../../domain/telephony.js';
import { inTransaction, type Db } from '../db.js';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AnnotationsTable, Database } from '../schema.js';

/** The media side of recording rows (migration 0100): where the audio is, how it went, and the plan's annotations. */

export type MediaState = 'PENDING' | 'RECORDING' | 'AVAILABLE' | 'DELETED' | 'ERROR';

export interface SourceHealth {
  readonly participantId: string;
  readonly connector: string;
  readonly codec: string;
  readonly sampleRate: number;
  readonly framesReceived: number;
  readonly framesLost: number;
  readonly framesLate: number;
  readonly duplicates: number;
  readonly gaps: number;
  readonly gapMs: number;
  readonly declaredGapMs: Readonly<Record<string, number>>;
}

/** What a listener would want to know before trusting a recording: one-sided, truncated, lossy? */
export interface RecordingHealth {
  readonly sources: readonly SourceHealth[];
  /** Participants the plan mixes into the recording who never sent audio. */
  readonly silentParticipants: readonly string[];
  readonly channels: ReadonlyArray<{ channel: number; rmsDbfs: number | null; peakDbfs: number | null }>;
  /** Audio in the recording. */
  readonly durationMs: number;
  /** Conversation time the plan captures for this recording (its span minus cuts). */
  readonly expectedMs: number;
  /** Conversation time the recording covers, cuts included. */
  readonly conversationMs: number;
  readonly warnings: readonly string[];
}

export interface RecordingMedia {
  readonly state: MediaState;
  readonly partial: boolean;
  readonly blobKey: string | null;
  readonly keyId: string | null;
  readonly format: AudioFormat | null;
  readonly channels: number | null;
  readonly sampleRate: number | null;
  readonly bodyBytes: number | null;
  readonly sizeBytes: number | null;
  readonly durationMs: number | null;
  readonly health: RecordingHealth | null;
}

export interface Annotation {
  readonly id: string;
  readonly recordingId: string;
  readonly type: string;
  readonly reason: string | null;
  /** Position and length in the recording's audio (after cuts). */
  readonly locationMs: number;
  readonly durationMs: number;
  /** Position and length in conversation time, from the recording's start. */
  readonly realtimeLocationMs: number;
  readonly realtimeDurationMs: number;
  readonly system: boolean;
  /** People's annotations (bookmarks): a name, a description, who made it. */
  readonly name: string | null;
  readonly description: string | null;
  readonly userId: string | null;
}

export type NewAnnotation = Omit<Annotation, 'id' | 'recordingId' | 'system' | 'name' | 'description' | 'userId'>;

export interface OpenRecording {
  readonly orgId: string;
  readonly id: string;
  readonly conversationId: string;
  readonly audio: AudioSpec;
  readonly spans: Span[];
  readonly startedAtMs: number;
  readonly state: MediaState;
  readonly blobKey: string | null;
  readonly format: AudioFormat | null;
  readonly channels: number | null;
  readonly sampleRate: number | null;
  readonly health: RecordingHealth | null;
}

export class RecordingMediaRepository {
  constructor(private readonly db: Db) {}

  /** Audio is being written to `blobKey`, encrypted under `keyId`. */
  async started(orgId: string, id: string, media: { blobKey: string; keyId: string; format: AudioFormat; channels: number; sampleRate: number }, now: number) {
    await this.db.kysely
      .updateTable('recordings')
      .set({
        media_state: 'RECORDING',
        blob_key: media.blobKey,
        key_id: media.keyId,
        media_format: media.format,
        media_channels: media.channels,
        media_sample_rate: media.sampleRate,
        body_bytes: 0,
        duration_ms: 0,
        media_updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  /** How far a live recording has got on the store (kept so that recovery after a crash knows its health). */
  async progressed(orgId: string, id: string, progress: { bodyBytes: number; durationMs: number; health: RecordingHealth }, now: number) {
    await this.db.kysely
      .updateTable('recordings')
      .set({ body_bytes: progress.bodyBytes, duration_ms: progress.durationMs, health: JSON.stringify(progress.health), media_updated_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  /** The recording is complete and playable; its system annotations are replaced by `annotations`. */
  async finished(
    orgId: string,
    id: string,
    result: { bodyBytes: number; sizeBytes: number; durationMs: number; partial: boolean; health: RecordingHealth; annotations: readonly NewAnnotation[] },
    now: number,
  ) {
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('recordings')
        .set({
          media_state: 'AVAILABLE',
          body_bytes: result.bodyBytes,
          size_bytes: result.sizeBytes,
          duration_ms: result.durationMs,
          partial: result.partial ? 1 : 0,
          health: JSON.stringify(result.health),
          media_updated_at: now,
        })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .execute();
      await trx.deleteFrom('annotations').where('org_id', '=', orgId).where('recording_id', '=', id).where('system', '=', 1).execute();
      if (result.annotations.length === 0) return;
      await trx
        .insertInto('annotations')
        .values(
          result.annotations.map(
            (a): Insertable<AnnotationsTable> => ({
              id: randomUUID(),
              org_id: orgId,
              recording_id: id,
              type: a.type,
              name: null,
              reason: a.reason,
              location_ms: a.locationMs,
              duration_ms: a.durationMs,
              realtime_location_ms: a.realtimeLocationMs,
              realtime_duration_ms: a.realtimeDurationMs,
              user_id: null,
              description: null,
              system: 1,
              created_at: now,
              updated_at: now,
            }),
          ),
        )
        .execute();
    });
  }

  /** The plan discarded the recording (or its media could not be kept): it is never listed or served again. */
  async setState(orgId: string, id: string, state: 'DELETED' | 'ERROR', now: number) {
    await this.db.kysely
      .updateTable('recordings')
      .set({ media_state: state, media_updated_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  /** Recordings a previous process left unfinished, in every organization. */
  async unfinished(): Promise<OpenRecording[]> {
    const rows = await this.db.kysely
      .selectFrom('recordings')
      .select(['org_id', 'id', 'conversation_id', 'media_state', 'blob_key', 'media_format', 'media_channels', 'media_sample_rate', 'health', 'audio', 'spans', 'started_at'])
      .where('media_state', 'in', ['PENDING', 'RECORDING'])
      .where('audio', 'is not', null)
      .execute();
    return rows.map((r) => ({
      orgId: r.org_id,
      id: r.id,
      conversationId: r.conversation_id,
      audio: JSON.parse(r.audio!) as AudioSpec,
      spans: JSON.parse(r.spans) as Span[],
      startedAtMs: r.started_at,
      state: r.media_state as MediaState,
      blobKey: r.blob_key,
      format: r.media_format as AudioFormat | null,
      channels: r.media_channels,
      sampleRate: r.media_sample_rate,
      health: r.health ? (JSON.parse(r.health) as RecordingHealth) : null,
    }));
  }

  /** Retention deleted these recordings' media: they are never listed or served again, and their annotations go. */
  async mediaDeleted(orgId: string, ids: readonly string[], now: number, exec: Kysely<Database> = this.db.kysely): Promise<void> {
    if (ids.length === 0) return;
    await exec.deleteFrom('annotations').where('org_id', '=', orgId).where('recording_id', 'in', ids).execute();
    await exec.updateTable('recordings').set({ media_state: 'DELETED', media_updated_at: now }).where('org_id', '=', orgId).where('id', 'in', ids).execute();
  }

  async annotations(orgId: string, recordingIds: readonly string[]): Promise<Annotation[]> {
    if (recordingIds.length === 0) return [];
    const rows = await this.db.kysely
      .selectFrom('annotations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('recording_id', 'in', recordingIds)
      .orderBy('recording_id')
      .orderBy('realtime_location_ms')
      .execute();
    return rows.map(annotationFromRow);
  }
}

export function annotationFromRow(r: Selectable<AnnotationsTable>): Annotation {
  return {
    id: r.id,
    recordingId: r.recording_id,
    type: r.type,
    reason: r.reason,
    locationMs: r.location_ms,
    durationMs: r.duration_ms,
    realtimeLocationMs: r.realtime_location_ms,
    realtimeDurationMs: r.realtime_duration_ms,
    system: r.system === 1,
    name: r.name,
    description: r.description,
    userId: r.user_id,
  };
}
