/**
 * Best-effort visibility backoff for a record going back to its queue: ChangeMessageVisibility on the
 * source queue, whose URL is derived from the record's eventSourceARN.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** The SQS delays redeliveries through this interface; it never throws. */
export interface Redelivery {
  /** Hides the record for `seconds`; resolves false if SQS refused (the record still goes back). */
  defer(record: SQSRecord, seconds: number): Promise<boolean>;
}

/**
 * `arn:aws:sqs:us-east-1:123456789012:erasure` → `https://sqs.us-east-1.amazonaws.com/123456789012/erasure`.
 * The client is built with `useQueueUrlAsEndpoint: false`, so the host only has to be well formed.
 */
export function queueUrlFromArn(arn: string): string | undefined {
  const match = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!match) return undefined;
  const [, partition, region, account, name] = match;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export class SqsRedelivery implements Redelivery {
  readonly #sqs: SQSClient;

  constructor(sqs: SQSClient) {
    this.#sqs = sqs;
  }

  async defer(record: SQSRecord, seconds: number): Promise<boolean> {
    const queueUrl = queueUrlFromArn(record.eventSourceARN);
    if (queueUrl === undefined) return false;
    try {
      await this.#sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
      return true;
    } catch {
      return false;
    }
  }
}
