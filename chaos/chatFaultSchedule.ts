/**
 * The rare Chat faults, on a schedule rather than by chance: every command's own family codes (its retry,
 * "does not exist", "already gone" and "not enabled" codes, 71000 on account_delete), failed items on the
 * batch writes, and the rarest faults of the random mix (HTTP 4xx and 429, an unknown code, an ignored
 * write, a stale cursor), queued one at a time as one-shot scripted faults in a seeded order, round after round. The
 * next request of that command meets it, whoever it is for. Drawn at random among thousands of requests,
 * a code of one command would miss short runs; scheduled, every one of them appears in every run. The codes
 * that stop or skip work on the API's word ("does not exist", "not enabled": lies about accounts that exist,
 * which waive the data checks they touch) are in the first round only.
 */
import type { Fault } from '../sim/chat-api/index.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { COMMAND_CODES, codeClass, PLAN_COMMANDS } from './planCatalog.ts';
import { SeededRandom } from './seededRandom.ts';

/**
 * The batch writes with per-item results, and the item codes each may answer (API.md §4.4, §4.5, §8.5):
 * transient ones, and "not on the list" where the item is another account's entry.
 */
const ITEM_ERROR_CODES: Readonly<Record<string, readonly number[]>> = {
  'sns/black_list_delete': [30006, 31704],
  'follow/follow_delete': [30006, 31704],
  'im_open_login_svc/account_delete': [30006, 70169],
};

/** Faults of the random mix with a small weight, scheduled too so that short runs meet them. */
const GENERIC_FAULTS: readonly Fault[] = [
  { type: 'http-status', status: 400 },
  { type: 'http-status', status: 404 },
  { type: 'http-status', status: 429 },
  { type: 'error-code', code: 70999 },
  { type: 'ignore' },
  { type: 'stale-cursor' },
];

/**
 * Every scheduled fault of a round, once; `lies`: with the "does not exist" and "not enabled" codes.
 * @example
 * scheduledFaults(true).length; // one per (command, family code) and per (batch write, item code)
 */
export function scheduledFaults(lies: boolean): Fault[] {
  const told = (code: number) => lies || (codeClass(code) !== 'absent' && codeClass(code) !== 'not-enabled');
  return [
    ...PLAN_COMMANDS.flatMap((command) =>
      (COMMAND_CODES[command] ?? [])
        .filter(told)
        .map((code): Fault => ({ type: 'error-code', code, command })),
    ),
    ...Object.entries(ITEM_ERROR_CODES).flatMap(([command, codes]) =>
      codes.map((code): Fault => ({ type: 'item-error', code, command })),
    ),
    // The rarest of the random mix, once a round for the next request they fit, whatever its command.
    ...GENERIC_FAULTS,
  ];
}

export class ChatFaultSchedule {
  readonly #world: ErasureWorld;
  readonly #random: SeededRandom;
  readonly #intervalMs: number;
  #round: Fault[] = [];
  #rounds = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Faults queued so far. */
  queued = 0;

  /**
   * @example
   * const schedule = new ChatFaultSchedule(world, 7, 200);
   * schedule.start();
   * // … the run …
   * schedule.stop();
   */
  constructor(world: ErasureWorld, seed: number, intervalMs: number) {
    this.#world = world;
    this.#random = new SeededRandom(seed, 7);
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#timer ??= setInterval(() => this.#queueNext(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #queueNext(): void {
    if (this.#round.length === 0) this.#round = this.#random.shuffle(scheduledFaults(this.#rounds++ === 0));
    const fault = this.#round.pop();
    if (fault === undefined) return;
    this.#world.chat.injectFault(fault);
    this.queued++;
  }
}
