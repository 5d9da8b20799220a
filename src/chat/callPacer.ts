/**
 * Paces one instance's starts of one Chat command so the whole deployment stays inside that command's
 * budget (DESIGN.md "Rate budget"): consecutive starts are at least the spacing 1/⌊r⌋ apart (1/r when
 * r < 1; a smooth pacer with a burst of one, so no half-open one-second window holds more than ⌊r⌋
 * starts), the first start of an invocation waits one spacing after the invocation began (so the budget
 * holds however Lambda rotates warm instances), and after a throttled answer no call starts until the
 * pause has passed. Waiters are served first come, first served.
 */
import { spacingMs } from '../configuration.ts';

/** Time source and timer, injectable so the pacer is tested with a fake clock. */
export interface PacerClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): { cancel(): void };
}

export const systemClock: PacerClock = {
  now: () => performance.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * How late a turn may be granted and still keep its place in the schedule. With k turns per window,
 * any k+1 consecutive starts then span at least k × interval − slack, still above one second.
 */
const TIMER_SLACK_MS = 2;

/**
 * How early a turn may be granted ahead of its scheduled slot. Node's timers have millisecond
 * granularity and fire late by up to about a millisecond; aiming this much early keeps the mean spacing
 * on the schedule. Any k+1 consecutive starts still span k × interval − slack − this, over one second.
 */
const EARLY_GRANT_MS = 1;

/** Share of the budget deliberately left unused (see the constructor). */
const DEFAULT_HEADROOM = 0.02;

interface Waiter {
  /** The latest clock time at which this caller may still start its call. */
  latestStartMs: number;
  resolve(started: boolean): void;
}

export class CallPacer {
  readonly #intervalMs: number;
  readonly #clock: PacerClock;
  readonly #minGapMs: number;
  readonly #earlyGrantMs: number;
  readonly #queue: Waiter[] = [];
  /** The schedule: the next turn's slot. Turns are granted on slots, so timer lateness does not add up. */
  #nextSlotMs = Number.NEGATIVE_INFINITY;
  /** DESIGN.md's hard floor: 1/r after the last real start. */
  #notBeforeMs = Number.NEGATIVE_INFINITY;
  #pausedUntilMs = Number.NEGATIVE_INFINITY;
  /** No start before one spacing after the current invocation began. */
  #invocationFloorMs = Number.NEGATIVE_INFINITY;
  #timer: { cancel(): void } | undefined;

  /**
   * @param callsPerSecond this instance's share of the budget (fractions allowed).
   * @param headroom fraction of the share left unused. The server counts arrivals, not starts: network
   *   jitter can bring two starts that were 1/r apart closer together, and a window would then hold one
   *   call too many. With k calls per window, k intervals span 1000 ms / (1 - headroom): 2% keeps up to
   *   ~20 ms of arrival jitter (event-loop lag, network) harmless, at 98% of the share.
   * @example
   * const pacer = new CallPacer(200 / 2);
   * if (await pacer.acquire(deadline)) await callTheApi();
   */
  constructor(callsPerSecond: number, { clock = systemClock, headroom = DEFAULT_HEADROOM } = {}) {
    if (!(callsPerSecond > 0) || !Number.isFinite(callsPerSecond)) {
      throw new RangeError('callsPerSecond must be a positive finite number');
    }
    if (!(headroom >= 0 && headroom < 1)) throw new RangeError('headroom must be in [0, 1)');
    // Starts 1/r apart let a one-second window hold ceil(r) of them, so a share of r >= 1 is paced at
    // floor(r): then MAX_CONCURRENCY instances never put more than the budget into any window. A share
    // below 1/s can only bound the long-run rate (one call per window per instance).
    const windowCap = callsPerSecond >= 1 ? Math.floor(callsPerSecond) : callsPerSecond;
    // Round up to whole microseconds so float error can never squeeze in one call too many.
    this.#intervalMs = Math.ceil((1000 / (windowCap * (1 - headroom))) * 1000) / 1000;
    this.#minGapMs = spacingMs(callsPerSecond);
    // Early grants and late-timer slack eat into the headroom: allow them only as far as any k+1
    // consecutive starts (k turns per window) still span more than a second.
    const turnsPerWindow = Math.max(1, Math.floor(callsPerSecond));
    const spare = turnsPerWindow * this.#intervalMs - 1000 - TIMER_SLACK_MS;
    this.#earlyGrantMs = Math.min(Math.max(spare, 0), EARLY_GRANT_MS);
    this.#clock = clock;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /**
   * Waits for this caller's turn. Resolves `true` when the call may start now (the start is counted),
   * or `false` as soon as it is known that the turn cannot come by `latestStartMs` (nothing is counted).
   */
  acquire(latestStartMs: number = Number.POSITIVE_INFINITY): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.#queue.push({ latestStartMs, resolve });
      this.#pump();
    });
  }

  /**
   * Re-anchors the spacing on the moment the caller really sends, just before the request goes out. A
   * busy event loop can run the caller's continuation well after its turn was granted; spacing the next
   * turn from the grant would then let the two requests arrive closer together than the interval.
   */
  markStarted(): void {
    const now = this.#clock.now();
    this.#nextSlotMs = Math.max(this.#nextSlotMs, now - TIMER_SLACK_MS + this.#intervalMs);
    this.#notBeforeMs = Math.max(this.#notBeforeMs, now + this.#minGapMs);
  }

  /**
   * An invocation begins: its first start waits at least one interval from now. Another instance may have
   * started a call of the same slot just before this one was invoked (Lambda rotates warm instances), and
   * only this wait keeps the two starts a spacing apart.
   */
  beginInvocation(startedAtMs: number = this.#clock.now()): void {
    this.#invocationFloorMs = startedAtMs + this.#intervalMs;
    this.#pump();
  }

  /** Starts no call for `durationMs` from now (after a throttled answer). Pauses never shorten each other. */
  pause(durationMs: number): void {
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#clock.now() + durationMs);
    this.#pump();
  }

  #pump(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const now = this.#clock.now();
    const slot = Math.max(this.#nextSlotMs, this.#notBeforeMs, this.#pausedUntilMs, this.#invocationFloorMs);
    // A scheduled turn may go up to #earlyGrantMs before its slot (never before the 1/r floor or the
    // end of a pause): millisecond timers fire late, and without this every turn would lose that time.
    const earliestStart = Math.max(
      now,
      this.#nextSlotMs - this.#earlyGrantMs,
      this.#notBeforeMs,
      this.#pausedUntilMs,
      this.#invocationFloorMs,
    );
    this.#refuseHopelessWaiters(earliestStart);
    const head = this.#queue[0];
    if (head === undefined) return;
    if (earliestStart > now) {
      this.#timer = this.#clock.setTimer(() => this.#pump(), earliestStart - now);
      return;
    }
    this.#queue.shift();
    // Timers fire up to a millisecond or two late; the next slot keeps the cadence of the schedule
    // instead of adding that lateness to every interval. Lateness beyond the slack (an idle pacer, a
    // stalled loop) moves the schedule, so unused time is never banked into a burst.
    this.#nextSlotMs = (now - slot <= TIMER_SLACK_MS ? slot : now) + this.#intervalMs;
    this.#notBeforeMs = now + this.#minGapMs;
    head.resolve(true);
    if (this.#queue.length > 0) this.#pump();
  }

  /**
   * Tells every waiter whose turn cannot come by its latest start so now, instead of when its turn would
   * have come. Turns only move later (pauses), so a projection that misses never recovers.
   */
  #refuseHopelessWaiters(earliestStart: number): void {
    let turn = earliestStart;
    for (let i = 0; i < this.#queue.length; ) {
      const waiter = this.#queue[i] as Waiter;
      if (turn > waiter.latestStartMs) {
        this.#queue.splice(i, 1);
        waiter.resolve(false);
      } else {
        turn += this.#intervalMs;
        i++;
      }
    }
  }
}
