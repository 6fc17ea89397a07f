import { decoyPasswordHash, digest, hashPassword, newSecret, sameDigest, verifyPassword } from '../crypto/secrets.js';
import { SignInLocked } from '../domain/access/errors.js';
import { actorOf, systemPrincipal, type Caller, type Principal } from '../domain/access/principal.js';
import { grantsOf } from '../domain/access/roles.js';
import type { AuditRecordInput } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../store/clock.js';
import { inTransaction, type Db } from '../store/db.js';
import type { ClientsRepository } from '../store/repositories/clients.repository.js';
import type { RolesRepository } from '../store/repositories/roles.repository.js';
import type { SigninFailuresRepository, ThrottlePolicy } from '../store/repositories/signin-failures.repository.js';
import type { TokensRepository } from '../store/repositories/tokens.repository.js';
import type { UsersRepository } from '../store/repositories/users.repository.js';
import type { AuditService } from './audit.service.js';

export interface AuthSettings {
  readonly sessionTtlMs: number;
  readonly tokenTtlMs: number;
  /** Failed attempts per username or client id. */
  readonly accountThrottle: ThrottlePolicy;
  /** Failed attempts per address, across accounts. */
  readonly addressThrottle: ThrottlePolicy;
  /** Where failures that name no known account are audited. */
  readonly defaultOrgId: string;
}

export interface AuthDeps {
  readonly db: Db;
  readonly users: UsersRepository;
  readonly clients: ClientsRepository;
  readonly roles: RolesRepository;
  readonly tokens: TokensRepository;
  readonly failures: SigninFailuresRepository;
  readonly audit: AuditService;
  readonly clock: Clock;
  readonly settings: AuthSettings;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAtMs: number;
}

const invalidCredentials = () => new DomainError('auth.invalidCredentials', 'The username or password is not correct');
const invalidClient = () => new DomainError('auth.invalidClient', 'The client id or secret is not correct');

/**
 * Who is calling: web sign-in with a username and password (a session cookie), OAuth2 client
 * credentials (a bearer token), and turning either back into a Principal on each request.
 */
export class AuthService {
  constructor(private readonly deps: AuthDeps) {}

  async signIn(username: string, password: string, remoteIp: string): Promise<IssuedToken & { principal: Principal }> {
    const { users, failures, clock, settings } = this.deps;
    const name = username.trim().toLowerCase();
    const keys = { account: `user:${name}`, address: `ip:${remoteIp}` };
    const user = await users.byUsername(name);
    const audit = (status: 'SUCCESS' | 'FAILURE', message?: string) =>
      this.audited({
        orgId: user?.orgId ?? settings.defaultOrgId,
        actor: { ...(user ? { userId: user.id, name: user.name } : { name }), remoteIp },
        serviceName: 'Platform',
        action: 'SignIn',
        entityType: 'User',
        entity: { id: user?.id ?? name, ...(user ? { name: user.name } : {}) },
        status,
        ...(message ? { message } : {}),
      });
    await this.refuseWhileLocked([keys.account, keys.address], () => audit('FAILURE', 'refused: too many failed attempts'));
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (!ok || !user?.active) {
      await this.countFailure(keys, () => audit('FAILURE', !user ? 'unknown username' : !ok ? 'wrong password' : 'the user is inactive'));
      throw invalidCredentials();
    }
    await failures.clear([keys.account]);
    const principal = await this.principalForUser(user.orgId, user.id);
    if (!principal) throw invalidCredentials();
    const session = await this.startSession(user.orgId, user.id, remoteIp);
    await audit('SUCCESS');
    return { ...session, principal };
  }

  /** Opens a web session for a user (after a successful sign-in). */
  async startSession(orgId: string, userId: string, remoteIp?: string): Promise<IssuedToken> {
    const now = this.deps.clock.now();
    const token = newSecret();
    const expiresAtMs = now + this.deps.settings.sessionTtlMs;
    await this.deps.tokens.insert({ digest: digest(token), orgId, kind: 'session', userId, clientId: null, remoteIp: remoteIp ?? null, createdAtMs: now, expiresAtMs });
    return { token, expiresAtMs };
  }

  async signOut(caller: Caller, sessionToken: string): Promise<void> {
    await this.deps.tokens.remove(digest(sessionToken));
    await this.audited({
      orgId: caller.principal.orgId,
      actor: actorOf(caller),
      serviceName: 'Platform',
      action: 'SignOut',
      entityType: 'User',
      entity: { id: caller.principal.id, name: caller.principal.name },
      status: 'SUCCESS',
    });
  }

  /** The client-credentials grant: a bearer token for a client that proves its secret. */
  async issueClientToken(clientId: string, secret: string, remoteIp: string): Promise<IssuedToken> {
    const { clients, tokens, clock, settings } = this.deps;
    const keys = { account: `client:${clientId}`, address: `ip:${remoteIp}` };
    const client = await clients.get(clientId);
    const audit = (status: 'SUCCESS' | 'FAILURE', message?: string) =>
      this.audited({
        orgId: client?.orgId ?? settings.defaultOrgId,
        actor: { clientId, ...(client ? { name: client.name } : {}), remoteIp },
        serviceName: 'Platform',
        action: 'Authenticate',
        entityType: 'OAuthClient',
        entity: { id: clientId, ...(client ? { name: client.name } : {}) },
        status,
        ...(message ? { message } : {}),
      });
    await this.refuseWhileLocked([keys.account, keys.address], () => audit('FAILURE', 'refused: too many failed attempts'));
    const ok = client !== undefined && sameDigest(secret, client.secretDigest);
    if (!ok || client.state !== 'active') {
      await this.countFailure(keys, () => audit('FAILURE', !client ? 'unknown client' : !ok ? 'wrong secret' : 'the client is disabled'));
      throw invalidClient();
    }
    await this.deps.failures.clear([keys.account]);
    const now = clock.now();
    const token = newSecret();
    const expiresAtMs = now + settings.tokenTtlMs;
    await tokens.insert({ digest: digest(token), orgId: client.orgId, kind: 'bearer', userId: null, clientId, remoteIp, createdAtMs: now, expiresAtMs });
    await audit('SUCCESS');
    return { token, expiresAtMs };
  }

