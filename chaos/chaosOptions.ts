/**
 * What a chaos run can be told, validated at the boundary (CLI arguments and test options alike), and what
 * it reports while it runs.
 */
import * as z from 'zod';
import { PLAN_COMMANDS } from './planCatalog.ts';

/** Ways to break a run on purpose (see `sabotage`). */
export const SABOTAGES = ['skip-invocations', 'wrong-bus', 'restore-data'] as const;

/** The largest run `npm run chaos` accepts. */
export const MAX_CHAOS_EVENTS = 20_000;

/** A deadline must leave room for one call: CHAT_TIMEOUT_MS plus the handler's 1 s margin, plus slack. */
const DEADLINE_SLACK_MS = 100;

/**
 * Reads CALL_BUDGETS as DESIGN.md defines it (`command=rate` pairs; a command by its path after `v4/`, or by
 * its last segment where that is unique among the plan's commands), into overrides by full path.
 * @example
 * parseCallBudgets('account_delete=300, follow/follow_delete=50');
 * // { 'im_open_login_svc/account_delete': 300, 'follow/follow_delete': 50 }
 */
export function parseCallBudgets(text: string): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const entry of text.split(',').filter((part) => part.trim() !== '')) {
    const match = /^\s*([A-Za-z0-9_/]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(entry);
    if (match === null) throw new RangeError(`"${entry.trim()}" is not command=rate`);
    const [, name = '', rate = ''] = match;
    const matching = PLAN_COMMANDS.filter((command) => command === name || command.endsWith(`/${name}`));
    if (matching.length !== 1) throw new RangeError(`"${name}" names no single command of the plan`);
    budgets[matching[0] as string] = Number(rate);
  }
  return budgets;
}

export const chaosOptionsSchema = z
  .object({
    events: z.number().int().min(1).max(MAX_CHAOS_EVENTS).default(2000),
    seed: z.number().int().default(1),
    /** Concurrent warm instances (MAX_CONCURRENCY); instance i runs plan i mod 4 (planCatalog.ts). */
    instances: z.number().int().min(2).max(10).default(4),
    /** CALL_BUDGET_PER_SECOND, and the simulator's own per-command limit. */
    callBudgetPerSecond: z.number().int().positive().default(2000),
    /** CALL_BUDGETS (the simulator gets the same per-command limits). */
    callBudgets: z
      .string()
      .default('account_delete=50, account_check=50, follow/follow_delete=100, kick=150')
      .refine((text) => {
        try {
          parseCallBudgets(text);
          return true;
        } catch {
          return false;
        }
      }, 'CALL_BUDGETS must be command=rate pairs naming commands of the plan'),
    /** CHAT_TIMEOUT_MS: 1,000–30,000 (the function refuses anything else). */
    chatTimeoutMs: z.number().int().min(1000).max(30_000).default(1000),
    /** Added latency of every Chat answer (ms). */
    chatLatencyMs: z.number().int().min(0).default(0),
    /** Chance that a Chat request draws from the fault mix (about half the mix fits any one command). */
    faultProbability: z.number().min(0).max(1).default(0.04),
    /** Chance per 100 ms that EventBridge, and Step Functions, get one fault queued. */
    receiptFaultRate: z.number().min(0).max(1).default(0.08),
    maxReceives: z.number().int().min(1).default(4),
    /** The queue's RedrivePolicy maxReceiveCount (the crash backstop); default MAX_RECEIVES + 5. */
    redriveMaxReceiveCount: z.number().int().min(2).optional(),
    /** Records per batch, as the event source mapping's BatchSize. */
    batchSize: z.number().int().min(1).max(10_000).default(10),
    /** Each invocation's function timeout is drawn from [min, max]. */
    minFunctionTimeoutMs: z.number().int().positive().default(2100),
    maxFunctionTimeoutMs: z.number().int().positive().default(4000),
    dlqOutageMs: z.number().int().min(0).default(2000),
    secretsOutageMs: z.number().int().min(0).default(2000),
    /** Hard bound of the drain; default 60 s plus 100 ms per event. */
    maxDurationMs: z.number().int().positive().optional(),
    progressIntervalMs: z.number().int().positive().default(2000),
    /**
     * Breaks the run on purpose, to show the checks catch it: `skip-invocations` (every 10th invocation of
     * instance 1 answers "all done" without running the function), `wrong-bus` (instance 0 sends its
     * receipts to a bus that does not exist), `restore-data` (after the drain, every erased account that
     * still exists gets a friend back).
     */
    sabotage: z.array(z.enum(SABOTAGES)).default([]),
    onProgress: z
      .custom<(progress: ChaosProgress) => void>((value) => typeof value === 'function')
      .optional(),
  })
  .refine((options) => options.minFunctionTimeoutMs >= options.chatTimeoutMs + 1000 + DEADLINE_SLACK_MS, {
    message:
      'minFunctionTimeoutMs must be at least chatTimeoutMs + 1.1 s (the handler starts no call later than chatTimeoutMs + 1 s before its deadline)',
  })
  .refine((options) => options.maxFunctionTimeoutMs >= options.minFunctionTimeoutMs, {
    message: 'maxFunctionTimeoutMs must be at least minFunctionTimeoutMs',
  })
  .refine((options) => (options.redriveMaxReceiveCount ?? options.maxReceives + 5) > options.maxReceives, {
    message: 'redriveMaxReceiveCount must be above maxReceives (DESIGN.md: MAX_RECEIVES)',
  });

export type ChaosOptions = z.input<typeof chaosOptionsSchema>;
/** The options with every default filled in. */
export type ChaosSettings = z.output<typeof chaosOptionsSchema>;

export interface ChaosProgress {
  elapsedMs: number;
  /** Records the mapping deleted (continued ones included), of the events sent. */
  settled: number;
  total: number;
  invocations: number;
  chatCalls: number;
}
