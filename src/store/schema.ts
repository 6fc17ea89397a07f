import type { ColumnType } from 'kysely';
import type { RetentionTables } from './retention.schema.js';

/**
 * Table types for Kysely. Conventions shared by both dialects: instants are epoch milliseconds in
 * bigint columns (`*_at`, `*_ms`), booleans are 0/1 integers, structured values are JSON text.
 * Every table carries `org_id` (tenancy, DESIGN section 6).
 */

type Json = string;
type Flag = number;

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  org_id: string;
  id: string;
  name: string;
  email: string | null;
  station_id: string | null;
  external_partner: Flag;
  screen_recording: Flag;
  /** Sign-in name, lower case; null for users who never sign in (known only to telephony). */
  username: string | null;
  /** scrypt hash (src/crypto/secrets.ts); null = no password sign-in. */
  password_hash: string | null;
  active: ColumnType<Flag, Flag | undefined, Flag>;
  created_at: number;
  updated_at: number;
}

/** Trunks, stations, flows and queues: small documents validated by domain/telephony. */
export interface TelephonyConfigTable {
  org_id: string;
  kind: 'trunks' | 'stations' | 'flows' | 'queues';
  id: string;
  name: string;
  data: Json;
  updated_at: number;
}

export interface RecordingSettingsTable {
  org_id: string;
  data: Json;
  updated_at: number;
}

export interface ConversationsTable {
  org_id: string;
  id: string;
  direction: string | null;
  trunk_id: string | null;
  ani: string | null;
  dnis: string | null;
  region: string | null;
  started_at: number | null;
  ended_at: number | null;
  /** Newest instant of any event of the conversation. */
  last_event_at: number | null;
  /** Newest instant the conversation's audio has reached (set by the media pipeline). */
  media_high_water_at: number | null;
  /** From start to end, once ended. */
  duration_ms: number | null;
  event_count: number;
  created_at: number;
  updated_at: number;
}

export interface ConversationUsersTable {
  org_id: string;
  conversation_id: string;
  user_id: string;
  /** agent, user, customer (an internal caller), monitor, coach or barge. */
  purpose: string;
  first_at: number;
}

export interface ConversationQueuesTable {
  org_id: string;
  conversation_id: string;
  queue_id: string;
}

export interface ConversationWrapupsTable {
  org_id: string;
  conversation_id: string;
  participant_id: string;
  user_id: string | null;
  code: string;
}

export interface ConversationEventsTable {
  org_id: string;
  conversation_id: string;
  event_id: string;
  /** Arrival order within the conversation. */
  seq: number;
  at_ms: number;
  type: string;
  body: Json;
  received_at: number;
}

export interface RecordingsTable {
  id: string;
  org_id: string;
  conversation_id: string;
  /** The capture plan's key, e.g. `trunk:p1`. */
  plan_key: string;
  kind: string;
  participant_id: string;
  user_id: string | null;
  file_role: string;
  channels: Json;
  audio: Json | null;
  region: string | null;
  /** Plan status: active, stopped or discarded. */
  status: string;
  discard_reason: string | null;
  spans: Json;
  started_at: number;
  stopped_at: number | null;
  created_at: number;
  updated_at: number;
  /** PENDING (no audio written yet), RECORDING, AVAILABLE, DELETED (discarded by the plan), ERROR. */
  media_state: ColumnType<string, string | undefined, string>;
  /** 1 when the recording was cut short (crash, shutdown) rather than finished by the plan. */
  partial: ColumnType<Flag, Flag | undefined, Flag>;
  blob_key: string | null;
  key_id: string | null;
  media_format: string | null;
  media_channels: number | null;
  media_sample_rate: number | null;
  /** Plaintext bytes of the stored body (samples or Ogg pages, no WAV header). */
  body_bytes: number | null;
  /** Bytes of the encrypted object. */
  size_bytes: number | null;
  duration_ms: number | null;
  health: Json | null;
  media_updated_at: number | null;
}

export interface AnnotationsTable {
  id: string;
  org_id: string;
  recording_id: string;
  type: string;
  name: string | null;
  reason: string | null;
  /** Position and length in recording time (after cuts), milliseconds. */
  location_ms: number;
  duration_ms: number;
  /** Position and length in real (conversation) time, milliseconds from the recording's start. */
  realtime_location_ms: number;
  realtime_duration_ms: number;
  user_id: string | null;
  description: string | null;
  /** 1 for annotations derived from the capture plan (cuts, recorded holds). */
  system: ColumnType<Flag, Flag | undefined, Flag>;
  created_at: number;
  updated_at: ColumnType<number, number, number>;
}

export interface RolesTable {
  org_id: string;
  id: string;
  name: string;
  description: string;
  permissions: Json;
  queue_scopes: Json;
  built_in: Flag;
  created_at: number;
  updated_at: number;
}

export interface UserRolesTable {
  org_id: string;
  user_id: string;
  role_id: string;
}

export interface ApiClientsTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  secret_digest: string;
  state: 'active' | 'disabled';
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface ClientRolesTable {
  org_id: string;
  client_id: string;
  role_id: string;
}

/** Web sessions (cookie) and API access tokens (bearer), by the SHA-256 of the token. */
export interface AuthTokensTable {
  digest: string;
  org_id: string;
  kind: 'session' | 'bearer';
  user_id: string | null;
  client_id: string | null;
  remote_ip: string | null;
  created_at: number;
  expires_at: number;
}

/** Failed sign-ins per username and per address, for throttling. */
export interface SigninFailuresTable {
  key: string;
  failures: number;
  first_at: number;
  locked_until: number | null;
}

export interface EvaluationsTable {
  org_id: string;
  id: string;
  conversation_id: string;
  evaluator_user_id: string;
  agent_user_id: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface AuditEventsTable {
  org_id: string;
  /** Position in the organization's hash chain, from 1. */
  seq: number;
  id: string;
  event_date: number;
  service_name: string;
  level: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  entity_name: string | null;
  status: string;
  user_id: string | null;
  client_id: string | null;
  actor_name: string | null;
  remote_ip: string | null;
  message: string | null;
  property_changes: Json;
  context: Json;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadsTable {
  org_id: string;
  seq: number;
  hash: string;
}

export interface Database extends RetentionTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  telephony_config: TelephonyConfigTable;
  recording_settings: RecordingSettingsTable;
  conversations: ConversationsTable;
  conversation_events: ConversationEventsTable;
  conversation_users: ConversationUsersTable;
  conversation_queues: ConversationQueuesTable;
  conversation_wrapups: ConversationWrapupsTable;
  recordings: RecordingsTable;
  annotations: AnnotationsTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  api_clients: ApiClientsTable;
  client_roles: ClientRolesTable;
  auth_tokens: AuthTokensTable;
  signin_failures: SigninFailuresTable;
  evaluations: EvaluationsTable;
  audit_events: AuditEventsTable;
  audit_heads: AuditHeadsTable;
}
