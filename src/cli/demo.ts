import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { systemPrincipal, type Caller } from '../domain/access/principal.js';
import type { DefaultRoleId } from '../domain/access/roles.js';
import { connectorTrunks } from '../ingest/connectors.js';
import type { RunningServer } from '../server.js';
import type { FirstRunCredentials } from '../services/bootstrap.js';
import { DEFAULT_ORG_ID } from '../services/index.js';
import type { Accounts } from '../sim/accounts.js';
import { CapstanClient } from '../sim/api-client.js';
import { runFileOf } from '../sim/run-file.js';
import { loadScenarios } from '../sim/scenario.js';
import { simulate } from '../sim/simulate.js';
import { verify } from '../sim/verify.js';

/**
 * The demo a fresh install shows (`npm start` on an empty database): users with each default
 * role, the demo organization's telephony configuration, and a handful of calls played against
 * this very server through its public interfaces by the simulator (as the first-start
 * administrator's API client), so that there are real recordings to list and play. It stays out
 * of the way of real installs: not with bootstrap administrator variables, not when anyone could
 * already sign in or the database holds anything, not with CAPSTAN_DEMO=off.
 */

export const DEMO_SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios/demo');

/** The demo users (their telephony side is in scenarios/demo/organization.config.yaml); `admin` is the first-start administrator. */
const DEMO_ROLES: Record<string, DefaultRoleId> = { alice: 'agent', bob: 'agent', carol: 'supervisor', erin: 'evaluator', dave: 'user' };
/** The demo calls took place over the last hour or so, a quarter of an hour apart. */
const CALL_SPACING_MS = 15 * 60_000;

/** Why the demo does not run here, or undefined when it should. */
export async function demoSkipReason(server: RunningServer, config: Config): Promise<string | undefined> {
  if (config.demo === 'off') return 'CAPSTAN_DEMO is off';
  const bootstrap = [...(config.adminClient ? ['CAPSTAN_ADMIN_CLIENT_ID'] : []), ...(config.adminUser ? ['CAPSTAN_ADMIN_USER'] : [])];
  if (bootstrap.length) return `a bootstrap administrator is configured (${bootstrap.join(', ')})`;
  if (!server.firstRun) return 'this is not the first start: someone can already sign in';
  const { services } = server;
  if ((await services.conversations.list(DEFAULT_ORG_ID, { limit: 1 })).entities.length) return 'the database already holds conversations';
  // Users are left out: the first-start administrator is one, and telephony users share their table.
  // The connectors' own trunks (created at start for SIPREC, AudioHook, Twilio) do not count.
  const connectorTrunkIds = new Set(connectorTrunks(config).filter((t) => t.orgId === DEFAULT_ORG_ID).map((t) => t.trunkId));
  for (const kind of ['trunks', 'stations', 'flows', 'queues'] as const) {
    const { entities } = await services.telephony.list(DEFAULT_ORG_ID, kind, { limit: connectorTrunkIds.size + 1 });
    if (entities.some((e) => kind !== 'trunks' || !connectorTrunkIds.has(e.id))) return `the database already holds ${kind}`;
  }
  return undefined;
}

/** Seeds the demo organization and records its calls; returns the lines to print. */
export async function runDemo(server: RunningServer, admin: FirstRunCredentials, logger: Logger): Promise<string[]> {
  const scenarios = await loadScenarios([DEMO_SCENARIOS]);
  const caller: Caller = { principal: systemPrincipal(DEFAULT_ORG_ID, 'Capstan demo') };
  const names = scenarios[0]!.config.users;
  const accounts: Accounts = {};
  for (const [id, role] of Object.entries(DEMO_ROLES)) {
    const password = randomBytes(9).toString('base64url');
    const settings = names[id] as { name?: string; email?: string } | undefined;
    await server.services.users.create(caller, { id, name: settings?.name ?? id, email: settings?.email ?? null, username: id, password, roleIds: [role], state: 'active', externalPartner: false });
    accounts[id] = { username: id, password };
  }

  const client = new CapstanClient(server.url, { clientId: admin.client.id, clientSecret: admin.client.secret });
  const now = Date.now();
  const longest = Math.max(...scenarios.map((s) => s.timeline[s.timeline.length - 1]!.at)) * 1000;
  const result = await simulate({
    client,
    scenarios,
    speed: 'max',
    concurrency: 2,
    repeat: 1,
    frameMs: 100,
    namespace: false,
    conversationId: () => randomUUID(),
    startAt: (_scenario, i) => now - longest - (scenarios.length - i) * CALL_SPACING_MS,
  });
  for (const c of result.conversations) if (c.problems.length) logger.warn({ scenario: c.scenario, problems: c.problems }, 'demo call did not go through');

  const run = runFileOf(result);
  const verdicts = await verify({ client, scenarios, run: { ...run, conversations: run.conversations.map((c) => ({ ...c, accounts })) }, waitSec: 30, concurrency: 2 });
  for (const v of verdicts) if (!v.ok) logger.warn({ scenario: v.scenario, problems: v.problems, recordings: v.recordings }, 'demo recording is not as expected');

  // Erin evaluates Alice's sales call: assigned evaluators may listen to its recordings.
  const sale = result.conversations.find((c) => c.scenario === 'demo-inbound-sale');
  if (sale) await server.services.evaluations.create(caller, { conversationId: sale.conversationId, evaluatorUserId: 'erin', agentUserId: 'alice', status: 'PENDING' });

  const recordings = verdicts.reduce((n, v) => n + v.recordings.length, 0);
  const heard = verdicts.filter((v) => v.ok).length;
  const width = Math.max(...Object.keys(DEMO_ROLES).map((id) => id.length));
  return [
    `Demo organization seeded (first start, empty database). Sign in at ${server.url} as:`,
    ...Object.entries(DEMO_ROLES).map(([id, role]) => `  ${id.padEnd(width)}  ${role.padEnd(10)}  password ${accounts[id]!.password}`),
    `  (and admin, the administrator above). Telephony: trunk "PSTN carrier", Main menu and Payments flows, Sales and Support queues, desks.`,
    `  ${result.conversations.length} demo calls recorded: ${recordings} recordings, ${heard} of ${verdicts.length} calls verified by ear.`,
    ...(sale ? [`  Erin is assigned to evaluate Alice's sales call: ${server.url}/api/v2/conversations/${sale.conversationId}/recordings`] : []),
  ];
}
