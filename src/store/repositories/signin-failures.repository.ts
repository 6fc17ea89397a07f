import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * Failed sign-in attempts per key (a username, a client id, an address), shared by every node
 * through the database. A key that fails `maxFailures` times within `windowMs` is locked for `lockMs`.
 */

export interface ThrottlePolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export class SigninFailuresRepository {
  constructor(private readonly db: Db) {}

  /** When the key is locked at `now`, the instant the lock ends. */
  async lockedUntil(keys: readonly string[], now: number): Promise<number | undefined> {
    if (keys.length === 0) return undefined;
    const rows = await this.db.kysely.selectFrom('signin_failures').select('locked_until').where('key', 'in', keys).where('locked_until', '>', now).execute();
    return rows.length ? Math.max(...rows.map((r) => r.locked_until!)) : undefined;
  }

  /** Counts one failure for each key (atomically, so concurrent attempts all count); returns the lock end if one is now locked. */
  async fail(keys: readonly string[], now: number, policy: ThrottlePolicy): Promise<number | undefined> {
    let locked: number | undefined;
    const stale = sql<boolean>`signin_failures.first_at < ${now - policy.windowMs} or (signin_failures.locked_until is not null and signin_failures.locked_until <= ${now})`;
    for (const key of keys) {
      const row = await this.db.kysely
        .insertInto('signin_failures')
        .values({ key, failures: 1, first_at: now, locked_until: null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${stale} then 1 else signin_failures.failures + 1 end`,
            first_at: sql<number>`case when ${stale} then ${now} else signin_failures.first_at end`,
            locked_until: sql<number | null>`case when ${stale} then null else signin_failures.locked_until end`,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      if (Number(row.failures) >= policy.maxFailures) {
        const until = now + policy.lockMs;
        await this.db.kysely.updateTable('signin_failures').set({ locked_until: until }).where('key', '=', key).execute();
        locked = Math.max(locked ?? 0, until);
      }
    }
    return locked;
  }

  /** Forgets counts that can no longer lock anything (outside the window, no lock running). */
  async removeStale(now: number, policy: ThrottlePolicy): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('signin_failures')
      .where('first_at', '<', now - policy.windowMs)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async clear(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.db.kysely.deleteFrom('signin_failures').where('key', 'in', keys).execute();
  }
}
