/**
 * The webhook ingress's Lambda entry point (`dist/ingress.mjs`, a Function URL with payload format 2.0):
 * reads its configuration once (a bad one fails the import, naming the variable with the prefix
 * `chat-erasure ingress configuration:`), builds its adapters once per instance, and answers each signed
 * `POST /erasures` by validating it and putting it on the erasure queue (DESIGN.md "Ingress: signed webhook").
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { awsClientOptions } from './aws/awsClientOptions.ts';
import type { IngressAnswer } from './ingress/answers.ts';
import { loadIngressConfiguration } from './ingress/configuration.ts';
import { SqsErasureQueue } from './ingress/erasureQueue.ts';
import { handleIngressRequest, type IngressServices } from './ingress/handleIngressRequest.ts';
import { secretsManagerSigningKeys } from './ingress/signingKeys.ts';

const configuration = loadIngressConfiguration(process.env);

const logger = new Logger({ serviceName: 'chat-erasure-ingress' });
let sqs: SQSClient | undefined;
// Built on first use (a refused request needs no SQS). A queue URL never overrides the endpoint the SDK
// resolved (region or AWS_ENDPOINT_URL_SQS), as for the erasure function's clients.
const sqsClient = () => (sqs ??= new SQSClient({ ...awsClientOptions(), useQueueUrlAsEndpoint: false }));

const services: IngressServices = {
  settings: { maxSkewSeconds: configuration.maxSkewSeconds, logUserId: configuration.logUserId },
  signingKeys: secretsManagerSigningKeys({
    secretId: configuration.signingSecretId,
    maxAgeSeconds: configuration.secretMaxAgeSeconds,
  }),
  queue: new SqsErasureQueue(sqsClient, configuration.erasureQueueUrl),
  log: logger,
};

/**
 * @example
 * // Lambda calls it with a Function URL event; locally: sim/aws/functionUrlServer.ts
 * const answer = await handler(event, context); // { statusCode: 202, headers, body: '{"requestId":…,"messageId":…}' }
 */
export async function handler(
  event: LambdaFunctionURLEvent,
  context: Context,
): Promise<LambdaFunctionURLResult> {
  try {
    logger.addContext(context);
  } catch {
    // A context without the usual fields only costs the log line those fields.
  }
  const answer: IngressAnswer = await handleIngressRequest(event, context, services);
  return answer;
}
