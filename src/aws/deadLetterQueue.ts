/**
 * Sends a record that cannot succeed to the dead-letter queue with its reason (DESIGN.md "DLQ message"):
 * the body byte for byte, so SQS's native redrive can replay it, and the failure in message attributes.
 */
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { receiveCountOf } from './receiveCount.ts';

export type FailureReason = 'invalid-event' | 'permanent-error' | 'retries-exhausted';

export interface DeadLetter {
  record: SQSRecord;
  reason: FailureReason;
  requestId: string;
  /** Safe text: no secret, no userId. Cut to 256 characters. */
  errorMessage: string;
  /** The last Chat answer's non-zero ErrorCode, when there was one. */
  errorCode?: number;
  failedAt: Date;
}

export interface DeadLetterQueue {
  send(letter: DeadLetter): Promise<void>;
}

const MAX_ERROR_MESSAGE_CHARS = 256;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const number = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });

/** The SendMessage input for a dead letter; pure, so the contract is tested without a queue. */
export function deadLetterMessage(queueUrl: string, letter: DeadLetter): SendMessageCommandInput {
  const { record } = letter;
  const attributes: Record<string, MessageAttributeValue> = {
    'failure-reason': text(letter.reason),
    attempts: number(receiveCountOf(record)),
    'source-message-id': text(record.messageId),
    'request-id': text(letter.requestId),
    'failed-at': text(letter.failedAt.toISOString()),
    // SQS rejects an empty String attribute.
    'error-message': text(
      Array.from(letter.errorMessage || letter.reason)
        .slice(0, MAX_ERROR_MESSAGE_CHARS)
        .join(''),
    ),
  };
  if (letter.errorCode !== undefined && letter.errorCode !== 0)
    attributes['error-code'] = number(letter.errorCode);
  const input: SendMessageCommandInput = {
    QueueUrl: queueUrl,
    MessageBody: record.body,
    MessageAttributes: attributes,
  };
  if (queueUrl.endsWith('.fifo')) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? record.messageId;
    input.MessageDeduplicationId = record.messageId;
  }
  return input;
}

/**
 * @example
 * const dlq = new SqsDeadLetterQueue(new SQSClient({ useQueueUrlAsEndpoint: false }), process.env.DLQ_URL);
 * await dlq.send({ record, reason: 'invalid-event', requestId, errorMessage: 'userId is missing', failedAt: new Date() });
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
  }

  async send(letter: DeadLetter): Promise<void> {
    await this.#sqs.send(new SendMessageCommand(deadLetterMessage(this.#queueUrl, letter)));
  }
}
