import { InvalidArgumentError, type Command } from 'commander';
import { CapstanClient } from '../sim/api-client.js';
import { progressLine, type JobProgressView } from './progress-bar.js';

/**
 * `capstan jobs`: bulk recording jobs over the HTTP API of a running Capstan, as an API client
 * (jobs run as the client that created them, and only it may start them).
 */

const DEFAULT_URL = 'http://127.0.0.1:8080';
const FINISHED = new Set(['FULFILLED', 'FAILED', 'CANCELLED']);

interface Connection {
  url: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
}

interface Job extends JobProgressView {
  readonly id: string;
  readonly recordingJobsQuery: { action: string };
  readonly dateCreated: string;
  readonly user: { id: string; name?: string };
  readonly errorMessage?: string;
}

/** The API client of a command's connection options: a given token, or client credentials, or none. */
function clientOf(c: Connection): CapstanClient {
  const token = c.token ?? process.env.CAPSTAN_TOKEN;
  const clientId = c.clientId ?? process.env.CAPSTAN_CLIENT_ID;
  const clientSecret = c.clientSecret ?? process.env.CAPSTAN_CLIENT_SECRET;
  return new CapstanClient(c.url, token ? { token } : clientId && clientSecret ? { clientId, clientSecret } : undefined);
}

/** The body of a successful request; a refusal throws ApiCallError (status, code, message, field details). */
async function call<T>(client: CapstanClient, method: string, path: string, body?: unknown): Promise<T> {
  return (await client.json<T>(method, path, body)).body;
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
};
const collect = (value: string, previous: string[]) => [...previous, value];

