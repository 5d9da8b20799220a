/**
 * Which AWS SDK failures another attempt may cure (DESIGN.md "Receipts": throttling, 5xx, network errors
 * and timeouts retry; any other refusal cannot succeed by retrying). Shared by every adapter that has to
 * tell the two apart.
 */

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  // SQS's own throttling answers come with HTTP 403 (RequestThrottled) and 400 (KmsThrottled).
  'RequestThrottled',
  'RequestThrottledException',
  'KmsThrottled',
  'ThrottledException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalException',
  'InternalServerError',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  'AwsCallAbandonedError',
]);

interface SdkErrorShape {
  name?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * @example
 * try { await client.send(command); } catch (error) { if (isRetryableAwsError(error)) retryLater(); }
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const shape = error as SdkErrorShape;
  if (typeof shape.name === 'string' && RETRYABLE_NAMES.has(shape.name)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null) return true;
  const status = shape.$metadata?.httpStatusCode;
  // No HTTP status at all: the request never got an answer (connection refused or reset, DNS, socket).
  if (typeof status !== 'number') return true;
  return status >= 500 || status === 429;
}
