/** Where the process is in its life: health checks answer from this, and draining work checks it. */
export class Lifecycle {
  private current: 'starting' | 'ready' | 'draining' = 'starting';
  private readonly drainHooks: Array<{ name: string; drain: () => Promise<void> }> = [];

  get state() {
    return this.current;
  }

  ready(): void {
    this.current = 'ready';
  }

  /** Registers work to finish before the process exits (live media sessions, running jobs). */
  onDrain(name: string, drain: () => Promise<void>): void {
    this.drainHooks.push({ name, drain });
  }

  /** Runs every drain hook, last registered first; returns the names of those that failed. */
  async drain(): Promise<string[]> {
    this.current = 'draining';
    const failed: string[] = [];
    for (const hook of [...this.drainHooks].reverse()) {
      try {
        await hook.drain();
      } catch {
        failed.push(hook.name);
      }
    }
    return failed;
  }
}
