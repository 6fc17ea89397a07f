import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { clientIdSchema, clientSecretSchema, passwordSchema, usernameSchema } from '../domain/access/accounts.js';

/**
 * Capstan's configuration: environment variables, optionally layered over a file named by
 * CAPSTAN_CONFIG_FILE (JSON or YAML, same keys as the environment). Validated once at start-up;
 * the result is frozen. docs/configuration.md lists every key.
 */

const ROLES = ['api', 'ingest', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const entityId = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** A JSON list in the environment, or a list in the configuration file. */
const jsonList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, z.array(item).default([]));
const addressList = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,2})?$/, 'must be an IP address or an IPv4 CIDR block')));
const portRange = z
  .string()
  .default('')
  .transform((v, ctx) => {
    if (v.trim() === '') return { min: 0, max: 0 };
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(v.trim());
    if (!m || Number(m[1]) < 1024 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) {
      ctx.addIssue({ code: 'custom', message: 'must be a range like 20000-29999 (1024–65535)' });
      return z.NEVER;
    }
    return { min: Number(m[1]), max: Number(m[2]) };
  });

const audiohookCredential = z.object({
  orgId: entityId,
  apiKey: z.string().min(1).max(256),
  clientSecret: base64.default(''),
  trunkId: entityId.optional(),
  region: z.string().min(1).max(32).optional(),
});

/** Connector keys (docs/configuration.md, "Connectors"). */
const connectorKeys = {
  CAPSTAN_AUDIOHOOK_API_KEY: optionalString,
  CAPSTAN_AUDIOHOOK_CLIENT_SECRET: optionalString.pipe(base64.optional()),
  CAPSTAN_AUDIOHOOK_CREDENTIALS: jsonList(audiohookCredential),
  CAPSTAN_AUDIOHOOK_TRUNK_ID: entityId.default('audiohook'),
  CAPSTAN_AUDIOHOOK_REGION: optionalString,
  CAPSTAN_AUDIOHOOK_AUTH_FAILURE_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(500),
  CAPSTAN_AUDIOHOOK_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  CAPSTAN_SIPREC_PORT: port(5060),
  CAPSTAN_SIPREC_HOST: optionalString,
  CAPSTAN_SIPREC_TLS_PORT: port(0),
  CAPSTAN_SIPREC_TLS_CERT: optionalString,
  CAPSTAN_SIPREC_TLS_KEY: optionalString,
  CAPSTAN_SIPREC_MEDIA_ADDRESS: optionalString,
  CAPSTAN_SIPREC_RTP_PORTS: portRange,
  CAPSTAN_SIPREC_ALLOWED_SOURCES: addressList,
  CAPSTAN_SIPREC_MAX_SESSIONS: z.coerce.number().int().min(1).max(100_000).default(500),
  CAPSTAN_SIPREC_IDLE_TIMEOUT_S: z.coerce.number().int().min(5).max(86_400).default(120),
  CAPSTAN_SIPREC_ORG_ID: entityId.default('default'),
  CAPSTAN_SIPREC_TRUNK_ID: entityId.default('siprec'),
  CAPSTAN_SIPREC_REGION: optionalString,
  CAPSTAN_TWILIO_AUTH_TOKEN: optionalString,
  CAPSTAN_TWILIO_ORG_ID: entityId.default('default'),
  CAPSTAN_TWILIO_TRUNK_ID: entityId.default('twilio'),
  CAPSTAN_TWILIO_REGION: optionalString,
};
/** An object key prefix: empty, or safe segments each ending in `/`. */
const keyPrefix = z
  .string()
  .regex(/^([A-Za-z0-9_][A-Za-z0-9._-]*\/)*$/, 'must be empty or segments of letters, digits, . _ - each ending in /')
  .default('');

/** Where a tier of media is kept: a local folder, or a bucket of an S3-compatible store. */
export type BlobStoreSpec =
  | { readonly kind: 'local'; readonly root: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly region: string; readonly endpoint?: string; readonly forcePathStyle: boolean };

