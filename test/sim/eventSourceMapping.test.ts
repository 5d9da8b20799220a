import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DrainQueueOptions,
  DrainStoppedError,
  drainQueue,
  FunctionTimeoutError,
  type InvocationInfo,
  MalformedBatchResponseError,
} from '../../sim/aws/eventSourceMapping.ts';
import { judgeBatchResponse } from '../../sim/aws/lambdaBatchResponse.ts';
import { createLambdaContext } from '../../sim/aws/lambdaContext.ts';
import { type QueueRef, type SqsStandIn, startSqsStandIn } from '../../sim/aws/sqsStandIn.ts';

let sqs: SqsStandIn;
let queueNumber = 0;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const newQueue = (base: string, options: { fifo?: boolean; visibilityTimeoutSeconds?: number } = {}) =>
  sqs.createQueue(`${base}-${++queueNumber}${options.fifo ? '.fifo' : ''}`, {
    visibilityTimeoutSeconds: 1,
    ...options,
  });

async function sendBodies(queue: QueueRef, bodies: string[], groupOf?: (body: string) => string) {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.slice(start, start + 10).map((body, index) => ({
          Id: `m${start + index}`,
          MessageBody: body,
          ...(groupOf && { MessageGroupId: groupOf(body), MessageDeduplicationId: body }),
        })),
      }),
    );
  }
}

