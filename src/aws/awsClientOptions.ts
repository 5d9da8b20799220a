/**
 * What every AWS SDK client of the function is built with (DESIGN.md "Rate budget and time budget"): a
 * connection timeout and a per-attempt request timeout, so that no attempt hangs on a service that
 * accepted the connection and never answered. The invocation deadline bounds the attempts together.
 */

/** Connecting to an AWS endpoint in the same region takes milliseconds; a second is a dead endpoint. */
const AWS_CONNECTION_TIMEOUT_MS = 1000;
/** One attempt of one call: generous for SQS and Secrets Manager, short against a 60 s function timeout. */
const AWS_REQUEST_TIMEOUT_MS = 3000;

/**
 * Client options with the two timeouts (pass to any SDK v3 client constructor).
 * @example
 * const sqs = new SQSClient({ ...awsClientOptions(), useQueueUrlAsEndpoint: false });
 */
export function awsClientOptions() {
  return {
    requestHandler: {
      connectionTimeout: AWS_CONNECTION_TIMEOUT_MS,
      requestTimeout: AWS_REQUEST_TIMEOUT_MS,
      // Without this the SDK only logs a breached requestTimeout and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}