const schema = z
  .object({
    CAPSTAN_PORT: port(8080),
    CAPSTAN_HOST: z.string().min(1).default('0.0.0.0'),
    CAPSTAN_PUBLIC_URL: optionalString,
    CAPSTAN_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a postgres:// or postgresql:// URL (leave unset for the embedded SQLite database)',
    }),
    CAPSTAN_ROLES: z
      .string()
      .default(ROLES.join(','))
      .transform((v, ctx) => {
        const roles = v.split(',').map((r) => r.trim()).filter(Boolean);
        for (const role of roles) {
          if (!(ROLES as readonly string[]).includes(role)) {
            ctx.addIssue({ code: 'custom', message: `unknown role "${role}" (expected some of ${ROLES.join(', ')})` });
          }
        }
        if (roles.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one role is required' });
        return [...new Set(roles)] as Role[];
      }),
    CAPSTAN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    CAPSTAN_EVENT_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
    CAPSTAN_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
    CAPSTAN_WORKER_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
    CAPSTAN_WORKER_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    CAPSTAN_LIFECYCLE_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
    CAPSTAN_LIFECYCLE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    CAPSTAN_RETENTION_WRAPUP_WAIT_MS: z.coerce.number().int().min(0).max(86_400_000).default(900_000),
    CAPSTAN_PROTECTION_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    CAPSTAN_JOB_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
    CAPSTAN_ARCHIVE_DIR: optionalString,
    CAPSTAN_MEDIA_S3_BUCKET: optionalString,
    CAPSTAN_MEDIA_S3_PREFIX: keyPrefix,
    CAPSTAN_ARCHIVE_S3_BUCKET: optionalString,
    CAPSTAN_ARCHIVE_S3_PREFIX: keyPrefix,
    CAPSTAN_S3_ENDPOINT: optionalString.refine((v) => v === undefined || /^https?:\/\//.test(v), { message: 'must be an http:// or https:// URL' }),
    CAPSTAN_S3_REGION: z.string().min(1).default('us-east-1'),
    CAPSTAN_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    CAPSTAN_MEDIA_FLUSH_MS: z.coerce.number().int().min(200).max(60_000).default(5000),
    CAPSTAN_MEDIA_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
    CAPSTAN_DEMO: z.enum(['auto', 'off']).default('auto'),
    CAPSTAN_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    CAPSTAN_SESSION_TTL_MINUTES: z.coerce.number().int().min(5).max(60 * 24 * 30).default(720),
    CAPSTAN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(60 * 60 * 24 * 7).default(86_399),
    CAPSTAN_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    CAPSTAN_SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
    CAPSTAN_ADMIN_CLIENT_ID: optionalString.pipe(clientIdSchema.optional()),
    CAPSTAN_ADMIN_CLIENT_SECRET: optionalString.pipe(clientSecretSchema.optional()),
    CAPSTAN_ADMIN_USER: optionalString.pipe(usernameSchema.optional()),
    CAPSTAN_ADMIN_PASSWORD: optionalString.pipe(passwordSchema.optional()),
    ...connectorKeys,
  })
  .superRefine((c, ctx) => {
    const pairs = [
      ['CAPSTAN_ADMIN_CLIENT_ID', 'CAPSTAN_ADMIN_CLIENT_SECRET'],
      ['CAPSTAN_ADMIN_USER', 'CAPSTAN_ADMIN_PASSWORD'],
    ] as const;
    for (const [a, b] of pairs) {
      if ((c[a] === undefined) !== (c[b] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [c[a] === undefined ? a : b], message: `set together with ${c[a] === undefined ? b : a}, or neither` });
      }
    }
  });

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Base URL clients use to reach this server (used in printed banners and absolute links). */
  readonly publicUrl: string | undefined;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly roles: readonly Role[];
  readonly logLevel: string;
  /** How far behind a conversation's newest event or audio an event may arrive and still be ordered in. */
  readonly eventWindowMs: number;
  readonly shutdownTimeoutMs: number;
  readonly worker: {
    /** Longest sleep between passes when nothing is due. */
    readonly pollMs: number;
    /** How long claimed work stays with one worker before another may take it over. */
    readonly leaseMs: number;
  };
  readonly retention: {
    /** Recordings the lifecycle scheduler takes per batch. */
    readonly lifecycleBatch: number;
    /** Media actions (archive, restore, delete, export) in flight at once per worker. */
    readonly lifecycleConcurrency: number;
    /** How long policy evaluation waits for agents still in after-call work. */
    readonly wrapupWaitMs: number;
    /** Conversations an organization may protect from deletion. */
    readonly protectionLimit: number;
    /** Conversations a bulk job handles per committed batch. */
    readonly jobBatch: number;
  };
  readonly storage: {
    /** The hot tier: recordings as they are written and played. */
    readonly media: BlobStoreSpec;
    /** The archive tier retention policies and ARCHIVE jobs move recordings to. */
    readonly archive: BlobStoreSpec;
  };
  /** How long a partial tail of a live recording may wait in memory before it is written (what a crash can lose). */
  readonly mediaFlushMs: number;
  /** Largest WebSocket message the media endpoints accept. */
  readonly mediaMaxMessageBytes: number;
  /** `auto`: the first start of an empty install seeds a demo organization and records a few calls. */
  readonly demo: 'auto' | 'off';
  /** Trust X-Forwarded-For/-Proto from a proxy in front (for the audited client address and secure cookies). */
  readonly trustProxy: boolean;
  readonly sessionTtlMs: number;
  readonly tokenTtlMs: number;
  readonly signIn: { readonly maxFailures: number; readonly lockMs: number };
  /** Bootstrap for automation (DESIGN section 11): an admin API client and an admin web user that exist after start-up. */
  readonly adminClient: { readonly id: string; readonly secret: string } | undefined;
  readonly adminUser: { readonly username: string; readonly password: string } | undefined;
  readonly connectors: ConnectorsConfig;
}

