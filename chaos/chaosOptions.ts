/**
 * What a chaos run can be told, validated at the boundary (CLI arguments and test options alike), and what
 * it reports while it runs.
 */
import * as z from 'zod';

/** The largest run `npm run chaos` accepts. */
export const MAX_CHAOS_EVENTS = 20_000;

/** A deadline must leave room for one call: CHAT_TIMEOUT_MS plus the handler's 1 s margin, plus slack. */
const DEADLINE_SLACK_MS = 100;

export const chaosOptionsSchema = z
  .object({
    events: z.number().int().min(1).max(MAX_CHAOS_EVENTS).default(2000),
    seed: z.number().int().default(1),
    /** Concurrent warm instances (MAX_CONCURRENCY). */
    instances: z.number().int().min(2).max(10).default(2),
    /** CALL_BUDGET_PER_SECOND, and the simulator's own limit. */
    callBudgetPerSecond: z.number().int().positive().default(2000),
    /** CHAT_TIMEOUT_MS: 1,000–30,000 (the function refuses anything else). */
    chatTimeoutMs: z.number().int().min(1000).max(30_000).default(1000),
    /** Chance that a Chat request meets a fault. */
    faultProbability: z.number().min(0).max(1).default(0.1),
    maxReceives: z.number().int().min(1).default(4),
    /** The queue's RedrivePolicy maxReceiveCount (the crash backstop); default MAX_RECEIVES + 5. */
    redriveMaxReceiveCount: z.number().int().min(2).optional(),
    /** Each invocation's function timeout is drawn from [min, max]. */
    minFunctionTimeoutMs: z.number().int().positive().default(2100),
    maxFunctionTimeoutMs: z.number().int().positive().default(3300),
    dlqOutageMs: z.number().int().min(0).default(2000),
    secretsOutageMs: z.number().int().min(0).default(2000),
    /** Hard bound of the drain; default 60 s plus 30 ms per event. */
    maxDurationMs: z.number().int().positive().optional(),
    progressIntervalMs: z.number().int().positive().default(2000),
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
  settled: number;
  total: number;
  invocations: number;
  chatCalls: number;
}
