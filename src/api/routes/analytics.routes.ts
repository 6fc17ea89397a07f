import { conversationDetailsQuerySchema } from '../../domain/query/conversation-details.js';
import type { ConversationDetail } from '../../services/conversation-details.service.js';
import { iso } from '../query.js';
import { route } from '../route.js';

/**
 * Interaction search as the reference's AnalyticsApi.postAnalyticsConversationsDetailsQuery
 * (docs/search.md): who may see what is decided by the service, so every signed-in principal
 * may ask.
 */

export const analyticsRoutes = [
  route({
    method: 'POST',
    url: '/api/v2/analytics/conversations/details/query',
    summary: 'Search conversations: interval, conversation and segment filters, order, paging (page numbers or a keyset cursor)',
    tags: ['search'],
    access: 'authenticated',
    body: conversationDetailsQuerySchema,
    async handler({ body, principal, services }) {
      const result = await services.conversationDetails.search(principal, body);
      return {
        conversations: result.conversations.map(renderConversation),
        ...(result.totalHits !== undefined ? { totalHits: result.totalHits } : {}),
        ...(result.cursor ? { cursor: result.cursor } : {}),
      };
    },
  }),
];

/**
 * A conversation in the reference's AnalyticsConversationWithoutAttributes shape, built from
 * what Capstan keeps of it: a participant per user (with their wrap-up) and one `acd`
 * participant per queue, each with one voice session. `capstan` sums the row up for the UI.
 */
function renderConversation(c: ConversationDetail) {
  const recorded = Object.keys(c.recordingsByKind).length > 0;
  const session = (segments: object[]) => ({
    mediaType: 'voice',
    ...(c.direction ? { direction: c.direction } : {}),
    ...(c.ani ? { ani: c.ani, addressFrom: c.ani } : {}),
    ...(c.dnis ? { dnis: c.dnis, addressTo: c.dnis } : {}),
    recording: recorded,
    segments,
  });
  const wrapupSegments = (userId: string) => c.wrapups.filter((w) => w.userId === userId).map((w) => ({ segmentType: 'wrapup', wrapUpCode: w.code }));
  const conversationEnd = iso(c.endedAtMs);
  const users = c.users.map((u) => {
    const wrapup = c.wrapups.find((w) => w.userId === u.userId);
    return {
      ...(wrapup ? { participantId: wrapup.participantId } : {}),
      ...(u.name ? { participantName: u.name } : {}),
      purpose: u.purpose,
      userId: u.userId,
      sessions: [session([{ segmentStart: iso(u.firstAtMs), ...(conversationEnd ? { segmentEnd: conversationEnd } : {}), segmentType: 'interact' }, ...wrapupSegments(u.userId)])],
    };
  });
  const queues = c.queues.map((q) => ({
    participantName: q.name ?? q.queueId,
    purpose: 'acd',
    sessions: [session([{ segmentStart: iso(c.startedAtMs), segmentType: 'interact', queueId: q.queueId }])],
  }));
  const unattended = c.wrapups.filter((w) => w.userId === null).map((w) => ({ participantId: w.participantId, sessions: [session([{ segmentType: 'wrapup', wrapUpCode: w.code }])] }));
  return {
    conversationId: c.id,
    conversationStart: iso(c.startedAtMs),
    ...(conversationEnd ? { conversationEnd } : {}),
    ...(c.direction ? { originatingDirection: c.direction } : {}),
    participants: [...users, ...queues, ...unattended],
    capstan: {
      durationMs: c.durationMs,
      direction: c.direction,
      ani: c.ani,
      dnis: c.dnis,
      users: c.users.map((u) => ({ id: u.userId, name: u.name, purpose: u.purpose })),
      queues: c.queues.map((q) => ({ id: q.queueId, name: q.name })),
      wrapUpCodes: [...new Set(c.wrapups.map((w) => w.code))],
      recorded,
      recordingKinds: Object.keys(c.recordingsByKind),
      recordingCount: Object.values(c.recordingsByKind).reduce((a, b) => a + b, 0),
    },
  };
}
