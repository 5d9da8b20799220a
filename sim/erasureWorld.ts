/**
 * Everything chat-erasure talks to, on loopback, wired to the real bundle: the Chat API simulator, the
 * SQS stand-in with the erasure queue and its DLQ, the Secrets Manager stand-in holding the admin
 * credentials, and the EventBridge and Step Functions stand-ins that receive receipts. The function's environment points the real AWS SDK clients at the stand-ins through the
 * SDK's standard `AWS_ENDPOINT_URL_*` variables, exactly as a deployed function would be configured.
 * Used by the end-to-end tests, the chaos run, the benchmark and `npm start`.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { STAND_IN_CREDENTIALS } from './aws/awsWire.ts';
import { type EventBridgeStandIn, startEventBridgeStandIn } from './aws/eventBridgeStandIn.ts';
import { type DrainQueueOptions, type DrainResult, drainQueue } from './aws/eventSourceMapping.ts';
import { type SecretsManagerStandIn, startSecretsManagerStandIn } from './aws/secretsManagerStandIn.ts';
import { type QueueRef, type SqsStandIn, startSqsStandIn } from './aws/sqsStandIn.ts';
import { type StepFunctionsStandIn, startStepFunctionsStandIn } from './aws/stepFunctionsStandIn.ts';
import {
  type ChatApiSimulator,
  type ChatApiSimulatorOptions,
  startChatApiSimulator,
} from './chat-api/index.ts';
import { applyEnv, captureOutput, jsonRecords, restoreEnv } from './functionProcess.ts';

export interface AdminSecret {
  sdkAppId: number;
  adminIdentifier: string;
  secretKey: string;
}

/** Demo credentials for local runs; the simulator accepts exactly these. */
export const DEMO_ADMIN_SECRET: AdminSecret = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'local-demo-secret-key-0123456789abcdef0123456789abcdef',
};

export const SECRET_NAME = 'chat-erasure/chat-admin';

export interface ErasureWorldOptions {
  /** FIFO erasure queue and DLQ (names end in `.fifo`). */
  fifo?: boolean;
  /** The simulator's per-second call limit of each command (default 200) and added latency (default 0 ms). */
  chatCallsPerSecond?: number;
  chatLatencyMs?: number;
  /** Further simulator options (features, custom profile tags, page sizes, per-command limits). */
  chatOptions?: Omit<
    ChatApiSimulatorOptions,
    'sdkAppId' | 'secretKey' | 'admins' | 'callsPerSecond' | 'latencyMs'
  >;
  /** Extra or overriding function environment (e.g. `MAX_RECEIVES`, `CHAT_TIMEOUT_MS`, `LOG_USER_ID`). */
  functionEnv?: Record<string, string>;
  /**
   * Factor applied to the function's visibility backoff (30 s × 2^n). Default 0: a record returned for
   * retry is visible again at once, so a drain does not wait minutes. The requested values stay visible
   * in `sqs.calls` for assertions.
   */
  visibilityTimeScale?: number;
  /** The erasure queue's own visibility timeout (what a crashed or timed-out invocation waits), default 2 s. */
  queueVisibilityTimeoutSeconds?: number;
  /** RedrivePolicy maxReceiveCount of the erasure queue (the crash backstop), default MAX_RECEIVES + 5. */
  redriveMaxReceiveCount?: number;
  /** Where the bundle is (default: this project's `dist/handler.mjs`; run `npm run build` first). */
  bundleUrl?: URL;
  /** Also write the function's log lines to this process's stdout (default false: they are only kept). */
  echoFunctionLogs?: boolean;
  /** Creates this EventBridge bus and sets RECEIPT_EVENT_BUS to it (default: no receipts to a bus). */
  receiptBus?: string;
}

/** One warm Lambda instance: its own module copy, so its own pacer, caches and connection pool. */
export interface LambdaInstance {
  handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  userSigSignatures(): number;
}

export interface ErasureWorld {
  readonly chat: ChatApiSimulator;
  readonly sqs: SqsStandIn;
  readonly secrets: SecretsManagerStandIn;
  /** Receives receipt events (PutEvents). */
  readonly events: EventBridgeStandIn;
  /** Receives task callbacks (SendTaskSuccess/Failure/Heartbeat). */
  readonly stepFunctions: StepFunctionsStandIn;
  readonly queue: QueueRef;
  readonly dlq: QueueRef;
  /** The function's environment (also applied to process.env while the world lives). */
  readonly env: Readonly<Record<string, string>>;
  readonly adminSecret: AdminSecret;
  /** Every line the function wrote to stdout/stderr (JSON log lines and EMF metrics). */
  readonly functionLogs: string[];
  /** The instances `drain` has started, in order. */
  readonly instances: LambdaInstance[];
  /** Imports the bundle afresh: a cold start of a new instance. */
  startInstance(): Promise<LambdaInstance>;
  /** Sends bodies to the erasure queue (FIFO: `groupOf` names each body's MessageGroupId). */
  enqueue(bodies: string[], options?: { groupOf?: (index: number) => string }): Promise<string[]>;
  /**
   * Drains the erasure queue through the event-source-mapping poller with `instances` concurrent warm
   * instances (new ones unless `reuseInstances`), until it is empty or `maxDurationMs` passes.
   */
  drain(
    options: { instances?: number; reuseInstances?: boolean; maxDurationMs: number } & Partial<
      Pick<
        DrainQueueOptions,
        'batchSize' | 'functionTimeoutMs' | 'onInvocation' | 'signal' | 'stopWhenEmpty' | 'waitTimeSeconds'
      >
    >,
  ): Promise<DrainResult>;
  /** Puts a new key in the secret and makes the simulator accept only it (a key rotation). */
  rotateKey(secretKey: string): void;
  /** Parsed JSON log lines the function wrote (non-JSON lines are skipped). */
  logRecords(): Record<string, unknown>[];
  close(): Promise<void>;
}

