import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deadLetterMessage, SqsDeadLetterQueue } from '../../src/aws/deadLetterQueue.ts';
import type { DeadLetter } from '../../src/erasure/ports.ts';

const STANDARD_DLQ = 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq';
const FIFO_DLQ = 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq.fifo';
const FAILED_AT = new Date('2026-11-25T10:00:05.123Z');

function sqsRecord(
  overrides: { body?: string; attributes?: Partial<SQSRecord['attributes']> } = {},
): SQSRecord {
  return {
    messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body: overrides.body ?? '{"userId":"user_42","requestId":"dsr-2026-000123"}',
    attributes: {
      ApproximateReceiveCount: '3',
      SentTimestamp: '1545082649183',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1545082649185',
      ...overrides.attributes,
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:chat-erasure',
    awsRegion: 'eu-central-1',
  };
}

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    record: sqsRecord(),
    reason: 'permanent-error',
    requestId: 'dsr-2026-000123',
    erasureId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    errorMessage: 'ErrorCode 70402',
    errorCode: 70402,
    failedAt: FAILED_AT,
    ...overrides,
  };
}

const attribute = (input: ReturnType<typeof deadLetterMessage>, name: string) =>
  input.MessageAttributes?.[name];

describe('deadLetterMessage: the DLQ message contract', () => {
  it('builds the whole SendMessage input for a standard DLQ', () => {
    expect(deadLetterMessage(STANDARD_DLQ, letter())).toEqual({
      QueueUrl: STANDARD_DLQ,
      MessageBody: '{"userId":"user_42","requestId":"dsr-2026-000123"}',
      MessageAttributes: {
        'failure-reason': { DataType: 'String', StringValue: 'permanent-error' },
        attempts: { DataType: 'Number', StringValue: '3' },
        'source-message-id': { DataType: 'String', StringValue: '059f36b4-87a3-44ab-83d2-661975830a7d' },
        'erasure-id': { DataType: 'String', StringValue: '059f36b4-87a3-44ab-83d2-661975830a7d' },
        'request-id': { DataType: 'String', StringValue: 'dsr-2026-000123' },
        'failed-at': { DataType: 'String', StringValue: '2026-11-25T10:00:05.123Z' },
        'error-message': { DataType: 'String', StringValue: 'ErrorCode 70402' },
        'error-code': { DataType: 'Number', StringValue: '70402' },
      },
    });
  });

  it.each([
    'invalid-event',
    'permanent-error',
    'retries-exhausted',
    'unverified',
    'receipt-undelivered',
  ] as const)('failure-reason %s', (reason) => {
    expect(attribute(deadLetterMessage(STANDARD_DLQ, letter({ reason })), 'failure-reason')).toEqual({
      DataType: 'String',
      StringValue: reason,
    });
  });

  it('attempts is the ApproximateReceiveCount, as a Number attribute', () => {
    const input = deadLetterMessage(
      STANDARD_DLQ,
      letter({ record: sqsRecord({ attributes: { ApproximateReceiveCount: '17' } }) }),
    );
    expect(attribute(input, 'attempts')).toEqual({ DataType: 'Number', StringValue: '17' });
  });

  it('request-id is whatever the caller resolved (e.g. the messageId fallback)', () => {
    const input = deadLetterMessage(
      STANDARD_DLQ,
      letter({ reason: 'invalid-event', requestId: '059f36b4-87a3-44ab-83d2-661975830a7d' }),
    );
    expect(attribute(input, 'request-id')?.StringValue).toBe('059f36b4-87a3-44ab-83d2-661975830a7d');
  });

  it.each([
    ['a JSON event', '{"userId":"user_42"}'],
    ['unicode', '{"userId":"José-用户-🙂","requestId":"ß"}'],
    ['an escaped unicode JSON', '{"userId":"\\u00e9\\ud83d\\ude42"}'],
    ['surrounding whitespace', ' \n\t{"userId": "user_42" }\r\n  '],
    ['a byte-order mark', '\uFEFF{"userId":"user_42"}'],
    ['not JSON', 'userId=user_42&requestId=x'],
    ['a JSON string', '"user_42"'],
    ['duplicate keys', '{"userId":"a","userId":"b"}'],
    [
      'an SNS envelope',
      JSON.stringify({
        Type: 'Notification',
        MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
        TopicArn: 'arn:aws:sns:eu-central-1:123456789012:closures',
        Message: '{"userId":"user_42","requestId":"dsr-1"}',
        Timestamp: '2026-11-25T10:00:00.000Z',
      }),
    ],
    [
      'an EventBridge envelope',
      '{"version":"0","detail-type":"AccountClosed","source":"accounts","detail":{"userId":"user_42"}}',
    ],
    ['pretty-printed JSON', JSON.stringify({ userId: 'user_42', extra: [1, 2, { a: null }] }, null, 4)],
  ])('keeps the body byte for byte: %s', (_what, body) => {
    const input = deadLetterMessage(STANDARD_DLQ, letter({ record: sqsRecord({ body }) }));
    expect(input.MessageBody).toBe(body);
    expect(Buffer.from(input.MessageBody ?? '', 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('sets the String and Number data types exactly as the contract says', () => {
    const attributes =
      deadLetterMessage(STANDARD_DLQ, letter({ failedStep: 'friends' })).MessageAttributes ?? {};
    expect(
      Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.DataType])),
    ).toEqual({
      'failure-reason': 'String',
      attempts: 'Number',
      'source-message-id': 'String',
      'erasure-id': 'String',
      'failed-step': 'String',
      'request-id': 'String',
      'failed-at': 'String',
      'error-message': 'String',
      'error-code': 'Number',
    });
    for (const value of Object.values(attributes)) {
      expect(typeof value.StringValue).toBe('string');
      expect(value.StringValue).not.toBe('');
      expect(value.BinaryValue).toBeUndefined();
    }
  });

  it('failed-at is ISO-8601', () => {
    const value = attribute(deadLetterMessage(STANDARD_DLQ, letter()), 'failed-at')?.StringValue ?? '';
    expect(new Date(value).toISOString()).toBe(value);
  });
});

describe('deadLetterMessage: error-code', () => {
  it('is left out when there is no code', () => {
    const input = deadLetterMessage(STANDARD_DLQ, letter({ errorCode: undefined, errorMessage: 'HTTP 502' }));
    expect(input.MessageAttributes).not.toHaveProperty('error-code');
    expect(attribute(input, 'error-message')?.StringValue).toBe('HTTP 502');
  });

  it('is left out when the code is 0', () => {
    const input = deadLetterMessage(STANDARD_DLQ, letter({ errorCode: 0 }));
    expect(input.MessageAttributes).not.toHaveProperty('error-code');
  });

  it.each([30001, 70402, 60002])('is a Number attribute for %d', (errorCode) => {
    expect(attribute(deadLetterMessage(STANDARD_DLQ, letter({ errorCode })), 'error-code')).toEqual({
      DataType: 'Number',
      StringValue: String(errorCode),
    });
  });
});

describe('deadLetterMessage: error-message', () => {
  const errorMessageOf = (errorMessage: string) =>
    attribute(deadLetterMessage(STANDARD_DLQ, letter({ errorMessage })), 'error-message')?.StringValue ?? '';

  it('keeps a message of exactly 256 characters whole', () => {
    const message = 'x'.repeat(256);
    expect(errorMessageOf(message)).toBe(message);
  });

  it('cuts a longer message to its first 256 characters', () => {
    const message = `${'a'.repeat(200)}${'b'.repeat(100)}`;
    expect(errorMessageOf(message)).toBe(message.slice(0, 256));
  });

  it('cuts by code points, never splitting a surrogate pair', () => {
    const message = '🙂'.repeat(300); // each is two UTF-16 code units
    const cut = errorMessageOf(message);
    expect(Array.from(cut)).toHaveLength(256);
    expect(cut).toBe('🙂'.repeat(256));
    expect(cut.isWellFormed()).toBe(true);
  });

  it('keeps a pair that straddles the 256th code unit whole', () => {
    const message = `${'a'.repeat(255)}🙂${'z'.repeat(10)}`;
    const cut = errorMessageOf(message);
    expect(cut).toBe(`${'a'.repeat(255)}🙂`);
    expect(cut.isWellFormed()).toBe(true);
  });

  it('falls back to the reason for an empty message (SQS refuses empty String attributes)', () => {
    const input = deadLetterMessage(STANDARD_DLQ, letter({ reason: 'retries-exhausted', errorMessage: '' }));
    expect(attribute(input, 'error-message')?.StringValue).toBe('retries-exhausted');
  });
});

describe('deadLetterMessage: FIFO', () => {
  it('a FIFO DLQ gets the source MessageGroupId and the messageId as deduplication id', () => {
    const record = sqsRecord({
      attributes: {
        MessageGroupId: 'tenant-7',
        MessageDeduplicationId: 'producer-dedup',
        SequenceNumber: '1',
      },
    });
    const input = deadLetterMessage(FIFO_DLQ, letter({ record }));
    expect(input.QueueUrl).toBe(FIFO_DLQ);
    expect(input.MessageGroupId).toBe('tenant-7');
    expect(input.MessageDeduplicationId).toBe('059f36b4-87a3-44ab-83d2-661975830a7d');
    expect(input.MessageBody).toBe(record.body);
  });

  it('a FIFO DLQ still gets a group when the source record has none', () => {
    const input = deadLetterMessage(FIFO_DLQ, letter());
    // The record's own messageId stands in for the missing group.
    expect(input.MessageGroupId).toBe('059f36b4-87a3-44ab-83d2-661975830a7d');
    expect(input.MessageDeduplicationId).toBe('059f36b4-87a3-44ab-83d2-661975830a7d');
  });

  it('a standard DLQ gets neither, even for a record from a FIFO source', () => {
    const record = sqsRecord({ attributes: { MessageGroupId: 'tenant-7', MessageDeduplicationId: 'dedup' } });
    const input = deadLetterMessage(STANDARD_DLQ, letter({ record }));
    expect(input).not.toHaveProperty('MessageGroupId');
    expect(input).not.toHaveProperty('MessageDeduplicationId');
  });

  it('only a URL ending in .fifo counts as FIFO', () => {
    const input = deadLetterMessage(
      'https://sqs.eu-central-1.amazonaws.com/123456789012/fifo-dlq',
      letter({ record: sqsRecord({ attributes: { MessageGroupId: 'g' } }) }),
    );
    expect(input).not.toHaveProperty('MessageGroupId');
  });
});

describe('SqsDeadLetterQueue', () => {
  it('sends one SendMessageCommand with the contract input', async () => {
    const sent: unknown[] = [];
    const sqs = {
      send: async (command: unknown) => {
        sent.push(command);
        return {};
      },
    } as unknown as SQSClient;
    const deadLetter = letter({ record: sqsRecord({ attributes: { MessageGroupId: 'g1' } }) });
    await new SqsDeadLetterQueue(sqs, FIFO_DLQ).send(deadLetter);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(SendMessageCommand);
    expect((sent[0] as SendMessageCommand).input).toEqual(deadLetterMessage(FIFO_DLQ, deadLetter));
  });

  it('lets a failed send reject, so the record is not reported as done', async () => {
    const sqs = {
      send: async () => {
        throw Object.assign(new Error('queue does not exist'), { name: 'QueueDoesNotExist' });
      },
    } as unknown as SQSClient;
    await expect(new SqsDeadLetterQueue(sqs, STANDARD_DLQ).send(letter())).rejects.toThrow(
      'queue does not exist',
    );
  });
});

describe('deadLetterMessage: erasure-id and failed-step', () => {
  it('carries the erasure id the caller gives (a continued record keeps its first messageId)', () => {
    expect(
      attribute(deadLetterMessage(STANDARD_DLQ, letter({ erasureId: 'first-id' })), 'erasure-id'),
    ).toEqual({
      DataType: 'String',
      StringValue: 'first-id',
    });
  });

  it('adds failed-step only when a step failed', () => {
    expect(attribute(deadLetterMessage(STANDARD_DLQ, letter()), 'failed-step')).toBeUndefined();
    expect(
      attribute(deadLetterMessage(STANDARD_DLQ, letter({ failedStep: 'follows' })), 'failed-step'),
    ).toEqual({
      DataType: 'String',
      StringValue: 'follows',
    });
  });
});

describe('deadLetterMessage: attribute levels for messages SQS finds too large', () => {
  it('keeps only failure-reason, then nothing, with the same body and FIFO fields', () => {
    const deadLetter = letter({ record: sqsRecord({ attributes: { MessageGroupId: 'g1' } }) });
    const reasonOnly = deadLetterMessage(FIFO_DLQ, deadLetter, 'reason-only');
    expect(reasonOnly.MessageAttributes).toEqual({
      'failure-reason': { DataType: 'String', StringValue: 'permanent-error' },
    });
    const none = deadLetterMessage(FIFO_DLQ, deadLetter, 'none');
    expect(none).not.toHaveProperty('MessageAttributes');
    for (const input of [reasonOnly, none]) {
      expect(input).toMatchObject({
        MessageBody: deadLetter.record.body,
        MessageGroupId: 'g1',
        MessageDeduplicationId: deadLetter.record.messageId,
      });
    }
  });
});

describe('SqsDeadLetterQueue: too large', () => {
  const tooLarge = () =>
    Object.assign(
      new Error('One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.'),
      {
        name: 'InvalidParameterValue',
      },
    );

  it.each([
    [1, ['all', 'reason-only']],
    [2, ['all', 'reason-only', 'none']],
  ])('repeats the send with fewer attributes after %i size refusal(s)', async (refusals, levels) => {
    const sent: SendMessageCommand[] = [];
    let left = refusals;
    const sqs = {
      send: async (command: SendMessageCommand) => {
        sent.push(command);
        if (left-- > 0) throw tooLarge();
        return {};
      },
    } as unknown as SQSClient;
    await new SqsDeadLetterQueue(sqs, STANDARD_DLQ).send(letter());
    expect(sent.map((command) => Object.keys(command.input.MessageAttributes ?? {}).length)).toEqual(
      levels.map((level) => (level === 'all' ? 8 : level === 'reason-only' ? 1 : 0)),
    );
  });

  it('does not repeat a send refused for any other reason', async () => {
    let sends = 0;
    const sqs = {
      send: async () => {
        sends++;
        throw Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' });
      },
    } as unknown as SQSClient;
    await expect(new SqsDeadLetterQueue(sqs, STANDARD_DLQ).send(letter())).rejects.toThrow('denied');
    expect(sends).toBe(1);
  });

  it('rejects when even the body alone is refused', async () => {
    const sqs = {
      send: async () => {
        throw tooLarge();
      },
    } as unknown as SQSClient;
    await expect(new SqsDeadLetterQueue(sqs, STANDARD_DLQ).send(letter())).rejects.toThrow('shorter than');
  });
});