function connection(command: Command): Command {
  return command
    .option('--url <base>', 'the Capstan to talk to (default CAPSTAN_URL or http://127.0.0.1:8080)', process.env.CAPSTAN_URL ?? DEFAULT_URL)
    .option('--client-id <id>', 'API client id (default CAPSTAN_CLIENT_ID)')
    .option('--client-secret <secret>', 'API client secret (default CAPSTAN_CLIENT_SECRET)')
    .option('--token <token>', 'a bearer token instead of client credentials (default CAPSTAN_TOKEN)');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows a job until it finishes, redrawing one progress line on a terminal (one line per change otherwise). */
async function watch(client: CapstanClient, id: string, until: (job: Job) => boolean = (j) => FINISHED.has(j.state)): Promise<Job> {
  const tty = process.stdout.isTTY;
  let last = '';
  for (;;) {
    const job = await call<Job>(client, 'GET', `/api/v2/recording/jobs/${encodeURIComponent(id)}`);
    const line = progressLine(job);
    if (line !== last) process.stdout.write(tty ? `\r${line}` : `${line}\n`);
    last = line;
    if (until(job)) {
      if (tty) process.stdout.write('\n');
      return job;
    }
    await sleep(500);
  }
}

function finish(job: Job): void {
  if (job.errorMessage) process.stderr.write(`${job.errorMessage}\n`);
  if (job.totalFailedRecordings) process.stdout.write(`failed recordings: capstan jobs failed ${job.id}\n`);
  process.exitCode = job.state === 'FULFILLED' ? 0 : 1;
}

export function jobsCommand(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('Bulk recording jobs (DELETE, ARCHIVE, EXPORT) on a running Capstan, over its API (docs/retention.md)')
    .addHelpText('after', '\nA job is PENDING until counted, then READY; its creator runs it; it ends FULFILLED, FAILED or CANCELLED.\nExit status of run and watch: 0 when the job is FULFILLED, 1 otherwise.');

  connection(jobs.command('list').description('Jobs of the organization, newest first'))
    .option('--state <state>', 'PENDING, READY, PROCESSING, FULFILLED, FAILED or CANCELLED')
    .option('--type <action>', 'DELETE, ARCHIVE or EXPORT')
    .option('--mine', 'only jobs this client created')
    .action(async (opts: Connection & { state?: string; type?: string; mine?: boolean }) => {
      const query = new URLSearchParams({ pageSize: '100', ...(opts.state ? { state: opts.state } : {}), ...(opts.type ? { jobType: opts.type } : {}), ...(opts.mine ? { showOnlyMyJobs: 'true' } : {}) });
      const page = await call<{ entities: Job[] }>(clientOf(opts), 'GET', `/api/v2/recording/jobs?${query.toString()}`);
      for (const j of page.entities) process.stdout.write(`${j.id}  ${j.recordingJobsQuery.action.padEnd(7)}  ${j.dateCreated}  ${j.user.name ?? j.user.id}\n  ${progressLine(j)}\n`);
    });

  connection(jobs.command('show').description('One job, as JSON').argument('<id>')).action(async (id: string, opts: Connection) => {
    process.stdout.write(`${JSON.stringify(await call(clientOf(opts), 'GET', `/api/v2/recording/jobs/${encodeURIComponent(id)}`), null, 2)}\n`);
  });

  connection(jobs.command('create').description('Create a job over the conversations that started in an interval (and match the filters)'))
    .requiredOption('--action <action>', 'DELETE, ARCHIVE or EXPORT')
    .requiredOption('--interval <start/end>', 'ISO-8601 interval of the conversations\' start, e.g. 2026-01-01T00:00:00Z/2026-02-01T00:00:00Z')
    .option('--action-date <instant>', 'the date to set (ISO-8601)')
    .option('--action-age <days>', 'or: days after each recording\'s start', positiveInt)
    .option('--integration <id>', 'export integration (EXPORT)')
    .option('--queue <id>', 'only conversations through this queue (repeatable: any of them)', collect, [])
    .option('--user <id>', 'only conversations with this user (repeatable: any of them)', collect, [])
    .option('--wrapup <code>', 'only conversations with this wrap-up code (repeatable: any of them)', collect, [])
    .option('--direction <direction>', 'inbound or outbound')
    .option('--no-screen', 'leave screen recordings out')
    .option('--no-snippets', 'leave snippets out')
    .option('--run', 'wait until it is READY, start it and follow it to the end')
    .action(async (opts: Connection & Record<string, unknown>) => {
      const any = (dimension: string, values: string[]) => (values.length ? [{ type: 'or', predicates: values.map((value) => ({ dimension, value })) }] : []);
      const body = {
        action: String(opts.action).toUpperCase(),
        ...(opts.actionDate ? { actionDate: opts.actionDate } : {}),
        ...(opts.actionAge !== undefined ? { actionAge: opts.actionAge } : {}),
        ...(opts.integration ? { integrationId: opts.integration } : {}),
        includeScreenRecordings: opts.screen !== false,
        includeSnippetRecordings: opts.snippets !== false,
        conversationQuery: {
          interval: opts.interval,
          ...(opts.direction ? { conversationFilters: [{ type: 'and', predicates: [{ dimension: 'originatingDirection', value: opts.direction }] }] } : {}),
          segmentFilters: [...any('queueId', opts.queue as string[]), ...any('userId', opts.user as string[]), ...any('wrapUpCode', opts.wrapup as string[])],
        },
      };
      const client = clientOf(opts);
      const job = await call<Job>(client, 'POST', '/api/v2/recording/jobs', body);
      process.stdout.write(`job ${job.id} created (${job.state})\n`);
      if (!opts.run) return;
      const ready = await watch(client, job.id, (j) => j.state !== 'PENDING');
      if (ready.state !== 'READY') return finish(ready);
      await call(client, 'PUT', `/api/v2/recording/jobs/${job.id}`, { state: 'PROCESSING' });
      finish(await watch(client, job.id));
    });

  connection(jobs.command('run').description('Start a READY job (its creator only) and follow it to the end').argument('<id>')).action(async (id: string, opts: Connection) => {
    const client = clientOf(opts);
    await call(client, 'PUT', `/api/v2/recording/jobs/${encodeURIComponent(id)}`, { state: 'PROCESSING' });
    finish(await watch(client, id));
  });

  connection(jobs.command('watch').description('Follow a job with a progress bar until it finishes').argument('<id>')).action(async (id: string, opts: Connection) => {
    finish(await watch(clientOf(opts), id));
  });

  connection(jobs.command('cancel').description('Cancel a job that has not finished').argument('<id>')).action(async (id: string, opts: Connection) => {
    await call(clientOf(opts), 'DELETE', `/api/v2/recording/jobs/${encodeURIComponent(id)}`);
    process.stdout.write(`job ${id} cancelled\n`);
  });

  connection(jobs.command('failed').description('The recordings a job could not change, and why').argument('<id>')).action(async (id: string, opts: Connection) => {
    const client = clientOf(opts);
    let next: string | undefined = `/api/v2/recording/jobs/${encodeURIComponent(id)}/failedrecordings?pageSize=100&includeTotal=false`;
    while (next) {
      const page: { entities: Array<{ conversation: { id: string }; recording: { id: string }; errorCode: string; errorMessage: string }>; nextUri?: string } = await call(client, 'GET', next);
      for (const f of page.entities) process.stdout.write(`${f.conversation.id}  ${f.recording.id}  ${f.errorCode}  ${f.errorMessage}\n`);
      next = page.nextUri;
    }
  });
}
