import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../store/clock.js';
import type { Db } from '../store/db.js';
import { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { TelephonyRepository } from '../store/repositories/telephony.repository.js';
import { ConversationHub } from './conversation-hub.js';
import { ConversationService } from './conversation.service.js';
import { Lifecycle } from './lifecycle.js';
import { createRetentionServices, type RetentionServices } from './retention.wiring.js';
import { TelephonyService } from './telephony.service.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import { LocalKeyProvider } from '../crypto/local-key.provider.js';
import { UrlSigner } from '../crypto/url-signer.js';
import type { BlobStore } from '../store/blob.store.js';
import { openBlobStore } from '../store/open-blob-store.js';
import { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
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
  readonly keys: KeyProvider;
  readonly blobs: BlobStore;
  /** The live media pipeline (MediaIngest): connectors open sources here. Started by the server. */
  readonly media: MediaService;
  readonly recordings: RecordingsService;
  readonly retention: RetentionServices;
}

export function createServices(config: Config, db: Db, clock: Clock, logger: Logger): Services {
  const hub = new ConversationHub();
  const telephony = new TelephonyService(new TelephonyRepository(db), clock);
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
    clock,
    logger,
  });
  // Until the identity area's audit service is merged, retention's audit events go nowhere.
  const audit = { record: async () => undefined };
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
    keys,
    blobs,
    media,
    recordings,
    retention: createRetentionServices({ config, db, clock, logger, hub, conversations, recordings, organizations, audit, keys, hot: blobs, archive: openBlobStore(config.storage.archive) }),
  };
}
