/**
 * The function's configuration, read once at start-up from the environment (DESIGN.md "Environment").
 * Any problem fails the import with one message that names the variable, so a misconfigured deploy stops
 * before it takes a message off the queue.
 */
import * as z from 'zod';
import { CHAT_REGIONS, chatRegionBaseUrl, parseChatApiEndpoint } from '../chat/chatHosts.ts';

export type LogUserIdMode = 'pseudonym' | 'plain' | 'omit';

export interface Configuration {
  secretId: string;
  dlqUrl: string;
  /** Base URL of the Chat REST API, no trailing slash: the official regional host or CHAT_API_ENDPOINT. */
  chatBaseUrl: string;
  callBudgetPerSecond: number;
  maxConcurrency: number;
  maxReceives: number;
  chatTimeoutMs: number;
  userSigTtlSeconds: number;
  secretMaxAgeSeconds: number;
  logUserId: LogUserIdMode;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const PREFIX = 'chat-erasure configuration:';

// Plain decimal only: `0x10`, `1e3` or `Infinity` in a deploy parameter is a typo, not a number.
const decimal = (pattern: RegExp) =>
  z.string().trim().regex(pattern, 'expected a plain decimal number').transform(Number);
const positiveNumber = decimal(/^\d+(\.\d+)?$/).pipe(z.number().positive());
const positiveInteger = decimal(/^\d+$/).pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));
const nonNegativeInteger = decimal(/^\d+$/).pipe(z.number().int().max(Number.MAX_SAFE_INTEGER));

/** One schema per variable, so the error names the variable it is about. */
const variables = {
  SECRET_ID: z.string().trim().min(1),
  DLQ_URL: z.url({ protocol: /^https?$/ }),
  CALL_BUDGET_PER_SECOND: positiveNumber.default(200),
  MAX_CONCURRENCY: positiveInteger.default(2),
  MAX_RECEIVES: positiveInteger.default(5),
  CHAT_TIMEOUT_MS: positiveInteger.default(5000),
  USERSIG_TTL_SECONDS: positiveInteger.default(3600),
  SECRET_MAX_AGE_SECONDS: nonNegativeInteger.default(300),
  LOG_USER_ID: z.enum(['pseudonym', 'plain', 'omit']).default('pseudonym'),
  CHAT_REGION: z.enum(CHAT_REGIONS).optional(),
  CHAT_API_ENDPOINT: z.string().optional(),
} as const;

type VariableName = keyof typeof variables;

function read<N extends VariableName>(env: NodeJS.ProcessEnv, name: N): z.output<(typeof variables)[N]> {
  const raw = env[name];
  // An empty variable means "not set": SAM and shells often pass "" for an unset optional parameter.
  const unset = raw === undefined || raw.trim() === '';
  const result = variables[name].safeParse(unset ? undefined : raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what = unset ? 'is required' : `is invalid (${issue?.message ?? 'bad value'})`;
    throw new ConfigurationError(`${PREFIX} ${name} ${what}`);
  }
  return result.data as z.output<(typeof variables)[N]>;
}

function resolveChatBaseUrl(env: NodeJS.ProcessEnv): string {
  const region = read(env, 'CHAT_REGION');
  const endpoint = read(env, 'CHAT_API_ENDPOINT');
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
 * Reads and validates the configuration.
 * @example
 * export const configuration = loadConfiguration(process.env); // throws ConfigurationError at import
 */
export function loadConfiguration(env: NodeJS.ProcessEnv): Configuration {
  const chatTimeoutMs = read(env, 'CHAT_TIMEOUT_MS');
  return {
    secretId: read(env, 'SECRET_ID'),
    dlqUrl: read(env, 'DLQ_URL'),
    chatBaseUrl: resolveChatBaseUrl(env),
    callBudgetPerSecond: read(env, 'CALL_BUDGET_PER_SECOND'),
    maxConcurrency: read(env, 'MAX_CONCURRENCY'),
    maxReceives: read(env, 'MAX_RECEIVES'),
    chatTimeoutMs,
    userSigTtlSeconds: read(env, 'USERSIG_TTL_SECONDS'),
    secretMaxAgeSeconds: read(env, 'SECRET_MAX_AGE_SECONDS'),
    logUserId: read(env, 'LOG_USER_ID'),
  };
}
