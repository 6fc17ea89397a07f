import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay over a sliding window: two histograms take turns, so the figure always covers
 * the last one to two windows (a cumulative histogram would hide a recent stall behind hours of
 * calm).
 */
export class EventLoopMonitor {
  private current: IntervalHistogram;
  private previous: IntervalHistogram;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windowMs = 5000) {
    this.current = monitorEventLoopDelay({ resolution: 10 });
    this.previous = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    this.current.enable();
    this.timer = setInterval(() => {
      this.previous.disable();
      this.previous.reset();
      [this.previous, this.current] = [this.current, this.previous];
      this.current.enable();
    }, this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.current.disable();
    this.previous.disable();
  }

  /** The p99 of event-loop delay over the recent window, in seconds. */
  p99Seconds(): number {
    const p = Math.max(this.current.count > 0 ? this.current.percentile(99) : 0, this.previous.count > 0 ? this.previous.percentile(99) : 0);
    return p / 1e9;
  }
}
