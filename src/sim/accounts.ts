import { createHash, randomBytes } from 'node:crypto';
import { ApiCallError, type CapstanClient, type UserCredentials } from './api-client.js';
import type { IdScope } from './compile.js';
import type { Scenario } from './scenario.js';

/**
 * Ad-hoc recordings are heard only by the user who made them ("only available to that user"), so
 * the verifier must sign in as that user to find them. For the users a scenario configures (its
 * own, namespaced ones, never the organization's) the simulator creates a sign-in with the `user`
 * role and a random password, and the run file keeps it for the verifier.
 */

/** Sign-ins by the scenario's user id. */
export type Accounts = Record<string, UserCredentials>;

const USERNAME = /^[a-z0-9][a-z0-9._@+-]{2,63}$/;

export async function createOwnerAccounts(client: CapstanClient, scenario: Scenario, scope: IdScope): Promise<Accounts> {
  const accounts: Accounts = {};
  if (scope.namespace === undefined) return accounts;
  const owners = new Set(scenario.expect.recordings.filter((r) => r.kind === 'adhoc' && r.user !== undefined).map((r) => r.user!));
  for (const user of owners) {
    if (!(user in scenario.config.users)) continue;
    const id = scope.id('users', user);
    const username = USERNAME.test(id) ? id : `sim.${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
    const password = randomBytes(18).toString('base64url');
    try {
      await client.json('POST', '/api/v2/users', { id, name: id, username, password, roleIds: ['user'] });
    } catch (err) {
      // A server without sign-in (no /api/v2/users) lists ad-hoc recordings to anyone.
      if (err instanceof ApiCallError && err.status === 404 && err.code === 'not.found') return {};
      throw err;
    }
    accounts[user] = { username, password };
  }
  return accounts;
}
