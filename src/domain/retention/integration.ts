import { z } from 'zod';

/**
 * Export integrations: where policies (`integrationExport`) and EXPORT bulk jobs copy recordings,
 * an S3-compatible bucket. Objects follow the reference's layout:
 * `{prefix}{orgId}/year=YYYY/month=MM/day=DD/hour=HH/conversation_id={cid}/{recordingId}` with
 * `{recordingId}_metadata.json` beside it (date parts of the conversation's start, UTC).
 */

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const s3IntegrationSchema = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.literal('s3').default('s3'),
  bucket: z.string().regex(BUCKET, 'must be an S3 bucket name: 3–63 lower-case letters, digits, dots and hyphens'),
  region: z.string().min(1).max(64).default('us-east-1'),
  /** An S3-compatible endpoint (MinIO, Ceph, …); AWS when absent. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  forcePathStyle: z.boolean().default(false),
  /** Prepended to every key, e.g. `recordings/`. */
  prefix: z
    .string()
    .max(256)
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'a key prefix of safe segments, each ending in /')
    .default(''),
  /** Static credentials; when absent the AWS SDK's default chain (environment, instance role) is used. */
  accessKeyId: z.string().min(1).max(256).optional(),
  secretAccessKey: z.string().min(1).max(256).optional(),
});

export type S3Integration = z.infer<typeof s3IntegrationSchema>;

const pad = (n: number) => String(n).padStart(2, '0');

/** Object key of an exported recording (without the bucket); the metadata JSON is `${key}_metadata.json`. */
export function exportKey(integration: Pick<S3Integration, 'prefix'>, orgId: string, conversationId: string, conversationStartMs: number, recordingId: string): string {
  const d = new Date(conversationStartMs);
  const parts = [`year=${d.getUTCFullYear()}`, `month=${pad(d.getUTCMonth() + 1)}`, `day=${pad(d.getUTCDate())}`, `hour=${pad(d.getUTCHours())}`];
  return `${integration.prefix}${orgId}/${parts.join('/')}/conversation_id=${conversationId}/${recordingId}`;
}
