/**
 * The SQS stand-in: fauxqs running in this process on 127.0.0.1, fronted by the fault/time proxy, plus
 * the helpers tests need around it (create a queue with a DLQ, read what is left, count). Queues are
 * addressed by their real amazonaws-form URLs: the SDK clients are built with
 * `useQueueUrlAsEndpoint: false` (as the function's is), so the URL only names the queue, and fauxqs
 * resolves `https://sqs.REGION.amazonaws.com/000000000000/NAME` by its region and last path segment.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  CreateQueueCommand as SdkCreateQueueCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { STAND_IN_ACCOUNT_ID, STAND_IN_CREDENTIALS } from './awsWire.ts';
import { createFifoBatchingSqsStore } from './fauxqsFifoBatching.ts';
import {
  type InjectedFailure,
  type InjectedFailureOptions,
  type SqsCall,
  type SqsFailurePredicate,
  startSqsFaultProxy,
} from './sqsFaultProxy.ts';

export type {
  InjectedFailure,
  InjectedFailureOptions,
  SqsCall,
  SqsFailurePredicate,
  SqsRequest,
} from './sqsFaultProxy.ts';

export interface SqsStandInOptions {
  /** Region of the queues, their URLs and ARNs, and of `client` (default `us-east-1`). */
  region?: string;
  /** Initial factor for forwarded ChangeMessageVisibility timeouts (default 1; tests use e.g. 0.01). */
  visibilityTimeScale?: number;
  /** How many calls `calls` keeps (default 50 000; older halves are dropped beyond it). */
  callLogLimit?: number;
}

export interface CreateQueueOptions {
  /** A FIFO queue; the name must then end in `.fifo`. */
  fifo?: boolean;
  visibilityTimeoutSeconds?: number;
  /** RedrivePolicy: after `maxReceiveCount` receives the next receive moves the message to `targetArn`. */
  deadLetter?: { targetArn: string; maxReceiveCount: number };
  /** Any other SQS queue attributes, e.g. `{ ContentBasedDeduplication: 'true' }`. */
  attributes?: Record<string, string>;
}

export interface QueueRef {
  name: string;
  /** `https://sqs.REGION.amazonaws.com/000000000000/NAME` */
  url: string;
  /** `arn:aws:sqs:REGION:000000000000:NAME` */
  arn: string;
}

export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
}

export interface SqsStandIn {
  /** The proxy's `http://127.0.0.1:PORT`: the SDK `endpoint` option or `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint: string;
  readonly region: string;
  /** A real SDK client on the proxy (`useQueueUrlAsEndpoint: false`, fake credentials, default retries). */
  readonly client: SQSClient;
  /** Factor for forwarded ChangeMessageVisibility(Batch) timeouts: round down, min 0. Settable any time. */
  visibilityTimeScale: number;
  /** Every call that went through the proxy, in order, with the input the client sent. */
  readonly calls: readonly SqsCall[];
  createQueue(name: string, options?: CreateQueueOptions): Promise<QueueRef>;
  /** The amazonaws-form URL and the ARN of a queue name in this stand-in's region (it need not exist). */
  queueRef(name: string): QueueRef;
  /** Receives and deletes every visible message (All attributes), for end-of-test assertions. */
  readAll(queueUrl: string): Promise<Message[]>;
  approximateCounts(queueUrl: string): Promise<QueueCounts>;
  /** Calls matching `predicate` fail (AWS 500 `InternalError` unless told otherwise) until removed. */
  injectFailure(predicate: SqsFailurePredicate, options?: InjectedFailureOptions): InjectedFailure;
  clearFailures(): void;
  clearCalls(): void;
  close(): Promise<void>;
}

/** The SQS client the stand-in hands out; other code can build the same one for its own endpoint. */
export function standInSqsClient(endpoint: string, region: string): SQSClient {
  return new SQSClient({
    endpoint,
    region,
    credentials: { ...STAND_IN_CREDENTIALS },
    useQueueUrlAsEndpoint: false,
  });
}

function checkedScale(scale: number): number {
  if (!(Number.isFinite(scale) && scale >= 0)) {
    throw new RangeError(`visibilityTimeScale must be a finite number ≥ 0, got ${scale}`);
  }
  return scale;
}

