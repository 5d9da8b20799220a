/**
 * Best-effort visibility backoff for a record going back to its queue: ChangeMessageVisibility on the
 * source queue, whose URL is derived from the record's eventSourceARN.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { Redelivery } from '../erasure/ports.ts';
import { sqsModule } from './lazyModules.ts';

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

/**
 * @example
 * const redelivery = new SqsRedelivery(() => sqs);
 * await redelivery.defer(record, 30, signal); // false when SQS refused: the record goes back anyway
 */
export class SqsRedelivery implements Redelivery {
  readonly #sqs: () => Promise<SQSClient>;

  /** @param sqs the client, or a function returning it (built on first use). */
  constructor(sqs: SQSClient | (() => Promise<SQSClient>)) {
    this.#sqs = typeof sqs === 'function' ? sqs : async () => sqs;
  }

  async defer(record: SQSRecord, seconds: number, signal?: AbortSignal): Promise<boolean> {
    const queueUrl = queueUrlFromArn(record.eventSourceARN);
    if (queueUrl === undefined) return false;
    try {
      const [sqs, { ChangeMessageVisibilityCommand }] = await Promise.all([this.#sqs(), sqsModule()]);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return true;
    } catch {
      return false;
    }
  }
}
