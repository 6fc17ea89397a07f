import { z } from 'zod';
import { eventSchema, toWireEvent } from '../../domain/events.js';
import type { ConversationView } from '../../services/conversation.service.js';
import type { ConversationSummary } from '../../store/repositories/conversations.repository.js';
import type { RecordingRow } from '../../store/repositories/recordings.repository.js';
import { notFound } from '../errors.js';
import { iso, pagingQuery } from '../query.js';
import { route } from '../route.js';

/** Capstan's own conversation API: the events a telephony platform sends, and what Capstan made of them. */

const MAX_BATCH = 1000;
/** One event, an array of events, or `{events: [...]}`; errors name the event by its index (`events.3.at`). */
const eventsBody = z.preprocess(
  (b) => ({ events: Array.isArray(b) ? b : b !== null && typeof b === 'object' && 'events' in b ? b.events : [b] }),
  z.object({ events: z.array(eventSchema).min(1).max(MAX_BATCH) }),
).transform((b) => b.events);

const conversationParams = z.object({ conversationId: z.string().min(1).max(128) });

export const conversationRoutes = [
  route({
    method: 'POST',
    url: '/api/v2/capstan/events',
    summary: 'Conversation events: one event, an array, or {events: [...]}; all or nothing',
    tags: ['conversations'],
    access: { anyOf: ['conversation:event:add'] },
    body: eventsBody,
    status: 202,
    async handler({ body, principal, services }) {
      return services.conversations.ingest(principal.orgId, body);
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/conversations',
    summary: 'Conversations, newest first (keyset paging)',
    tags: ['conversations'],
    access: { anyOf: ['conversation:conversation:view'] },
    query: pagingQuery(),
    async handler({ query, principal, services }) {
      const page = await services.conversations.list(principal.orgId, { limit: query.pageSize, cursor: query.cursor });
      return { entities: page.entities.map(renderSummary), pageSize: query.pageSize, ...(page.nextCursor ? { cursor: page.nextCursor } : {}) };
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/conversations/:conversationId',
    summary: 'A conversation: its timeline, participants, and the recording plan so far',
    tags: ['conversations'],
    access: { anyOf: ['conversation:conversation:view'] },
    params: conversationParams,
    async handler({ params, principal, services }) {
      const view = await services.conversations.get(principal.orgId, params.conversationId);
      if (!view) throw notFound('conversation', params.conversationId);
      return renderConversation(view);
    },
  }),
];

function renderSummary(s: ConversationSummary) {
  return {
    id: s.id,
    direction: s.direction,
    trunkId: s.trunkId,
    ani: s.ani,
    dnis: s.dnis,
    region: s.region,
    startTime: iso(s.startedAtMs),
    endTime: iso(s.endedAtMs),
    eventCount: s.eventCount,
    selfUri: `/api/v2/capstan/conversations/${encodeURIComponent(s.id)}`,
  };
}

function renderConversation({ summary, folded, recordings }: ConversationView) {
  const c = folded.state.conversation;
  return {
    ...renderSummary(summary),
    state: c.status,
    securePaused: c.securePaused,
    consent: c.consent,
    participants: c.joinOrder.map((id) => {
      const p = c.participants[id]!;
      return {
        id: p.id,
        purpose: p.purpose,
        userId: p.userId ?? null,
        stationId: p.stationId ?? null,
        name: p.name ?? null,
        joinTime: iso(p.joinedAtMs),
        leaveTime: iso(p.leftAtMs),
        segment: p.segment,
        wrapupCode: p.wrapupCode ?? null,
      };
    }),
    events: folded.applied.map(toWireEvent),
    pendingEvents: folded.pending.map((p) => ({ ...toWireEvent(p.event), ...(p.error ? { error: { code: p.error.code, message: p.error.message } } : {}) })),
    rejectedEvents: folded.rejected.map((r) => ({ ...toWireEvent(r.event), error: { code: r.error.code, message: r.error.message } })),
    recordings: recordings.map(renderPlannedRecording),
    notes: folded.state.notes.map((n) => ({ ...n, atMs: undefined, time: iso(n.atMs) })),
  };
}

function renderPlannedRecording(r: RecordingRow) {
  return {
    id: r.id,
    key: r.planKey,
    kind: r.kind,
    participantId: r.participantId,
    userId: r.userId,
    fileRole: r.fileRole,
    status: r.status,
    discardReason: r.discardReason,
    startTime: iso(r.startedAtMs),
    endTime: iso(r.stoppedAtMs),
    channels: r.channels,
    audio: r.audio,
    spans: r.spans.map((s) => ({
      start: iso(s.fromMs),
      end: iso(s.toMs),
      captured: s.captured,
      reason: s.reason ?? null,
      ch1: s.ch1,
      ch2: s.ch2,
    })),
  };
}
