/**
 * In-memory stand-ins for everything `processErasureBatch` talks to, so thousands of batches run in seconds:
 * a scripted Chat API, a credentials source behind a real AdminSession, a recording dead-letter queue (built
 * on the real `deadLetterMessage`, so its attributes are what SQS would get), a recording redelivery, a real
 * Powertools Logger and Metrics whose output is captured, and a Lambda context.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { vi } from 'vitest';
import type { AdminCredentialsSource } from '../../src/aws/adminCredentials.ts';
import { deadLetterMessage } from '../../src/aws/deadLetterQueue.ts';
import { SignedAdminSession } from '../../src/chat/adminSession.ts';
import { AdminUserSigCache } from '../../src/chat/adminUserSig.ts';
import { classifyChatResponse, classifyTransportFailure } from '../../src/chat/classifyChatAnswer.ts';
import type { UserIdDisplay as LogUserIdMode } from '../../src/configuration.ts';
import type {
  AdminCredentials,
  ChatApi,
  ChatAttempt,
  ChatAuth,
  ChatRequest,
  DeadLetter,
  DeadLetterQueue,
  Redelivery,
} from '../../src/erasure/ports.ts';
import { processErasureBatch } from '../../src/erasure/processErasureBatch.ts';
import { AdminCredentialsUnavailableError } from '../../src/errors.ts';
import { type Answer, answerAt, DEFAULT_SCRIPT } from './erasureModel.ts';

export const ADMIN_IDENTIFIER = 'administrator';
export const SDK_APP_ID = 1400000000;
/** Distinctive, so a leak anywhere in the output is found by a plain substring search. */
export const SECRET_KEY = 'sk-FUZZ-7c1e9a4b2d6f8035e1a7c9b3d5f70246aa';
/** What a forced fetch returns: the key was rotated. */
export const ROTATED_SECRET_KEY = 'sk-ROTATED-3b8d0f2a4c6e8193a5b7d9f1c3e50824bb';
export const CHAT_TIMEOUT_MS = 5000;
export const QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:chat-erasure';
export const FIFO_QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:chat-erasure.fifo';
export const DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq';
export const FIFO_DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq.fifo';

const INITIAL: AdminCredentials = {
  sdkAppId: SDK_APP_ID,
  adminIdentifier: ADMIN_IDENTIFIER,
  secretKey: SECRET_KEY,
};
const ROTATED: AdminCredentials = { ...INITIAL, secretKey: ROTATED_SECRET_KEY };

/** Secrets Manager as the session sees it: the cached read and the forced re-fetch can each fail. */
export function fakeCredentialsSource(options: { load: boolean; renewal: boolean }): AdminCredentialsSource {
  return {
    async get({ forceFetch = false } = {}) {
      if (forceFetch) {
        if (!options.renewal) {
          throw new AdminCredentialsUnavailableError(
            'Secrets Manager could not be read (ThrottlingException)',
          );
        }
        return ROTATED;
      }
      if (!options.load) {
        throw new AdminCredentialsUnavailableError('Secrets Manager could not be read (TimeoutError)');
      }
      return INITIAL;
    },
  };
}

export interface ChatCall {
  userId: string;
  /** Undefined for a call that could not start (it is never signed). */
  auth: ChatAuth | undefined;
  latestStartMs: number | undefined;
  body: object;
  service: string;
  command: string;
}

/**
 * The Chat API behind the client: each userId answers from its script, in call order. Answers are built the
 * way the real client builds them (the real classifier over an HTTP status and body), and every error body
 * echoes the account and the UserSig in `ErrorInfo`, as a careless backend might: none of it may surface.
 */
export class ScriptedChat implements ChatApi {
  /**
   * More calls than any batch can need (10 records × at most 3 calls each). The fake answers without a
   * macrotask, so a retry loop without an end would starve every timer and hang the run instead of failing.
   */
  static readonly MAX_CALLS = 100;
  readonly calls: ChatCall[] = [];
  /** Set when the handler went past {@link ScriptedChat.MAX_CALLS}; later calls are not started. */
  runaway = false;
  readonly userSigs = new Set<string>();
  readonly #scripts: ReadonlyMap<string, readonly Answer[]>;
  readonly #cursors = new Map<string, number>();
  readonly #notBeforeMs: number;

  /** @param notBeforeMs a call whose latest start is before this cannot start (the pacer's rule). */
  constructor(scripts: ReadonlyMap<string, readonly Answer[]>, notBeforeMs: number) {
    this.#scripts = scripts;
    this.#notBeforeMs = notBeforeMs;
  }

