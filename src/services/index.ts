import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../store/clock.js';
import type { Db } from '../store/db.js';
import { AuditRepository } from '../store/repositories/audit.repository.js';
import { ClientsRepository } from '../store/repositories/clients.repository.js';
import { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import { EvaluationsRepository } from '../store/repositories/evaluations.repository.js';
import { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { RolesRepository } from '../store/repositories/roles.repository.js';
import { SigninFailuresRepository } from '../store/repositories/signin-failures.repository.js';
import { TelephonyRepository } from '../store/repositories/telephony.repository.js';
import { ConnectorHealthRegistry } from './connector-health.js';
import { TokensRepository } from '../store/repositories/tokens.repository.js';
import { UsersRepository } from '../store/repositories/users.repository.js';
import { AccessService } from './access.service.js';
import { AuditService } from './audit.service.js';
import { AuthService } from './auth.service.js';
import { ClientsService } from './clients.service.js';
import { ConversationHub } from './conversation-hub.js';
import { ConversationService } from './conversation.service.js';
import { EvaluationService } from './evaluation.service.js';
import { Lifecycle } from './lifecycle.js';
import { RolesService } from './roles.service.js';
import { createRetentionServices, type RetentionServices } from './retention.wiring.js';
import { TelephonyService } from './telephony.service.js';
import { UsersService } from './users.service.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { LocalKeyProvider } from '../crypto/local-key.provider.js';
import { UrlSigner } from '../crypto/url-signer.js';
import type { BlobStore } from '../store/blob.store.js';
import { openBlobStore } from '../store/open-blob-store.js';
import { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import { ConversationDetailsService } from './conversation-details.service.js';
import { EventLoopMonitor } from './event-loop.monitor.js';
import { MediaService } from './media.service.js';
import { RecordingsService } from './recordings.service.js';

/** The embedded install's one organization; every row and object key carries an org id. */
export const DEFAULT_ORG_ID = 'default';

/** The application: every use case, wired to its repositories. Routes, connectors and workers use this. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  readonly hub: ConversationHub;
  readonly organizations: OrganizationsRepository;
  readonly telephony: TelephonyService;
  readonly conversations: ConversationService;
  /** Health figures of the protocol connectors (AudioHook, SIPREC, Twilio). */
  readonly connectorHealth: ConnectorHealthRegistry;
  /** The audit trail: `audit.record({...})` from every area. */
  readonly audit: AuditService;
  /** Sign-in, API tokens, and the principal behind a request. */
  readonly auth: AuthService;
  /** Who may view, play or download which recording, and what a segment-limited listener hears. */
  readonly access: AccessService;
  readonly roles: RolesService;
  readonly users: UsersService;
  readonly clients: ClientsService;
  readonly evaluations: EvaluationService;
  /** Identity repositories the start-up bootstrap and the command line read directly. */
  readonly repositories: { readonly users: UsersRepository; readonly clients: ClientsRepository };
  readonly keys: KeyProvider;
  readonly blobs: BlobStore;
  /** The live media pipeline (MediaIngest): connectors open sources here. Started by the server. */
  readonly media: MediaService;
  readonly recordings: RecordingsService;
  readonly eventLoop: EventLoopMonitor;
  readonly retention: RetentionServices;
  readonly conversationDetails: ConversationDetailsService;
}

export function createServices(config: Config, db: Db, clock: Clock, logger: Logger): Services {
  const hub = new ConversationHub();
  const audit = new AuditService(new AuditRepository(db), clock, DEFAULT_ORG_ID);
  const telephony = new TelephonyService(new TelephonyRepository(db), clock, audit);
  const conversationRows = new ConversationsRepository(db);
  const recordingRows = new RecordingsRepository(db);
  const organizations = new OrganizationsRepository(db);
  const conversations = new ConversationService({
    db,
    conversations: conversationRows,
    recordings: recordingRows,
    telephony,
    hub,
    clock,
    windowMs: config.eventWindowMs,
  });
  const users = new UsersRepository(db);
  const clients = new ClientsRepository(db);
  const roles = new RolesRepository(db);
  const tokens = new TokensRepository(db);
  const evaluations = new EvaluationsRepository(db);
  const throttle = { maxFailures: config.signIn.maxFailures, windowMs: config.signIn.lockMs, lockMs: config.signIn.lockMs };
  const auth = new AuthService({
    db,
    users,
    clients,
    roles,
    tokens,
    failures: new SigninFailuresRepository(db),
    audit,
    clock,
    settings: {
      sessionTtlMs: config.sessionTtlMs,
      tokenTtlMs: config.tokenTtlMs,
      accountThrottle: throttle,
      // An address may try several accounts (a shared office NAT) before it is held back.
      addressThrottle: { ...throttle, maxFailures: throttle.maxFailures * 4 },
      defaultOrgId: DEFAULT_ORG_ID,
    },
  });
  const access = new AccessService({ evaluations, conversations, audit });
  const keys = new LocalKeyProvider(path.join(config.dataDir, 'keys', 'local-keys.json'));
  const blobs = openBlobStore(config.storage.media);
  const mediaRows = new RecordingMediaRepository(db);
  const media = new MediaService({
    conversations,
    conversationRows,
    recordings: recordingRows,
    media: mediaRows,
    blobs,
    keys,
    hub,
    clock,
    logger,
    windowMs: config.eventWindowMs,
    flushMs: config.mediaFlushMs,
  });
  const recordings = new RecordingsService({
    recordings: recordingRows,
    media: mediaRows,
    live: media,
    organizations,
    blobs,
    keys,
    signer: UrlSigner.fromFile(path.join(config.dataDir, 'keys', 'url-signing.key')),
    access,
    auth,
    clock,
    logger,
  });
  const retention = createRetentionServices({ config, db, clock, logger, hub, conversations, recordings, access, organizations, audit, keys, hot: blobs, archive: openBlobStore(config.storage.archive) });
  return {
    config,
    logger,
    db,
    clock,
    lifecycle: new Lifecycle(),
    hub,
    organizations,
    telephony,
    conversations,
    connectorHealth: new ConnectorHealthRegistry(logger),
    audit,
    auth,
    access,
    roles: new RolesService(db, roles, audit, clock),
    users: new UsersService(db, users, roles, tokens, audit, clock),
    clients: new ClientsService(db, clients, roles, tokens, audit, clock),
    evaluations: new EvaluationService({ db, evaluations, users, conversations, audit, clock }),
    repositories: { users, clients },
    keys,
    blobs,
    media,
    recordings,
    eventLoop: new EventLoopMonitor(),
    retention,
    conversationDetails: new ConversationDetailsService(db, retention.conversationQuery),
  };
}
