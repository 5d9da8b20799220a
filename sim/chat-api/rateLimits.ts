/**
 * Tencent limits each REST command separately (DOCS "Usage limits"): 200 calls/s per command by default,
 * 100/s for `account_delete`, `account_check` and `multiaccount_import`. One {@link SlidingRateWindow} per
 * command models that: a burst on one command never throttles another.
 */
import { commandFacts } from './catalog.ts';
import { SlidingRateWindow } from './rateWindow.ts';

/** Tencent's default per-command limit. */
export const DEFAULT_CALLS_PER_SECOND = 200;
/** The limit of the account commands (`account_delete`, `account_check`, `multiaccount_import`). */
export const ACCOUNT_CALLS_PER_SECOND = 100;

const ACCOUNT_CLASS = new Set(['im_open_login_svc/multiaccount_import']);

function isAccountClass(commandKey: string): boolean {
  const [service = '', command = ''] = commandKey.split('/');
  return commandFacts(service, command)?.limitClass === 'account' || ACCOUNT_CLASS.has(commandKey);
}

function checkedLimit(limit: number): number {
  if (limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit > 0)) return limit;
  throw new RangeError(`callsPerSecond must be a positive integer or Infinity, got ${limit}`);
}

/**
 * One sliding one-second window per command.
 * @example
 * const limits = new PerCommandRateLimits();
 * limits.limitOf('im_open_login_svc/account_delete'); // 100
 */
export class PerCommandRateLimits {
  #defaultLimit: number;
  readonly #overrides = new Map<string, number>();
  readonly #windows = new Map<string, SlidingRateWindow>();

  /** @param defaultLimit the per-command limit (the account commands keep min(it, 100)); Infinity disables. */
  constructor(defaultLimit: number = DEFAULT_CALLS_PER_SECOND) {
    this.#defaultLimit = checkedLimit(defaultLimit);
  }

  /** The limit in force for `service/command` (any path key works: unknown routes get the default). */
  limitOf(commandKey: string): number {
    const override = this.#overrides.get(commandKey);
    if (override !== undefined) return override;
    return isAccountClass(commandKey)
      ? Math.min(this.#defaultLimit, ACCOUNT_CALLS_PER_SECOND)
      : this.#defaultLimit;
  }

  /** Sets the default per-command limit; windows keep their arrivals. */
  setDefault(limit: number): void {
    this.#defaultLimit = checkedLimit(limit);
    for (const [key, window] of this.#windows) window.setLimit(this.limitOf(key));
  }

  /**
   * Sets one command's limit (`null`: back to the default rule).
   * @example
   * limits.setCommandLimit('sns/friend_get', 5);
   */
  setCommandLimit(commandKey: string, limit: number | null): void {
    if (limit === null) this.#overrides.delete(commandKey);
    else this.#overrides.set(commandKey, checkedLimit(limit));
    this.#windows.get(commandKey)?.setLimit(this.limitOf(commandKey));
  }

  /**
   * Records an arrival for `commandKey` at `nowMs`; false when that command is over its limit (60007).
   * @example
   * const limits = new PerCommandRateLimits(1);
   * [limits.admit('sns/friend_get', 0), limits.admit('sns/friend_get', 1), limits.admit('sns/group_get', 2)];
   * // [true, false, true]
   */
  admit(commandKey: string, nowMs: number): boolean {
    let window = this.#windows.get(commandKey);
    if (window === undefined) {
      window = new SlidingRateWindow(this.limitOf(commandKey));
      this.#windows.set(commandKey, window);
    }
    return window.admit(nowMs);
  }
}