  async post({ service, command, body, latestStartMs, authorize }: ChatRequest): Promise<ChatAttempt> {
    const userId = String((body as { From_Account?: unknown }).From_Account);
    if (latestStartMs < this.#notBeforeMs) {
      this.calls.push({ userId, auth: undefined, latestStartMs, body, service, command });
      return { started: false };
    }
    // Like the real client: the auth is read (and the admin check made) only when the call is sent.
    const auth = authorize();
    this.calls.push({ userId, auth, latestStartMs, body, service, command });
    this.userSigs.add(auth.userSig);
    if (this.calls.length > ScriptedChat.MAX_CALLS) {
      this.runaway = true;
      return { started: false };
    }
    const index = this.#cursors.get(userId) ?? 0;
    this.#cursors.set(userId, index + 1);
    const answer = answerAt(this.#scripts.get(userId) ?? DEFAULT_SCRIPT, index);
    const echo = `account ${userId} is not allowed for ${auth.identifier} with sig ${auth.userSig}`;
    const started = (outcome: ReturnType<typeof classifyChatResponse>): ChatAttempt => ({
      started: true,
      outcome,
      latencyMs: 7,
    });
    switch (answer.via) {
      case 'json':
        return started(
          classifyChatResponse(200, {
            ActionStatus: answer.actionStatus,
            ErrorCode: answer.errorCode,
            ErrorInfo: answer.errorCode === 0 ? '' : echo,
          }),
        );
      case 'http':
        return started(
          classifyChatResponse(answer.status, answer.status < 500 ? { ErrorInfo: echo } : undefined),
        );
      case 'malformed':
        return started(classifyChatResponse(200, answer.body));
      case 'transport':
        return started(classifyTransportFailure(answer.failure));
      case 'not-started':
        return { started: false };
      case 'throws':
        throw new Error(`client defect while erasing ${userId} (${echo})`);
    }
  }
}

/** SQS as the dead-letter queue: records the SendMessage input the real adapter would send. */
export class RecordingDeadLetterQueue implements DeadLetterQueue {
  readonly sent: SendMessageCommandInput[] = [];
  readonly refused: SendMessageCommandInput[] = [];
  readonly #queueUrl: string;
  readonly #refuses: (messageId: string) => boolean;

  constructor(queueUrl: string, refuses: (messageId: string) => boolean) {
    this.#queueUrl = queueUrl;
    this.#refuses = refuses;
  }

  async send(letter: DeadLetter): Promise<void> {
    const input = deadLetterMessage(this.#queueUrl, letter);
    if (this.#refuses(letter.record.messageId)) {
      this.refused.push(input);
      const error = new Error(`Service Unavailable: ${this.#queueUrl}`);
      error.name = 'ServiceUnavailable';
      throw error;
    }
    this.sent.push(input);
  }
}

export class RecordingRedelivery implements Redelivery {
  readonly deferred: Array<{ messageId: string; seconds: number }> = [];
  readonly #accepts: boolean;

  constructor(accepts: boolean) {
    this.#accepts = accepts;
  }

