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
  readonly retention: RetentionServices;
}

export function createServices(config: Config, db: Db, clock: Clock, logger: Logger): Services {
  const hub = new ConversationHub();
  const telephony = new TelephonyService(new TelephonyRepository(db), clock);
  const conversations = new ConversationService({
    db,
    conversations: new ConversationsRepository(db),
    recordings: new RecordingsRepository(db),
    telephony,
    hub,
    clock,
    windowMs: config.eventWindowMs,
  });
  const organizations = new OrganizationsRepository(db);
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
    retention: createRetentionServices({ config, db, clock, logger, hub, conversations, organizations, audit }),
  };
}
