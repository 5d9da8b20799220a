/**
 * Faults the simulator injects instead of (or on top of) a correct answer: the failure modes a Chat client
 * must survive (error codes, gateway errors, slow answers, resets, bodies that are not the documented JSON),
 * and the quieter ones an eraser must survive: a write that answers OK but changes nothing (`ignore`), a
 * listing whose cursor never advances (`stale-cursor`), a batch write that fails some items (`item-error`).
 * Scripted faults are consumed first-in first-out; a seeded random source serves chaos runs reproducibly.
 *
 * The three quiet faults only match the commands they make sense for (catalog.ts kinds): `ignore` the
 * writes, `stale-cursor` the paged listings, `item-error` the writes with per-item results. Unlike the
 * others they act after the gateway's checks, inside the command.
 */
import * as z from 'zod';
import { commandFacts } from './catalog.ts';

const matchShape = {
  /** Only requests to this command (`friend_delete_all`, or `sns/friend_delete_all`). */
  command: z.string().min(1).optional(),
  /** Only requests whose JSON body has this `From_Account`. */
  fromAccount: z.string().optional(),
  /** How many matching requests this fault serves before it is used up (default 1; `Infinity` for all). */
  times: z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional(),
};

const faultSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('error-code'),
    code: z.number().int(),
    /** `OK` with a non-zero code models an answer whose ActionStatus and ErrorCode disagree. */
    actionStatus: z.enum(['FAIL', 'OK']).optional(),
    ...matchShape,
  }),
  z.object({
    type: z.literal('http-status'),
    status: z.number().int().min(200).max(599),
    /** Default: a gateway-style HTML page for the status. */
    body: z.string().optional(),
    ...matchShape,
  }),
  /** Answers correctly (the command takes effect at once) but only after `ms`: to outlast a client timeout. */
  z.object({ type: z.literal('delay'), ms: z.number().int().min(0), ...matchShape }),
  /** Destroys the socket without an answer. */
  z.object({ type: z.literal('reset'), ...matchShape }),
  /** HTTP 200 whose body is not the documented JSON (default: a truncated JSON document). */
  z.object({ type: z.literal('malformed-body'), body: z.string().optional(), ...matchShape }),
  /** A write answers as if it succeeded but changes nothing (a list that does not shrink). */
  z.object({ type: z.literal('ignore'), ...matchShape }),
  /**
   * A listing answers the page it was asked for with its cursors not advanced and its completion flag
   * unset (offset-paged listings answer their first page whatever the Offset): the same page, again.
   */
  z.object({ type: z.literal('stale-cursor'), ...matchShape }),
  /**
   * A batch write answers ActionStatus OK but gives the listed items (default: all) the per-item `code`
   * (and `Fail_Account` where the command has it), and does not apply them.
   */
  z.object({
    type: z.literal('item-error'),
    code: z
      .number()
      .int()
      .refine((code) => code !== 0, 'code must be non-zero'),
    /** The item keys (To_Account, or UserID for account_delete) to fail; default every item. */
    items: z.array(z.string()).optional(),
    /** The per-item ResultInfo (default: the code's ErrorInfo text). */
    info: z.string().optional(),
    ...matchShape,
  }),
]);

/** One fault to inject, optionally limited to a command and/or a From_Account. */
export type Fault = z.infer<typeof faultSchema>;

/** The faults that act inside a command (after the gateway's checks) rather than instead of it. */
export type CommandFault = Extract<Fault, { type: 'ignore' | 'stale-cursor' | 'item-error' }>;

const randomFaultsSchema = z.object({
  seed: z.number().int(),
  /** Chance in [0, 1] that a request gets a fault. */
  probability: z.number().min(0).max(1),
  faults: z.array(faultSchema).min(1),
});

/** A reproducible chaos mode: with `probability`, a request gets one of `faults`, picked by a seeded PRNG. */
export type RandomFaults = z.infer<typeof randomFaultsSchema>;

/** What a fault is matched against. */
export interface FaultTarget {
  service: string;
  command: string;
  fromAccount: string | undefined;
}

/** A short label for logs, e.g. `error-code:60007`, `http-status:502`, `delay:6000`, `reset`. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'error-code':
      return `error-code:${fault.code}${fault.actionStatus === 'OK' ? ':OK' : ''}`;
    case 'http-status':
      return `http-status:${fault.status}`;
    case 'delay':
      return `delay:${fault.ms}`;
    case 'item-error':
      return `item-error:${fault.code}`;
    case 'reset':
    case 'malformed-body':
    case 'ignore':
    case 'stale-cursor':
      return fault.type;
  }
}

/** Whether a quiet fault makes sense for the target's command (any other fault applies everywhere). */
function appliesTo(fault: Fault, target: FaultTarget): boolean {
  const kind = commandFacts(target.service, target.command)?.kind;
  switch (fault.type) {
    case 'ignore':
      return kind === 'write' || kind === 'batch-write';
    case 'stale-cursor':
      return kind === 'listing';
    case 'item-error':
      return kind === 'batch-write';
    default:
      return true;
  }
}

function matches(fault: Fault, target: FaultTarget): boolean {
  if (!appliesTo(fault, target)) return false;
  if (
    fault.command !== undefined &&
    fault.command !== target.command &&
    fault.command !== `${target.service}/${target.command}`
  ) {
    return false;
  }
  return fault.fromAccount === undefined || fault.fromAccount === target.fromAccount;
}

/** Scripted faults: the first one (in injection order) that matches a request serves it. */
export class FaultQueue {
  #entries: { fault: Fault; remaining: number }[] = [];

  /** Validates and appends a fault. Throws a ZodError for a fault that is not well-formed. */
  push(fault: Fault): void {
    const parsed = faultSchema.parse(fault);
    this.#entries.push({ fault: parsed, remaining: parsed.times ?? 1 });
  }

  /** Takes one use of the first matching fault, or returns undefined. */
  take(target: FaultTarget): Fault | undefined {
    const index = this.#entries.findIndex((entry) => matches(entry.fault, target));
    const entry = this.#entries[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#entries.splice(index, 1);
    return entry.fault;
  }

  /** The faults not yet used up, with their remaining uses. */
  pending(): { fault: Fault; remaining: number }[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.#entries = [];
  }
}

/**
 * mulberry32: a tiny seeded PRNG with uniform output in [0, 1). Reproducible across runs and platforms.
 * @example
 * const next = mulberry32(42);
 * next(); // always the same first value for seed 42
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws random faults. Exactly two numbers are drawn per request, whether or not a fault results, so the
 * same seed and the same request sequence always give the same faults.
 */
export class RandomFaultSource {
  readonly #config: RandomFaults;
  readonly #next: () => number;

  constructor(config: RandomFaults) {
    this.#config = randomFaultsSchema.parse(config);
    this.#next = mulberry32(this.#config.seed);
  }

  draw(target: FaultTarget): Fault | undefined {
    const roll = this.#next();
    const pick = this.#next();
    if (roll >= this.#config.probability) return undefined;
    const fault = this.#config.faults[Math.floor(pick * this.#config.faults.length)];
    return fault !== undefined && matches(fault, target) ? fault : undefined;
  }
}
