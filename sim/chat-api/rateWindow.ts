/**
 * The app-wide REST call limit (200 calls/s by default, DOCS "Usage limits"), enforced over *any* sliding
 * one-second window of request arrivals. Tencent does not document the window; a sliding window is the
 * strictest reading, so a client that passes here cannot rely on a lucky fixed-window boundary.
 * Every arrival counts, rejected ones included: a client that hammers on 60007 keeps itself throttled.
 */

/** The length of the window, in milliseconds. */
export const RATE_WINDOW_MS = 1000;

export class SlidingRateWindow {
  #limit: number;
  /** Arrival times, oldest first, from `#head` on (older slots are dead and compacted away lazily). */
  #arrivals: number[] = [];
  #head = 0;

  /** @param limit calls allowed per window: a positive integer, or `Infinity` to disable the limit. */
  constructor(limit: number) {
    this.#limit = SlidingRateWindow.#checkedLimit(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  setLimit(limit: number): void {
    this.#limit = SlidingRateWindow.#checkedLimit(limit);
  }

  /**
   * Records an arrival at `nowMs` and says whether it is within the limit: the window (nowMs - 1000, nowMs]
   * holds at most `limit` arrivals, this one included.
   * @example
   * const window = new SlidingRateWindow(2);
   * [window.admit(0), window.admit(10), window.admit(20), window.admit(1011)]; // [true, true, false, true]
   * // at 1011 the window (11, 1011] holds the rejected arrival at 20 and this one: 2 <= 2
   */
  admit(nowMs: number): boolean {
    if (this.#limit === Number.POSITIVE_INFINITY) return true;
    while (
      this.#head < this.#arrivals.length &&
      (this.#arrivals[this.#head] ?? nowMs) <= nowMs - RATE_WINDOW_MS
    ) {
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#arrivals.length) {
      this.#arrivals = this.#arrivals.slice(this.#head);
      this.#head = 0;
    }
    this.#arrivals.push(nowMs);
    return this.#arrivals.length - this.#head <= this.#limit;
  }

  static #checkedLimit(limit: number): number {
    if (limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit > 0)) return limit;
    throw new RangeError(`callsPerSecond must be a positive integer or Infinity, got ${limit}`);
  }
}
