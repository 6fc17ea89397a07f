import { z } from 'zod';
import { notFound } from '../errors.js';
import { iso } from '../query.js';
import { route } from '../route.js';

/** "Why will this recording be deleted on that date?": its lifecycle and the decision behind it. */

const VIEW = ['recording:recording:view', 'recording:recordingSegment:view', 'recording:snippetRecording:view', 'recording:screenRecording:view'];

export const recordingRetentionRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/capstan/recordings/:recordingId/retention',
    summary: 'A recording\'s retention: its dates, where its media is, whether it is protected, and which policies decided it and why',
    tags: ['retention'],
    access: { anyOf: VIEW },
    params: z.object({ recordingId: z.string().min(1).max(128) }),
    async handler({ params, principal, services }) {
      const r = await services.retention.retention.explain(principal.orgId, params.recordingId);
      if (!r) throw notFound('retention decision of recording', params.recordingId);
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
