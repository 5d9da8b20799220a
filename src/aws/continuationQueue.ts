/**
 * Sends a continued record back to its own queue (DESIGN.md "Long plans continue"): the same body, with
 * the attributes that carry the erasure on. FIFO queues: the same MessageGroupId and the deduplication id
 * `<erasure-id>-<continuation>`, so a repeated send of the same continuation is deduplicated by SQS.
 */
import type { MessageAttributeValue, SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { ContinuationAttributes } from '../erasure/continuation.ts';
import type { ContinuationQueue } from '../erasure/ports.ts';
import { sqsModule } from './lazyModules.ts';
import { queueUrlFromArn } from './redelivery.ts';

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** The SendMessage input of a continuation (the attributes DESIGN.md names, FIFO group and deduplication id). */
function continuationMessage(
  queueUrl: string,
  record: SQSRecord,
  attributes: ContinuationAttributes,
): SendMessageCommandInput {
  const input: SendMessageCommandInput = {
    QueueUrl: queueUrl,
    MessageBody: record.body,
    MessageAttributes: {
      'erasure-id': text(attributes.erasureId),
      'request-id': text(attributes.requestId),
      'first-sent-at': text(attributes.firstSentAt),
      continuation: { DataType: 'Number', StringValue: String(attributes.continuation) },
    },
  };
  if (queueUrl.endsWith('.fifo')) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? record.messageId;
    input.MessageDeduplicationId = `${attributes.erasureId}-${attributes.continuation}`;
  }
  return input;
}

/**
 * @example
 * const continuations = new SqsContinuationQueue(() => sqs);
 * await continuations.send(record, { erasureId, requestId, firstSentAt, continuation: 1 }, signal);
 */
export class SqsContinuationQueue implements ContinuationQueue {
  readonly #sqs: () => Promise<SQSClient>;

  constructor(sqs: SQSClient | (() => Promise<SQSClient>)) {
    this.#sqs = typeof sqs === 'function' ? sqs : async () => sqs;
  }

  async send(record: SQSRecord, attributes: ContinuationAttributes, signal?: AbortSignal): Promise<void> {
    const queueUrl = queueUrlFromArn(record.eventSourceARN);
    if (queueUrl === undefined) throw new Error('the record’s eventSourceARN is not an SQS queue ARN');
    const [sqs, { SendMessageCommand }] = await Promise.all([this.#sqs(), sqsModule()]);
    await sqs.send(
      new SendMessageCommand(continuationMessage(queueUrl, record, attributes)),
      signal === undefined ? {} : { abortSignal: signal },
    );
  }
}
