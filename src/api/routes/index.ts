import { openApiDocument } from '../openapi.js';
import { route, type AnyRoute } from '../route.js';
import { analyticsRoutes } from './analytics.routes.js';
import { auditRoutes } from './audit.routes.js';
import { authRoutes } from './auth.routes.js';
import { configRoutes } from './config.routes.js';
import { connectorRoutes } from './connectors.routes.js';
import { conversationRoutes } from './conversations.routes.js';
import { deletionProtectionRoutes } from './deletion-protection.routes.js';
import { evaluationRoutes } from './evaluations.routes.js';
import { healthRoutes } from './health.routes.js';
import { clientRoutes, roleRoutes, userRoutes } from './identity.routes.js';
import { integrationRoutes } from './integrations.routes.js';
import { metricsRoutes } from './metrics.routes.js';
import { recordingJobRoutes } from './recording-jobs.routes.js';
import { recordingRetentionRoutes } from './recording-retention.routes.js';
import { recordingSettingsRoutes } from './recording-settings.routes.js';
import { recordingUpdateRoutes } from './recording-updates.routes.js';
import { recordingRoutes } from './recordings.routes.js';
import { retentionPolicyRoutes } from './retention-policies.routes.js';

const VERSION = '0.1.0';

/** Every HTTP route of Capstan. */
export const ROUTES: readonly AnyRoute[] = [
  ...healthRoutes,
  ...conversationRoutes,
  ...configRoutes,
  ...connectorRoutes,
  ...authRoutes,
  ...userRoutes,
  ...roleRoutes,
  ...clientRoutes,
  ...evaluationRoutes,
  ...auditRoutes,
  ...recordingRoutes,
  ...metricsRoutes,
  ...recordingUpdateRoutes,
  ...retentionPolicyRoutes,
  ...recordingJobRoutes,
  ...recordingSettingsRoutes,
  ...deletionProtectionRoutes,
  ...recordingRetentionRoutes,
  ...integrationRoutes,
  ...analyticsRoutes,
  route({
    method: 'GET',
    url: '/openapi.json',
    summary: 'This API, as OpenAPI 3.1',
    tags: ['operations'],
    access: 'public',
    async handler() {
      return openApiDocument(ROUTES, VERSION);
    },
  }),
];
