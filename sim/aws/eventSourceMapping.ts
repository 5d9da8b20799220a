/**
 * A local stand-in for Lambda's SQS event source mapping with ReportBatchItemFailures, for tests, the
 * chaos run and `npm start` (no SAM CLI or Lambda emulator here). Like the real one it runs a few
 * concurrent pollers; each receives a batch, invokes the handler with a faithful SQSEvent and Context,
 * and deletes what the answer says is done. A handler that throws, runs past the function timeout, or
 * answers something malformed gets nothing deleted: the batch comes back after its visibility timeout.
 *
 * Everything is asynchronous: the handler shares the event loop with the in-process SQS emulator.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { type BatchVerdict, judgeBatchResponse } from './lambdaBatchResponse.ts';
import { createLambdaContext } from './lambdaContext.ts';
import { toLambdaSqsRecord } from './lambdaSqsRecord.ts';

/** The function under test. Its answer is read the way Lambda reads it (see lambdaBatchResponse.ts). */
export type SqsLambdaHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** What one invocation did, for `onInvocation`. */
export interface InvocationInfo {
  /** Which poller (0-based) ran it. */
  instance: number;
  awsRequestId: string;
  messageIds: string[];
  outcome: 'success' | 'partial' | 'failure';
  /** Records left on the queue for another delivery (all of them when the outcome is failure). */
  returnedMessageIds: string[];
  /** Records the mapping deleted (DeleteMessageBatch successes). */
  deletedCount: number;
  /** Why the invocation failed: the thrown error, a timeout, or the malformed answer. */
  error?: unknown;
  durationMs: number;
}

export interface DrainQueueOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /**
   * The function. An array gives each concurrent poller its own handler, i.e. its own warm Lambda
   * instance (own pacer, caches and connections); its length must equal `instances`.
   */
  handler: SqsLambdaHandler | readonly SqsLambdaHandler[];
  /** Records per batch, 1–10,000 (default 10); above 10 a batch is gathered from several receives. */
  batchSize?: number;
  /** Concurrent pollers, i.e. MaximumConcurrency (default 2). */
  instances?: number;
  /** Function timeout; `context.getRemainingTimeInMillis()` counts down from it (default 60 000). */
  functionTimeoutMs?: number;
  functionName?: string;
  /** A poller stops after this many consecutive empty receives (default: only when the queue is empty). */
  idleRoundsToStop?: number;
  /** Long-poll wait per receive, 0–20 s (default 1). */
  waitTimeSeconds?: number;
  /** Hard bound: no receive or invocation outlives it. */
  maxDurationMs: number;
  /** Stop once nothing is visible, in flight or delayed (default true; false keeps polling, e.g. `npm start`). */
  stopWhenEmpty?: boolean;
  /** Stops the drain from outside (e.g. Ctrl-C in `npm start`), like reaching maxDurationMs. */
  signal?: AbortSignal;
  onInvocation?: (info: InvocationInfo) => void;
}

export interface DrainResult {
  invocations: number;
  recordsDelivered: number;
  deleted: number;
  returnedForRetry: number;
  /** Invocations that threw, timed out, or answered something malformed. */
  handlerErrors: number;
  /** ReceiveMessage calls that failed (after the SDK's own retries); the poller pauses and goes on. */
  receiveErrors: number;
  /**
   * `empty`: the queue held nothing, in flight or not; `idle`: every poller ran out of idle rounds;
   * `maxDuration`: the hard bound; `aborted`: the caller's signal.
   */
  stoppedBy: 'empty' | 'idle' | 'maxDuration' | 'aborted';
}

/** Lambda's words when it stops an invocation at the function timeout. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

/** The drain stopped (maxDurationMs or the caller's signal) while an invocation was running. */
export class DrainStoppedError extends Error {
  override readonly name = 'DrainStoppedError';
}

/** The handler answered something Lambda would not accept as a batch response. */
export class MalformedBatchResponseError extends Error {
  override readonly name = 'MalformedBatchResponseError';
}

const optionsSchema = z.object({
  queueUrl: z.string().min(1),
  queueArn: z.string().startsWith('arn:'),
  region: z.string().min(1),
  batchSize: z.number().int().min(1).max(10_000).default(10),
  instances: z.number().int().min(1).max(100).default(2),
  functionTimeoutMs: z.number().int().positive().default(60_000),
  functionName: z.string().min(1).default('chat-erasure'),
  idleRoundsToStop: z.number().int().positive().optional(),
  waitTimeSeconds: z.number().int().min(0).max(20).default(1),
  maxDurationMs: z.number().positive(),
  stopWhenEmpty: z.boolean().default(true),
});

