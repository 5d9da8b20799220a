/**
 * In-memory stand-ins for everything `processErasureBatch` talks to, so thousands of batches run in seconds:
 * a Chat API with per-account state and scripted answers, a credentials source behind a real AdminSession, a
 * recording dead-letter queue (built on the real `deadLetterMessage`, so its attributes are what SQS would
 * get), a recording continuation queue, redelivery and receipts, a real Powertools Logger and Metrics whose
 * output is captured, and a Lambda context.
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
import type { UserIdDisplay } from '../../src/configuration.ts';
import type { ContinuationAttributes } from '../../src/erasure/continuation.ts';
import type {
  AdminCredentials,
  ChatApi,
  ChatAttempt,
  ChatAuth,
  ChatRequest,
  ContinuationQueue,
  DeadLetter,
  DeadLetterQueue,
  Receipt,
  ReceiptDelivery,
  Receipts,
  Redelivery,
} from '../../src/erasure/ports.ts';
import { processErasureBatch } from '../../src/erasure/processErasureBatch.ts';
import { AdminCredentialsUnavailableError } from '../../src/errors.ts';
import {
  type AccountSetup,
  type AccountView,
  ChatAccounts,
  FRIENDS_COMMANDS,
  type FriendsCommand,
} from './chatAccounts.ts';
import { MAX_ATTEMPTS_PER_PLAN, type ReceiptResult } from './erasureModel.ts';

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

/**
 * Secrets Manager as the session sees it: the cached read and the forced re-fetch can each fail; the forced
 * fetch returns a rotated key, and (`renamedAdmin`) possibly an admin renamed by the rotation.
 */