let instanceCounter = 0;

/**
 * @example
 * const world = await startErasureWorld();
 * world.chat.seed({ accounts: ['alice', 'bob'], friendships: [['alice', 'bob', 'both']] });
 * await world.enqueue([JSON.stringify({ userId: 'alice' })]);
 * await world.drain({ maxDurationMs: 10_000 });
 * await world.close();
 */
export async function startErasureWorld(options: ErasureWorldOptions = {}): Promise<ErasureWorld> {
  const adminSecret = { ...DEMO_ADMIN_SECRET };
  const region = 'us-east-1';
  const chat = await startChatApiSimulator({
    sdkAppId: adminSecret.sdkAppId,
    secretKey: adminSecret.secretKey,
    admins: [adminSecret.adminIdentifier],
    callsPerSecond: options.chatCallsPerSecond ?? 200,
    latencyMs: options.chatLatencyMs ?? 0,
    ...options.chatOptions,
  });
  const sqs = await startSqsStandIn({ region, visibilityTimeScale: options.visibilityTimeScale ?? 0 });
  const secrets = await startSecretsManagerStandIn({ region });
  secrets.setSecret(SECRET_NAME, JSON.stringify(adminSecret));
  const events = await startEventBridgeStandIn({ region });
  const stepFunctions = await startStepFunctionsStandIn({ region });
  if (options.receiptBus !== undefined) events.createBus(options.receiptBus);

  const suffix = options.fifo ? '.fifo' : '';
  const maxReceives = Number(options.functionEnv?.MAX_RECEIVES ?? 5);
  const dlq = await sqs.createQueue(`chat-erasure-dlq${suffix}`, {
    fifo: options.fifo ?? false,
    attributes: { MessageRetentionPeriod: '1209600' },
  });
  const queue = await sqs.createQueue(`chat-erasure-queue${suffix}`, {
    fifo: options.fifo ?? false,
    visibilityTimeoutSeconds: options.queueVisibilityTimeoutSeconds ?? 2,
    deadLetter: { targetArn: dlq.arn, maxReceiveCount: options.redriveMaxReceiveCount ?? maxReceives + 5 },
  });

  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    POWERTOOLS_SERVICE_NAME: 'chat-erasure',
    POWERTOOLS_METRICS_NAMESPACE: 'ChatErasure',
    SECRET_ID: SECRET_NAME,
    DLQ_URL: dlq.url,
    CHAT_API_ENDPOINT: chat.url,
    ...(options.receiptBus === undefined ? {} : { RECEIPT_EVENT_BUS: options.receiptBus }),
    ...options.functionEnv,
  };
  const previousEnv = applyEnv(env);
  const functionLogs: string[] = [];
  const restoreOutput = captureOutput(functionLogs, options.echoFunctionLogs ?? false);
  const bundleUrl = options.bundleUrl ?? new URL('../dist/handler.mjs', import.meta.url);
  const instances: LambdaInstance[] = [];

  const startInstance = async (): Promise<LambdaInstance> => {
    instanceCounter += 1;
    const module = (await import(`${bundleUrl.href}?instance=${instanceCounter}`)) as LambdaInstance;
    return { handler: module.handler, userSigSignatures: module.userSigSignatures };
  };

  return {
    chat,
    sqs,
    secrets,
    events,
    stepFunctions,
    queue,
    dlq,
    env,
    adminSecret,
    functionLogs,
    instances,
    startInstance,
    async enqueue(bodies, { groupOf } = {}) {
      const ids: string[] = [];
      for (let start = 0; start < bodies.length; start += 10) {
        const entries: SendMessageBatchRequestEntry[] = bodies
          .slice(start, start + 10)
          .map((body, offset) => {
            const index = start + offset;
            const entry: SendMessageBatchRequestEntry = { Id: `m${index}`, MessageBody: body };
            if (options.fifo) {
              entry.MessageGroupId = groupOf?.(index) ?? 'default';
              entry.MessageDeduplicationId = `dedup-${index}-${Date.now()}`;
            }
            return entry;
          });
        const answer = await sqs.client.send(
          new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }),
        );
        if ((answer.Failed ?? []).length > 0)
          throw new Error(`enqueue failed for ${answer.Failed?.length} messages`);
        const byEntry = new Map((answer.Successful ?? []).map((ok) => [ok.Id, ok.MessageId as string]));
        for (const entry of entries) ids.push(byEntry.get(entry.Id) as string);
      }
      return ids;
    },
    async drain({ instances: count = 2, reuseInstances = false, ...drainOptions }) {
      if (!reuseInstances || instances.length < count) {
        if (!reuseInstances) instances.length = 0;
        while (instances.length < count) instances.push(await startInstance());
      }
      return drainQueue({
        sqs: sqs.client,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region,
        instances: count,
        handler: instances.slice(0, count).map((instance) => instance.handler),
        ...drainOptions,
      });
    },
    rotateKey(secretKey) {
      adminSecret.secretKey = secretKey;
      secrets.setSecret(SECRET_NAME, JSON.stringify(adminSecret));
      chat.setSecretKey(secretKey);
    },
    logRecords: () => jsonRecords(functionLogs),
    async close() {
      restoreOutput();
      restoreEnv(previousEnv);
      await Promise.allSettled([
        chat.close(),
        sqs.close(),
        secrets.close(),
        events.close(),
        stepFunctions.close(),
      ]);
    },
  };
}
