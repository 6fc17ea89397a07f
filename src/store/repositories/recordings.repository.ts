import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AudioSpec, ChannelRole, PlannedRecording, RecordingKind, Span } from '../../domain/capture/types.js';
import type { Db } from '../db.js';
import type { Database, RecordingsTable } from '../schema.js';
import type { RecordingHealth, RecordingMedia, MediaState } from './recording-media.repository.js';

/** Recording metadata rows: one per recording the capture plan started. */

export interface RecordingRow {
  readonly id: string;
  readonly orgId: string;
  readonly conversationId: string;
  readonly planKey: string;
  readonly kind: RecordingKind;
  readonly participantId: string;
  readonly userId: string | null;
  readonly fileRole: 'CUSTOMER_EXPERIENCE' | 'ADHOC';
  readonly channels: ChannelRole[];
  readonly audio: AudioSpec | null;
  readonly region: string | null;
  readonly status: PlannedRecording['status'];
  readonly discardReason: string | null;
  readonly spans: Span[];
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly media: RecordingMedia;
}

export class RecordingsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Brings the rows of a conversation in line with its plan: new recordings get a row (and an id
   * that never changes), known ones get their status, spans and stop time. Returns every row.
   */
  async syncPlan(
    trx: Kysely<Database>,
    orgId: string,
    conversationId: string,
    planned: readonly PlannedRecording[],
    now: number,
  ): Promise<RecordingRow[]> {
    const existing = new Map((await this.listRows(trx, orgId, conversationId)).map((r) => [r.plan_key, r]));
    for (const rec of planned) {
      const known = existing.get(rec.spec.key);
      const changes = {
        status: rec.status,
        discard_reason: rec.discardReason ?? null,
        spans: JSON.stringify(rec.spans),
        stopped_at: rec.stoppedAtMs ?? null,
        updated_at: now,
      };
      if (known) {
        if (known.status !== changes.status || known.spans !== changes.spans || known.stopped_at !== changes.stopped_at) {
          await trx.updateTable('recordings').set(changes).where('id', '=', known.id).execute();
        }
        continue;
      }
      await trx
        .insertInto('recordings')
        .values({
          id: randomUUID(),
          org_id: orgId,
          conversation_id: conversationId,
          plan_key: rec.spec.key,
          kind: rec.spec.kind,
          participant_id: rec.spec.participantId,
          user_id: rec.spec.userId ?? null,
          file_role: rec.spec.fileRole,
          channels: JSON.stringify(rec.spec.channels),
          audio: rec.spec.audio ? JSON.stringify(rec.spec.audio) : null,
          region: rec.spec.audio?.region ?? null,
          started_at: rec.startedAtMs,
          created_at: now,
          ...changes,
        })
        .execute();
    }
    return (await this.listRows(trx, orgId, conversationId)).map(fromRow);
  }

  async listForConversation(orgId: string, conversationId: string): Promise<RecordingRow[]> {
    return (await this.listRows(this.db.kysely, orgId, conversationId)).map(fromRow);
  }

  /** The recordings of several conversations, by conversation and start. */
  async listForConversations(orgId: string, conversationIds: readonly string[], exec: Kysely<Database> = this.db.kysely): Promise<RecordingRow[]> {
    if (conversationIds.length === 0) return [];
    const rows = await exec
      .selectFrom('recordings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('conversation_id', 'in', conversationIds)
      .orderBy('conversation_id')
      .orderBy('started_at')
      .orderBy('plan_key')
      .execute();
    return rows.map(fromRow);
  }

  async get(orgId: string, id: string): Promise<RecordingRow | undefined> {
    const row = await this.db.kysely.selectFrom('recordings').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  private listRows(trx: Kysely<Database>, orgId: string, conversationId: string) {
    return trx
      .selectFrom('recordings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('conversation_id', '=', conversationId)
      .orderBy('started_at')
      .orderBy('plan_key')
      .execute();
  }
}

function fromRow(r: Selectable<RecordingsTable>): RecordingRow {
  return {
    id: r.id,
    orgId: r.org_id,
    conversationId: r.conversation_id,
    planKey: r.plan_key,
    kind: r.kind as RecordingKind,
    participantId: r.participant_id,
    userId: r.user_id,
    fileRole: r.file_role as RecordingRow['fileRole'],
    channels: JSON.parse(r.channels) as ChannelRole[],
    audio: r.audio ? (JSON.parse(r.audio) as AudioSpec) : null,
    region: r.region,
    status: r.status as RecordingRow['status'],
    discardReason: r.discard_reason,
    spans: JSON.parse(r.spans) as Span[],
    startedAtMs: r.started_at,
    stoppedAtMs: r.stopped_at,
    media: {
      state: r.media_state as MediaState,
      partial: r.partial === 1,
      blobKey: r.blob_key,
      keyId: r.key_id,
      format: r.media_format as RecordingMedia['format'],
      channels: r.media_channels,
      sampleRate: r.media_sample_rate,
      bodyBytes: r.body_bytes,
      sizeBytes: r.size_bytes,
      durationMs: r.duration_ms,
      health: r.health ? (JSON.parse(r.health) as RecordingHealth) : null,
    },
  };
}
