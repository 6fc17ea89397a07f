import type { Kysely } from 'kysely';
import type { ConversationSegment } from '../../domain/query/segments.js';
import type { Database } from '../schema.js';

/** The segment index of conversations, rewritten whenever a conversation's timeline changes. */
export class SegmentsRepository {
  async replace(trx: Kysely<Database>, orgId: string, conversationId: string, segments: readonly ConversationSegment[]): Promise<void> {
    await trx.deleteFrom('conversation_segments').where('org_id', '=', orgId).where('conversation_id', '=', conversationId).execute();
    if (segments.length === 0) return;
    await trx
      .insertInto('conversation_segments')
      .values(
        segments.map((s, seq) => ({
          org_id: orgId,
          conversation_id: conversationId,
          seq,
          participant_id: s.participantId,
          purpose: s.purpose,
          user_id: s.userId,
          segment_type: s.segmentType,
          queue_id: s.queueId,
          flow_id: s.flowId,
          wrapup_code: s.wrapupCode,
          start_at: s.startMs,
          end_at: s.endMs,
        })),
      )
      .execute();
  }
}
