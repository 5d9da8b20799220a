/**
 * The ingress configuration: defaults, bounds, and a bad or missing variable failing the import of the
 * BUILT bundle with one message that names it, prefixed `chat-erasure ingress configuration:`.
 */
import { describe, expect, it } from 'vitest';
import { applyEnv, restoreEnv } from '../../sim/functionProcess.ts';
import { ConfigurationError } from '../../src/errors.ts';
import { loadIngressConfiguration } from '../../src/ingress/configuration.ts';
import { loadIngressBundle } from './ingressWorld.ts';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/chat-erasure-queue';
const BASE = { ERASURE_QUEUE_URL: QUEUE, INGRESS_SECRET_ID: 'chat-erasure/ingress' };
const PREFIX = 'chat-erasure ingress configuration:';

describe('loadIngressConfiguration', () => {
  it('has the documented defaults', () => {
    expect(loadIngressConfiguration(BASE)).toEqual({
      erasureQueueUrl: QUEUE,
      fifo: false,
      signingSecretId: 'chat-erasure/ingress',
      maxSkewSeconds: 300,
      secretMaxAgeSeconds: 300,
      logUserId: 'pseudonym',
    });
  });

  it('reads every variable, and a .fifo queue URL means FIFO', () => {
    expect(
      loadIngressConfiguration({
        ERASURE_QUEUE_URL: ` ${QUEUE}.fifo `,
        INGRESS_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ingress-AbCdEf',
        INGRESS_MAX_SKEW_SECONDS: '3600',
        SECRET_MAX_AGE_SECONDS: '0',
        LOG_USER_ID: 'omit',
      }),
    ).toEqual({
      erasureQueueUrl: `${QUEUE}.fifo`,
      fifo: true,
      signingSecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ingress-AbCdEf',
      maxSkewSeconds: 3600,
      secretMaxAgeSeconds: 0,
      logUserId: 'omit',
    });
    expect(loadIngressConfiguration({ ...BASE, INGRESS_MAX_SKEW_SECONDS: '30' }).maxSkewSeconds).toBe(30);
    // Empty means unset (SAM passes "" for an empty parameter).
    expect(loadIngressConfiguration({ ...BASE, INGRESS_MAX_SKEW_SECONDS: '' }).maxSkewSeconds).toBe(300);
  });

  it.each([
    [{ ERASURE_QUEUE_URL: undefined }, 'ERASURE_QUEUE_URL is required'],
    [{ ERASURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/queue' }, 'ERASURE_QUEUE_URL is invalid'],
    [{ ERASURE_QUEUE_URL: `${QUEUE}?x=1` }, 'ERASURE_QUEUE_URL is invalid'],
    [{ ERASURE_QUEUE_URL: 'arn:aws:sqs:us-east-1:000000000000:q' }, 'ERASURE_QUEUE_URL is invalid'],
    [{ INGRESS_SECRET_ID: undefined }, 'INGRESS_SECRET_ID is required'],
    [{ INGRESS_SECRET_ID: '   ' }, 'INGRESS_SECRET_ID is required'],
    [{ INGRESS_MAX_SKEW_SECONDS: '29' }, 'INGRESS_MAX_SKEW_SECONDS is invalid'],
    [{ INGRESS_MAX_SKEW_SECONDS: '3601' }, 'INGRESS_MAX_SKEW_SECONDS is invalid'],
    [{ INGRESS_MAX_SKEW_SECONDS: '300.5' }, 'INGRESS_MAX_SKEW_SECONDS is invalid'],
    [{ INGRESS_MAX_SKEW_SECONDS: '5m' }, 'INGRESS_MAX_SKEW_SECONDS is invalid'],
    [{ SECRET_MAX_AGE_SECONDS: '-1' }, 'SECRET_MAX_AGE_SECONDS is invalid'],
    [{ LOG_USER_ID: 'hash' }, 'LOG_USER_ID is invalid'],
  ] as [Record<string, string | undefined>, string][])('%o → %s', (overrides, message) => {
    const env = { ...BASE, ...overrides };
    expect(() => loadIngressConfiguration(env)).toThrow(ConfigurationError);
    expect(() => loadIngressConfiguration(env)).toThrow(`${PREFIX} ${message}`);
  });
});

describe('dist/ingress.mjs at import', () => {
  const importWith = (env: Record<string, string | undefined>) => {
    const previous = applyEnv({
      ERASURE_QUEUE_URL: undefined,
      INGRESS_SECRET_ID: undefined,
      INGRESS_MAX_SKEW_SECONDS: undefined,
      SECRET_MAX_AGE_SECONDS: undefined,
      LOG_USER_ID: undefined,
      AWS_REGION: 'us-east-1',
      ...env,
    });
    try {
      return loadIngressBundle();
    } finally {
      restoreEnv(previous);
    }
  };

  it('loads with a good environment and exports handler', () => {
    expect(typeof importWith(BASE).handler).toBe('function');
  });

  it.each([
    [{ INGRESS_SECRET_ID: 's' }, 'ERASURE_QUEUE_URL is required'],
    [{ ...BASE, ERASURE_QUEUE_URL: 'not a url' }, 'ERASURE_QUEUE_URL is invalid'],
    [{ ERASURE_QUEUE_URL: QUEUE }, 'INGRESS_SECRET_ID is required'],
    [{ ...BASE, INGRESS_MAX_SKEW_SECONDS: '10' }, 'INGRESS_MAX_SKEW_SECONDS is invalid'],
    [{ ...BASE, LOG_USER_ID: 'PLAIN' }, 'LOG_USER_ID is invalid'],
  ] as [Record<string, string>, string][])('fails for %o, naming the variable', (env, message) => {
    let failure: unknown;
    try {
      importWith(env);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('ConfigurationError');
    expect((failure as Error).message).toMatch(new RegExp(`^${PREFIX} ${message}`));
  });
});
