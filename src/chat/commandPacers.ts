/**
 * One pacer per Chat command (DESIGN.md "Rate budget": Tencent limits each REST command separately, so
 * each gets its own share of its own budget), created on first use, with the two instance-wide rules:
 * an invocation's first start of any command waits one spacing after the invocation began, and 60011
 * (the per-app limit) pauses every command.
 */
import { CallPacer, type PacerClock, systemClock } from './callPacer.ts';

export class CommandPacers {
  readonly #shareOf: (command: string) => number;
  readonly #clock: PacerClock;
  readonly #pacers = new Map<string, CallPacer>();
  #invocationStartedAtMs: number | undefined;
  #pausedUntilMs = Number.NEGATIVE_INFINITY;

  /**
   * @param shareOf this instance's calls per second for a command path (`sns/friend_get`): its budget
   *   divided by MAX_CONCURRENCY.
   * @example
   * const pacers = new CommandPacers((command) => budgets.get(command) / maxConcurrency);
   * if (await pacers.pacerFor('sns/friend_get').acquire(latestStartMs)) send();
   */
  constructor(shareOf: (command: string) => number, { clock = systemClock }: { clock?: PacerClock } = {}) {
    this.#shareOf = shareOf;
    this.#clock = clock;
  }

  /** The pacer of a command path (`service/command`). */
  pacerFor(command: string): CallPacer {
    let pacer = this.#pacers.get(command);
    if (pacer === undefined) {
      pacer = new CallPacer(this.#shareOf(command), { clock: this.#clock });
      if (this.#invocationStartedAtMs !== undefined) pacer.beginInvocation(this.#invocationStartedAtMs);
      const pauseLeft = this.#pausedUntilMs - this.#clock.now();
      if (pauseLeft > 0) pacer.pause(pauseLeft);
      this.#pacers.set(command, pacer);
    }
    return pacer;
  }

  /** An invocation begins now: every command's first start in it waits one spacing. */
  beginInvocation(): void {
    this.#invocationStartedAtMs = this.#clock.now();
    for (const pacer of this.#pacers.values()) pacer.beginInvocation(this.#invocationStartedAtMs);
  }

  /** After 60011, the per-app limit: no call of any command for `durationMs`. */
  pauseAll(durationMs: number): void {
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#clock.now() + durationMs);
    for (const pacer of this.#pacers.values()) pacer.pause(durationMs);
  }
}
