import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STAND_IN_CREDENTIALS } from '../../sim/aws/awsWire.ts';
import { scaleVisibilityTimeout, toAmazonawsQueueUrl } from '../../sim/aws/sqsFaultProxy.ts';
import { type SqsStandIn, startSqsStandIn } from '../../sim/aws/sqsStandIn.ts';
import { queueUrlFromArn } from '../../src/aws/redelivery.ts';

let sqs: SqsStandIn;
let queueNumber = 0;
const uniqueName = (base: string, fifo = false) => `${base}-${++queueNumber}${fifo ? '.fifo' : ''}`;

const receive = (queueUrl: string, max = 10, waitSeconds = 0) =>
  sqs.client
    .send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    )
    .then((answer) => answer.Messages ?? []);

const makeVisible = (queueUrl: string, messages: Message[]) =>
  sqs.client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      })),
    }),
  );

/** SQS's documented MD5 of message attributes (names sorted; length-prefixed name, type, transport byte, value). */
function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType ?? '', 'utf8'));
    if (attribute.BinaryValue) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

beforeAll(async () => {
  sqs = await startSqsStandIn();
});

afterEach(() => {
  sqs.clearFailures();
  sqs.visibilityTimeScale = 1;
});

afterAll(async () => {
  await sqs.close();
});