  async defer(record: SQSRecord, seconds: number): Promise<boolean> {
    this.deferred.push({ messageId: record.messageId, seconds });
    return this.#accepts;
  }
}

/** One per test process, as one per Lambda instance: what it prints is captured per batch. */
const logger = new Logger({ serviceName: 'chat-erasure', logLevel: 'DEBUG' });
const metrics = new Metrics({ serviceName: 'chat-erasure', namespace: 'ChatErasure' });

export function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'chat-erasure',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:chat-erasure',
    memoryLimitInMB: '256',
    awsRequestId: '8d2f6c1e-52b4-4f0a-9c77-1e3a5b7d9f00',
    logGroupName: '/aws/lambda/chat-erasure',
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Deterministic, unique per position: SQS messageIds are unique within a batch. */
export const messageIdAt = (index: number): string =>
  `5c0ffee0-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;

export interface RecordInput {
  body: string;
  receiveCount: string;
  groupId?: string;
  sentTimestamp?: string;
  eventSourceARN?: string;
}

export function sqsRecord(input: RecordInput, index: number): SQSRecord {
  const fifo = input.groupId !== undefined;
  return {
    messageId: messageIdAt(index),
    receiptHandle: `AQEB-receipt-${index}`,
    body: input.body,
    attributes: {
      ApproximateReceiveCount: input.receiveCount,
      SentTimestamp: input.sentTimestamp ?? '1795600000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1795600000500',
      ...(fifo
        ? {
            MessageGroupId: input.groupId,
            MessageDeduplicationId: `dedup-${index}`,
            SequenceNumber: String(18_800_000_000_000_000_000n + BigInt(index)),
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: '00000000000000000000000000000000',
    eventSource: 'aws:sqs',
    eventSourceARN: input.eventSourceARN ?? (fifo ? FIFO_QUEUE_ARN : QUEUE_ARN),
    awsRegion: 'eu-central-1',
  };
}

export interface WorldOptions {
  fifo: boolean;
  records: readonly RecordInput[];
  scripts: ReadonlyMap<string, readonly Answer[]>;
  credentialsLoad: boolean;
  renewalSucceeds: boolean;
  dlqRefuses: (messageId: string) => boolean;
  redeliveryAccepts: boolean;
  /** What `getRemainingTimeInMillis()` answers. */
  remainingMs: number;
  maxReceives: number;
  logUserId: LogUserIdMode;
  random: number;
}

/** Everything one batch did, as observed from outside. */
export interface BatchObservation {
  records: SQSRecord[];
  response: SQSBatchResponse | undefined;
  thrown: unknown;
  /** Everything written to stdout and stderr during the call. */
  output: string;
  /** The output's lines, parsed as JSON (a line that is not JSON makes the run fail). */
  lines: Array<Record<string, unknown>>;
  /** The audit lines (`message: 'erasure'`), in the order they were written. */
  audit: Array<Record<string, unknown>>;
  deadLetters: RecordingDeadLetterQueue;
  redelivery: RecordingRedelivery;
  chat: ScriptedChat;
  /** The delays the handler asked `setTimeout` for (the in-process retry's sleep), all run at once. */
  sleeps: number[];
  startedAt: Date;
  endedAt: Date;
}

/**
 * Runs one batch against fresh fakes. `setTimeout` is replaced for the duration of the call so that the
 * in-process retry's 160–240 ms sleep costs nothing; the delays asked for are recorded.
 */
export async function runBatch(options: WorldOptions): Promise<BatchObservation> {
  const records = options.records.map(sqsRecord);
  const deadLetters = new RecordingDeadLetterQueue(options.fifo ? FIFO_DLQ_URL : DLQ_URL, options.dlqRefuses);
  const redelivery = new RecordingRedelivery(options.redeliveryAccepts);
  const session = new SignedAdminSession(
    fakeCredentialsSource({ load: options.credentialsLoad, renewal: options.renewalSucceeds }),
    new AdminUserSigCache(3600),
  );
  const chunks: string[] = [];
  const sleeps: number[] = [];
  const capture = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  const realSetTimeout = globalThis.setTimeout;
  const timers = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: () => void,
    ms?: number,
  ) => {
    // Only the in-process retry's short sleep is run at once; longer timers (the invocation's AWS-call
    // bound) are real, and never fire within a batch that runs on microtasks.
    if ((ms ?? 0) >= 250) return realSetTimeout(callback, ms);
    sleeps.push(ms ?? 0);
    queueMicrotask(callback);
    return { unref: () => undefined, ref: () => undefined };
  }) as unknown as typeof setTimeout);
  const chat = new ScriptedChat(options.scripts, performance.now());
  const startedAt = new Date();
  let response: SQSBatchResponse | undefined;
  let thrown: unknown;
  try {
    response = await processErasureBatch({ Records: records }, lambdaContext(options.remainingMs), {
      chat,
      pacing: { beginInvocation: () => undefined },
      session,
      deadLetters,
      redelivery,
      log: logger,
      metrics,
      settings: {
        maxReceives: options.maxReceives,
        chatTimeoutMs: CHAT_TIMEOUT_MS,
        logUserId: options.logUserId,
        protectedUserIds: new Set(),
      },
      random: () => options.random,
    });
  } catch (error) {
    thrown = error;
  } finally {
    timers.mockRestore();
    stderr.mockRestore();
    stdout.mockRestore();
  }
  const endedAt = new Date();
  const output = chunks.join('');
  const lines = output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a line of output is not JSON: ${line.slice(0, 200)}`);
      }
    });
  return {
    records,
    response,
    thrown,
    output,
    lines,
    audit: lines.filter((line) => line.message === 'erasure'),
    deadLetters,
    redelivery,
    chat,
    sleeps,
    startedAt,
    endedAt,
  };
}

/** The value of a DLQ message attribute, or undefined. */
export const attribute = (input: SendMessageCommandInput | undefined, name: string): string | undefined =>
  input?.MessageAttributes?.[name]?.StringValue;