export interface AudioHookCredential {
  readonly orgId: string;
  readonly apiKey: string;
  /** Base64; empty means the key is accepted without a signature. */
  readonly clientSecret: string;
  readonly trunkId: string;
  readonly region: string | undefined;
}

export interface ConnectorsConfig {
  readonly audiohook: {
    /** Empty: the connector refuses every session. */
    readonly credentials: readonly AudioHookCredential[];
    readonly authFailureDelayMs: number;
    readonly reconnectGraceMs: number;
  };
  readonly siprec: {
    /** 0: SIPREC is off. */
    readonly port: number;
    readonly host: string;
    readonly tls: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
    readonly mediaAddress: string | undefined;
    readonly rtpPorts: { readonly min: number; readonly max: number };
    readonly allowedSources: readonly string[];
    readonly maxSessions: number;
    readonly idleTimeoutMs: number;
    readonly orgId: string;
    readonly trunkId: string;
    readonly region: string | undefined;
  };
  readonly twilio: {
    /** Unset: the connector refuses every stream. */
    readonly authToken: string | undefined;
    readonly orgId: string;
    readonly trunkId: string;
    readonly region: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, unknown>;

function readFileSource(file: string): Source {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`CAPSTAN_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`]);
  }
  try {
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('expected a mapping of configuration keys to values');
    }
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'object' ? v : String(v)]));
  } catch (err) {
    throw new ConfigError([`CAPSTAN_CONFIG_FILE: ${file} is not valid: ${(err as Error).message}`]);
  }
}

