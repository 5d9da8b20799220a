import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CONTINUATION_WARNING, lineageOf, nextContinuation } from '../../src/erasure/continuation.ts';

const MESSAGE_ID = '7b0ae5c4-1f0e-4a8e-9d0f-3c1d2b4a5e6f';
const FIRST_ID = '059f36b4-87a3-44ab-83d2-661975830a7d';
const SENT_AT = 1_795_000_000_000;

const text = (value: string) => ({
  stringValue: value,
  dataType: 'String',
  stringListValues: [],
  binaryListValues: [],
});
const number = (value: number) => ({
  stringValue: String(value),
  dataType: 'Number',
  stringListValues: [],
  binaryListValues: [],
});

function sqsRecord(messageAttributes: SQSMessageAttributes): SQSRecord {
  return {
    messageId: MESSAGE_ID,
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body: '{"userId":"user_42"}',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(SENT_AT),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(SENT_AT + 2),
    },
    messageAttributes,
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:chat-erasure',
    awsRegion: 'eu-central-1',
  };
}

describe('lineageOf', () => {
  it('a first delivery is its own erasure', () => {
    expect(lineageOf(sqsRecord({}))).toEqual({ erasureId: MESSAGE_ID, continuation: 0, warnings: [] });
  });

  it('a continuation carries its erasure on', () => {
    const lineage = lineageOf(
      sqsRecord({
        'erasure-id': text(FIRST_ID),
        'request-id': text('dsr-7'),
        'first-sent-at': text('2026-11-28T10:00:00.000Z'),
        continuation: number(2),
      }),
    );
    expect(lineage).toEqual({
      erasureId: FIRST_ID,
      requestId: 'dsr-7',
      firstSentAtMs: Date.parse('2026-11-28T10:00:00.000Z'),
      continuation: 2,
      warnings: [],
    });
    expect(nextContinuation(lineage, 'dsr-7', sqsRecord({}))).toEqual({
      erasureId: FIRST_ID,
      requestId: 'dsr-7',
      firstSentAt: '2026-11-28T10:00:00.000Z',
      continuation: 3,
    });
  });

  // A DLQ message moved back by SQS's redrive keeps the DLQ attributes: erasure-id and request-id, but no
  // first-sent-at or continuation. It is the same erasure, not a malformed continuation.
  it('a replayed dead letter finishes the erasure it came from, without a warning', () => {
    const lineage = lineageOf(
      sqsRecord({
        'failure-reason': text('retries-exhausted'),
        attempts: number(5),
        'source-message-id': text(FIRST_ID),
        'erasure-id': text(FIRST_ID),
        'request-id': text('dsr-8'),
        'failed-at': text('2026-11-28T09:00:00.000Z'),
      }),
    );
    expect(lineage).toEqual({ erasureId: FIRST_ID, requestId: 'dsr-8', continuation: 0, warnings: [] });
    // Its continuation, if it needs one, measures lag from this message's own send.
    expect(nextContinuation(lineage, 'dsr-8', sqsRecord({}))).toEqual({
      erasureId: FIRST_ID,
      requestId: 'dsr-8',
      firstSentAt: new Date(SENT_AT).toISOString(),
      continuation: 1,
    });
  });

  it('malformed attributes are ignored with a warning: the record starts its own erasure', () => {
    const malformed: SQSMessageAttributes[] = [
      { continuation: number(1) },
      { 'erasure-id': text(''), continuation: number(1) },
      { 'erasure-id': text(`${FIRST_ID}\u0000`) },
      { 'erasure-id': text(FIRST_ID), continuation: number(0) },
      { 'erasure-id': text(FIRST_ID), 'first-sent-at': text('yesterday') },
    ];
    for (const attributes of malformed) {
      expect(lineageOf(sqsRecord(attributes)), JSON.stringify(attributes)).toEqual({
        erasureId: MESSAGE_ID,
        continuation: 0,
        warnings: [CONTINUATION_WARNING],
      });
    }
  });
});