describe('queues addressed by amazonaws-form URLs', () => {
  it('creates a queue and returns its amazonaws URL and ARN', async () => {
    const name = uniqueName('erasure');
    const queue = await sqs.createQueue(name);
    expect(queue).toEqual({
      name,
      url: `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`,
      arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    });
    expect(queueUrlFromArn(queue.arn)).toBe(queue.url);
  });

  it('rewrites queue URLs in CreateQueue and GetQueueUrl answers to the amazonaws form', async () => {
    const name = uniqueName('by-sdk');
    const created = await sqs.client.send(new CreateQueueCommand({ QueueName: name }));
    expect(created.QueueUrl).toBe(`https://sqs.us-east-1.amazonaws.com/000000000000/${name}`);
    const looked = await sqs.client.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(looked.QueueUrl).toBe(created.QueueUrl);
  });

  it('refuses a URL naming a queue that does not exist', async () => {
    await expect(
      sqs.client.send(
        new SendMessageCommand({ QueueUrl: sqs.queueRef('never-created').url, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('serves an unmodified client configured only through AWS_ENDPOINT_URL_SQS', async () => {
    const queue = await sqs.createQueue(uniqueName('via-env'));
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', sqs.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', STAND_IN_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', STAND_IN_CREDENTIALS.secretAccessKey);
    const client = new SQSClient({ useQueueUrlAsEndpoint: false });
    try {
      sqs.clearCalls();
      await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'env' }));
      expect(sqs.calls.map((call) => call.action)).toEqual(['SendMessage']);
      expect((await sqs.readAll(queue.url)).map((message) => message.Body)).toEqual(['env']);
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('converts emulator and path-style URLs', () => {
    expect(toAmazonawsQueueUrl('http://sqs.eu-west-1.localhost:4566/000000000000/q', 'us-east-1')).toBe(
      'https://sqs.eu-west-1.amazonaws.com/000000000000/q',
    );
    expect(toAmazonawsQueueUrl('http://127.0.0.1:9/000000000000/q.fifo', 'us-east-1')).toBe(
      'https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo',
    );
    expect(queueUrlFromArn('arn:aws:sns:us-east-1:000000000000:topic')).toBeUndefined();
  });
});

describe('messages through the real SDK client (AWS JSON 1.0)', () => {
  it('sends, receives and deletes, and the SDK speaks JSON 1.0 to the proxy', async () => {
    const queue = await sqs.createQueue(uniqueName('basic'));
    sqs.clearCalls();
    const sent = await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"userId":"u1"}' }),
    );
    const [message] = await receive(queue.url);
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: '{"userId":"u1"}' });
    expect(message?.MD5OfBody).toBe(createHash('md5').update('{"userId":"u1"}').digest('hex'));
    await sqs.client.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message?.ReceiptHandle }),
    );
    expect(await sqs.approximateCounts(queue.url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect(sqs.calls.map((call) => [call.action, call.input.QueueUrl, call.status])).toEqual([
      ['SendMessage', queue.url, 200],
      ['ReceiveMessage', queue.url, 200],
      ['DeleteMessage', queue.url, 200],
    ]);
  });

  it('round-trips String and Number message attributes with matching MD5s', async () => {
    const queue = await sqs.createQueue(uniqueName('attributes'));
    const attributes: Record<string, MessageAttributeValue> = {
      'failure-reason': { DataType: 'String', StringValue: 'permanent-error' },
      attempts: { DataType: 'Number', StringValue: '3' },
      'request-id': { DataType: 'String', StringValue: 'dsr-2026-000123 ✓' },
    };
    const sent = await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'body', MessageAttributes: attributes }),
    );
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attributes));
    const [message] = await receive(queue.url);
    expect(message?.MessageAttributes).toEqual(attributes);
    expect(message?.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attributes));
  });

  it('counts receives in ApproximateReceiveCount', async () => {
    const queue = await sqs.createQueue(uniqueName('receive-count'));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'again' }));
    const counts: (string | undefined)[] = [];
    for (let round = 0; round < 3; round += 1) {
      const messages = await receive(queue.url);
      counts.push(messages[0]?.Attributes?.ApproximateReceiveCount);
      await makeVisible(queue.url, messages);
    }
    expect(counts).toEqual(['1', '2', '3']);
  });

  it('redrives to the DLQ once maxReceiveCount is exceeded, keeping body and attributes', async () => {
    const dlq = await sqs.createQueue(uniqueName('dlq'));
    const queue = await sqs.createQueue(uniqueName('redriven'), {
      deadLetter: { targetArn: dlq.arn, maxReceiveCount: 2 },
    });
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'poison',
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    for (let round = 0; round < 2; round += 1) {
      const messages = await receive(queue.url);
      expect(messages).toHaveLength(1);
      await makeVisible(queue.url, messages);
    }
    expect(await receive(queue.url)).toEqual([]);
    const dead = await sqs.readAll(dlq.url);
    expect(dead.map((message) => [message.Body, message.MessageAttributes?.origin?.StringValue])).toEqual([
      ['poison', 'test'],
    ]);
    expect(await sqs.approximateCounts(dlq.url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});

describe('FIFO queues', () => {
  const sendFifo = (queueUrl: string, body: string, group: string, dedup = body) =>
    sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: dedup,
      }),
    );

  it('drops a duplicate deduplication id and exposes the FIFO attributes', async () => {
    const queue = await sqs.createQueue(uniqueName('dedup', true), { fifo: true });
    const first = await sendFifo(queue.url, 'a1', 'A', 'same');
    const duplicate = await sendFifo(queue.url, 'a1-again', 'A', 'same');
    expect(duplicate.MessageId).toBe(first.MessageId);
    const messages = await receive(queue.url);
    expect(messages.map((message) => message.Body)).toEqual(['a1']);
    expect(messages[0]?.Attributes).toMatchObject({
      MessageGroupId: 'A',
      MessageDeduplicationId: 'same',
      SequenceNumber: first.SequenceNumber,
    });
  });

  it('batches runs of one group in order, like SQS, and locks the group while any is in flight', async () => {
    const queue = await sqs.createQueue(uniqueName('groups', true), { fifo: true });
    for (const [body, group] of [
      ['a1', 'A'],
      ['b1', 'B'],
      ['a2', 'A'],
      ['a3', 'A'],
      ['b2', 'B'],
    ] as const) {
      await sendFifo(queue.url, body, group);
    }
    const first = await receive(queue.url, 2);
    expect(first.map((message) => message.Body)).toEqual(['a1', 'a2']);
    // a3 waits: group A has messages in flight. Group B is free.
    const second = await receive(queue.url, 10);
    expect(second.map((message) => message.Body)).toEqual(['b1', 'b2']);
    expect(await receive(queue.url, 10)).toEqual([]);
    for (const message of first) {
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    expect((await receive(queue.url, 10)).map((message) => message.Body)).toEqual(['a3']);
  });

  it('puts messages returning from flight back in their original order', async () => {
    const queue = await sqs.createQueue(uniqueName('return-order', true), { fifo: true });
    for (const body of ['m1', 'm2', 'm3', 'm4']) {
      await sendFifo(queue.url, body, 'G');
    }
    const taken = await receive(queue.url, 3);
    expect(taken.map((message) => message.Body)).toEqual(['m1', 'm2', 'm3']);
    await makeVisible(queue.url, taken);
    const again = await receive(queue.url, 10);
    expect(again.map((message) => [message.Body, message.Attributes?.ApproximateReceiveCount])).toEqual([
      ['m1', '2'],
      ['m2', '2'],
      ['m3', '2'],
      ['m4', '1'],
    ]);
  });
});