/** Builds the configuration from the environment (and the optional file); throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.CAPSTAN_CONFIG_FILE ? readFileSource(env.CAPSTAN_CONFIG_FILE) : {};
  const merged: Source = { ...fromFile };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const c = result.data;
  const dataDir = path.resolve(c.CAPSTAN_DATA_DIR);
  const blobStoreSpec = (bucket: string | undefined, prefix: string, root: string): BlobStoreSpec =>
    bucket
      ? Object.freeze({ kind: 's3', bucket, prefix, region: c.CAPSTAN_S3_REGION, endpoint: c.CAPSTAN_S3_ENDPOINT, forcePathStyle: c.CAPSTAN_S3_FORCE_PATH_STYLE === 'true' })
      : Object.freeze({ kind: 'local', root });
  return Object.freeze({
    port: c.CAPSTAN_PORT,
    host: c.CAPSTAN_HOST,
    publicUrl: c.CAPSTAN_PUBLIC_URL,
    dataDir,
    databaseUrl: c.DATABASE_URL,
    roles: Object.freeze(c.CAPSTAN_ROLES),
    logLevel: c.CAPSTAN_LOG_LEVEL,
    eventWindowMs: c.CAPSTAN_EVENT_WINDOW_MS,
    shutdownTimeoutMs: c.CAPSTAN_SHUTDOWN_TIMEOUT_MS,
    connectors: connectorsConfig(c),
    worker: Object.freeze({ pollMs: c.CAPSTAN_WORKER_POLL_MS, leaseMs: c.CAPSTAN_WORKER_LEASE_MS }),
    retention: Object.freeze({
      lifecycleBatch: c.CAPSTAN_LIFECYCLE_BATCH,
      lifecycleConcurrency: c.CAPSTAN_LIFECYCLE_CONCURRENCY,
      wrapupWaitMs: c.CAPSTAN_RETENTION_WRAPUP_WAIT_MS,
      protectionLimit: c.CAPSTAN_PROTECTION_LIMIT,
      jobBatch: c.CAPSTAN_JOB_BATCH,
    }),
    storage: Object.freeze({
      media: blobStoreSpec(c.CAPSTAN_MEDIA_S3_BUCKET, c.CAPSTAN_MEDIA_S3_PREFIX, path.join(dataDir, 'media')),
      archive: blobStoreSpec(c.CAPSTAN_ARCHIVE_S3_BUCKET, c.CAPSTAN_ARCHIVE_S3_PREFIX, c.CAPSTAN_ARCHIVE_DIR ? path.resolve(c.CAPSTAN_ARCHIVE_DIR) : path.join(dataDir, 'archive')),
    }),
    mediaFlushMs: c.CAPSTAN_MEDIA_FLUSH_MS,
    mediaMaxMessageBytes: c.CAPSTAN_MEDIA_MAX_MESSAGE_BYTES,
    demo: c.CAPSTAN_DEMO,
    trustProxy: c.CAPSTAN_TRUST_PROXY === 'true',
    sessionTtlMs: c.CAPSTAN_SESSION_TTL_MINUTES * 60_000,
    tokenTtlMs: c.CAPSTAN_TOKEN_TTL_SECONDS * 1000,
    signIn: Object.freeze({ maxFailures: c.CAPSTAN_SIGNIN_MAX_FAILURES, lockMs: c.CAPSTAN_SIGNIN_LOCK_MINUTES * 60_000 }),
    adminClient: c.CAPSTAN_ADMIN_CLIENT_ID && c.CAPSTAN_ADMIN_CLIENT_SECRET ? Object.freeze({ id: c.CAPSTAN_ADMIN_CLIENT_ID, secret: c.CAPSTAN_ADMIN_CLIENT_SECRET }) : undefined,
    adminUser: c.CAPSTAN_ADMIN_USER && c.CAPSTAN_ADMIN_PASSWORD ? Object.freeze({ username: c.CAPSTAN_ADMIN_USER, password: c.CAPSTAN_ADMIN_PASSWORD }) : undefined,
  });
}

type Parsed = z.infer<typeof schema>;

function connectorsConfig(c: Parsed): ConnectorsConfig {
  const credentials: AudioHookCredential[] = c.CAPSTAN_AUDIOHOOK_CREDENTIALS.map((k) => ({
    orgId: k.orgId,
    apiKey: k.apiKey,
    clientSecret: k.clientSecret,
    trunkId: k.trunkId ?? c.CAPSTAN_AUDIOHOOK_TRUNK_ID,
    region: k.region ?? c.CAPSTAN_AUDIOHOOK_REGION,
  }));
  if (c.CAPSTAN_AUDIOHOOK_API_KEY) {
    credentials.unshift({
      orgId: 'default',
      apiKey: c.CAPSTAN_AUDIOHOOK_API_KEY,
      clientSecret: c.CAPSTAN_AUDIOHOOK_CLIENT_SECRET ?? '',
      trunkId: c.CAPSTAN_AUDIOHOOK_TRUNK_ID,
      region: c.CAPSTAN_AUDIOHOOK_REGION,
    });
  }
  const tlsPort = c.CAPSTAN_SIPREC_TLS_PORT;
  return {
    audiohook: {
      credentials,
      authFailureDelayMs: c.CAPSTAN_AUDIOHOOK_AUTH_FAILURE_DELAY_MS,
      reconnectGraceMs: c.CAPSTAN_AUDIOHOOK_RECONNECT_GRACE_MS,
    },
    siprec: {
      port: c.CAPSTAN_SIPREC_PORT,
      host: c.CAPSTAN_SIPREC_HOST ?? c.CAPSTAN_HOST,
      tls: tlsPort && c.CAPSTAN_SIPREC_TLS_CERT && c.CAPSTAN_SIPREC_TLS_KEY
        ? { port: tlsPort, certFile: c.CAPSTAN_SIPREC_TLS_CERT, keyFile: c.CAPSTAN_SIPREC_TLS_KEY }
        : undefined,
      mediaAddress: c.CAPSTAN_SIPREC_MEDIA_ADDRESS,
      rtpPorts: c.CAPSTAN_SIPREC_RTP_PORTS,
      allowedSources: c.CAPSTAN_SIPREC_ALLOWED_SOURCES,
      maxSessions: c.CAPSTAN_SIPREC_MAX_SESSIONS,
      idleTimeoutMs: c.CAPSTAN_SIPREC_IDLE_TIMEOUT_S * 1000,
      orgId: c.CAPSTAN_SIPREC_ORG_ID,
      trunkId: c.CAPSTAN_SIPREC_TRUNK_ID,
      region: c.CAPSTAN_SIPREC_REGION,
    },
    twilio: {
      authToken: c.CAPSTAN_TWILIO_AUTH_TOKEN,
      orgId: c.CAPSTAN_TWILIO_ORG_ID,
      trunkId: c.CAPSTAN_TWILIO_TRUNK_ID,
      region: c.CAPSTAN_TWILIO_REGION,
    },
  };
}
