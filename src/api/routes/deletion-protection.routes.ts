import { z } from 'zod';
import { hasPermission } from '../../domain/access/principal.js';
import { forbidden } from '../errors.js';
import { queryBoolean } from '../query.js';
import { callerOf, route } from '../route.js';

/** Protection from deletion (legal hold), as the reference API (RecordingApi …/recordings/deletionprotection). */

const body = z.object({ conversationIds: z.array(z.string().min(1).max(128)).min(1).max(100) });
const conversationRef = (id: string) => ({ id, selfUri: `/api/v2/conversations/${id}` });

export const deletionProtectionRoutes = [
  route({
    method: 'PUT',
    url: '/api/v2/recordings/deletionprotection',
    summary: 'Protect (protect=true, the default) or unprotect the recordings of up to 100 conversations',
    tags: ['deletion protection'],
    access: { anyOf: ['recording:deletionProtection:apply', 'recording:deletionProtection:revoke'] },
    query: z.object({ protect: queryBoolean.default(true) }),
    body,
    async handler(ctx) {
      const permission = ctx.query.protect ? 'recording:deletionProtection:apply' : 'recording:deletionProtection:revoke';
      if (!hasPermission(ctx.principal, permission)) throw forbidden([permission]);
      const failures = await ctx.services.retention.protection.set(callerOf(ctx), ctx.body.conversationIds, ctx.query.protect);
      return {
        failedUpdates: failures.map((f) => ({ conversation: conversationRef(f.conversationId), errorMessage: f.errorMessage, errorCode: f.errorCode })),
      };
    },
  }),

  route({
    method: 'POST',
    url: '/api/v2/recordings/deletionprotection',
    summary: 'Which of up to 100 conversations are protected from deletion',
    tags: ['deletion protection'],
    access: { anyOf: ['recording:deletionProtection:apply', 'recording:deletionProtection:revoke', 'recording:recording:view'] },
    body,
    async handler({ body: query, principal, services }) {
      return (await services.retention.protection.query(principal.orgId, query.conversationIds)).map(conversationRef);
    },
  }),
];
