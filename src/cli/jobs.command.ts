import { InvalidArgumentError, type Command } from 'commander';
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

class ApiError extends Error {}

/** JSON over HTTP with a bearer token: given, or obtained by client credentials at POST /oauth/token. */
class JobsApi {
  private token: string | undefined;

  constructor(private readonly c: Connection) {
    this.token = c.token ?? process.env.CAPSTAN_TOKEN;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.c.url), {
      method,
      headers: { ...(await this.auth()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as T & { message?: string; code?: string; details?: Array<{ fieldName?: string; entityName?: string }> }) : undefined;
    if (!response.ok) {
      const details = parsed?.details?.map((d) => `\n  ${d.fieldName ?? ''}: ${d.entityName ?? ''}`).join('') ?? '';
      throw new ApiError(`${method} ${path}: ${response.status} ${parsed?.code ?? ''} ${parsed?.message ?? text}${details}`);
    }
    return parsed as T;
  }

  private async auth(): Promise<Record<string, string>> {
    const id = this.c.clientId ?? process.env.CAPSTAN_CLIENT_ID;
    const secret = this.c.clientSecret ?? process.env.CAPSTAN_CLIENT_SECRET;
    if (!this.token && id && secret) {
      const response = await fetch(new URL('/oauth/token', this.c.url), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const body = (await response.json()) as { access_token?: string; message?: string };
      if (!response.ok || !body.access_token) throw new ApiError(`sign-in refused: ${body.message ?? response.status}`);
      this.token = body.access_token;
    }
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
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
async function watch(api: JobsApi, id: string, until: (job: Job) => boolean = (j) => FINISHED.has(j.state)): Promise<Job> {
  const tty = process.stdout.isTTY;
  let last = '';
  for (;;) {
    const job = await api.call<Job>('GET', `/api/v2/recording/jobs/${encodeURIComponent(id)}`);
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
  const api = (opts: Connection) => new JobsApi(opts);

  connection(jobs.command('list').description('Jobs of the organization, newest first'))
    .option('--state <state>', 'PENDING, READY, PROCESSING, FULFILLED, FAILED or CANCELLED')
    .option('--type <action>', 'DELETE, ARCHIVE or EXPORT')
    .option('--mine', 'only jobs this client created')
    .action(async (opts: Connection & { state?: string; type?: string; mine?: boolean }) => {
      const query = new URLSearchParams({ pageSize: '100', ...(opts.state ? { state: opts.state } : {}), ...(opts.type ? { jobType: opts.type } : {}), ...(opts.mine ? { showOnlyMyJobs: 'true' } : {}) });
      const page = await api(opts).call<{ entities: Job[] }>('GET', `/api/v2/recording/jobs?${query.toString()}`);
      for (const j of page.entities) process.stdout.write(`${j.id}  ${j.recordingJobsQuery.action.padEnd(7)}  ${j.dateCreated}  ${j.user.name ?? j.user.id}\n  ${progressLine(j)}\n`);
    });

  connection(jobs.command('show').description('One job, as JSON').argument('<id>')).action(async (id: string, opts: Connection) => {
    process.stdout.write(`${JSON.stringify(await api(opts).call('GET', `/api/v2/recording/jobs/${encodeURIComponent(id)}`), null, 2)}\n`);
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
      const client = api(opts);
      const job = await client.call<Job>('POST', '/api/v2/recording/jobs', body);
      process.stdout.write(`job ${job.id} created (${job.state})\n`);
      if (!opts.run) return;
      const ready = await watch(client, job.id, (j) => j.state !== 'PENDING');
      if (ready.state !== 'READY') return finish(ready);
      await client.call('PUT', `/api/v2/recording/jobs/${job.id}`, { state: 'PROCESSING' });
      finish(await watch(client, job.id));
    });

  connection(jobs.command('run').description('Start a READY job (its creator only) and follow it to the end').argument('<id>')).action(async (id: string, opts: Connection) => {
    const client = api(opts);
    await client.call('PUT', `/api/v2/recording/jobs/${encodeURIComponent(id)}`, { state: 'PROCESSING' });
    finish(await watch(client, id));
  });

  connection(jobs.command('watch').description('Follow a job with a progress bar until it finishes').argument('<id>')).action(async (id: string, opts: Connection) => {
    finish(await watch(api(opts), id));
  });

  connection(jobs.command('cancel').description('Cancel a job that has not finished').argument('<id>')).action(async (id: string, opts: Connection) => {
    await api(opts).call('DELETE', `/api/v2/recording/jobs/${encodeURIComponent(id)}`);
    process.stdout.write(`job ${id} cancelled\n`);
  });

  connection(jobs.command('failed').description('The recordings a job could not change, and why').argument('<id>')).action(async (id: string, opts: Connection) => {
    const client = api(opts);
    let next: string | undefined = `/api/v2/recording/jobs/${encodeURIComponent(id)}/failedrecordings?pageSize=100&includeTotal=false`;
    while (next) {
      const page: { entities: Array<{ conversation: { id: string }; recording: { id: string }; errorCode: string; errorMessage: string }>; nextUri?: string } = await client.call('GET', next);
      for (const f of page.entities) process.stdout.write(`${f.conversation.id}  ${f.recording.id}  ${f.errorCode}  ${f.errorMessage}\n`);
      next = page.nextUri;
    }
  });
}
