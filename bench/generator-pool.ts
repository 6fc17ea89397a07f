import type { ChildProcess } from 'node:child_process';
import type { GeneratorConfig, GeneratorMessage, GeneratorStart } from './load-generator.js';

/**
 * Several load generator processes driving one trial's calls between them (call i goes to
 * process i mod n), started together and reported as one: a single Node process spends as much
 * per frame sent (one socket write, the loopback TCP path behind it) as a bare WebSocket server
 * spends per frame received, so one generator cannot load that server to its limit.
 */

type Done = Extract<GeneratorMessage, { type: 'done' }>;

export interface GeneratorPool {
  readonly children: readonly ChildProcess[];
  /** `go` (the first call starts), `progress` (every second, summed over the processes), `done` once all are. */
  onMessage(listener: (m: GeneratorMessage) => void): void;
  /** Rejects when a process exits with an error. */
  readonly failed: Promise<never>;
  kill(): void;
}

export function startGenerators(config: Omit<GeneratorConfig, 'shard' | 'shards'>, shards: number, spawn: (config: GeneratorConfig) => ChildProcess): GeneratorPool {
  const children = Array.from({ length: shards }, (_, shard) => spawn({ ...config, shard, shards }));
  const listeners: Array<(m: GeneratorMessage) => void> = [];
  const emit = (m: GeneratorMessage) => listeners.forEach((l) => l(m));
  const sent = new Array<number>(shards).fill(0);
  const backlog = new Array<number>(shards).fill(0);
  const lag = new Array<number>(shards).fill(0);
  const done: Done[] = [];
  let prepared = 0;
  let went = false;
  children.forEach((child, shard) => {
    child.on('message', (m: GeneratorMessage) => {
      if (m.type === 'prepared' && ++prepared === shards) {
        // Connecting takes about a millisecond per call, after which the calls start together.
        const start: GeneratorStart = { type: 'start', goAt: Date.now() + 1000 + config.calls };
        for (const c of children) c.send(start);
      }
      if (m.type === 'go' && !went) {
        went = true;
        emit(m);
      }
      if (m.type === 'progress') {
        sent[shard] = m.sent;
        backlog[shard] = m.backlogBytes;
        lag[shard] = m.lagMs;
        // Each process reports once a second: the sum is whole once the last of them has.
        if (shard === shards - 1) emit({ type: 'progress', sent: sum(sent), lagMs: Math.max(...lag), backlogBytes: sum(backlog) });
      }
      if (m.type === 'done' && done.push(m) === shards) {
        emit({
          type: 'done',
          sent: sum(done.map((d) => d.sent)),
          maxLagMs: Math.max(...done.map((d) => d.maxLagMs)),
          playableMs: done.flatMap((d) => d.playableMs),
          received: sum(done.map((d) => d.received)),
          late: sum(done.map((d) => d.late)),
          lost: sum(done.map((d) => d.lost)),
          notPlayable: sum(done.map((d) => d.notPlayable)),
          failedOpens: sum(done.map((d) => d.failedOpens)),
        });
      }
    });
  });
  const failed = new Promise<never>((_, reject) => {
    for (const child of children) child.once('exit', (code) => code !== 0 && reject(new Error(`a load generator exited with ${code}`)));
  });
  failed.catch(() => undefined);
  return {
    children,
    onMessage: (listener) => void listeners.push(listener),
    failed,
    kill() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
