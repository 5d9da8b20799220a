/**
 * Pre-built SQSEvents, field for field what Lambda's SQS event source delivers (through the same
 * `toLambdaSqsRecord` the poller uses), so the handler can be invoked directly, without SQS in the way,
 * when only its own CPU is measured.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { toLambdaSqsRecord } from '../sim/aws/lambdaSqsRecord.ts';

export interface EventSource {
  queueArn: string;
  region: string;
}

/**
 * Splits bodies into events of `batchSize` records (first receive, sent just now).
 * @example
 * const events = buildSqsEvents(bodies, { queueArn: 'arn:aws:sqs:us-east-1:000000000000:q', region: 'us-east-1' });
 */
export function buildSqsEvents(
  bodies: readonly string[],
  source: EventSource,
  { batchSize = 10, sentAtMs = Date.now() }: { batchSize?: number; sentAtMs?: number } = {},
): SQSEvent[] {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new RangeError('batchSize must be an integer from 1 to 10 (SQS event source limit)');
  }
  const events: SQSEvent[] = [];
  for (let start = 0; start < bodies.length; start += batchSize) {
    const records = bodies.slice(start, start + batchSize).map((body) =>
      toLambdaSqsRecord(
        {
          MessageId: randomUUID(),
          ReceiptHandle: randomUUID(),
          Body: body,
          MD5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
          Attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(sentAtMs),
            SenderId: 'AIDASTANDIN000000000',
            ApproximateFirstReceiveTimestamp: String(sentAtMs),
          },
        },
        source,
      ),
    );
    // Real events carry md5OfMessageAttributes: null, which @types/aws-lambda does not admit.
    events.push({ Records: records as unknown as SQSEvent['Records'] });
  }
  return events;
}
