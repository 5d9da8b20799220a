/**
 * The rate-budget check of a chaos run, from the simulator's arrival log: DESIGN.md's rule is that no
 * half-open one-second window holds more of one command's call arrivals, across the deployment, than that
 * command's budget. Arrivals are what the Chat API counts, so they are what is checked, command by command.
 */
import type { RequestLogEntry } from '../sim/chat-api/index.ts';

export interface BusiestWindow {
  /** Arrivals in the busiest window [start, start + windowMs). */
  calls: number;
  /** Arrival time of the window's first call (epoch ms); undefined when there were no calls. */
  firstArrivalMs?: number;
}

/**
 * The most arrivals any window `[t, t + windowMs)` holds, over every t. Arrival times need not be sorted.
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

/** One command's busiest second against its budget. */
export interface CommandWindow extends BusiestWindow {
  command: string;
  budget: number;
  total: number;
}

/**
 * The busiest second of every command that was called, with its budget.
 * @example
 * busiestWindowPerCommand(requests, (command) => (command.endsWith('account_delete') ? 100 : 200));
 */
export function busiestWindowPerCommand(
  requests: readonly Pick<RequestLogEntry, 'service' | 'command' | 'receivedAtMs'>[],
  budgetOf: (command: string) => number,
): CommandWindow[] {
  const arrivals = new Map<string, number[]>();
  for (const request of requests) {
    const command = `${request.service}/${request.command}`;
    const list = arrivals.get(command);
    if (list === undefined) arrivals.set(command, [request.receivedAtMs]);
    else list.push(request.receivedAtMs);
  }
  return [...arrivals].map(([command, times]) => ({
    command,
    budget: budgetOf(command),
    total: times.length,
    ...busiestWindow(times),
  }));
}
