/**
 * Turns an SQS `Message` (as ReceiveMessage returns it with All attributes) into the record Lambda's SQS
 * event source mapping delivers, field for field: lower-camel keys, only the system attributes Lambda
 * passes on, message attributes with empty list fields and base64 binary values, and
 * `md5OfMessageAttributes: null` when there are none (what real events carry, though @types/aws-lambda
 * types it as an optional string).
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord } from 'aws-lambda';

/** An SQSRecord as Lambda really sends it (see the module comment about `md5OfMessageAttributes`). */
export type LambdaSqsRecord = Omit<SQSRecord, 'md5OfMessageAttributes'> & {
  md5OfMessageAttributes: string | null;
};

/** The system attributes Lambda forwards, in the order its events list them. */
const LAMBDA_SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SequenceNumber',
  'MessageGroupId',
  'SenderId',
  'MessageDeduplicationId',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

/** SQS answered a message without a field every message has. */
export class IncompleteSqsMessageError extends Error {
  override readonly name = 'IncompleteSqsMessageError';
}

function required(message: Message, field: 'MessageId' | 'ReceiptHandle' | 'Body' | 'MD5OfBody'): string {
  const value = message[field];
  if (value === undefined) {
    throw new IncompleteSqsMessageError(`SQS message ${message.MessageId ?? '?'} has no ${field}`);
  }
  return value;
}

function toLambdaMessageAttribute(attribute: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(attribute.StringValue !== undefined && { stringValue: attribute.StringValue }),
    ...(attribute.BinaryValue !== undefined && {
      binaryValue: Buffer.from(attribute.BinaryValue).toString('base64'),
    }),
    stringListValues: attribute.StringListValues ?? [],
    binaryListValues: (attribute.BinaryListValues ?? []).map((value) =>
      Buffer.from(value).toString('base64'),
    ),
    dataType: attribute.DataType ?? 'String',
  };
}

/**
 * @example
 * const record = toLambdaSqsRecord(message, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:erasure', region: 'us-east-1' });
 */
export function toLambdaSqsRecord(
  message: Message,
  source: { queueArn: string; region: string },
): LambdaSqsRecord {
  const systemAttributes = message.Attributes ?? {};
  const attributes: Record<string, string> = {};
  for (const name of LAMBDA_SYSTEM_ATTRIBUTES) {
    const value = systemAttributes[name];
    if (value !== undefined) {
      attributes[name] = value;
    }
  }
  return {
    messageId: required(message, 'MessageId'),
    receiptHandle: required(message, 'ReceiptHandle'),
    body: required(message, 'Body'),
    attributes: attributes as unknown as SQSRecord['attributes'],
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toLambdaMessageAttribute(value),
      ]),
    ),
    md5OfMessageAttributes: message.MD5OfMessageAttributes ?? null,
    md5OfBody: required(message, 'MD5OfBody'),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}
