/**
 * The Lambda entry point: reads the configuration once (a bad one fails the import, naming the variable),
 * builds the adapters once per instance, and hands each SQS batch to the erasure domain.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfiguration } from './configuration.ts';
import { processErasureBatch } from './erasure/processErasureBatch.ts';
import { createServices } from './services.ts';

const services = createServices(loadConfiguration(process.env));

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  services.logger.addContext(context);
  return processErasureBatch(event, context, services);
}

/** How many UserSigs this instance has signed (the benchmark reads it; one per TTL is the target). */
export const userSigSignatures = (): number => services.userSigs.signatures;
