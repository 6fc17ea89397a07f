import { z } from 'zod';
import { notFound } from '../errors.js';
import { iso } from '../query.js';
import { callerOf, route } from '../route.js';

/** "Why will this recording be deleted on that date?": its lifecycle and the decision behind it. */

export const recordingRetentionRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/capstan/recordings/:recordingId/retention',
    summary: 'A recording\'s retention: its dates, where its media is, whether it is protected, and which policies decided it and why',
    tags: ['retention'],
    // Decided per recording, as the recordings themselves: whoever may view the recording may ask.
    access: 'authenticated',
    params: z.object({ recordingId: z.string().min(1).max(128) }),
    async handler(ctx) {
      const { params, principal, services } = ctx;
      const r = await services.retention.retention.explain(principal.orgId, params.recordingId);
      const found = r && (await services.recordings.get(principal.orgId, r.conversationId, r.recordingId));
      if (!r || !found) throw notFound('retention decision of recording', params.recordingId);
      await services.access.authorizeRecording(callerOf(ctx), found.row, 'View');
      const d = r.decision;
      return {
        recordingId: r.recordingId,
        conversationId: r.conversationId,
        fileState: r.fileState === 'DELETING' ? 'DELETED' : r.fileState,
        archiveDate: iso(r.archiveAtMs),
        deleteDate: iso(r.deleteAtMs),
        exportDate: iso(r.exportAtMs),
        exportedDate: iso(r.exportedAtMs),
        restoreExpirationTime: iso(r.restoreUntilMs),
        protected: r.protected,
        evaluatedDate: iso(r.evaluatedAtMs),
        ...(r.lastError ? { lastError: r.lastError, attempts: r.attempts } : {}),
        decision: d && {
          rule: d.rule,
          winningPolicyId: d.winningPolicyId,
          caps: d.caps,
          matchedPolicies: d.matched.map((m) => ({ id: m.policyId, name: m.name, reasons: m.reasons, retention: m.retention, selfUri: `/api/v2/recording/mediaretentionpolicies/${m.policyId}` })),
          notYetEnabledPolicies: d.notYetEnabled.map((p) => ({ id: p.policyId, name: p.name, enabledDate: iso(p.enabledAtMs) })),
          evaluations: d.evaluations,
          explanation: d.explanation,
        },
      };
    },
  }),
];
