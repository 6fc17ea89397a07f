import { InvalidArgumentError, type Command } from 'commander';
import { CapstanClient, credentialsFrom } from '../sim/api-client.js';
import { DEFAULT_RUN_FILE, readRunFile, runFileOf, writeRunFile } from '../sim/run-file.js';
import { loadScenarios, ScenarioError } from '../sim/scenario.js';
import { simulate, type ConversationRun, type SimulateResult } from '../sim/simulate.js';
import { formatVerdicts, verify } from '../sim/verify.js';

/** `capstan simulate` and `capstan verify` (docs/scenarios.md). */

const DEFAULT_URL = 'http://127.0.0.1:8080';

interface ConnectionFlags {
  url: string;
  clientId?: string;
  clientSecret?: string;
}

interface SimulateFlags extends ConnectionFlags {
  speed: number | 'max';
  concurrency: number;
  repeat: number;
  frameMs: number;
  namespace: boolean;
  runFile: string;
  verify: boolean;
  wait: number;
  json: boolean;
  quiet: boolean;
}

interface VerifyFlags extends ConnectionFlags {
  runFile: string;
  wait: number;
  concurrency: number;
  quiet: boolean;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
  return n;
};
const speed = (v: string): number | 'max' => {
  if (v === 'max') return 'max';
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('speed must be a positive number or max');
  return n;
};
const frameMs = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 20 || n > 1000 || n % 20 !== 0) throw new InvalidArgumentError('frame length must be 20 to 1000 ms, in steps of 20');
  return n;
};
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds');
  return n;
};

const CONNECTION_HELP = `
Authentication: when CAPSTAN_CLIENT_ID and CAPSTAN_CLIENT_SECRET (or --client-id and
--client-secret) are set, a token is obtained from POST /oauth/token (client credentials) and
sent with every request.`;

function connectionOptions(command: Command): Command {
  return command
    .option('--url <base>', 'the Capstan to talk to', process.env.CAPSTAN_URL ?? DEFAULT_URL)
    .option('--client-id <id>', 'API client id (default CAPSTAN_CLIENT_ID)')
    .option('--client-secret <secret>', 'API client secret (default CAPSTAN_CLIENT_SECRET)');
}

export function registerSimCommands(program: Command): void {
  connectionOptions(
    program
      .command('simulate')
      .description('Play scenario files against a running Capstan: configuration and events over HTTP, audio over the media WebSocket')
      .argument('<paths...>', 'scenario files or directories (searched recursively for *.yaml)'),
  )
    .option('--speed <n>', 'conversation seconds per wall-clock second, or max', speed, 1 as number | 'max')
    .option('--concurrency <n>', 'conversations in flight at once', positiveInt('concurrency'), 8)
    .option('--repeat <n>', 'conversations per scenario', positiveInt('repeat'), 1)
    .option('--frame-ms <ms>', 'audio frame length', frameMs, 20)
    .option('--no-namespace', "use the scenarios' configuration ids as they are (default: prefixed per run so runs never collide)")
    .option('--run-file <file>', 'where to record which conversation each scenario became', DEFAULT_RUN_FILE)
    .option('--verify', 'verify the recordings once the run is over', false)
    .option('--wait <seconds>', 'with --verify: how long to wait for recordings still being written', seconds, 30)
    .option('--json', 'print the figures as one JSON object on the last line', false)
    .option('--quiet', 'print only problems and the summary', false)
    .addHelpText('after', CONNECTION_HELP)
    .action(async (paths: string[], flags: SimulateFlags) => {
      const scenarios = await loadOrExit(paths);
      const client = new CapstanClient(flags.url, credentialsFrom(flags));
      const result = await simulate({
        client,
        scenarios,
        speed: flags.speed,
        concurrency: flags.concurrency,
        repeat: flags.repeat,
        frameMs: flags.frameMs,
        namespace: flags.namespace,
        onConversation: (run) => {
          if (!flags.quiet || run.problems.length) process.stdout.write(describeRun(run));
        },
      });
      await writeRunFile(flags.runFile, runFileOf(result));
      const figures = summarize(result);
      process.stdout.write(`${figures.text}\nrun ${result.runId} recorded in ${flags.runFile}\n`);
      let failed = result.conversations.some((c) => c.problems.length > 0);
      if (flags.verify) {
        const verdicts = await verify({ client, scenarios, run: runFileOf(result), waitSec: flags.wait, concurrency: 4 });
        process.stdout.write(`${formatVerdicts(verdicts, flags.quiet)}\n`);
        failed ||= verdicts.some((v) => !v.ok);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(figures.json)}\n`);
      process.exitCode = failed ? 1 : 0;
    });

  connectionOptions(
    program
      .command('verify')
      .description('Check the recordings of a simulate run against the scenarios: decode them and hear who is audible on each channel, when')
      .argument('<paths...>', 'scenario files or directories (as given to simulate)'),
  )
    .option('--run-file <file>', 'the run file written by capstan simulate', DEFAULT_RUN_FILE)
    .option('--wait <seconds>', 'how long to wait for recordings still being written', seconds, 30)
    .option('--concurrency <n>', 'conversations checked at once', positiveInt('concurrency'), 4)
    .option('--quiet', 'print only the failing scenarios and the summary', false)
    .addHelpText('after', `\nExit status: 0 when every recording is as expected, 1 on any mismatch, 2 on bad input.\n${CONNECTION_HELP}`)
    .action(async (paths: string[], flags: VerifyFlags) => {
      const scenarios = await loadOrExit(paths);
      const run = await readRunFile(flags.runFile);
      const client = new CapstanClient(flags.url, credentialsFrom(flags));
      const verdicts = await verify({ client, scenarios, run, waitSec: flags.wait, concurrency: flags.concurrency });
      process.stdout.write(`${formatVerdicts(verdicts, flags.quiet)}\n`);
      process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
    });
}

async function loadOrExit(paths: string[]) {
  try {
    return await loadScenarios(paths);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`invalid scenario ${err.message}\n`);
    process.exit(2);
  }
}

function describeRun(run: ConversationRun): string {
  const head = `${run.problems.length ? 'FAIL' : 'sent'} ${run.scenario} as ${run.conversationId}: ${run.events} events, ${run.frames} frames in ${(run.wallMs / 1000).toFixed(1)} s\n`;
  return head + run.problems.map((p) => `     ${p}\n`).join('');
}

function summarize(result: SimulateResult) {
  const conversations = result.conversations.length;
  const failed = result.conversations.filter((c) => c.problems.length).length;
  const events = result.conversations.reduce((n, c) => n + c.events, 0);
  const frames = result.conversations.reduce((n, c) => n + c.frames, 0);
  const wallSec = result.wallMs / 1000;
  const json = { conversations, failed, events, frames, wallSec: round(wallSec), framesPerSec: round(frames / Math.max(wallSec, 1e-3)) };
  const text = `${conversations} conversations (${failed} failed), ${events} events, ${frames} audio frames in ${wallSec.toFixed(1)} s (${json.framesPerSec} frames/s)`;
  return { json, text };
}

const round = (n: number) => Math.round(n * 10) / 10;
