import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import type { AuthTokensTable, Database } from '../schema.js';

/** Web sessions and API access tokens, stored by digest (src/crypto/secrets.ts), never in clear. */

export interface StoredToken {
  readonly digest: string;
  readonly orgId: string;
  readonly kind: AuthTokensTable['kind'];
  readonly userId: string | null;
  readonly clientId: string | null;
  readonly remoteIp: string | null;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

export class TokensRepository {
  constructor(private readonly db: Db) {}

  async insert(token: StoredToken): Promise<void> {
    await this.db.kysely
      .insertInto('auth_tokens')
      .values({
        digest: token.digest,
        org_id: token.orgId,
        kind: token.kind,
        user_id: token.userId,
        client_id: token.clientId,
        remote_ip: token.remoteIp,
        created_at: token.createdAtMs,
        expires_at: token.expiresAtMs,
      })
      .execute();
  }

  /** The token with this digest and kind, if it has not expired at `now`. */
  async find(digest: string, kind: StoredToken['kind'], now: number): Promise<StoredToken | undefined> {
    const row = await this.db.kysely
      .selectFrom('auth_tokens')
      .selectAll()
      .where('digest', '=', digest)
      .where('kind', '=', kind)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      digest: row.digest,
      orgId: row.org_id,
      kind: row.kind,
      userId: row.user_id,
      clientId: row.client_id,
      remoteIp: row.remote_ip,
      createdAtMs: row.created_at,
      expiresAtMs: row.expires_at,
    };
  }

  async remove(digest: string): Promise<void> {
    await this.db.kysely.deleteFrom('auth_tokens').where('digest', '=', digest).execute();
  }

  /** Ends every session of a user, or every token of an API client (password change, deactivation, new secret). */
  async revokeFor(exec: Kysely<Database>, holder: { orgId: string; userId: string } | { clientId: string }): Promise<void> {
    const q = exec.deleteFrom('auth_tokens');
    await ('userId' in holder ? q.where('org_id', '=', holder.orgId).where('user_id', '=', holder.userId) : q.where('client_id', '=', holder.clientId)).execute();
  }

  async removeExpired(now: number): Promise<number> {
    const result = await this.db.kysely.deleteFrom('auth_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
