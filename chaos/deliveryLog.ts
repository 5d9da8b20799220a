/**
 * What the event source mapping handed the function, record by record: which warm instance (and so which
 * erasure plan) ran each invocation, and every delivered record's body, receive count, send time and message
 * attributes. Continuations are new messages the run never sent itself; this is how they are found and
 * followed back to their erasure.
 */
import type { SQSEvent } from 'aws-lambda';

export interface DeliveredRecord {
  messageId: string;
  body: string;
  /** ApproximateReceiveCount of this delivery. */
  receiveCount: number;
  /** SentTimestamp, epoch ms. */
  sentTimestampMs: number;
  /** Message attributes (string values): `erasure-id`, `request-id`, `first-sent-at`, `continuation`, … */
  attributes: Record<string, string>;
}

export interface Delivery {
  awsRequestId: string;
  /** The warm instance (poller) that ran it. */
  instance: number;
  timeoutMs: number;
  records: DeliveredRecord[];
}

export class DeliveryLog {
  readonly deliveries: Delivery[] = [];
  readonly #byRequestId = new Map<string, Delivery>();

  /**
   * @example
   * const log = new DeliveryLog();
   * log.record(0, context.awsRequestId, 3000, event); // in the handler wrapper, before the handler runs
   */
  record(instance: number, awsRequestId: string, timeoutMs: number, event: SQSEvent): void {
    const delivery: Delivery = {
      awsRequestId,
      instance,
      timeoutMs,
      records: event.Records.map((record) => ({
        messageId: record.messageId,
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        sentTimestampMs: Number(record.attributes.SentTimestamp),
        attributes: Object.fromEntries(
          Object.entries(record.messageAttributes ?? {}).flatMap(([name, value]) =>
            value.stringValue === undefined ? [] : [[name, value.stringValue]],
          ),
        ),
      })),
    };
    this.deliveries.push(delivery);
    this.#byRequestId.set(awsRequestId, delivery);
  }

  byRequestId(awsRequestId: string): Delivery | undefined {
    return this.#byRequestId.get(awsRequestId);
  }

  /** Every delivery of a message, oldest first. */
  recordsOf(messageId: string): { delivery: Delivery; record: DeliveredRecord }[] {
    return this.deliveries.flatMap((delivery) =>
      delivery.records
        .filter((record) => record.messageId === messageId)
        .map((record) => ({ delivery, record })),
    );
  }
}