/** readAll stops after this many receives, in case something keeps refilling the queue. */
const READ_ALL_MAX_ROUNDS = 1_000;

/**
 * Starts fauxqs and the proxy on 127.0.0.1 (port 0 each).
 *
 * @example
 * const sqs = await startSqsStandIn({ visibilityTimeScale: 0.01 });
 * const dlq = await sqs.createQueue('erasure-dlq');
 * const queue = await sqs.createQueue('erasure', { deadLetter: { targetArn: dlq.arn, maxReceiveCount: 8 } });
 * // … AWS_ENDPOINT_URL_SQS = sqs.endpoint, DLQ_URL = dlq.url …
 * await sqs.close();
 */
export async function startSqsStandIn(options: SqsStandInOptions = {}): Promise<SqsStandIn> {
  const region = options.region ?? 'us-east-1';
  const initialScale = checkedScale(options.visibilityTimeScale ?? 1);
  const sqsStore = await createFifoBatchingSqsStore();
  // buildApp creates the SNS and S3 stores it is not given; only the SQS one is ours.
  const app = buildApp({
    logger: false,
    defaultRegion: region,
    stores: { sqsStore } as unknown as NonNullable<Parameters<typeof buildApp>[0]>['stores'],
  });
  const fauxqsEndpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  const proxy = await startSqsFaultProxy(fauxqsEndpoint, {
    region,
    visibilityTimeScale: initialScale,
    ...(options.callLogLimit !== undefined && { callLogLimit: options.callLogLimit }),
  });
  const client = standInSqsClient(proxy.endpoint, region);
  // Helpers talk to fauxqs directly: they must neither show in `calls` nor meet injected failures.
  const direct = standInSqsClient(fauxqsEndpoint, region);

  const queueRef = (name: string): QueueRef => ({
    name,
    url: `https://sqs.${region}.amazonaws.com/${STAND_IN_ACCOUNT_ID}/${name}`,
    arn: `arn:aws:sqs:${region}:${STAND_IN_ACCOUNT_ID}:${name}`,
  });

  return {
    endpoint: proxy.endpoint,
    region,
    client,
    get visibilityTimeScale() {
      return proxy.visibilityTimeScale;
    },
    set visibilityTimeScale(scale: number) {
      proxy.visibilityTimeScale = checkedScale(scale);
    },
    get calls() {
      return proxy.calls;
    },
    async createQueue(name, queueOptions = {}) {
      const attributes: Record<string, string> = { ...queueOptions.attributes };
      if (queueOptions.fifo) {
        attributes.FifoQueue = 'true';
      }
      if (queueOptions.visibilityTimeoutSeconds !== undefined) {
        attributes.VisibilityTimeout = String(queueOptions.visibilityTimeoutSeconds);
      }
      if (queueOptions.deadLetter) {
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: queueOptions.deadLetter.targetArn,
          maxReceiveCount: queueOptions.deadLetter.maxReceiveCount,
        });
      }
      await direct.send(new SdkCreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const ref = queueRef(name);
      const { Attributes } = await direct.send(
        new GetQueueAttributesCommand({ QueueUrl: ref.url, AttributeNames: ['QueueArn'] }),
      );
      if (Attributes?.QueueArn !== ref.arn) {
        throw new Error(`fauxqs created ${name} as ${String(Attributes?.QueueArn)}, expected ${ref.arn}`);
      }
      return ref;
    },
    queueRef,
    async readAll(queueUrl) {
      const messages: Message[] = [];
      for (let round = 0; round < READ_ALL_MAX_ROUNDS; round += 1) {
        const { Messages = [] } = await direct.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) {
          break;
        }
        messages.push(...Messages);
        await direct.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      return messages;
    },
    async approximateCounts(queueUrl) {
      const { Attributes = {} } = await direct.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return {
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        notVisible: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      };
    },
    injectFailure: (predicate, failureOptions) => proxy.injectFailure(predicate, failureOptions),
    clearFailures: () => proxy.clearFailures(),
    clearCalls: () => proxy.clearCalls(),
    async close() {
      client.destroy();
      direct.destroy();
      await proxy.close();
      await app.close();
    },
  };
}
