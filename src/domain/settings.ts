import { z } from 'zod';

/**
 * Organization recording settings, with the reference API's field names (RecordingSettings) and
 * Capstan's additions for what the seeds configure in the Recording Management UI.
 */
export const recordingSettingsSchema = z.object({
  /** Maximum simultaneous screen recordings; 0 = new screen recordings do not start. */
  maxSimultaneousStreams: z.number().int().min(0).max(2000).default(100),
  /** Upper bound for maxSimultaneousStreams (server controlled). */
  maxConfigurableScreenRecordingStreams: z.number().int().min(0).max(2000).default(2000),
  /** Store call recordings in the media region of their trunk or station instead of the home region. */
  regionalRecordingStorageEnabled: z.boolean().default(false),
  /** Minutes a playback URL stays valid. */
  recordingPlaybackUrlTtl: z.number().int().min(2).max(60).default(60),
  /** Minutes a batch download URL stays valid. */
  recordingBatchDownloadUrlTtl: z.number().int().min(2).max(60).default(60),
  stopRecordingWhenOnlyExternalParticipants: z.boolean().default(false),
  /** "The default retention period of the snippet recording can be configured", in days. */
  snippetRetentionDays: z.number().int().min(1).max(36_500).default(90),
  /** The org's maximum interaction data retention, in days; unset = no maximum. */
  maxInteractionRetentionDays: z.number().int().min(1).max(36_500).nullable().default(null),
});

export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;

export const DEFAULT_RECORDING_SETTINGS: RecordingSettings = recordingSettingsSchema.parse({});
