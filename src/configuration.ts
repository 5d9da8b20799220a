/**
 * The function's configuration, read once at start-up from the environment (DESIGN.md "Environment").
 * Any problem fails the import with one message that names the variable, so a misconfigured deploy stops
 * before it takes a message off the queue. Bounds that only show up as a stuck queue later (a timeout no
 * call can start under, a budget whose spacing would starve the function) are refused here too.
 */
import * as z from 'zod';
import { CHAT_REGIONS, chatRegionBaseUrl, parseChatApiEndpoint } from './chat/chatHosts.ts';
import { userIdProblem } from './erasure/accountClosureEvent.ts';
import {
  budgetOf,
  type ChatCommandPath,
  PLAN_COMMANDS,
  parseCallBudgets,
  parseErasureSteps,
  type StepName,
} from './erasure/plan/erasureSteps.ts';
import type { GroupOwnerPolicy, ProfileCustomTag } from './erasure/plan/step.ts';
import { ConfigurationError } from './errors.ts';

export type UserIdDisplay = 'pseudonym' | 'plain' | 'omit';

export interface Configuration {
  secretId: string;
  /** The dead-letter queue's URL, as configured (its account and name are what the SDK uses). */
  dlqUrl: string;
  /** UserIDs never erased besides the admin the secret names (PROTECTED_USER_IDS). */
  protectedUserIds: ReadonlySet<string>;
  /** Base URL of the Chat REST API, no trailing slash: the official regional host or CHAT_API_ENDPOINT. */
  chatBaseUrl: string;
  callBudgetPerSecond: number;
  /** CALL_BUDGETS: per-command overrides, by full command path. */
  callBudgets: ReadonlyMap<ChatCommandPath, number>;
  /** ERASURE_STEPS, in the plan's order. */
  erasureSteps: readonly StepName[];
  groupOwnerPolicy: GroupOwnerPolicy;
  profileCustomTags: readonly ProfileCustomTag[];
  maxConcurrency: number;
  maxReceives: number;
  chatTimeoutMs: number;
  userSigTtlSeconds: number;
  secretMaxAgeSeconds: number;
  logUserId: UserIdDisplay;
  /** RECEIPT_EVENT_BUS: the EventBridge bus (name or ARN) receipts go to, when set. */
  receiptEventBus: string | undefined;
  receiptUserId: UserIdDisplay;
}

const PREFIX = 'chat-erasure configuration:';

/** DESIGN.md: no command may be paced at more than this between two starts of one instance. */
const MAX_SPACING_MS = 10_000;

// Plain decimal only: `0x10`, `1e3` or `Infinity` in a deploy parameter is a typo, not a number.
const decimal = (pattern: RegExp) =>
  z.string().trim().regex(pattern, 'expected a plain decimal number').transform(Number);
const positiveNumber = decimal(/^\d+(\.\d+)?$/).pipe(z.number().positive().finite());
const positiveInteger = decimal(/^\d+$/).pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
const nonNegativeInteger = decimal(/^\d+$/).pipe(z.number().int().max(Number.MAX_SAFE_INTEGER));

/**
 * An SQS queue URL: `http(s)://<host>[:port]/<12-digit account>/<queue name>`, the name 1–80 of
 * `A–Z a–z 0–9 _ -`, optionally ending `.fifo`. Anything else (a path prefix, a query, a typo'd account)
 * would only fail later, at the first dead letter.
 */