const drain = (queue: QueueRef, options: Partial<DrainQueueOptions> & Pick<DrainQueueOptions, 'handler'>) =>
  drainQueue({
    sqs: sqs.client,
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: 'us-east-1',
    maxDurationMs: 10_000,
    ...options,
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const allDone = async (): Promise<SQSBatchResponse> => ({ batchItemFailures: [] });

beforeAll(async () => {
  sqs = await startSqsStandIn();
});

afterAll(async () => {
  await sqs.close();
});

describe('judging the batch response like Lambda', () => {
  const ids = ['m1', 'm2'];
  it.each([
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
    ['an empty object', {}],
    ['null', null],
    ['undefined', undefined],
  ])('treats %s as complete success', (_, response) => {
    expect(judgeBatchResponse(response, ids)).toEqual({ kind: 'success' });
  });

  it('returns exactly the named records of a partial failure', () => {
    expect(
      judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm2' }] }, ids),
    ).toEqual({ kind: 'partial', failedMessageIds: ['m2'] });
  });

  it.each([
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misnamed key', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['an id outside the batch', { batchItemFailures: [{ itemIdentifier: 'm9' }] }],
    ['a list that is not an array', { batchItemFailures: 'm1' }],
    ['a string', 'ok'],
    ['an array', [{ itemIdentifier: 'm1' }]],
  ])('treats %s as complete failure', (_, response) => {
    expect(judgeBatchResponse(response, ids).kind).toBe('failure');
  });
});

describe('the Lambda context', () => {
  it('counts down from the function timeout and describes the function', () => {
    let now = 1_700_000_000_000;
    const context = createLambdaContext({
      functionName: 'chat-erasure',
      region: 'eu-central-1',
      timeoutMs: 60_000,
      now: () => now,
    });
    expect(context.getRemainingTimeInMillis()).toBe(60_000);
    now += 59_000;
    expect(context.getRemainingTimeInMillis()).toBe(1_000);
    now += 5_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
    expect(context).toMatchObject({
      functionName: 'chat-erasure',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:chat-erasure',
      logGroupName: '/aws/lambda/chat-erasure',
      memoryLimitInMB: '128',
    });
    expect(context.awsRequestId).toMatch(UUID);
    expect(context.logStreamName).toMatch(/^2023\/11\/14\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(() => context.succeed('x')).toThrow(/legacy callback API/);
  });
});

describe('drainQueue', () => {
  it.concurrent('delivers everything and empties the queue when every record succeeds', async () => {
    const queue = await newQueue('all-ok');
    const bodies = Array.from({ length: 25 }, (_, index) => `body-${index}`);
    await sendBodies(queue, bodies);
    const seen: string[] = [];
    const instancesUsed = new Set<number>();
    const started = Date.now();
    const result = await drain(queue, {
      handler: async (event) => {
        seen.push(...event.Records.map((record) => record.body));
        await sleep(20);
        return { batchItemFailures: [] };
      },
      onInvocation: (info) => instancesUsed.add(info.instance),
    });
    expect(result).toMatchObject({
      recordsDelivered: 25,
      deleted: 25,
      returnedForRetry: 0,
      handlerErrors: 0,
      stoppedBy: 'empty',
    });
    expect(result.invocations).toBeGreaterThanOrEqual(3);
    expect(seen.sort()).toEqual([...bodies].sort());
    expect(instancesUsed).toEqual(new Set([0, 1]));
    expect(await sqs.approximateCounts(queue.url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    // Ends right after the last delete, not after a long poll or an idle round.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.concurrent('redelivers reported failures with a higher ApproximateReceiveCount', async () => {
    const queue = await newQueue('partial');
    await sendBodies(queue, ['ok-1', 'flaky', 'ok-2']);
    const receiveCounts: Record<string, string[]> = {};
    const result = await drain(queue, {
      instances: 1,
      handler: async (event) => {
        const failures = [];
        for (const record of event.Records) {
          receiveCounts[record.body] = [
            ...(receiveCounts[record.body] ?? []),
            record.attributes.ApproximateReceiveCount,
          ];
          if (record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '1') {
            failures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
    });
    expect(receiveCounts).toEqual({ 'ok-1': ['1'], flaky: ['1', '2'], 'ok-2': ['1'] });
    expect(result).toMatchObject({ deleted: 3, returnedForRetry: 1, handlerErrors: 0, stoppedBy: 'empty' });
  });

  it.concurrent('deletes nothing when the handler throws', async () => {
    const queue = await newQueue('throws', { visibilityTimeoutSeconds: 30 });
    await sendBodies(queue, ['a', 'b', 'c']);
    const invocations: InvocationInfo[] = [];
    const result = await drain(queue, {
      instances: 1,
      idleRoundsToStop: 1,
      handler: async () => {
        throw new Error('boom');
      },
      onInvocation: (info) => invocations.push(info),
    });
    expect(result).toMatchObject({
      invocations: 1,
      recordsDelivered: 3,
      deleted: 0,
      returnedForRetry: 3,
      handlerErrors: 1,
      stoppedBy: 'idle',
    });
    expect(invocations[0]).toMatchObject({ outcome: 'failure', deletedCount: 0, error: new Error('boom') });
    expect(invocations[0]?.returnedMessageIds).toHaveLength(3);
    expect(
      sqs.calls.filter((call) => call.action === 'DeleteMessageBatch' && call.input.QueueUrl === queue.url),
    ).toEqual([]);
    expect(await sqs.approximateCounts(queue.url)).toMatchObject({ visible: 0, notVisible: 3 });
  });

  it.concurrent('deletes nothing for a malformed answer, and everything for an undefined one', async () => {
    const malformedQueue = await newQueue('malformed', { visibilityTimeoutSeconds: 30 });
    await sendBodies(malformedQueue, ['x', 'y']);
    const errors: unknown[] = [];
    const malformed = await drain(malformedQueue, {
      instances: 1,
      idleRoundsToStop: 1,
      handler: async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }),
      onInvocation: (info) => errors.push(info.error),
    });
    expect(malformed).toMatchObject({ deleted: 0, returnedForRetry: 2, handlerErrors: 1 });
    expect(errors).toEqual([expect.any(MalformedBatchResponseError)]);
    expect(String(errors[0])).toMatch(/not-in-this-batch/);

    const voidQueue = await newQueue('void-answer');
    await sendBodies(voidQueue, ['x', 'y']);
    const voided = await drain(voidQueue, { instances: 1, handler: async () => undefined });
    expect(voided).toMatchObject({ deleted: 2, handlerErrors: 0, stoppedBy: 'empty' });
  });

  it.concurrent('keeps FIFO order within a group and never runs two batches of one group at once', async () => {
    const queue = await newQueue('ordered', { fifo: true });
    const bodies = ['A', 'B', 'C'].flatMap((group) => [1, 2, 3, 4, 5].map((n) => `${group}${n}`));
    await sendBodies(queue, bodies, (body) => body.charAt(0));
    const completed: Record<string, string[]> = { A: [], B: [], C: [] };
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const batches: string[][] = [];
    const result = await drain(queue, {
      batchSize: 4,
      instances: 3,
      handler: async (event) => {
        const groups = new Set(event.Records.map((record) => record.attributes.MessageGroupId ?? '?'));
        for (const group of groups) {
          if (inFlight.has(group)) {
            overlaps.push(group);
          }
          inFlight.add(group);
        }
        batches.push(event.Records.map((record) => record.body));
        await sleep(30);
        // The function's FIFO rule: once a record fails, it and the rest of its group go back.
        const failedGroups = new Set<string>();
        const failures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
          const group = record.attributes.MessageGroupId ?? '?';
          const failsNow = record.body === 'A2' && record.attributes.ApproximateReceiveCount === '1';
          if (failsNow || failedGroups.has(group)) {
            failedGroups.add(group);
            failures.push({ itemIdentifier: record.messageId });
          } else {
            completed[group]?.push(record.body);
          }
        }
        for (const group of groups) {
          inFlight.delete(group);
        }
        return { batchItemFailures: failures };
      },
    });
    expect(overlaps).toEqual([]);
    expect(completed).toEqual({
      A: ['A1', 'A2', 'A3', 'A4', 'A5'],
      B: ['B1', 'B2', 'B3', 'B4', 'B5'],
      C: ['C1', 'C2', 'C3', 'C4', 'C5'],
    });
    // SQS-like FIFO batching: a batch holds a run of one group before it moves to the next.
    expect(batches.some((batch) => batch.filter((body) => body.startsWith('A')).length > 1)).toBe(true);
    expect(result).toMatchObject({ deleted: 15, stoppedBy: 'empty' });
    expect(result.returnedForRetry).toBeGreaterThanOrEqual(1);
  });

  it.concurrent('builds records exactly like Lambda', async () => {
    const queue = await newQueue('shape');
    const body = '{"userId":"user_42","requestId":"dsr-2026-000123"}';
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: {
          source: { DataType: 'String', StringValue: 'gdpr' },
          attempts: { DataType: 'Number', StringValue: '2' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250]) },
        },
      }),
    );
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'plain' }));
    const records: SQSRecord[] = [];
    const sentAt = Date.now();
    await drain(queue, {
      instances: 1,
      handler: async (event: SQSEvent) => {
        records.push(...event.Records);
        return { batchItemFailures: [] };
      },
    });
    const record = records.find((candidate) => candidate.messageId === sent.MessageId);
    expect(Object.keys(record ?? {})).toEqual([
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfMessageAttributes',
      'md5OfBody',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(record?.body).toBe(body);
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SenderId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(Math.abs(Number(record?.attributes.SentTimestamp) - sentAt)).toBeLessThan(5_000);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    expect(record?.messageAttributes).toEqual({
      source: { stringValue: 'gdpr', stringListValues: [], binaryListValues: [], dataType: 'String' },
      attempts: { stringValue: '2', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: { binaryValue: 'AAEC+g==', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record?.md5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(record?.md5OfBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });

    const plain = records.find((candidate) => candidate.body === 'plain');
    expect(plain?.messageAttributes).toEqual({});
    expect(plain?.md5OfMessageAttributes).toBeNull();
  });

  it.concurrent('adds the FIFO attributes to FIFO records', async () => {
    const queue = await newQueue('fifo-shape', { fifo: true });
    const sent = await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'f',
        MessageGroupId: 'group-1',
        MessageDeduplicationId: 'dedup-1',
      }),
    );
    const records: SQSRecord[] = [];
    await drain(queue, {
      instances: 1,
      handler: async (event) => {
        records.push(...event.Records);
        return allDone();
      },
    });
    expect(records[0]?.attributes).toEqual({
      ApproximateReceiveCount: '1',
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      SequenceNumber: sent.SequenceNumber,
      MessageGroupId: 'group-1',
      SenderId: expect.any(String),
      MessageDeduplicationId: 'dedup-1',
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });
  });

  it.concurrent('gives each invocation a fresh context counting down from functionTimeoutMs', async () => {
    const queue = await newQueue('countdown');
    await sendBodies(queue, ['one', 'two']);
    const readings: { requestId: string; start: number; later: number; context: Context }[] = [];
    await drain(queue, {
      instances: 1,
      batchSize: 1,
      functionTimeoutMs: 3_000,
      functionName: 'erasure-under-test',
      handler: async (_event, context) => {
        const start = context.getRemainingTimeInMillis();
        await sleep(200);
        readings.push({
          requestId: context.awsRequestId,
          start,
          later: context.getRemainingTimeInMillis(),
          context,
        });
        return allDone();
      },
    });
    expect(readings).toHaveLength(2);
    for (const reading of readings) {
      expect(reading.start).toBeLessThanOrEqual(3_000);
      expect(reading.start).toBeGreaterThan(2_800);
      expect(reading.start - reading.later).toBeGreaterThanOrEqual(180);
      expect(reading.start - reading.later).toBeLessThan(1_000);
      expect(reading.requestId).toMatch(UUID);
      expect(reading.context.functionName).toBe('erasure-under-test');
    }
    expect(readings[0]?.requestId).not.toBe(readings[1]?.requestId);
  });

  it.concurrent('stops an invocation at the function timeout and keeps its records', async () => {
    const queue = await newQueue('timeout', { visibilityTimeoutSeconds: 30 });
    await sendBodies(queue, ['slow']);
    const invocations: InvocationInfo[] = [];
    const result = await drain(queue, {
      instances: 1,
      functionTimeoutMs: 200,
      idleRoundsToStop: 1,
      handler: async () => {
        await sleep(1_000);
        return allDone();
      },
      onInvocation: (info) => invocations.push(info),
    });
    expect(result).toMatchObject({ deleted: 0, handlerErrors: 1, returnedForRetry: 1 });
    expect(invocations[0]?.error).toBeInstanceOf(FunctionTimeoutError);
    expect(invocations[0]?.durationMs).toBeLessThan(900);
  });

  it.concurrent('never outlives maxDurationMs, even with a handler that hangs', async () => {
    const queue = await newQueue('hangs', { visibilityTimeoutSeconds: 30 });
    await sendBodies(queue, ['stuck']);
    const invocations: InvocationInfo[] = [];
    const started = Date.now();
    const result = await drain(queue, {
      maxDurationMs: 600,
      handler: () => new Promise(() => {}),
      onInvocation: (info) => invocations.push(info),
    });
    // 600 ms plus scheduling slack on a loaded machine; without the bound it would never return.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ stoppedBy: 'maxDuration', deleted: 0, handlerErrors: 1 });
    expect(invocations[0]?.error).toBeInstanceOf(DrainStoppedError);
  });

  it.concurrent('keeps polling through failed receives', async () => {
    const queue = await newQueue('flaky-receive');
    await sendBodies(queue, ['survives']);
    const failure = sqs.injectFailure(
      ({ action, input }) => action === 'ReceiveMessage' && input.QueueUrl === queue.url,
      { times: 4 },
    );
    const result = await drain(queue, { instances: 1, handler: allDone });
    expect(failure.hits).toBe(4);
    // The SDK retries a 500 twice on its own; only the first, thrice-failed receive reaches the poller.
    expect(result).toMatchObject({ deleted: 1, receiveErrors: 1, stoppedBy: 'empty' });
    failure.remove();
  });

  it.concurrent('keeps polling an empty queue until the caller aborts when stopWhenEmpty is off', async () => {
    const queue = await newQueue('long-running');
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1_500);
    const lateMessage = setTimeout(() => void sendBodies(queue, ['late']), 300);
    const bodies: string[] = [];
    const result = await drain(queue, {
      stopWhenEmpty: false,
      signal: stop.signal,
      handler: async (event) => {
        bodies.push(...event.Records.map((record) => record.body));
        return allDone();
      },
    });
    clearTimeout(lateMessage);
    expect(bodies).toEqual(['late']);
    expect(result).toMatchObject({ stoppedBy: 'aborted', deleted: 1, handlerErrors: 0 });
  });

  it.concurrent('lets an invocation under way finish when another instance empties the queue', async () => {
    // The first instance makes its record visible again at once (as a short visibility backoff would) and
    // keeps running; the second takes the record, finishes it, and the queue is empty while the first runs.
    const queue = await newQueue('overlap');
    await sendBodies(queue, ['only']);
    let firstDone = false;
    const first = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const record = event.Records[0] as SQSRecord;
      await sqs.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      await sleep(600);
      firstDone = true;
      return allDone();
    };
    const result = await drain(queue, { instances: 2, handler: [first, allDone] });
    expect(firstDone).toBe(true);
    expect(result).toMatchObject({ invocations: 2, handlerErrors: 0, stoppedBy: 'empty' });
  });

  it('refuses options outside what Lambda allows', async () => {
    const queue = sqs.queueRef('unused');
    await expect(drain(queue, { handler: allDone, batchSize: 10_001 })).rejects.toThrow(/batchSize/);
    await expect(drain(queue, { handler: allDone, batchSize: 0 })).rejects.toThrow(/batchSize/);
  });

  it('gathers a batch larger than ten from several receives, and deletes it in tens', async () => {
    const queue = await sqs.createQueue('big-batch');
    await sendBodies(
      queue,
      Array.from({ length: 35 }, (_, i) => `m-${i}`),
    );
    const sizes: number[] = [];
    const result = await drain(queue, {
      handler: async (event) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      batchSize: 25,
      instances: 1,
    });
    expect(sizes).toEqual([25, 10]);
    expect(result.deleted).toBe(35);
    expect(await sqs.approximateCounts(queue.url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});
