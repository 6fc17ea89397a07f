import type { Logger } from 'pino';
import type { Clock } from '../store/clock.js';
import type { ClaimedJob, JobQueue } from '../store/job-queue.js';

/**
 * The background worker of the `worker` role: runs queued jobs through their handlers and lets
 * pollers (the lifecycle scheduler) apply what is due, then sleeps until the next due instant, a
 * nudge, or the poll interval. Work is leased, so any number of workers may run against one
 * database, and a worker that dies loses nothing but time.
 */

/** What a handler may ask for: nothing (done), or to run the same job again later. */
export type JobResult = void | { readonly retryAtMs: number };
export type JobHandler = (job: ClaimedJob) => Promise<JobResult>;

export interface Poller {
  readonly name: string;
  /** Applies one batch of due work; returns how many items it took (0 when idle). */
  runDue(): Promise<number>;
  nextDueAt(): Promise<number | null>;
}

export interface WorkerOptions {
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly owner: string;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly batchSize: number;
}

export class Worker {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pollers: Poller[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly o: WorkerOptions) {}

  handle(queue: string, handler: JobHandler): void {
    this.handlers.set(queue, handler);
  }

  poll(poller: Poller): void {
    this.pollers.push(poller);
  }

  /** Cuts the current sleep short (new work was just queued). */
  nudge(): void {
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the pass in progress and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  /** One pass: a batch of queued jobs and a batch of every poller; returns how much was done. */
  async runOnce(): Promise<number> {
    let done = 0;
    const { queue, clock, owner, batchSize, leaseMs } = this.o;
    for (const job of await queue.claim([...this.handlers.keys()], owner, batchSize, leaseMs, clock.now())) {
      done++;
      await this.runJob(job);
    }
    for (const poller of this.pollers) {
      try {
        done += await poller.runDue();
      } catch (err) {
        this.o.logger.error({ err, poller: poller.name }, 'background work failed');
      }
    }
    return done;
  }

  /** Runs passes until nothing is left to do now (tests, the command line). */
  async runUntilIdle(): Promise<void> {
    while ((await this.runOnce()) > 0);
  }

  private async runJob(job: ClaimedJob): Promise<void> {
    const { queue, clock, logger } = this.o;
    try {
      const result = await this.handlers.get(job.queue)!(job);
      if (result) await queue.enqueue({ queue: job.queue, key: job.key, orgId: job.orgId ?? undefined, payload: job.payload, runAtMs: result.retryAtMs, maxAttempts: job.maxAttempts });
      else await queue.complete(job, clock.now());
    } catch (err) {
      const retryAt = clock.now() + Math.min(600_000, 2_000 * 2 ** Math.min(job.attempt, 10));
      logger.warn({ err, queue: job.queue, key: job.key, attempt: job.attempt }, 'job failed');
      await queue.fail(job, err instanceof Error ? err.message : String(err), retryAt, clock.now());
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let done = 0;
      try {
        done = await this.runOnce();
      } catch (err) {
        this.o.logger.error({ err }, 'worker pass failed');
      }
      if (done > 0 || !this.running) continue;
      await this.sleep(await this.idleFor());
    }
  }

  private async idleFor(): Promise<number> {
    const next = [await this.o.queue.nextRunAt([...this.handlers.keys()]), ...(await Promise.all(this.pollers.map((p) => p.nextDueAt())))].filter(
      (t): t is number => t !== null,
    );
    const until = next.length ? Math.min(...next) - this.o.clock.now() : this.o.pollMs;
    return Math.max(10, Math.min(this.o.pollMs, until));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
