/**
 * A Lambda invocation context as the Node.js runtime builds it, so code that reads its deadline
 * (`getRemainingTimeInMillis`), request id or function ARN behaves as it would in Lambda. The legacy
 * callback methods (`done`, `succeed`, `fail`) throw: async handlers must not use them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { STAND_IN_ACCOUNT_ID } from './awsWire.ts';

export interface LambdaContextOptions {
  functionName: string;
  region: string;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs: number;
  memoryLimitInMB?: number;
  awsRequestId?: string;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

class LegacyCallbackApiError extends Error {
  override readonly name = 'LegacyCallbackApiError';
  constructor(method: string) {
    super(`context.${method}() is the legacy callback API; return (or throw) from the async handler instead`);
  }
}

/**
 * @example
 * const context = createLambdaContext({ functionName: 'chat-erasure', region: 'us-east-1', timeoutMs: 60_000 });
 * context.getRemainingTimeInMillis(); // ≈ 60000, falling
 */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${STAND_IN_ACCOUNT_ID}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => {
      throw new LegacyCallbackApiError('done');
    },
    fail: () => {
      throw new LegacyCallbackApiError('fail');
    },
    succeed: () => {
      throw new LegacyCallbackApiError('succeed');
    },
  };
}
