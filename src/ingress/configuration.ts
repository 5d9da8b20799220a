/**
 * The ingress function's configuration (DESIGN.md "Ingress: signed webhook"), read once at import like the
 * erasure function's: a bad or missing variable fails the import with one message that names it, prefixed
 * `chat-erasure ingress configuration:`.
 */
import * as z from 'zod';
import { QUEUE_URL_PATTERN, type UserIdDisplay, variableReader } from '../configuration.ts';

export interface IngressConfiguration {
  /** Where accepted events go (the erasure function's source queue). */
  erasureQueueUrl: string;
  /** True when the queue is FIFO (its URL ends in `.fifo`): sends then carry a group and a dedup id. */
  fifo: boolean;
  /** Secrets Manager secret holding `{ "signingKeys": [...] }`. */
  signingSecretId: string;
  /** Largest accepted distance between the timestamp header and now, in seconds. */
  maxSkewSeconds: number;
  /** How long the signing keys are cached. */
  secretMaxAgeSeconds: number;
  logUserId: UserIdDisplay;
}

const INGRESS_CONFIGURATION_PREFIX = 'chat-erasure ingress configuration:';

/** DESIGN.md: INGRESS_MAX_SKEW_SECONDS is 300 unless set, and must lie in 30–3,600. */
const MAX_SKEW_SECONDS = { default: 300, min: 30, max: 3600 } as const;

// Plain decimal integers only, as for the erasure function: `0x10` or `1e3` in a parameter is a typo.
const integer = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a plain decimal integer')
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER));

/** The same rule as the erasure function's DLQ_URL (DESIGN.md: "an SQS queue URL as for DLQ_URL"). */
const queueUrl = z
  .string()
  .trim()
  .regex(QUEUE_URL_PATTERN, 'expected http(s)://host[:port]/<12-digit account>/<queue name>');

const variables = {
  ERASURE_QUEUE_URL: queueUrl,
  INGRESS_SECRET_ID: z.string().trim().min(1),
  INGRESS_MAX_SKEW_SECONDS: integer
    .pipe(
      z
        .number()
        .min(MAX_SKEW_SECONDS.min, `expected ${MAX_SKEW_SECONDS.min}–${MAX_SKEW_SECONDS.max} seconds`)
        .max(MAX_SKEW_SECONDS.max, `expected ${MAX_SKEW_SECONDS.min}–${MAX_SKEW_SECONDS.max} seconds`),
    )
    .default(MAX_SKEW_SECONDS.default),
  SECRET_MAX_AGE_SECONDS: integer.default(300),
  LOG_USER_ID: z.enum(['pseudonym', 'plain', 'omit']).default('pseudonym'),
} as const;

/**
 * Reads and validates the ingress configuration.
 * @example
 * const configuration = loadIngressConfiguration(process.env); // throws ConfigurationError at import
 */
export function loadIngressConfiguration(env: NodeJS.ProcessEnv): IngressConfiguration {
  const read = variableReader(env, variables, INGRESS_CONFIGURATION_PREFIX);
  const erasureQueueUrl = read('ERASURE_QUEUE_URL');
  return {
    erasureQueueUrl,
    fifo: erasureQueueUrl.endsWith('.fifo'),
    signingSecretId: read('INGRESS_SECRET_ID'),
    maxSkewSeconds: read('INGRESS_MAX_SKEW_SECONDS'),
    secretMaxAgeSeconds: read('SECRET_MAX_AGE_SECONDS'),
    logUserId: read('LOG_USER_ID'),
  };
}
