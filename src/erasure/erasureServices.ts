/**
 * Builds the adapters the erasure domain needs from the configuration, once per Lambda instance: the
 * keep-alive pool, the pacer, the cached secret and UserSig live as long as the instance does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { secretsManagerCredentials } from '../aws/adminCredentials.ts';
import { SqsDeadLetterQueue } from '../aws/deadLetterQueue.ts';
import { SqsRedelivery } from '../aws/redelivery.ts';
import { AdminSession } from '../chat/adminSession.ts';
import { AdminUserSigCache } from '../chat/adminUserSig.ts';
import { ChatRestClient } from '../chat/chatRestClient.ts';
import type { Configuration } from '../config/configuration.ts';
import { CallPacer } from '../ratelimit/callPacer.ts';
import type { ErasureServices } from './erasureBatch.ts';

export interface InstanceServices extends ErasureServices {
  chat: ChatRestClient;
  userSigs: AdminUserSigCache;
  sqs: SQSClient;
}

/**
 * @example
 * const services = createErasureServices(loadConfiguration(process.env));
 * export const handler = (event, context) => processErasureBatch(event, context, services);
 */
export function createErasureServices(configuration: Configuration): InstanceServices {
  // A queue URL must never redirect the client: the endpoint is what the SDK resolved (region or
  // AWS_ENDPOINT_URL_SQS), so the DLQ lives in the function's region.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const userSigs = new AdminUserSigCache(configuration.userSigTtlSeconds);
  return {
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
    logger: new Logger({ serviceName: 'chat-erasure' }),
    metrics: new Metrics({ serviceName: 'chat-erasure', namespace: 'ChatErasure' }),
    settings: {
      maxReceives: configuration.maxReceives,
      chatTimeoutMs: configuration.chatTimeoutMs,
      logUserId: configuration.logUserId,
    },
    userSigs,
    sqs,
  };
}
