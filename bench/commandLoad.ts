/**
 * Pure arithmetic over the simulator's request log, per Chat command. Tencent limits each REST command
 * separately and the function paces each command against its own budget, so "share of the budget used"
 * and "busiest second" only mean something per command: a run is bound by the command(s) whose pacer is
 * the bottleneck, and the other commands run below their budgets by design.
 */
import { arrivalRatePerSecond, maxArrivalsInAnyWindow } from './arrivalStats.ts';

/** The parts of a simulator log entry these helpers read. */
export interface LoggedCall {
  service: string;
  command: string;
  receivedAtMs: number;
  errorCode?: number;
}

/** The simulator's "over the limit" answer. */
export const THROTTLED_ERROR_CODE = 60007;

/**
 * Within this many percentage points of the busiest command's share, a command counts as binding too
 * (the default plan's `friend_get` and `group_get` are paced at the same budget and called equally often).
 */
export const BINDING_TOLERANCE = 0.03;

export interface CommandLoad {
  /** `service/command`. */
  command: string;
  calls: number;
  /** `(calls − 1) / (last − first arrival of this command)`, the run's own rate definition, per command. */
  callsPerSecond: number;
  /** The deployment's budget for this command (calls/s, all instances together). */
  budget: number;
  /** callsPerSecond / budget. */
  shareOfBudget: number;
  /** Most arrivals of this command in any window (t − 1 s, t]: the simulator's own definition. */
  busiestSecond: number;
  throttled: number;
}

const keyOf = (call: LoggedCall) => `${call.service}/${call.command}`;

/**
 * One line per command the log holds, busiest share first.
 * @example
 * commandLoads(world.chat.requests, (command) => budgetOf(command, 200, new Map()));
 * // [{ command: 'sns/friend_get', calls: 4000, callsPerSecond: 196, budget: 200, shareOfBudget: 0.98, ... }, ...]
 */
export function commandLoads(
  calls: readonly LoggedCall[],
  budgetOf: (command: string) => number,
): CommandLoad[] {
  const byCommand = new Map<string, LoggedCall[]>();
  for (const call of calls) {
    const key = keyOf(call);
    const list = byCommand.get(key) ?? [];
    list.push(call);
    byCommand.set(key, list);
  }
  return [...byCommand]
    .map(([command, list]): CommandLoad => {
      const arrivals = list.map((call) => call.receivedAtMs);
      const callsPerSecond = arrivalRatePerSecond(arrivals);
      const budget = budgetOf(command);
      return {
        command,
        calls: list.length,
        callsPerSecond,
        budget,
        shareOfBudget: callsPerSecond / budget,
        busiestSecond: maxArrivalsInAnyWindow(arrivals, 1000),
        throttled: list.filter((call) => call.errorCode === THROTTLED_ERROR_CODE).length,
      };
    })
    .sort((a, b) => b.shareOfBudget - a.shareOfBudget || a.command.localeCompare(b.command));
}

/**
 * The commands that bound the run: the busiest share, and any other within `tolerance` of it. Commands
 * called only a handful of times (fewer than `minCalls`) cannot bind a run and are left out.
 * @example
 * bindingCommands(loads).map((load) => load.command); // ['sns/friend_get', 'sns/group_get']
 */
export function bindingCommands(
  loads: readonly CommandLoad[],
  { tolerance = BINDING_TOLERANCE, minCalls = 10 }: { tolerance?: number; minCalls?: number } = {},
): CommandLoad[] {
  const candidates = loads.filter((load) => load.calls >= minCalls);
  const top = Math.max(...candidates.map((load) => load.shareOfBudget));
  return candidates.filter((load) => load.shareOfBudget >= top - tolerance);
}

/** Whether no command's busiest second went over its budget. */
export function withinBudgets(loads: readonly CommandLoad[]): boolean {
  return loads.every((load) => load.busiestSecond <= load.budget);
}

/**
 * `part / whole`, NaN when the whole is not a positive number (a ratio of nothing is not 0).
 * @example
 * ratio(0.39, 0.3); // 1.3
 */
export function ratio(part: number, whole: number): number {
  return whole > 0 && Number.isFinite(whole) ? part / whole : Number.NaN;
}
