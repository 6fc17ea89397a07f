import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { KeyProvider } from '../crypto/key-provider.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { Db } from '../store/db.js';
import { EvaluationsRepository } from '../store/repositories/evaluations.repository.js';
import { IntegrationsRepository } from '../store/repositories/integrations.repository.js';
import { LifecycleRepository } from '../store/repositories/lifecycle.repository.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import { PoliciesRepository } from '../store/repositories/policies.repository.js';
import { ProtectionRepository } from '../store/repositories/protection.repository.js';
import { RecordingJobsRepository } from '../store/repositories/recording-jobs.repository.js';
import { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import { RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import { TelephonyRepository } from '../store/repositories/telephony.repository.js';
import { UsersRepository } from '../store/repositories/users.repository.js';
import { SqlJobQueue } from '../store/sql-job-queue.js';
import { AnnotationsRepository } from '../store/repositories/annotations.repository.js';
import { AnnotationService } from './annotation.service.js';
import type { AccessService } from './access.service.js';
import type { AuditService } from './audit.service.js';
import { BlobLifecycleMedia } from './blob-lifecycle-media.js';
import type { ConversationHub } from './conversation-hub.js';
import { ConversationQueryService } from './conversation-query.service.js';
import type { ConversationService } from './conversation.service.js';
import { IntegrationService } from './integration.service.js';
import { LifecycleScheduler, type LifecycleMedia } from './lifecycle-scheduler.js';
import { PolicyService } from './policy.service.js';
import { ProtectionService } from './protection.service.js';
import { RecordingExporter } from './recording-exporter.js';
import type { RecordingsService } from './recordings.service.js';
import { PREPARE_QUEUE, RUN_QUEUE, RecordingJobService } from './recording-job.service.js';
import { EVALUATE_QUEUE, MAX_RETENTION_QUEUE, RetentionService } from './retention.service.js';
import { SettingsService } from './settings.service.js';
import { Worker } from './worker.js';

/** Retention policies, recording lifecycle, protection, bulk jobs and recording settings, wired together. */
export interface RetentionServices {
  readonly policies: PolicyService;
  readonly retention: RetentionService;
  readonly protection: ProtectionService;
  readonly jobs: RecordingJobService;
  readonly settings: SettingsService;
  readonly integrations: IntegrationService;
  readonly annotations: AnnotationService;
  readonly conversationQuery: ConversationQueryService;
  readonly lifecycle: LifecycleRepository;
  readonly scheduler: LifecycleScheduler;
  /** The media steps the scheduler runs (for another scheduler on the same stores). */
  readonly lifecycleMedia: LifecycleMedia;
  readonly worker: Worker;
}

export interface RetentionWiringDeps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly hub: ConversationHub;
  readonly conversations: ConversationService;
  readonly recordings: RecordingsService;
  readonly access: AccessService;
  readonly organizations: OrganizationsRepository;
  readonly audit: AuditService;
  readonly keys: KeyProvider;
  /** The hot tier (where recordings are written) and the archive tier. */
  readonly hot: BlobStore;
  readonly archive: BlobStore;
}

export function createRetentionServices(deps: RetentionWiringDeps): RetentionServices {
  const { config, db, clock, logger, audit, organizations } = deps;
  const queue = new SqlJobQueue(db);
  const lifecycle = new LifecycleRepository(db);
  const policiesRepo = new PoliciesRepository(db);
  const integrationsRepo = new IntegrationsRepository(db);
  const recordings = new RecordingsRepository(db);
  const conversationQuery = new ConversationQueryService(db);
  const owner = `${hostname()}:${process.pid}`;

  const integrations = new IntegrationService({ integrations: integrationsRepo, policies: policiesRepo, audit, clock, keys: deps.keys });
  const mediaRows = new RecordingMediaRepository(db);
  const exporter = new RecordingExporter({
    integrations,
    recordings,
    conversations: new ConversationsRepository(db),
    media: mediaRows,
    keys: deps.keys,
    hot: deps.hot,
    archive: deps.archive,
    clock,
  });
  const lifecycleMedia = new BlobLifecycleMedia({ hot: deps.hot, archive: deps.archive, media: mediaRows, exporter, clock });
  const scheduler = new LifecycleScheduler({
    db,
    lifecycle,
    media: lifecycleMedia,
    audit,
    clock,
    logger,
    owner,
    batchSize: config.retention.lifecycleBatch,
    leaseMs: config.worker.leaseMs,
    concurrency: config.retention.lifecycleConcurrency,
  });

  const policies = new PolicyService({ db, policies: policiesRepo, telephony: new TelephonyRepository(db), integrations: integrationsRepo, audit, clock });
  const retention = new RetentionService({
    db,
    conversations: deps.conversations,
    policies: policiesRepo,
    organizations,
    lifecycle,
    protection: new ProtectionRepository(db),
    jobs: queue,
    evaluations: new EvaluationsRepository(db),
    users: new UsersRepository(db),
    audit,
    clock,
    wrapupWaitMs: config.retention.wrapupWaitMs,
  });
  retention.attach(deps.hub);
  const protection = new ProtectionService({
    db,
    conversations: new ConversationsRepository(db),
    recordings,
    protection: new ProtectionRepository(db),
    lifecycle,
    organizations,
    audit,
    clock,
    limit: config.retention.protectionLimit,
  });
  const jobs = new RecordingJobService({
    db,
    jobs: new RecordingJobsRepository(db),
    recordings,
    lifecycle,
    integrations: integrationsRepo,
    organizations,
    query: conversationQuery,
    queue,
    audit,
    clock,
    batchSize: config.retention.jobBatch,
    sliceMs: 5_000,
  });

  const worker = new Worker({
    queue,
    clock,
    logger,
    owner,
    pollMs: config.worker.pollMs,
    leaseMs: config.worker.leaseMs,
    batchSize: 20,
  });
  worker.poll(scheduler);
  worker.handle(EVALUATE_QUEUE, async (job) => {
    const outcome = await retention.evaluate(job.orgId!, (job.payload as { conversationId: string }).conversationId);
    return outcome.status === 'waiting' ? { retryAtMs: outcome.retryAtMs } : undefined;
  });
  worker.handle(MAX_RETENTION_QUEUE, async (job) => {
    await retention.applyMaximumRetention(job.orgId!);
  });
  worker.handle(PREPARE_QUEUE, async (job) => {
    await jobs.prepare(job.orgId!, (job.payload as { jobId: string }).jobId);
  });
  worker.handle(RUN_QUEUE, async (job) => {
    const more = await jobs.run(job.orgId!, (job.payload as { jobId: string }).jobId, job.attempt >= job.maxAttempts);
    return more ? { retryAtMs: clock.now() } : undefined;
  });

  return {
    policies,
    retention,
    protection,
    jobs,
    settings: new SettingsService({ db, organizations, policies: policiesRepo, queue, audit, clock }),
    integrations,
    annotations: new AnnotationService({ recordings: deps.recordings, access: deps.access, annotations: new AnnotationsRepository(db), audit, clock }),
    conversationQuery,
    lifecycle,
    scheduler,
    lifecycleMedia,
    worker,
  };
}
