/**
 * Sends an accepted body to the erasure queue, byte for byte (DESIGN.md "Ingress: signed webhook"). For a
 * FIFO queue the message group is the SHA-256 hex of the userId (one account's requests stay in order)
 * and the deduplication id the SHA-256 hex of the body (a client's resend within SQS's 5-minute window
 * is one message).
 */
import { createHash } from 'node:crypto';
import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import { ChatErasureError } from '../errors.ts';

/** What the ingress core needs from the queue. */
export interface ErasureQueue {
  /** Resolves with SQS's messageId once SQS holds the message; rejects with the SDK's error otherwise. */
  send(message: { body: string; userId: string }, signal: AbortSignal): Promise<{ messageId: string }>;
}

/** SHA-256 of the text's UTF-8 bytes, lower-case hex (64 characters). */
function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The SendMessage input for a body: the FIFO ids only when the queue is FIFO.
 * @example
 * sendMessageInput('https://sqs…/q.fifo', { body, userId: 'user_42' }).MessageGroupId; // sha256Hex('user_42')
 */
export function sendMessageInput(
  queueUrl: string,
  message: { body: string; userId: string },
): SendMessageCommandInput {
  const input: SendMessageCommandInput = { QueueUrl: queueUrl, MessageBody: message.body };
  if (queueUrl.endsWith('.fifo')) {
    input.MessageGroupId = sha256Hex(message.userId);
    input.MessageDeduplicationId = sha256Hex(message.body);
  }
  return input;
}

export class SqsErasureQueue implements ErasureQueue {
  readonly #client: () => SQSClient;
  readonly #queueUrl: string;

  /**
   * @example
   * const queue = new SqsErasureQueue(() => sqs, configuration.erasureQueueUrl);
   * const { messageId } = await queue.send({ body, userId }, deadline.signal);
   */
  constructor(client: () => SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  async send(message: { body: string; userId: string }, signal: AbortSignal): Promise<{ messageId: string }> {
    const answer = await this.#client().send(
      new SendMessageCommand(sendMessageInput(this.#queueUrl, message)),
      {
        abortSignal: signal,
      },
    );
    // An answer without a MessageId is a broken service (no HTTP status: retryable, so 503).
    if (answer.MessageId === undefined) throw new ChatErasureError('SQS answered without a MessageId');
    return { messageId: answer.MessageId };
  }
}
