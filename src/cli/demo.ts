import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { RunningServer } from '../server.js';
import { DEFAULT_ORG_ID } from '../services/index.js';
import { CapstanClient } from '../sim/api-client.js';
import { loadScenarios } from '../sim/scenario.js';
import { simulate } from '../sim/simulate.js';
import { runFileOf } from '../sim/run-file.js';
import { verify } from '../sim/verify.js';
import { TELEPHONY_KINDS, type TelephonyKind } from '../domain/telephony.js';

/**
 * The demo a fresh install shows (`npm start` on an empty database): the demo organization's
 * telephony configuration and a handful of calls, played against this very server through its
 * public interfaces by the simulator, so that there are real recordings to list and play. It
 * stays out of the way of real installs: not when the database holds anything, not when a
 * bootstrap administrator is configured, not when CAPSTAN_DEMO=off.
 */

export const DEMO_SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios/demo');

const BOOTSTRAP_VARIABLES = ['CAPSTAN_ADMIN_CLIENT_ID', 'CAPSTAN_ADMIN_CLIENT_SECRET', 'CAPSTAN_ADMIN_USER', 'CAPSTAN_ADMIN_PASSWORD'];
/** The demo calls took place over the last hour, a quarter of an hour apart. */
const CALL_SPACING_MS = 15 * 60_000;

/** Why the demo does not run here, or undefined when it should. */
export async function demoSkipReason(server: RunningServer, config: Config, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (config.demo === 'off') return 'CAPSTAN_DEMO is off';
  const bootstrap = BOOTSTRAP_VARIABLES.filter((v) => env[v]);
  if (bootstrap.length) return `a bootstrap administrator is configured (${bootstrap.join(', ')})`;
  const { services } = server;
  if ((await services.conversations.list(DEFAULT_ORG_ID, { limit: 1 })).entities.length) return 'the database already holds conversations';
  for (const kind of Object.keys(TELEPHONY_KINDS) as TelephonyKind[]) {
    if ((await services.telephony.list(DEFAULT_ORG_ID, kind, { limit: 1 })).entities.length) return `the database already holds ${kind}`;
  }
  return undefined;
}

/** Seeds the demo organization and records its calls; returns the lines to print. */
export async function runDemo(server: RunningServer, logger: Logger): Promise<string[]> {
  const scenarios = await loadScenarios([DEMO_SCENARIOS]);
  const client = new CapstanClient(server.url);
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
  const verdicts = await verify({ client, scenarios, run: runFileOf(result), waitSec: 30, concurrency: 2 });
  const recordings = verdicts.reduce((n, v) => n + v.recordings.length, 0);
  const heard = verdicts.filter((v) => v.ok).length;
  for (const v of verdicts) if (!v.ok) logger.warn({ scenario: v.scenario, problems: v.problems, recordings: v.recordings }, 'demo recording is not as expected');
  const first = result.conversations[0]?.conversationId;
  return [
    'Demo organization seeded (fresh install): trunk "PSTN carrier", flows, Sales and Support queues, desks',
    `  and users alice, bob (agents), carol (supervisor), dave (user), erin (evaluator), admin.`,
    `  ${result.conversations.length} demo calls recorded: ${recordings} recordings, ${heard} of ${verdicts.length} calls verified by ear.`,
    ...(first ? [`  List one call's recordings: ${server.url}/api/v2/conversations/${first}/recordings`] : []),
    `  Conversations: ${server.url}/api/v2/capstan/conversations`,
  ];
}
