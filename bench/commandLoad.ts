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

/**
 * Where a paced command's budget went over its own span (first to last arrival of the command), as
 * fractions that add up to 1. Each instance paces the command alone, so each instance's arrivals are one
 * stream: the spacing of its consecutive arrivals is split into the ideal spacing at the full share
 * (`used`), the pacer's deliberate headroom (interval − ideal: `headroom`), spacings longer than two
 * intervals (`gaps`: the instance had no call of this command waiting, or its event loop stalled), and the
 * rest (`lateness`: timers firing late and small event-loop delays, net of early grants). Time before an
 * instance's first or after its last call of the command, within the command's span, is `inactive`.
 */
export interface PaceLosses {
  used: number;
  headroom: number;
  lateness: number;
  gaps: number;
  inactive: number;
}

/**
 * @param streams one array of arrival times per instance (identified in the log by its UserSig).
 * @param options `sharePerSecond`: one instance's share of the command's budget; `intervalMs`: the pacer's
 *   spacing at that share (CallPacer#intervalMs, headroom included).
 * @example
 * paceLosses([[0, 10.2, 20.4], [5, 15.2]], { sharePerSecond: 100, intervalMs: 10.204 });
 */
export function paceLosses(
  streams: readonly (readonly number[])[],
  { sharePerSecond, intervalMs }: { sharePerSecond: number; intervalMs: number },
): PaceLosses {
  const idealMs = 1000 / sharePerSecond;
  const sorted = streams
    .filter((stream) => stream.length > 0)
    .map((stream) => [...stream].sort((a, b) => a - b));
  const first = Math.min(...sorted.map((stream) => stream[0] as number));
  const last = Math.max(...sorted.map((stream) => stream.at(-1) as number));
  const spanMs = last - first;
  const total = { used: 0, headroom: 0, lateness: 0, gaps: 0, inactive: 0 };
  if (!(spanMs > 0)) return total;
  for (const stream of sorted) {
    const start = stream[0] as number;
    const end = stream.at(-1) as number;
    const spacings = stream.length - 1;
    let gaps = 0;
    for (let i = 1; i < stream.length; i++) {
      const spacing = (stream[i] as number) - (stream[i - 1] as number);
      if (spacing > 2 * intervalMs) gaps += spacing - intervalMs;
    }
    total.used += spacings * idealMs;
    total.headroom += spacings * (intervalMs - idealMs);
    total.gaps += gaps;
    total.lateness += end - start - spacings * intervalMs - gaps;
    total.inactive += spanMs - (end - start);
  }
  // Instances that never called the command were inactive all along.
  const budgetMs = spanMs * streams.length;
  total.inactive += spanMs * (streams.length - sorted.length);
  return {
    used: total.used / budgetMs,
    headroom: total.headroom / budgetMs,
    lateness: total.lateness / budgetMs,
    gaps: total.gaps / budgetMs,
    inactive: total.inactive / budgetMs,
  };
}
