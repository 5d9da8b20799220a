/**
 * Helpers for tests that drive a real AWS SDK client against a loopback stand-in.
 */
import { vi } from 'vitest';

/** The SDK's backoff is `Math.random() × base × 2^n`: zero keeps retries instant, the strategy unchanged. */
export const withoutBackoff = () => vi.spyOn(Math, 'random').mockReturnValue(0);

/** The error an SDK call rejects with (fails the test if the call succeeds). */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } },
  );