export function fakeCredentialsSource(options: {
  load: boolean;
  renewal: boolean;
  renamedAdmin?: string;
}): AdminCredentialsSource {
  const rotated: AdminCredentials = {
    ...INITIAL,
    secretKey: ROTATED_SECRET_KEY,
    ...(options.renamedAdmin === undefined ? {} : { adminIdentifier: options.renamedAdmin }),
  };
  return {
    async get({ forceFetch = false } = {}) {
      if (forceFetch) {
        if (!options.renewal) {
          throw new AdminCredentialsUnavailableError(
            'Secrets Manager could not be read (ThrottlingException)',
          );
        }
        return rotated;
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
  /** `service/command`. */
  command: string;
  /** False: the call could not start (nothing was sent, nothing was signed). */
  started: boolean;
  auth: ChatAuth | undefined;
  latestStartMs: number;
  body: object;
}

const isFriendsCommand = (path: string): path is FriendsCommand =>
  (FRIENDS_COMMANDS as readonly string[]).includes(path);

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The documented body of an OK answer (API.md §4.2, §8.7): what the account's state says. */
function documentedBody(command: FriendsCommand, view: AccountView): Record<string, unknown> {
  const envelope = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '' };
  switch (command) {
    case 'sns/friend_get':
      return {
        ...envelope,
        ...(view.friendNum === 0
          ? {}
          : {
              UserDataItem: Array.from({ length: Math.min(view.friendNum, 3) }, (_, index) => ({
                To_Account: `friend-${index}`,
                ValueItem: [{ Tag: 'Tag_SNS_IM_Remark', Value: `remark ${index}` }],
              })),
            }),
        StandardSequence: 7,
        CustomSequence: 3,
        FriendNum: view.friendNum,
        CompleteFlag: 1,
        NextStartIndex: 0,
      };
    case 'sns/group_get':
      // Like the simulator, an empty listing leaves its item array out.
      return {
        ...envelope,
        CurrentSequence: 5,
        ...(view.lists.length === 0
          ? {}
          : { ResultItem: view.lists.map((name) => ({ GroupName: name, FriendNumber: 0, To_Account: [] })) }),
      };
    case 'sns/friend_delete_all':
    case 'sns/group_delete':
      return envelope;
  }
}

/**
 * The Chat API behind the client, per account: a FriendNum and friend lists that the writes change, and per
 * command a script of answers (see chatAccounts.ts). Answers are built the way the real client builds them:
 * an HTTP status and a JSON body read by the real classifier, OK bodies with the documented fields, and error
 * bodies that echo the account and the UserSig in `ErrorInfo`, as a careless backend might: none of it may
 * surface.
 */
export class ScriptedChat implements ChatApi {
  readonly calls: ChatCall[] = [];
  /** Set when the handler went past its bound; later calls are not started. */
  runaway = false;
  readonly userSigs = new Set<string>();
  readonly accounts: ChatAccounts;
  readonly #notBeforeMs: number;
  readonly #maxCalls: number;

  /**
   * @param notBeforeMs a call whose latest start is before this cannot start (the deadline has passed).
   * @param maxCalls the most calls the batch may make (records × the plan's bound). The fake answers without
   *   a macrotask, so a retry loop without an end would starve every timer and hang the run instead of failing.
   */
  constructor(accounts: ReadonlyMap<string, AccountSetup>, notBeforeMs: number, maxCalls: number) {
    this.accounts = new ChatAccounts(accounts);
    this.#notBeforeMs = notBeforeMs;
    this.#maxCalls = maxCalls;
  }

  async post({ service, command, body, latestStartMs, authorize }: ChatRequest): Promise<ChatAttempt> {
    const path = `${service}/${command}`;
    const userId = String((body as { From_Account?: unknown }).From_Account);
    const notStarted = (): ChatAttempt => {
      this.calls.push({ userId, command: path, started: false, auth: undefined, latestStartMs, body });
      return { started: false };
    };
    if (latestStartMs < this.#notBeforeMs) return notStarted();
    if (this.calls.filter((call) => call.started).length >= this.#maxCalls) {
      this.runaway = true;
      return notStarted();
    }
    if (!isFriendsCommand(path)) {
      // Not a command of the plan: recorded (the properties fail on it) and refused.
      const auth = authorize();
      this.calls.push({ userId, command: path, started: true, auth, latestStartMs, body });
      return { started: true, outcome: classifyChatResponse(404, undefined), latencyMs: 7 };
    }
    if (this.accounts.peek(userId, path).via === 'not-started') {
      this.accounts.answer(userId, path, body);
      return notStarted();
    }
    // Like the real client: the auth is read (and the admin check made) only when the call is sent.
    const auth = authorize();
    this.calls.push({ userId, command: path, started: true, auth, latestStartMs, body });
    this.userSigs.add(auth.userSig);
    const { answer, view } = this.accounts.answer(userId, path, body);
    const echo = `account ${userId} is not allowed for ${auth.identifier} with sig ${auth.userSig}`;
    const http = (status: number, payload: unknown): ChatAttempt => ({
      started: true,
      outcome: classifyChatResponse(status, payload),
      ...(isJsonObject(payload) ? { answer: payload } : {}),
      latencyMs: 7,
    });
    switch (answer.via) {
      case 'ok':
      case 'ignored':
        return http(200, documentedBody(path, view));
      case 'undocumented': {
        const { FriendNum: _friendNum, ResultItem: _resultItem, ...envelope } = documentedBody(path, view);
        return http(200, { ...envelope, ...answer.fields });
      }
      case 'json':
        return http(200, {
          ActionStatus: answer.actionStatus,
          ErrorCode: answer.errorCode,
          ErrorInfo: answer.errorCode === 0 ? '' : echo,
          ErrorDisplay: echo,
        });
      case 'http':
        return http(answer.status, answer.status < 500 ? { ErrorInfo: echo } : undefined);
      case 'malformed':
        return http(200, answer.body);
      case 'transport':
        return { started: true, outcome: classifyTransportFailure(answer.failure), latencyMs: 7 };
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

/** SQS as the continuation queue: records what the domain asked to send; can refuse. */
export class RecordingContinuations implements ContinuationQueue {
  readonly sent: Array<{ messageId: string; body: string; attributes: ContinuationAttributes }> = [];
  readonly refused: Array<{ messageId: string; attributes: ContinuationAttributes }> = [];
  readonly #refuses: (messageId: string) => boolean;

  constructor(refuses: (messageId: string) => boolean) {
    this.#refuses = refuses;
  }

  async send(record: SQSRecord, attributes: ContinuationAttributes): Promise<void> {
    if (this.#refuses(record.messageId)) {
      this.refused.push({ messageId: record.messageId, attributes });
      const error = new Error('Service Unavailable');
      error.name = 'ServiceUnavailable';
      throw error;
    }
    this.sent.push({ messageId: record.messageId, body: record.body, attributes });
  }
}

/**
 * The receipts port: `needed` as DESIGN.md "Receipts" says (a bus configured, or a task token on the event);
 * each delivery answers as the scenario scripts it for the record (delivered, a retryable failure such as
 * throttling, or a refusal retrying cannot change).
 */
export class RecordingReceipts implements Receipts {
  readonly deliveries: Receipt[] = [];
  readonly heartbeats: string[] = [];
  readonly #bus: boolean;
  readonly #result: (messageId: string) => ReceiptResult;

  constructor(bus: boolean, result: (messageId: string) => ReceiptResult) {
    this.#bus = bus;
    this.#result = result;
  }

  needed(taskToken: string | undefined): boolean {
    return this.#bus || taskToken !== undefined;
  }

  async deliver(receipt: Receipt): Promise<ReceiptDelivery> {
    this.deliveries.push(receipt);
    switch (this.#result(String(receipt.detail.messageId))) {
      case 'delivered':
        return { delivered: true, warnings: [] };
      case 'retryable':
        return { delivered: false, retryable: true, detail: 'ThrottlingException', warnings: [] };
      case 'refused':
        return { delivered: false, retryable: false, detail: 'AccessDeniedException', warnings: [] };
    }
  }

  async heartbeat(taskToken: string): Promise<void> {
    this.heartbeats.push(taskToken);
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

/** The message attributes a continued record carries (DESIGN.md "Long plans continue"), as SQS delivers them. */
export interface LineageAttributes {
  erasureId?: string;
  requestId?: string;
  firstSentAt?: string;
  continuation?: string;
}

export interface RecordInput {
  body: string;
  receiveCount: string;
  groupId?: string;
  sentTimestamp?: string;
  eventSourceARN?: string;
  lineage?: LineageAttributes;
}

export function sqsRecord(input: RecordInput, index: number): SQSRecord {
  const fifo = input.groupId !== undefined;
  const text = (value: string) => ({ stringValue: value, dataType: 'String' as const });
  const { lineage } = input;
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
    messageAttributes: {
      ...(lineage?.erasureId === undefined ? {} : { 'erasure-id': text(lineage.erasureId) }),
      ...(lineage?.requestId === undefined ? {} : { 'request-id': text(lineage.requestId) }),
      ...(lineage?.firstSentAt === undefined ? {} : { 'first-sent-at': text(lineage.firstSentAt) }),
      ...(lineage?.continuation === undefined
        ? {}
        : { continuation: { stringValue: lineage.continuation, dataType: 'Number' as const } }),
    },
    md5OfBody: '00000000000000000000000000000000',
    eventSource: 'aws:sqs',
    eventSourceARN: input.eventSourceARN ?? (fifo ? FIFO_QUEUE_ARN : QUEUE_ARN),
    awsRegion: 'eu-central-1',
  };
}

/** The default plan, as the configuration builds it for `ERASURE_STEPS` unset. */
export const FRIENDS_PLAN = {
  steps: ['friends' as const],
  settings: { groupOwnerPolicy: 'transfer' as const, profileCustomTags: [] },
};

export interface WorldOptions {
  fifo: boolean;
  records: readonly RecordInput[];
  accounts: ReadonlyMap<string, AccountSetup>;
  credentialsLoad: boolean;
  renewalSucceeds: boolean;
  /** A rotation renames the admin: the forced fetch names this identifier. */
  renamedAdmin?: string;
  dlqRefuses: (messageId: string) => boolean;
  continuationRefuses: (messageId: string) => boolean;
  redeliveryAccepts: boolean;
  /** `RECEIPT_EVENT_BUS` is set. */
  receiptBus: boolean;
  receiptResult: (messageId: string) => ReceiptResult;
  /** What `getRemainingTimeInMillis()` answers. */
  remainingMs: number;
  maxReceives: number;
  logUserId: UserIdDisplay;
  receiptUserId: UserIdDisplay;
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
  continuations: RecordingContinuations;
  redelivery: RecordingRedelivery;
  receipts: RecordingReceipts;
  chat: ScriptedChat;
  /** The delays the handler asked `setTimeout` for (the in-process retry's sleep), all run at once. */
  sleeps: number[];
  startedAt: Date;
  endedAt: Date;
}

/**
 * Runs one batch against fresh fakes. `setTimeout` is replaced for the duration of the call so that the
 * in-process retry's 160–240 ms sleep costs nothing; the delays asked for are recorded. Timers of 250 ms or
 * more (the invocation's AWS-call bound) stay real.
 */
export async function runBatch(options: WorldOptions): Promise<BatchObservation> {
  const records = options.records.map(sqsRecord);
  const deadLetters = new RecordingDeadLetterQueue(options.fifo ? FIFO_DLQ_URL : DLQ_URL, options.dlqRefuses);
  const continuations = new RecordingContinuations(options.continuationRefuses);
  const redelivery = new RecordingRedelivery(options.redeliveryAccepts);
  const receipts = new RecordingReceipts(options.receiptBus, options.receiptResult);
  const session = new SignedAdminSession(
    fakeCredentialsSource({
      load: options.credentialsLoad,
      renewal: options.renewalSucceeds,
      ...(options.renamedAdmin === undefined ? {} : { renamedAdmin: options.renamedAdmin }),
    }),
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
  const chat = new ScriptedChat(options.accounts, performance.now(), records.length * MAX_ATTEMPTS_PER_PLAN);
  const startedAt = new Date();
  let response: SQSBatchResponse | undefined;
  let thrown: unknown;
  try {
    response = await processErasureBatch({ Records: records }, lambdaContext(options.remainingMs), {
      chat,
      pacing: { beginInvocation: () => undefined },
      session,
      deadLetters,
      continuations,
      redelivery,
      receipts,
      log: logger,
      metrics,
      settings: {
        maxReceives: options.maxReceives,
        chatTimeoutMs: CHAT_TIMEOUT_MS,
        logUserId: options.logUserId,
        receiptUserId: options.receiptUserId,
        protectedUserIds: new Set(),
        plan: FRIENDS_PLAN,
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
    continuations,
    redelivery,
    receipts,
    chat,
    sleeps,
    startedAt,
    endedAt,
  };
}

/** The value of a DLQ message attribute, or undefined. */
export const attribute = (input: SendMessageCommandInput | undefined, name: string): string | undefined =>
  input?.MessageAttributes?.[name]?.StringValue;
