/**
 * Tables of retention policies, the recording lifecycle, protection, bulk jobs, the job queue and
 * export integrations (migration 0300). Same conventions as schema.ts: instants are
 * epoch milliseconds, flags 0/1, structured values JSON text, every row carries `org_id`.
 */

type Json = string;
type Flag = number;

export interface RetentionPoliciesTable {
  org_id: string;
  id: string;
  name: string;
  /** Lower-cased name: names are unique per organization regardless of case. */
  name_key: string;
  enabled: Flag;
  /** When the policy was last switched on; it applies to conversations that start from then on. */
  enabled_at: number | null;
  order_no: number | null;
  /** The validated definition (PolicyInput). */
  definition: Json;
  created_at: number;
  modified_at: number;
}

/** One row per evaluated recording: its dates, where its media is, and the decision that set them. */
export interface RecordingLifecycleTable {
  recording_id: string;
  org_id: string;
  conversation_id: string;
  kind: string;
  started_at: number;
  /** AVAILABLE, ARCHIVED, RESTORING, RESTORED or DELETED. */
  file_state: string;
  archive_at: number | null;
  delete_at: number | null;
  export_at: number | null;
  exported_at: number | null;
  export_integration_id: string | null;
  restore_until: number | null;
  /** The conversation is protected from deletion (copied from conversation_protection). */
  protected: Flag;
  /** When the scheduler must look at this row next; null when nothing is pending. */
  due_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  attempts: number;
  last_error: string | null;
  /** The RetentionDecision, for "why will this be deleted on that date?". */
  decision: Json | null;
  evaluated_at: number;
  updated_at: number;
}

export interface ConversationProtectionTable {
  org_id: string;
  conversation_id: string;
  protected_at: number;
  protected_by: string;
}

/** The durable job queue (store/sql-job-queue.ts). */
export interface JobsTable {
  id: string;
  queue: string;
  /** Unique per queue: enqueueing an existing key schedules that job again. */
  key: string;
  org_id: string | null;
  payload: Json;
  /** queued, active, done or failed. */
  state: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface RecordingJobsTable {
  id: string;
  org_id: string;
  /** Who created the job (and alone may run it). */
  created_by: string;
  created_by_name: string;
  action: string;
  state: string;
  /** The RecordingJobsQuery as accepted. */
  query: Json;
  total_conversations: number;
  total_recordings: number;
  total_skipped: number;
  total_failed: number;
  total_processed: number;
  error_message: string | null;
  /** Keyset position of the last conversation processed, so that a restarted run resumes there. */
  progress_cursor: string | null;
  created_at: number;
  updated_at: number;
}

export interface RecordingJobFailuresTable {
  job_id: string;
  recording_id: string;
  conversation_id: string;
  error_code: string;
  message: string;
}

/** Export destinations (S3-compatible buckets) that policies and bulk jobs name by id. */
export interface IntegrationsTable {
  org_id: string;
  id: string;
  name: string;
  type: string;
  config: Json;
  created_at: number;
  updated_at: number;
}

export interface RetentionTables {
  retention_policies: RetentionPoliciesTable;
  recording_lifecycle: RecordingLifecycleTable;
  conversation_protection: ConversationProtectionTable;
  jobs: JobsTable;
  recording_jobs: RecordingJobsTable;
  recording_job_failures: RecordingJobFailuresTable;
  integrations: IntegrationsTable;
}