describe('time compression', () => {
  it('scales rounding down with a floor of 0 and leaves invalid values for SQS to refuse', () => {
    expect(scaleVisibilityTimeout(30, 0.01)).toBe(0);
    expect(scaleVisibilityTimeout(900, 0.01)).toBe(9);
    expect(scaleVisibilityTimeout(29, 1)).toBe(29);
    expect(scaleVisibilityTimeout(43_201, 0.01)).toBe(43_201);
    expect(scaleVisibilityTimeout(-1, 0.01)).toBe(-1);
  });

  it('records the requested ChangeMessageVisibility timeout and forwards the scaled one', async () => {
    const queue = await sqs.createQueue(uniqueName('scaled'));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'backoff' }));
    sqs.visibilityTimeScale = 0.01;
    const [message] = await receive(queue.url);
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 120,
      }),
    );
    const change = sqs.calls.findLast((call) => call.action === 'ChangeMessageVisibility');
    expect(change?.input.VisibilityTimeout).toBe(120);
    expect(change?.forwarded?.VisibilityTimeout).toBe(1);
    expect(await receive(queue.url)).toEqual([]);
    const started = Date.now();
    const redelivered = await receive(queue.url, 10, 3);
    expect(redelivered.map((m) => m.Body)).toEqual(['backoff']);
    expect(Date.now() - started).toBeLessThan(2_900);
  });

  it('scales every entry of ChangeMessageVisibilityBatch', async () => {
    const queue = await sqs.createQueue(uniqueName('scaled-batch'));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'one' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'two' }));
    sqs.visibilityTimeScale = 0.01;
    const messages = await receive(queue.url);
    await sqs.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queue.url,
        Entries: messages.map((message, index) => ({
          Id: `e${index}`,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: index === 0 ? 30 : 900,
        })),
      }),
    );
    const change = sqs.calls.findLast((call) => call.action === 'ChangeMessageVisibilityBatch');
    const forwarded = change?.forwarded?.Entries as { VisibilityTimeout: number }[];
    expect(forwarded.map((entry) => entry.VisibilityTimeout)).toEqual([0, 9]);
    expect((await receive(queue.url)).map((m) => m.Body)).toEqual([messages[0]?.Body]);
  });

  it('forwards unchanged at scale 1', async () => {
    const queue = await sqs.createQueue(uniqueName('unscaled'));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'x' }));
    const [message] = await receive(queue.url);
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 60,
      }),
    );
    const change = sqs.calls.findLast((call) => call.action === 'ChangeMessageVisibility');
    expect(change?.forwarded).toBeUndefined();
    expect(await sqs.approximateCounts(queue.url)).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
  });

  it('refuses a negative scale, at start and later', async () => {
    expect(() => {
      sqs.visibilityTimeScale = -1;
    }).toThrow(RangeError);
    await expect(startSqsStandIn({ visibilityTimeScale: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describe('the call log', () => {
  it('keeps only the most recent calls past its limit', async () => {
    const small = await startSqsStandIn({ callLogLimit: 4 });
    try {
      const queue = await small.createQueue('bounded-log');
      for (let index = 0; index < 9; index += 1) {
        await small.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: `m${index}` }));
      }
      expect(small.calls.length).toBeLessThanOrEqual(4);
      expect(small.calls.at(-1)?.input.MessageBody).toBe('m8');
    } finally {
      await small.close();
    }
  });
});

describe('fault injection', () => {
  it('fails matching calls with an AWS 500 the SDK surfaces (after its retries); others pass', async () => {
    const dlq = await sqs.createQueue(uniqueName('unreachable-dlq'));
    const queue = await sqs.createQueue(uniqueName('reachable'));
    const failure = sqs.injectFailure(
      ({ action, input }) => action === 'SendMessage' && input.QueueUrl === dlq.url,
    );
    sqs.clearCalls();
    await expect(
      sqs.client.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'dead' })),
    ).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(failure.hits).toBe(3);
    expect(sqs.calls.every((call) => call.injected && call.status === 500)).toBe(true);
    await expect(
      sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'alive' })),
    ).resolves.toHaveProperty('MessageId');
    failure.remove();
    await sqs.client.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'dead' }));
    expect((await sqs.readAll(dlq.url)).map((message) => message.Body)).toEqual(['dead']);
  });

  it('honours a custom code, a limited count, and the reset mode', async () => {
    const queue = await sqs.createQueue(uniqueName('custom-failure'));
    const throttled = sqs.injectFailure(({ action }) => action === 'SendMessage', {
      status: 400,
      code: 'RequestThrottled',
      times: 1,
    });
    await expect(
      sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'x' })),
    ).resolves.toHaveProperty('MessageId');
    expect(throttled.hits).toBe(1);
    sqs.injectFailure(({ action }) => action === 'GetQueueUrl', { code: 'AccessDenied', status: 403 });
    await expect(sqs.client.send(new GetQueueUrlCommand({ QueueName: queue.name }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    sqs.clearFailures();
    sqs.injectFailure(({ action }) => action === 'ReceiveMessage', { mode: 'reset' });
    await expect(receive(queue.url)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sqs.calls.at(-1)).toMatchObject({ action: 'ReceiveMessage', injected: true, status: 0 });
  });
});
