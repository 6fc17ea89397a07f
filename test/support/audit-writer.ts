import { AuditRepository } from '../../src/store/repositories/audit.repository.js';
import { AuditService } from '../../src/services/audit.service.js';
import { openDatabase } from '../../src/store/db.js';

/**
 * A separate process appending audit events to a database, as a second Capstan node or a
 * `capstan` command running beside the server would: `audit-writer <sqlite file | postgres url> <count> <tag>`.
 */
const [target, count, tag] = process.argv.slice(2);
const db = openDatabase(target!.startsWith('postgres') ? { url: target } : { sqlitePath: target });
const audit = new AuditService(new AuditRepository(db), { now: () => Date.now() }, 'default');
for (let i = 0; i < Number(count); i++) {
  await audit.record({ orgId: 'default', actor: { name: tag }, serviceName: 'Platform', action: 'Write', entityType: 'Test', entity: { id: `${tag}-${i}` }, status: 'SUCCESS' });
}
await db.close();
