/**
 * The composition root: builds every adapter the erasure domain needs from the configuration, once per
 * Lambda instance. The keep-alive pool, the pacers, the cached secret and UserSig live as long as the
 * instance does; the SQS, EventBridge and Step Functions clients are loaded on first use (most
 * invocations dead-letter nothing and send no receipt).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { secretsManagerCredentials } from './aws/adminCredentials.ts';
import { SqsContinuationQueue } from './aws/continuationQueue.ts';
import { SqsDeadLetterQueue } from './aws/deadLetterQueue.ts';
import { EventBridgeReceipts } from './aws/eventBridgeReceipts.ts';
import { sqsClient } from './aws/lazyModules.ts';
import { PipelineReceipts } from './aws/pipelineReceipts.ts';
import { SqsRedelivery } from './aws/redelivery.ts';
import { StepFunctionsReceipts } from './aws/stepFunctionsReceipts.ts';
import { SignedAdminSession } from './chat/adminSession.ts';
import { AdminUserSigCache } from './chat/adminUserSig.ts';
import { ChatRestClient } from './chat/chatRestClient.ts';
import { CommandPacers } from './chat/commandPacers.ts';
import { type Configuration, commandShare } from './configuration.ts';
import type { ErasureServices } from './erasure/batchRun.ts';

export interface InstanceServices extends ErasureServices {
  logger: Logger;
  userSigs: AdminUserSigCache;
}

/**
 * @example
 * const services = createServices(loadConfiguration(process.env));
 * export const handler = (event, context) => processErasureBatch(event, context, services);
 */
export function createServices(configuration: Configuration): InstanceServices {
  const userSigs = new AdminUserSigCache(configuration.userSigTtlSeconds);
  const pacers = new CommandPacers((command) => commandShare(configuration, command));
  const logger = new Logger({ serviceName: 'chat-erasure' });
  return {
    chat: new ChatRestClient({
      baseUrl: configuration.chatBaseUrl,
      timeoutMs: configuration.chatTimeoutMs,
      pacers,
    }),
    pacing: pacers,
    session: new SignedAdminSession(
      secretsManagerCredentials({
        secretId: configuration.secretId,
        maxAgeSeconds: configuration.secretMaxAgeSeconds,
      }),
      userSigs,
    ),
    deadLetters: new SqsDeadLetterQueue(sqsClient, configuration.dlqUrl),
    continuations: new SqsContinuationQueue(sqsClient),
    redelivery: new SqsRedelivery(sqsClient),
    receipts: new PipelineReceipts(
      configuration.receiptEventBus === undefined
        ? undefined
        : new EventBridgeReceipts(configuration.receiptEventBus),
      new StepFunctionsReceipts(),
    ),
    log: logger,
    metrics: new Metrics({ serviceName: 'chat-erasure', namespace: 'ChatErasure' }),
    settings: {
      maxReceives: configuration.maxReceives,
      chatTimeoutMs: configuration.chatTimeoutMs,
      logUserId: configuration.logUserId,
      receiptUserId: configuration.receiptUserId,
      protectedUserIds: configuration.protectedUserIds,
      plan: {
        steps: configuration.erasureSteps,
        settings: {
          groupOwnerPolicy: configuration.groupOwnerPolicy,
          profileCustomTags: configuration.profileCustomTags,
        },
      },
    },
    logger,
    userSigs,
  };
}
