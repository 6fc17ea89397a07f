import { z } from 'zod';
import type { RecordingSettings } from '../../domain/settings.js';
import { settingsUpdateSchema } from '../../services/settings.service.js';
import { notFound } from '../errors.js';
import { queryBoolean } from '../query.js';
import { callerOf, route } from '../route.js';

/** Organization recording settings, as the reference API (RecordingApi …/recording/settings). */

const render = (s: RecordingSettings) => ({ ...s, selfUri: '/api/v2/recording/settings' });

export const recordingSettingsRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/recording/settings',
    summary: 'Recording settings; createDefault=true saves and returns the defaults when none exist',
    tags: ['recording settings'],
    access: 'authenticated',
    query: z.object({ createDefault: queryBoolean.default(false) }),
    async handler({ query, principal, services }) {
      const settings = await services.retention.settings.get(principal.orgId, query.createDefault);
      if (!settings) throw notFound('recording settings of organization', principal.orgId);
      return render(settings);
    },
  }),

  route({
    method: 'PUT',
    url: '/api/v2/recording/settings',
    summary: 'Change recording settings (the fields given); a maximum retention, once set, caps every recording',
    tags: ['recording settings'],
    access: {
      anyOf: [
        'recording:settings:editScreenRecordings',
        'recording:settings:editRegionalStorage',
        'recording:settings:editUrlExpiration',
        'recording:settings:editConferenceRecording',
        'recording:settings:editHierarchyAccessControl',
        'recording:settings:editRetention',
      ],
    },
    body: settingsUpdateSchema,
    async handler(ctx) {
      return render(await ctx.services.retention.settings.update(callerOf(ctx), ctx.body));
    },
  }),
];