  /** The principal behind a session cookie or a bearer token, if it is valid now. */
  async authenticate(kind: 'session' | 'bearer', token: string): Promise<Principal | undefined> {
    const stored = await this.deps.tokens.find(digest(token), kind, this.deps.clock.now());
    if (!stored) return undefined;
    if (stored.userId) return this.principalForUser(stored.orgId, stored.userId);
    if (stored.clientId) return this.principalForClient(stored.clientId);
    return undefined;
  }

  async principalForUser(orgId: string, userId: string): Promise<Principal | undefined> {
    const [user, roles] = await Promise.all([this.deps.users.principalFacts(orgId, userId), this.deps.roles.heldBy(orgId, { userId })]);
    if (!user?.active) return undefined;
    const grants = grantsOf(roles);
    return {
      orgId,
      kind: 'user',
      id: userId,
      userId,
      name: user.name,
      permissions: grants.permissions,
      queueScopes: grants.queueScopes,
      externalPartner: user.externalPartner,
    };
  }

  async principalForClient(clientId: string): Promise<Principal | undefined> {
    const client = await this.deps.clients.principalFacts(clientId);
    if (!client?.active) return undefined;
    const grants = grantsOf(await this.deps.roles.heldBy(client.orgId, { clientId }));
    return { orgId: client.orgId, kind: 'client', id: clientId, name: client.name, permissions: grants.permissions, queueScopes: grants.queueScopes };
  }

  /** Names a principal in a signed URL (playback): `user:<id>`, `client:<id>` or `system:<id>`. */
  viewerRef(principal: Principal): string {
    return principal.kind === 'client' ? `client:${principal.id}` : principal.kind === 'system' ? `system:${principal.name}` : `user:${principal.userId ?? principal.id}`;
  }

  /** The principal a signed URL was made for, as it is now (roles changed, user deactivated, client disabled). */
  async principalByRef(orgId: string, ref: string): Promise<Principal | undefined> {
    const colon = ref.indexOf(':');
    const [kind, id] = [ref.slice(0, colon), ref.slice(colon + 1)];
    if (kind === 'user') return this.principalForUser(orgId, id);
    if (kind === 'client') {
      const principal = await this.principalForClient(id);
      return principal?.orgId === orgId ? principal : undefined;
    }
    return kind === 'system' ? systemPrincipal(orgId, id) : undefined;
  }

  /** A signed-in user changes their own password; their other sessions end. */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<IssuedToken> {
    const { orgId, userId } = caller.principal;
    if (!userId) throw new DomainError('identity.notAUser', 'only users have passwords; API clients have secrets');
    const stored = await this.deps.users.passwordHash(orgId, userId);
    const remoteIp = caller.remoteIp ?? 'unknown';
    const keys = { account: `user-id:${orgId}:${userId}`, address: `ip:${remoteIp}` };
    const audit = (status: 'SUCCESS' | 'FAILURE', message?: string) =>
      this.audited({
        orgId,
        actor: actorOf(caller),
        serviceName: 'Directory',
        action: 'ChangePassword',
        entityType: 'User',
        entity: { id: userId, name: caller.principal.name },
        status,
        ...(status === 'SUCCESS' ? { propertyChanges: [{ property: 'password', oldValues: [], newValues: [] }] } : {}),
        ...(message ? { message } : {}),
      });
    await this.refuseWhileLocked([keys.account, keys.address], () => audit('FAILURE', 'refused: too many failed attempts'));
    if (!stored || !(await verifyPassword(currentPassword, stored))) {
      await this.countFailure(keys, () => audit('FAILURE', 'wrong current password'));
      throw new DomainError('identity.wrongPassword', 'The current password is not correct');
    }
    const passwordHash = await hashPassword(newPassword);
    await inTransaction(this.deps.db, async (trx) => {
      await this.deps.users.update(trx, orgId, userId, { passwordHash }, this.deps.clock.now());
      await this.deps.tokens.revokeFor(trx, { orgId, userId });
    });
    await audit('SUCCESS');
    return this.startSession(orgId, userId, caller.remoteIp);
  }

  /** Housekeeping: expired sessions and tokens, and failed-attempt counts that no longer matter. */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.tokens.removeExpired(now);
    await this.deps.failures.removeStale(now, this.deps.settings.accountThrottle);
  }

  private async refuseWhileLocked(keys: string[], audit: () => Promise<void>): Promise<void> {
    const now = this.deps.clock.now();
    const until = await this.deps.failures.lockedUntil(keys, now);
    if (until === undefined) return;
    await audit();
    throw new SignInLocked(Math.ceil((until - now) / 1000));
  }

  private async countFailure(keys: { account: string; address: string }, audit: () => Promise<void>): Promise<void> {
    const { failures, clock, settings } = this.deps;
    const now = clock.now();
    await failures.fail([keys.account], now, settings.accountThrottle);
    await failures.fail([keys.address], now, settings.addressThrottle);
    await audit();
  }

  private async audited(input: AuditRecordInput): Promise<void> {
    await this.deps.audit.record(input);
  }
}
