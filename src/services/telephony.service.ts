import type { Kysely } from 'kysely';
import { actorOf, type Caller } from '../domain/access/principal.js';
import { propertyChanges } from '../domain/audit.js';
import type { ConversationEvent } from '../domain/events.js';
import { TELEPHONY_KINDS, telephonyConfig, type TelephonyConfig, type TelephonyEntity, type TelephonyKind } from '../domain/telephony.js';
import type { Clock } from '../store/clock.js';
import type { Database } from '../store/schema.js';
import type { Page, PageRequest } from '../store/paging.js';
import type { TelephonyRepository } from '../store/repositories/telephony.repository.js';
import type { AuditService } from './audit.service.js';

const ENTITY_TYPES: Record<TelephonyKind, string> = { trunks: 'Trunk', stations: 'Station', flows: 'Flow', queues: 'Queue', users: 'User' };

/** Telephony recording configuration: CRUD with the seed's defaults, and the slice a conversation needs. */
export class TelephonyService {
  constructor(
    private readonly repo: TelephonyRepository,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  list<K extends TelephonyKind>(orgId: string, kind: K, page: PageRequest): Promise<Page<TelephonyEntity<K>>> {
    return this.repo.list(orgId, kind, page);
  }

  get<K extends TelephonyKind>(orgId: string, kind: K, id: string): Promise<TelephonyEntity<K> | undefined> {
    return this.repo.get(orgId, kind, id);
  }

  /**
   * Validates (throws ZodError), fills defaults and stores; `created` tells whether it is new.
   * With a caller (a person or client changing the configuration), the change is audited.
   */
  async put<K extends TelephonyKind>(orgId: string, kind: K, input: unknown, caller?: Caller): Promise<{ entity: TelephonyEntity<K>; created: boolean }> {
    const entity = TELEPHONY_KINDS[kind].parse(input) as TelephonyEntity<K>;
    const before = caller ? await this.repo.get(orgId, kind, entity.id) : undefined;
    const created = await this.repo.put(orgId, kind, entity, this.clock.now());
    if (caller) {
      await this.audit.record({
        orgId,
        actor: actorOf(caller),
        serviceName: 'Telephony',
        action: created ? 'Create' : 'Update',
        entityType: ENTITY_TYPES[kind],
        entity: { id: entity.id, name: entity.name },
        status: 'SUCCESS',
        propertyChanges: propertyChanges<Record<string, unknown>>(before, entity, Object.keys(entity)),
      });
    }
    return { entity, created };
  }

  async remove(orgId: string, kind: TelephonyKind, id: string, caller?: Caller): Promise<boolean> {
    const removed = await this.repo.remove(orgId, kind, id);
    if (removed && caller) {
      await this.audit.record({ orgId, actor: actorOf(caller), serviceName: 'Telephony', action: 'Delete', entityType: ENTITY_TYPES[kind], entity: { id }, status: 'SUCCESS' });
    }
    return removed;
  }

  /** The configuration entities a conversation's events refer to (and the stations of its users). */
  async configFor(orgId: string, events: readonly ConversationEvent[], exec?: Kysely<Database>): Promise<TelephonyConfig> {
    const ids = { trunks: new Set<string>(), stations: new Set<string>(), flows: new Set<string>(), queues: new Set<string>(), users: new Set<string>() };
    for (const e of events) {
      if ('trunkId' in e && e.trunkId) ids.trunks.add(e.trunkId);
      if ('stationId' in e && e.stationId) ids.stations.add(e.stationId);
      if ('userId' in e && e.userId) ids.users.add(e.userId);
      if ('flowId' in e && e.flowId) ids.flows.add(e.flowId);
      if ('queueId' in e && e.queueId) ids.queues.add(e.queueId);
    }
    const users = await this.repo.getMany(orgId, 'users', [...ids.users], exec);
    for (const u of users) if (u.stationId) ids.stations.add(u.stationId);
    const [trunks, stations, flows, queues] = await Promise.all([
      this.repo.getMany(orgId, 'trunks', [...ids.trunks], exec),
      this.repo.getMany(orgId, 'stations', [...ids.stations], exec),
      this.repo.getMany(orgId, 'flows', [...ids.flows], exec),
      this.repo.getMany(orgId, 'queues', [...ids.queues], exec),
    ]);
    return telephonyConfig({ trunks, stations, flows, queues, users });
  }
}
