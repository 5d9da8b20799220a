/**
 * The rate-budget check of a chaos run, from the simulator's arrival log: DESIGN.md's rule is that no
 * sliding one-second window holds more than CALL_BUDGET_PER_SECOND call starts across the deployment.
 * Arrivals are what the Chat API counts, so they are what is checked.
 */

export interface BusiestWindow {
  /** Arrivals in the busiest window (start, start + windowMs]. */
  calls: number;
  /** Arrival time of the window's first call (epoch ms); undefined when there were no calls. */
  firstArrivalMs?: number;
}

/**
 * The most arrivals any window `(t - windowMs, t]` holds, over every t. Arrival times need not be sorted.
 * @example
 * busiestWindow([0, 10, 20, 1011], 1000); // { calls: 3, firstArrivalMs: 0 }
 */
export function busiestWindow(arrivalsMs: readonly number[], windowMs = 1000): BusiestWindow {
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  let best: BusiestWindow = { calls: 0 };
  let head = 0;
  for (let tail = 0; tail < sorted.length; tail++) {
    const end = sorted[tail] as number;
    while ((sorted[head] as number) <= end - windowMs) head++;
    const calls = tail - head + 1;
    if (calls > best.calls) best = { calls, firstArrivalMs: sorted[head] as number };
  }
  return best;
}
