import type { Kysely } from 'kysely';
import { verifyChain, type ChainHead, type ChainVerdict } from '../crypto/audit-chain.js';
import type { AccessDenied } from '../domain/access/errors.js';
import type { Principal } from '../domain/access/principal.js';
import type { AuditRecordInput } from '../domain/audit.js';
import type { Clock } from '../store/clock.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { AuditFilter, AuditRepository, NewAuditEvent, StoredAuditEvent } from '../store/repositories/audit.repository.js';
import type { Database } from '../store/schema.js';

/** Events written in one transaction at most. */
const GROUP_COMMIT_MAX = 500;

/**
 * The audit trail. Every area records what was viewed, played, downloaded, exported, deleted,
 * restored, protected or changed, every sign-in and every refused access, through `record`.
 */
export class AuditService {
  /** Events waiting for the next group commit. */
  private readonly queue: Array<{ event: NewAuditEvent; resolve: (e: StoredAuditEvent) => void; reject: (err: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
    /** Where refusals of requests that name no organization (no valid credentials) are recorded. */
    private readonly defaultOrgId: string,
  ) {}

  /**
   * Appends an event to the organization's hash chain. Pass the transaction of the change being
   * audited as `exec` so that the change and its audit event commit (or fail) together. Without
   * one, events recorded at the same time share one transaction (a group commit): what costs is
   * the commit, and the chain head admits one writer at a time.
   */
  record(input: AuditRecordInput, exec?: Kysely<Database>): Promise<StoredAuditEvent> {
    const event = this.toEvent(input);
    if (exec) return this.repo.append([event], exec).then(([stored]) => stored!);
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  /** Appends several events, in order, inside the caller's transaction (a batch of changes audited together). */
  async recordAll(inputs: readonly AuditRecordInput[], exec: Kysely<Database>): Promise<void> {
    if (inputs.length > 0) await this.repo.append(inputs.map((input) => this.toEvent(input)), exec);
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, GROUP_COMMIT_MAX);
      try {
        const stored = await this.repo.append(batch.map((b) => b.event));
        batch.forEach((b, i) => b.resolve(stored[i]!));
      } catch {
        // One bad event (an organization that does not exist) must not take the others with it.
        for (const b of batch) await this.repo.append([b.event]).then(([stored]) => b.resolve(stored!), b.reject);
      }
    }
    this.writing = false;
  }

  private toEvent(input: AuditRecordInput): NewAuditEvent {
    const { actor } = input;
    return {
      orgId: input.orgId,
      eventDateMs: this.clock.now(),
      serviceName: input.serviceName,
      // Whatever came over the network (someone signed in, or an address) is USER; Capstan on its own is SYSTEM.
      level: input.level ?? (actor.userId || actor.clientId || actor.remoteIp ? 'USER' : 'SYSTEM'),
      action: input.action,
      entityType: input.entityType,
      entityId: input.entity?.id ?? null,
      entityName: input.entity?.name ?? null,
      status: input.status,
      userId: actor.userId ?? null,
      clientId: actor.clientId ?? null,
      actorName: actor.name ?? null,
      remoteIp: actor.remoteIp ?? null,
      message: input.message ?? null,
      propertyChanges: JSON.stringify(input.propertyChanges ?? []),
      context: JSON.stringify(sortedKeys(input.context ?? {})),
    };
  }

  /**
   * A refused access (401 or 403 on an HTTP route or a WebSocket upgrade): against the entity
   * when a rule refused it (`attempt`), else against the route.
   */
  recordRefusal(refusal: {
    readonly principal: Principal | undefined;
    readonly remoteIp: string | undefined;
    /** `METHOD /path` as declared, e.g. `GET /api/v2/users/:userId`. */
    readonly route: string;
    readonly code: string;
    readonly message: string;
    readonly contextId?: string;
    readonly attempt?: AccessDenied['attempt'];
  }): Promise<StoredAuditEvent> {
    const { attempt } = refusal;
    const principal = refusal.principal ?? attempt?.principal;
    return this.record({
      orgId: principal?.orgId ?? this.defaultOrgId,
      actor: {
        ...(principal?.userId ? { userId: principal.userId } : {}),
        ...(principal?.kind === 'client' ? { clientId: principal.id } : {}),
        ...(principal ? { name: principal.name } : {}),
        ...(refusal.remoteIp ? { remoteIp: refusal.remoteIp } : {}),
      },
      serviceName: attempt?.serviceName ?? 'Platform',
      action: attempt?.action ?? 'Access',
      entityType: attempt?.entityType ?? 'ApiRoute',
      entity: { id: attempt?.entityId ?? refusal.route },
      status: 'FAILURE',
      message: refusal.message,
      context: { ...attempt?.context, route: refusal.route, code: refusal.code, ...(refusal.contextId ? { contextId: refusal.contextId } : {}) },
    });
  }

  query(orgId: string, filter: AuditFilter, order: 'asc' | 'desc', page: PageRequest): Promise<Page<StoredAuditEvent>> {
    return this.repo.query(orgId, filter, order, page);
  }

  head(orgId: string): Promise<ChainHead | undefined> {
    return this.repo.head(orgId);
  }

  /** Verifies the chain of one organization (or of every organization), naming the first broken link. */
  async verify(orgId?: string, anchor?: ChainHead): Promise<Array<{ orgId: string; verdict: ChainVerdict }>> {
    const orgIds = orgId ? [orgId] : await this.repo.organizations();
    const out: Array<{ orgId: string; verdict: ChainVerdict }> = [];
    for (const id of orgIds) out.push({ orgId: id, verdict: await verifyChain(this.repo.links(id), await this.repo.head(id), anchor) });
    return out;
  }
}

function sortedKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
