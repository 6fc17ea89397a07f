import { hasPermission, type Principal } from '../domain/access/principal.js';
import { DomainError } from '../domain/errors.js';
import { compileConversationDetailsQuery, type ConversationDetailsQueryInput } from '../domain/query/conversation-details.js';
import type { Db } from '../store/db.js';
import type { ConversationQueryService } from './conversation-query.service.js';

/**
 * Interaction search (the reference's conversation details query): one page of conversations
 * that match, each described from its facts — users, queues, wrap-up codes, recordings — read
 * in one batch per table for the whole page.
 */

export const SEARCH_PERMISSION = 'analytics:conversationDetail:view';

export interface ConversationDetail {
  readonly id: string;
  readonly direction: string | null;
  readonly ani: string | null;
  readonly dnis: string | null;
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  readonly durationMs: number | null;
  readonly users: ReadonlyArray<{ userId: string; name: string | null; purpose: string; firstAtMs: number }>;
  readonly queues: ReadonlyArray<{ queueId: string; name: string | null }>;
  readonly wrapups: ReadonlyArray<{ participantId: string; userId: string | null; code: string }>;
  /** Recordings not discarded, by kind. */
  readonly recordingsByKind: Readonly<Record<string, number>>;
}

export interface ConversationDetailsResult {
  readonly conversations: ConversationDetail[];
  readonly totalHits?: number;
  readonly cursor?: string;
}

const groupBy = <T extends { conversation_id: string }>(rows: readonly T[]) => {
  const map = new Map<string, T[]>();
  for (const r of rows) map.set(r.conversation_id, [...(map.get(r.conversation_id) ?? []), r]);
  return map;
};

export class ConversationDetailsService {
  constructor(
    private readonly db: Db,
    private readonly query: ConversationQueryService,
  ) {}

  /**
   * Holders of `analytics:conversationDetail:view` search every conversation of their
   * organization; other users only the conversations they took part in; API clients without it
   * are refused.
   */
  async search(principal: Principal, input: ConversationDetailsQueryInput): Promise<ConversationDetailsResult> {
    const everyone = hasPermission(principal, SEARCH_PERMISSION);
    if (!everyone && !principal.userId) throw new DomainError('access.denied', `searching conversations needs ${SEARCH_PERMISSION}`);
    const compiled = compileConversationDetailsQuery(input, everyone ? undefined : principal.userId);
    if ('error' in compiled) {
      throw new DomainError('query.invalidFilter', compiled.error.message, undefined, [{ errorCode: 'query.invalidFilter', fieldName: compiled.error.fieldName }]);
    }
    const { query, pageSize, offset, cursor, includeTotal } = compiled;
    const [page, totalHits] = await Promise.all([
      this.query.page(principal.orgId, query, pageSize, cursor, offset),
      includeTotal ? this.query.count(principal.orgId, query) : Promise.resolve(undefined),
    ]);
    return {
      conversations: await this.describe(principal.orgId, page.conversations.map((c) => c.id)),
      ...(totalHits !== undefined ? { totalHits } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  }

  /** The conversations of `ids`, in that order, with their facts. */
  async describe(orgId: string, ids: readonly string[]): Promise<ConversationDetail[]> {
    if (ids.length === 0) return [];
    const k = this.db.kysely;
    const [conversations, users, queues, wrapups, recordings] = await Promise.all([
      k
        .selectFrom('conversations')
        .select(['id', 'direction', 'ani', 'dnis', 'started_at', 'ended_at', 'duration_ms'])
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute(),
      k
        .selectFrom('conversation_users as f')
        .leftJoin('users as u', (j) => j.onRef('u.org_id', '=', 'f.org_id').onRef('u.id', '=', 'f.user_id'))
        .select(['f.conversation_id', 'f.user_id', 'f.purpose', 'f.first_at', 'u.name'])
        .where('f.org_id', '=', orgId)
        .where('f.conversation_id', 'in', ids)
        .orderBy('f.first_at')
        .orderBy('f.user_id')
        .execute(),
      k
        .selectFrom('conversation_queues as f')
        .leftJoin('telephony_config as q', (j) => j.onRef('q.org_id', '=', 'f.org_id').on('q.kind', '=', 'queues').onRef('q.id', '=', 'f.queue_id'))
        .select(['f.conversation_id', 'f.queue_id', 'q.name'])
        .where('f.org_id', '=', orgId)
        .where('f.conversation_id', 'in', ids)
        .orderBy('f.queue_id')
        .execute(),
      k
        .selectFrom('conversation_wrapups')
        .select(['conversation_id', 'participant_id', 'user_id', 'code'])
        .where('org_id', '=', orgId)
        .where('conversation_id', 'in', ids)
        .orderBy('participant_id')
        .execute(),
      k
        .selectFrom('recordings')
        .select(['conversation_id', 'kind', (e) => e.fn.countAll().as('n')])
        .where('org_id', '=', orgId)
        .where('conversation_id', 'in', ids)
        .where('status', '<>', 'discarded')
        .groupBy(['conversation_id', 'kind'])
        .orderBy('kind')
        .execute(),
    ]);
    const byId = new Map(conversations.map((c) => [c.id, c]));
    const [usersOf, queuesOf, wrapupsOf, recordingsOf] = [groupBy(users), groupBy(queues), groupBy(wrapups), groupBy(recordings)];
    return ids.flatMap((id) => {
      const c = byId.get(id);
      if (!c) return [];
      return [
        {
          id,
          direction: c.direction,
          ani: c.ani,
          dnis: c.dnis,
          startedAtMs: Number(c.started_at),
          endedAtMs: c.ended_at === null ? null : Number(c.ended_at),
          durationMs: c.duration_ms === null ? null : Number(c.duration_ms),
          users: (usersOf.get(id) ?? []).map((u) => ({ userId: u.user_id, name: u.name, purpose: u.purpose, firstAtMs: Number(u.first_at) })),
          queues: (queuesOf.get(id) ?? []).map((q) => ({ queueId: q.queue_id, name: q.name })),
          wrapups: (wrapupsOf.get(id) ?? []).map((w) => ({ participantId: w.participant_id, userId: w.user_id, code: w.code })),
          recordingsByKind: Object.fromEntries((recordingsOf.get(id) ?? []).map((r) => [r.kind, Number(r.n)])),
        },
      ];
    });
  }
}
