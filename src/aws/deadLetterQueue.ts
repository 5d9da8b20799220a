/**
 * Sends a record that cannot succeed to the dead-letter queue with its reason (DESIGN.md "DLQ message"):
 * the body byte for byte, so SQS's native redrive can replay it, and the failure in message attributes.
 */
import type { MessageAttributeValue, SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../erasure/ports.ts';
import { receiveCountOf } from '../erasure/receiveCount.ts';
import { sqsModule } from './lazyModules.ts';

const MAX_ERROR_MESSAGE_CHARS = 256;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
const number = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });

/** How many attributes a send carries: all of them, then only `failure-reason`, then none (DESIGN "Size"). */
export type AttributeLevel = 'all' | 'reason-only' | 'none';

/** The SendMessage input for a dead letter; pure, so the contract is tested without a queue. */
export function deadLetterMessage(
  queueUrl: string,
  letter: DeadLetter,
  level: AttributeLevel = 'all',
): SendMessageCommandInput {
  const { record } = letter;
  const attributes: Record<string, MessageAttributeValue> = { 'failure-reason': text(letter.reason) };
  if (level === 'all') {
    attributes.attempts = number(receiveCountOf(record));
    attributes['source-message-id'] = text(record.messageId);
    attributes['erasure-id'] = text(letter.erasureId);
    attributes['request-id'] = text(letter.requestId);
    attributes['failed-at'] = text(letter.failedAt.toISOString());
    // SQS rejects an empty String attribute.
    attributes['error-message'] = text(
      Array.from(letter.errorMessage || letter.reason)
        .slice(0, MAX_ERROR_MESSAGE_CHARS)
        .join(''),
    );
    if (letter.errorCode !== undefined && letter.errorCode !== 0) {
      attributes['error-code'] = number(letter.errorCode);
    }
    if (letter.failedStep !== undefined) attributes['failed-step'] = text(letter.failedStep);
  }
  const input: SendMessageCommandInput = { QueueUrl: queueUrl, MessageBody: record.body };
  if (level !== 'none') input.MessageAttributes = attributes;
  if (queueUrl.endsWith('.fifo')) {
    input.MessageGroupId = record.attributes.MessageGroupId ?? record.messageId;
    input.MessageDeduplicationId = record.messageId;
  }
  return input;
}

/**
 * SQS refuses a message whose body plus attributes exceed the queue's MaximumMessageSize with
 * `InvalidParameterValue` ("Message must be shorter than … bytes"); depending on the protocol the SDK
 * names it `InvalidParameterValue`, `AWS.SimpleQueueService.InvalidParameterValue` or
 * `InvalidParameterValueException`. Any other refusal is not about size.
 */
function isMessageTooLarge(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /InvalidParameterValue(Exception)?$/.test(error.name) &&
    /shorter than|too long|message size/i.test(error.message)
  );
}

/**
 * @example
 * const dlq = new SqsDeadLetterQueue(new SQSClient({ useQueueUrlAsEndpoint: false }), process.env.DLQ_URL);
 * await dlq.send({ record, reason: 'invalid-event', requestId, erasureId, errorMessage: 'userId is missing',
 *   failedAt: new Date() }, signal);
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  readonly #sqs: () => Promise<SQSClient>;
  readonly #queueUrl: string;

  /** @param sqs the client, or a function returning it (built on first use: most invocations need none). */
  constructor(sqs: SQSClient | (() => Promise<SQSClient>), queueUrl: string) {
    this.#sqs = typeof sqs === 'function' ? sqs : async () => sqs;
    this.#queueUrl = queueUrl;
  }

  /**
   * Sends the letter; when SQS says the message is too large, repeats it with fewer attributes (the body
   * the source queue accepted always fits on its own). Rejects for any other failure.
   */
  async send(letter: DeadLetter, signal?: AbortSignal): Promise<void> {
    const [sqs, { SendMessageCommand }] = await Promise.all([this.#sqs(), sqsModule()]);
    for (const level of ['all', 'reason-only', 'none'] as const) {
      try {
        await sqs.send(new SendMessageCommand(deadLetterMessage(this.#queueUrl, letter, level)), {
          ...(signal === undefined ? {} : { abortSignal: signal }),
        });
        return;
      } catch (error) {
        if (level === 'none' || !isMessageTooLarge(error)) throw error;
      }
    }
  }
}
