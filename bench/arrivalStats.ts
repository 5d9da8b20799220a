/**
 * Pure arithmetic over the simulator's arrival log and over repeated samples. Kept apart from the timed
 * phases so the definitions the benchmark reports (what "throughput" and "a 1-second window" mean) are
 * tested on their own.
 */

/**
 * Steady rate of a run of arrivals: `(n − 1) / (last − first)`. n arrivals span n − 1 gaps, so this is
 * the rate a pacer held between the first call and the last; it does not count the time before the first
 * call (cold start, first receive) or after the last one (its latency, the final deletes).
 * @example
 * arrivalRatePerSecond([0, 10, 20]); // 100 calls/s
 */
export function arrivalRatePerSecond(arrivalsMs: readonly number[]): number {
  if (arrivalsMs.length < 2) return 0;
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  const spanMs = (sorted.at(-1) as number) - (sorted[0] as number);
  return spanMs > 0 ? ((sorted.length - 1) * 1000) / spanMs : Number.POSITIVE_INFINITY;
}

/**
 * The most arrivals any sliding window `(t − windowMs, t]` holds, the definition the simulator's rate
 * limit uses (rateWindow.ts). Only windows ending on an arrival need checking: a window's count only
 * grows when an arrival enters it.
 * @example
 * maxArrivalsInAnyWindow([0, 500, 999, 1000], 1000); // 3: (0, 1000] holds 500, 999 and 1000
 */
export function maxArrivalsInAnyWindow(arrivalsMs: readonly number[], windowMs = 1000): number {
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  let most = 0;
  let oldest = 0;
  for (let newest = 0; newest < sorted.length; newest++) {
    const end = sorted[newest] as number;
    while ((sorted[oldest] as number) <= end - windowMs) oldest++;
    most = Math.max(most, newest - oldest + 1);
  }
  return most;
}

/** Middle value (mean of the two middle ones for an even count); NaN for no samples. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/**
 * @example
 * spread([3, 1, 2]); // { min: 1, median: 2, max: 3 }
 */
export function spread(samples: readonly number[]): Spread {
  if (samples.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  return { min: Math.min(...samples), median: median(samples), max: Math.max(...samples) };
}

/** Rounds for reporting (JSON and table alike), so runs compare digit for digit. */
export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
