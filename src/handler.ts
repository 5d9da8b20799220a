/**
 * The Lambda entry point: reads the configuration once (a bad one fails the import, naming the variable),
 * builds the adapters once per instance, and hands each SQS batch to the erasure domain.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { secretsManagerCredentials } from './aws/adminCredentials.ts';
import { SqsDeadLetterQueue } from './aws/deadLetterQueue.ts';
import { SqsRedelivery } from './aws/redelivery.ts';
import { AdminSession } from './chat/adminSession.ts';
import { AdminUserSigCache } from './chat/adminUserSig.ts';
import { ChatRestClient } from './chat/chatRestClient.ts';
import { loadConfiguration } from './config/configuration.ts';
import { processErasureBatch } from './erasure/erasureBatch.ts';
import { CallPacer } from './ratelimit/callPacer.ts';

const configuration = loadConfiguration(process.env);

const logger = new Logger({ serviceName: 'chat-erasure' });
const metrics = new Metrics({ serviceName: 'chat-erasure', namespace: 'ChatErasure' });
// A queue URL must never redirect the client: the endpoint is what the SDK resolved (region or
// AWS_ENDPOINT_URL_SQS), so the DLQ lives in the function's region.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const userSigs = new AdminUserSigCache(configuration.userSigTtlSeconds);

const services = {
  chat: new ChatRestClient({
    baseUrl: configuration.chatBaseUrl,
    timeoutMs: configuration.chatTimeoutMs,
    pacer: new CallPacer(configuration.callBudgetPerSecond / configuration.maxConcurrency),
  }),
  session: new AdminSession(
    secretsManagerCredentials({
      secretId: configuration.secretId,
      maxAgeSeconds: configuration.secretMaxAgeSeconds,
    }),
    userSigs,
  ),
  deadLetters: new SqsDeadLetterQueue(sqs, configuration.dlqUrl),
  redelivery: new SqsRedelivery(sqs),
  logger,
  metrics,
  settings: {
    maxReceives: configuration.maxReceives,
    chatTimeoutMs: configuration.chatTimeoutMs,
    logUserId: configuration.logUserId,
  },
};

/** How many UserSigs this instance has signed (the benchmark reads it; one per TTL is the target). */
export const userSigSignatures = (): number => userSigs.signatures;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  return processErasureBatch(event, context, services);
}
