/** Wall-clock time, behind an interface so that services can be tested at chosen instants. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