/** SQS batch calls take at most ten entries. */
function chunksOfTen<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += 10) chunks.push(items.slice(start, start + 10));
  return chunks;
}

/** Pause after a failed receive, so a broken endpoint does not spin the event loop. */
const RECEIVE_RETRY_PAUSE_MS = 100;

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind (pollers may run for hours). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Settles with the handler's answer, or rejects once `limitMs` passes or `signal` aborts. */
function invokeWithin(
  handler: SqsLambdaHandler,
  event: SQSEvent,
  context: Context,
  limitMs: number,
  signal: AbortSignal,
  timeoutError: () => Error,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onAbort = () =>
      finish(() => reject(new DrainStoppedError('the drain stopped during the invocation')));
    const timer = setTimeout(() => finish(() => reject(timeoutError())), limitMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) {
      onAbort();
      return;
    }
    Promise.resolve()
      .then(() => handler(event, context))
      .then(
        (answer) => finish(() => resolve(answer)),
        (error: unknown) => finish(() => reject(error)),
      );
  });
}

/**
 * Polls `queueUrl` like the Lambda SQS event source mapping until the queue is empty with no invocation
 * under way, the pollers went idle, `maxDurationMs` passed, or `signal` aborted. Only the last two cut the
 * invocations under way: such an invocation is left running in the background (nothing can kill it
 * in-process) and counts as failed: nothing is deleted.
 *
 * @example
 * const result = await drainQueue({
 *   sqs: standIn.client, queueUrl: queue.url, queueArn: queue.arn, region: 'us-east-1',
 *   handler, instances: 2, functionTimeoutMs: 60_000, maxDurationMs: 10_000,
 * });
 * expect(result.stoppedBy).toBe('empty');
 */
