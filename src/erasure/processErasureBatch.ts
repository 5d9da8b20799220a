/**
 * Turns one SQS batch into erasures and a partial batch response (DESIGN.md "Handler result"): begin the
 * invocation's run, settle every record, answer with the records that go back. Powertools' BatchProcessor
 * does the partial-response plumbing; `BatchRun` decides what each record comes to.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchRun, type ErasureServices } from './batchRun.ts';

/**
 * @example
 * export const handler = (event: SQSEvent, context: Context) => processErasureBatch(event, context, services);
 */
export async function processErasureBatch(
  event: SQSEvent,
  context: Context,
  services: ErasureServices,
): Promise<SQSBatchResponse> {
  const run = new BatchRun(context, services);
  try {
    return await processPartialResponse(
      event,
      (record: SQSRecord) => run.settle(record),
      new BatchProcessor(EventType.SQS),
      { context, throwOnFullBatchFailure: false, processInParallel: true },
    );
  } finally {
    run.end();
  }
}
