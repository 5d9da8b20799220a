import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { queueUrlFromArn, SqsRedelivery } from '../../src/aws/redelivery.ts';

describe('queueUrlFromArn', () => {
  it.each([
    [
      'arn:aws:sqs:us-east-1:123456789012:erasure',
      'https://sqs.us-east-1.amazonaws.com/123456789012/erasure',
    ],
    [
      'arn:aws:sqs:eu-central-1:000000000000:chat-erasure_queue-1',
      'https://sqs.eu-central-1.amazonaws.com/000000000000/chat-erasure_queue-1',
    ],
    [
      'arn:aws:sqs:ap-southeast-1:123456789012:erasure.fifo',
      'https://sqs.ap-southeast-1.amazonaws.com/123456789012/erasure.fifo',
    ],
    [
      'arn:aws-cn:sqs:cn-north-1:123456789012:erasure',
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/erasure',
    ],
    [
      'arn:aws-cn:sqs:cn-northwest-1:123456789012:erasure.fifo',
      'https://sqs.cn-northwest-1.amazonaws.com.cn/123456789012/erasure.fifo',
    ],
    [
      'arn:aws-us-gov:sqs:us-gov-west-1:123456789012:erasure',
      'https://sqs.us-gov-west-1.amazonaws.com/123456789012/erasure',
    ],
    [
      `arn:aws:sqs:us-east-1:123456789012:${'q'.repeat(80)}`,
      `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(80)}`,
    ],
  ])('%s → %s', (arn, url) => {
    expect(queueUrlFromArn(arn)).toBe(url);
  });

  it.each([
    ['empty', ''],
    ['not an ARN', 'https://sqs.us-east-1.amazonaws.com/123456789012/erasure'],
    ['another service', 'arn:aws:sns:us-east-1:123456789012:erasure'],
    ['another partition prefix', 'arn:gcp:sqs:us-east-1:123456789012:erasure'],
    ['no region', 'arn:aws:sqs::123456789012:erasure'],
    ['an upper-case region', 'arn:aws:sqs:US-EAST-1:123456789012:erasure'],
    ['a short account', 'arn:aws:sqs:us-east-1:12345678901:erasure'],
    ['a long account', 'arn:aws:sqs:us-east-1:1234567890123:erasure'],
    ['a non-numeric account', 'arn:aws:sqs:us-east-1:12345678901a:erasure'],
    ['no queue name', 'arn:aws:sqs:us-east-1:123456789012:'],
    ['a name with a slash', 'arn:aws:sqs:us-east-1:123456789012:erasure/evil'],
    ['a name with a dot', 'arn:aws:sqs:us-east-1:123456789012:erasure.old'],
    ['a name that is too long', `arn:aws:sqs:us-east-1:123456789012:${'q'.repeat(81)}`],
    ['trailing text', 'arn:aws:sqs:us-east-1:123456789012:erasure extra'],
    ['a trailing newline', 'arn:aws:sqs:us-east-1:123456789012:erasure\n'],
    ['a host-injecting region', 'arn:aws:sqs:evil.example.com/x:123456789012:erasure'],
  ])('malformed (%s) → undefined', (_what, arn) => {
    expect(queueUrlFromArn(arn)).toBeUndefined();
  });
});

function sqsRecord(eventSourceARN: string): SQSRecord {
  return {
    messageId: 'm-1',
    receiptHandle: 'AQEB-receipt-handle+/=',
    body: '{"userId":"user_42"}',
    attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
    },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'eu-central-1',
  };
}

/** An SQSClient stand-in that records every command and answers from `answer`. */
function fakeSqs(answer: (command: unknown) => Promise<unknown>) {
  const sent: unknown[] = [];
  const sqs = {
    send: (command: unknown) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as SQSClient;
  return { sqs, sent };
}

describe('SqsRedelivery.defer', () => {
  const ARN = 'arn:aws:sqs:eu-central-1:123456789012:chat-erasure';

  it('sends ChangeMessageVisibility on the source queue and resolves true', async () => {
    const { sqs, sent } = fakeSqs(async () => ({}));
    await expect(new SqsRedelivery(sqs).defer(sqsRecord(ARN), 96)).resolves.toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(ChangeMessageVisibilityCommand);
    expect((sent[0] as ChangeMessageVisibilityCommand).input).toEqual({
      QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure',
      ReceiptHandle: 'AQEB-receipt-handle+/=',
      VisibilityTimeout: 96,
    });
  });

  it('uses the FIFO queue’s URL for a FIFO record', async () => {
    const { sqs, sent } = fakeSqs(async () => ({}));
    await new SqsRedelivery(sqs).defer(sqsRecord(`${ARN}.fifo`), 900);
    expect((sent[0] as ChangeMessageVisibilityCommand).input.QueueUrl).toBe(
      'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure.fifo',
    );
  });

  it('resolves false when SQS refuses', async () => {
    const { sqs, sent } = fakeSqs(async () => {
      throw Object.assign(new Error('Value 99999 for parameter VisibilityTimeout is invalid'), {
        name: 'InvalidParameterValue',
      });
    });
    await expect(new SqsRedelivery(sqs).defer(sqsRecord(ARN), 99999)).resolves.toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('resolves false when the client throws synchronously', async () => {
    const sqs = {
      send: () => {
        throw new Error('client misconfigured');
      },
    } as unknown as SQSClient;
    await expect(new SqsRedelivery(sqs).defer(sqsRecord(ARN), 30)).resolves.toBe(false);
  });

  it('resolves false without calling SQS when the ARN is malformed', async () => {
    const { sqs, sent } = fakeSqs(async () => ({}));
    await expect(new SqsRedelivery(sqs).defer(sqsRecord('not-an-arn'), 30)).resolves.toBe(false);
    expect(sent).toHaveLength(0);
  });
});