export async function drainQueue(options: DrainQueueOptions): Promise<DrainResult> {
  const settings = optionsSchema.parse(options);
  const { sqs, handler, onInvocation } = options;
  if (Array.isArray(handler) && handler.length !== settings.instances) {
    throw new RangeError('drainQueue: give one handler per instance');
  }
  const result: DrainResult = {
    invocations: 0,
    recordsDelivered: 0,
    deleted: 0,
    returnedForRetry: 0,
    handlerErrors: 0,
    receiveErrors: 0,
    stoppedBy: 'idle',
  };
  // `stop` ends polling; `cut` also ends the invocations under way (only a deadline or the caller does).
  const stop = new AbortController();
  const cut = new AbortController();
  const stopWith = (reason: DrainResult['stoppedBy'], { cutRunning = false } = {}) => {
    if (!stop.signal.aborted) {
      result.stoppedBy = reason;
      stop.abort();
    }
    if (cutRunning) cut.abort();
  };
  /** Invocations under way, across instances. */
  let running = 0;
  const deadline = setTimeout(() => stopWith('maxDuration', { cutRunning: true }), settings.maxDurationMs);
  const onCallerAbort = () => stopWith('aborted', { cutRunning: true });
  if (options.signal?.aborted) {
    onCallerAbort();
  }
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const receiveOnce = async (maxMessages: number, waitTimeSeconds: number): Promise<Message[]> => {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: settings.queueUrl,
        MaxNumberOfMessages: maxMessages,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      // No abort signal: aborting only the client side would leave the long poll pending in the
      // server, which would then take a later message in flight with nobody to process it.
    );
    return answer.Messages ?? [];
  };

  /**
   * One batch. Like the real mapping, a BatchSize above 10 (SQS's per-receive maximum) is gathered
   * from several receives: it stops when the batch is full or the queue has nothing more right now.
   */
  const receive = async (): Promise<Message[]> => {
    const batch = await receiveOnce(Math.min(10, settings.batchSize), settings.waitTimeSeconds);
    while (batch.length > 0 && batch.length < settings.batchSize && !stop.signal.aborted) {
      const more = await receiveOnce(Math.min(10, settings.batchSize - batch.length), 0);
      if (more.length === 0) break;
      batch.push(...more);
    }
    return batch;
  };

  /** Makes messages received after the drain stopped visible again at once, as if never received. */
  const release = async (messages: Message[]): Promise<void> => {
    for (const chunk of chunksOfTen(messages)) {
      try {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: settings.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch {
        // They come back after the queue's visibility timeout instead.
      }
    }
  };

  /** Nothing visible, in flight or delayed: nothing can arrive any more. */
  const queueIsEmpty = async (): Promise<boolean> => {
    try {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: settings.queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
        { abortSignal: stop.signal },
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 1) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 1) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 1) ===
        0
      );
    } catch {
      return false;
    }
  };

  /** Deletes the given messages; returns how many SQS confirmed. */
  const deleteMessages = async (messages: Message[]): Promise<number> => {
    let deleted = 0;
    for (const chunk of chunksOfTen(messages)) {
      try {
        const answer = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: settings.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
        deleted += answer.Successful?.length ?? 0;
      } catch {
        // Like Lambda: the records were processed but stay on the queue, and come back.
      }
    }
    return deleted;
  };

  const invoke = async (instance: number, messages: Message[]) => {
    const startedAt = Date.now();
    const context = createLambdaContext({
      functionName: settings.functionName,
      region: settings.region,
      timeoutMs: settings.functionTimeoutMs,
    });
    const event: SQSEvent = {
      // Real events carry md5OfMessageAttributes: null, which @types/aws-lambda does not admit.
      Records: messages.map((message) =>
        toLambdaSqsRecord(message, settings),
      ) as unknown as SQSEvent['Records'],
    };
    const messageIds = event.Records.map((record) => record.messageId);
    result.invocations += 1;
    result.recordsDelivered += messages.length;

    let verdict: BatchVerdict;
    let error: unknown;
    try {
      const answer = await invokeWithin(
        Array.isArray(handler) ? (handler[instance] as SqsLambdaHandler) : (handler as SqsLambdaHandler),
        event,
        context,
        settings.functionTimeoutMs,
        cut.signal,
        () =>
          new FunctionTimeoutError(
            `Task timed out after ${(settings.functionTimeoutMs / 1000).toFixed(2)} seconds`,
          ),
      );
      verdict = judgeBatchResponse(answer, messageIds);
      if (verdict.kind === 'failure') {
        error = new MalformedBatchResponseError(verdict.reason);
      }
    } catch (thrown) {
      verdict = { kind: 'failure', reason: String(thrown) };
      error = thrown;
    }

    const returned =
      verdict.kind === 'success' ? [] : verdict.kind === 'partial' ? verdict.failedMessageIds : messageIds;
    const returnedSet = new Set(returned);
    const deletedCount = await deleteMessages(
      messages.filter((message) => !returnedSet.has(message.MessageId ?? '')),
    );
    result.deleted += deletedCount;
    result.returnedForRetry += returned.length;
    result.handlerErrors += verdict.kind === 'failure' ? 1 : 0;
    onInvocation?.({
      instance,
      awsRequestId: context.awsRequestId,
      messageIds,
      outcome: verdict.kind,
      returnedMessageIds: returned,
      deletedCount,
      ...(error !== undefined && { error }),
      durationMs: Date.now() - startedAt,
    });
  };

  const poll = async (instance: number) => {
    let idleRounds = 0;
    while (!stop.signal.aborted) {
      let messages: Message[];
      try {
        messages = await receive();
      } catch {
        if (!stop.signal.aborted) {
          result.receiveErrors += 1;
          await sleep(RECEIVE_RETRY_PAUSE_MS, stop.signal);
        }
        continue;
      }
      if (messages.length > 0 && stop.signal.aborted) {
        await release(messages);
        return;
      }
      if (messages.length > 0) {
        idleRounds = 0;
        running += 1;
        try {
          await invoke(instance, messages);
        } finally {
          running -= 1;
        }
      } else {
        idleRounds += 1;
        if (settings.idleRoundsToStop !== undefined && idleRounds >= settings.idleRoundsToStop) {
          return;
        }
      }
      // Checked after every round, so a drain ends right after the last delete, not a long poll later.
      // Empty only counts once no other invocation is under way: one may still return its records (a
      // record whose visibility the function reset can even be taken and finished by another instance
      // while the first is still running).
      if (settings.stopWhenEmpty && !stop.signal.aborted && running === 0 && (await queueIsEmpty())) {
        stopWith('empty');
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: settings.instances }, (_, instance) => poll(instance)));
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onCallerAbort);
    stop.abort();
  }
  return result;
}