export const QUEUE_URL_PATTERN =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/\d{12}\/[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;

const queueUrl = z
  .string()
  .trim()
  .regex(QUEUE_URL_PATTERN, 'expected http(s)://host[:port]/<12-digit account>/<queue name>')
  // SQS counts a FIFO queue's `.fifo` suffix toward the 80-character name limit.
  .refine((url) => url.slice(url.lastIndexOf('/') + 1).length <= 80, {
    message: 'the queue name is longer than 80 characters',
  });

/** Comma-separated UserIDs; each must be a valid userId (a typo would leave an admin erasable). */
const userIdList = z
  .string()
  .transform((raw) => raw.split(',').map((entry) => entry.trim()))
  .superRefine((entries, context) => {
    for (const [index, entry] of entries.entries()) {
      const problem = userIdProblem(entry);
      if (problem !== undefined)
        context.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}` });
    }
  })
  .transform((entries): ReadonlySet<string> => new Set(entries));

/** A custom profile field: `Tag_Profile_Custom_<1–8 letters>`, optionally `:int`. */
const PROFILE_CUSTOM_TAG = /^(Tag_Profile_Custom_[A-Za-z]{1,8})(:int)?$/;

const profileCustomTags = z
  .string()
  .transform((raw) => raw.split(',').map((entry) => entry.trim()))
  .superRefine((entries, context) => {
    const tags = new Set<string>();
    for (const [index, entry] of entries.entries()) {
      const match = PROFILE_CUSTOM_TAG.exec(entry);
      if (!match) {
        context.addIssue({
          code: 'custom',
          message: `entry ${index + 1} is not Tag_Profile_Custom_<1-8 letters>[:int]`,
        });
      } else if (tags.has(match[1] as string)) {
        context.addIssue({ code: 'custom', message: `entry ${index + 1} repeats a tag` });
      } else {
        tags.add(match[1] as string);
      }
    }
  })
  .transform((entries): ProfileCustomTag[] =>
    entries.map((entry) => {
      const [, tag = '', integer] = PROFILE_CUSTOM_TAG.exec(entry) ?? [];
      return { tag, integer: integer !== undefined };
    }),
  );

/** A parser result turned into a zod issue, so the error names the variable and the problem. */
const parsedWith = <T>(parse: (raw: string) => { ok: true; value: T } | { ok: false; problem: string }) =>
  z.string().transform((raw, context): T => {
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    context.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

/** One schema per variable, so the error names the variable it is about. */
const variables = {
  SECRET_ID: z.string().trim().min(1),
  DLQ_URL: queueUrl,
  PROTECTED_USER_IDS: userIdList.optional(),
  CALL_BUDGET_PER_SECOND: positiveNumber.default(200),
  CALL_BUDGETS: parsedWith((raw) => {
    const parsed = parseCallBudgets(raw);
    return parsed.ok ? { ok: true, value: parsed.budgets } : parsed;
  }).optional(),
  ERASURE_STEPS: parsedWith((raw) => {
    const parsed = parseErasureSteps(raw);
    return parsed.ok ? { ok: true, value: parsed.steps } : parsed;
  }).optional(),
  GROUP_OWNER_POLICY: z.enum(['transfer', 'destroy']).default('transfer'),
  PROFILE_CUSTOM_TAGS: profileCustomTags.optional(),
  MAX_CONCURRENCY: positiveInteger.default(2),
  MAX_RECEIVES: positiveInteger.default(5),
  // Tencent's backend gives up at 3 s; values down to 1 s are for tests. Above 30 s no call could start in a
  // sensible function timeout, and records would cycle without ever being attempted.
  CHAT_TIMEOUT_MS: decimal(/^\d+$/).pipe(z.number().int().min(1000).max(30_000)).default(5000),
  USERSIG_TTL_SECONDS: positiveInteger.default(3600),
  SECRET_MAX_AGE_SECONDS: nonNegativeInteger.default(300),
  LOG_USER_ID: z.enum(['pseudonym', 'plain', 'omit']).default('pseudonym'),
  // An event bus name (1–256 of A–Z a–z 0–9 . _ - /) or its ARN.
  RECEIPT_EVENT_BUS: z
    .string()
    .trim()
    .regex(
      /^(?:[A-Za-z0-9._/-]{1,256}|arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256})$/,
      'expected an EventBridge bus name or ARN',
    )
    .optional(),
  RECEIPT_USER_ID: z.enum(['pseudonym', 'plain', 'omit']).default('pseudonym'),
  CHAT_REGION: z.enum(CHAT_REGIONS).optional(),
  CHAT_API_ENDPOINT: z.string().optional(),
} as const;

type VariableName = keyof typeof variables;

/**
 * Reads one variable against its schema, for any set of schemas (the ingress has its own), failing with
 * one message that names the variable.
 * @example
 * const read = variableReader(process.env, schemas, 'chat-erasure configuration:');
 * const secretId = read('SECRET_ID');
 */
export function variableReader<S extends Record<string, z.ZodType>>(
  env: NodeJS.ProcessEnv,
  schemas: S,
  prefix: string,
): <N extends keyof S & string>(name: N) => z.output<S[N]> {
  return (name) => {
    const raw = env[name];
    // An empty variable means "not set": SAM and shells often pass "" for an unset optional parameter.
    const unset = raw === undefined || raw.trim() === '';
    const result = (schemas[name] as z.ZodType).safeParse(unset ? undefined : raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const what = unset ? 'is required' : `is invalid (${issue?.message ?? 'bad value'})`;
      throw new ConfigurationError(`${prefix} ${name} ${what}`);
    }
    return result.data as z.output<S[typeof name]>;
  };
}

function resolveChatBaseUrl(
  read: <N extends VariableName>(name: N) => z.output<(typeof variables)[N]>,
): string {
  const region = read('CHAT_REGION');
  const endpoint = read('CHAT_API_ENDPOINT');
  if (region !== undefined && endpoint !== undefined) {
    throw new ConfigurationError(`${PREFIX} CHAT_REGION and CHAT_API_ENDPOINT are both set; set exactly one`);
  }
  if (region !== undefined) return chatRegionBaseUrl(region);
  if (endpoint === undefined) {
    throw new ConfigurationError(`${PREFIX} CHAT_REGION is required (or CHAT_API_ENDPOINT for a simulator)`);
  }
  const parsed = parseChatApiEndpoint(endpoint);
  if (!parsed.ok) throw new ConfigurationError(`${PREFIX} CHAT_API_ENDPOINT ${parsed.problem}`);
  return parsed.baseUrl;
}

/**
 * The pacing spacing of an instance's share `r` of a budget (DESIGN.md "Rate budget"): 1/⌊r⌋ when r ≥ 1,
 * so MAX_CONCURRENCY instances never put more than the budget into a half-open second; 1/r below that.
 * @example
 * spacingMs(200 / 2); // 10
 * spacingMs(0.5); // 2000
 */
export function spacingMs(share: number): number {
  return 1000 / (share >= 1 ? Math.floor(share) : share);
}

/**
 * Reads and validates the configuration.
 * @example
 * export const configuration = loadConfiguration(process.env); // throws ConfigurationError at import
 */
export function loadConfiguration(env: NodeJS.ProcessEnv): Configuration {
  const read = variableReader(env, variables, PREFIX);
  const configuration: Configuration = {
    secretId: read('SECRET_ID'),
    dlqUrl: read('DLQ_URL'),
    protectedUserIds: read('PROTECTED_USER_IDS') ?? new Set(),
    chatBaseUrl: resolveChatBaseUrl(read),
    callBudgetPerSecond: read('CALL_BUDGET_PER_SECOND'),
    callBudgets: read('CALL_BUDGETS') ?? new Map(),
    erasureSteps: read('ERASURE_STEPS') ?? ['friends'],
    groupOwnerPolicy: read('GROUP_OWNER_POLICY'),
    profileCustomTags: read('PROFILE_CUSTOM_TAGS') ?? [],
    maxConcurrency: read('MAX_CONCURRENCY'),
    maxReceives: read('MAX_RECEIVES'),
    chatTimeoutMs: read('CHAT_TIMEOUT_MS'),
    userSigTtlSeconds: read('USERSIG_TTL_SECONDS'),
    secretMaxAgeSeconds: read('SECRET_MAX_AGE_SECONDS'),
    logUserId: read('LOG_USER_ID'),
    receiptEventBus: read('RECEIPT_EVENT_BUS'),
    receiptUserId: read('RECEIPT_USER_ID'),
  };
  for (const command of PLAN_COMMANDS) {
    const share = commandShare(configuration, command);
    if (spacingMs(share) > MAX_SPACING_MS) {
      const variable = configuration.callBudgets.has(command) ? 'CALL_BUDGETS' : 'CALL_BUDGET_PER_SECOND';
      throw new ConfigurationError(
        `${PREFIX} ${variable} is invalid (divided by MAX_CONCURRENCY it paces ${command} at one call every ${(spacingMs(share) / 1000).toFixed(1)} s per instance; at most ${MAX_SPACING_MS / 1000} s is allowed)`,
      );
    }
  }
  return configuration;
}

/**
 * One instance's share of a command's budget: the command's budget divided by MAX_CONCURRENCY.
 * @example
 * commandShare(configuration, 'sns/friend_get'); // 100 with the defaults
 */
export function commandShare(configuration: Configuration, command: string): number {
  return (
    budgetOf(command, configuration.callBudgetPerSecond, configuration.callBudgets) /
    configuration.maxConcurrency
  );
}
