/**
 * AWS SDK clients the function needs only sometimes, loaded on first use instead of at import: the SQS
 * client only when a record is dead-lettered, returned or continued; the EventBridge and Step Functions
 * clients only when a receipt is due. Most invocations need none of them, and every cold start would
 * otherwise pay for evaluating them (the bundler keeps a dynamically imported module's code unevaluated
 * until the import runs).
 */
import { awsClientOptions } from './awsClientOptions.ts';

/** Runs `load` once, on first call; later calls share its promise (a failed load is tried again). */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

export const sqsModule = onFirstUse(() => import('@aws-sdk/client-sqs'));
export const eventBridgeModule = onFirstUse(() => import('@aws-sdk/client-eventbridge'));
export const stepFunctionsModule = onFirstUse(() => import('@aws-sdk/client-sfn'));

/**
 * The function's SQS client, built on first use. A queue URL must never redirect the client: the endpoint
 * is what the SDK resolved (region or AWS_ENDPOINT_URL_SQS), so the DLQ lives in the function's region.
 * @example
 * const sqs = await sqsClient();
 */
export const sqsClient = onFirstUse(async () => {
  const { SQSClient } = await sqsModule();
  return new SQSClient({ ...awsClientOptions(), useQueueUrlAsEndpoint: false });
});
