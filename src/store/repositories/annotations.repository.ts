import type { Db } from '../db.js';
import { annotationFromRow, type Annotation } from './recording-media.repository.js';

/** People's annotations on recordings (bookmarks); the plan's own (cuts, holds) are the media area's and never change here. */

export interface AnnotationInput {
  readonly type: string;
  readonly name: string | null;
  readonly description: string | null;
  readonly locationMs: number;
  readonly durationMs: number;
  readonly realtimeLocationMs: number;
  readonly realtimeDurationMs: number;
  readonly userId: string | null;
}

export class AnnotationsRepository {
  constructor(private readonly db: Db) {}

  async get(orgId: string, recordingId: string, id: string): Promise<Annotation | undefined> {
    const row = await this.db.kysely
      .selectFrom('annotations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('recording_id', '=', recordingId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? annotationFromRow(row) : undefined;
  }

  async insert(orgId: string, recordingId: string, id: string, a: AnnotationInput, now: number): Promise<void> {
    await this.db.kysely
      .insertInto('annotations')
      .values({
        id,
        org_id: orgId,
        recording_id: recordingId,
        type: a.type,
        name: a.name,
        reason: null,
        description: a.description,
        location_ms: a.locationMs,
        duration_ms: a.durationMs,
        realtime_location_ms: a.realtimeLocationMs,
        realtime_duration_ms: a.realtimeDurationMs,
        user_id: a.userId,
        system: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(orgId: string, recordingId: string, id: string, a: Omit<AnnotationInput, 'userId'>, now: number): Promise<void> {
    await this.db.kysely
      .updateTable('annotations')
      .set({
        type: a.type,
        name: a.name,
        description: a.description,
        location_ms: a.locationMs,
        duration_ms: a.durationMs,
        realtime_location_ms: a.realtimeLocationMs,
        realtime_duration_ms: a.realtimeDurationMs,
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('recording_id', '=', recordingId)
      .where('id', '=', id)
      .where('system', '=', 0)
      .execute();
  }

  async remove(orgId: string, recordingId: string, id: string): Promise<boolean> {
    const result = await this.db.kysely
      .deleteFrom('annotations')
      .where('org_id', '=', orgId)
      .where('recording_id', '=', recordingId)
      .where('id', '=', id)
      .where('system', '=', 0)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
