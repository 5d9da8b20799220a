/**
 * The messages between the benchmark and its handler-CPU worker (a child process on the IPC channel),
 * checked with zod on both sides: a worker that crashed half-way must not be read as a measurement.
 */
import * as z from 'zod';

export const workerParamsSchema = z.object({
  /** `handler`: the bundle's handler; `bare-http`: the same Chat calls with nothing around them. */
  subject: z.enum(['handler', 'bare-http']),
  /** bare-http only: the calls one record made in the handler run, replayed per record (callTemplate.ts). */
  template: z
    .array(z.object({ service: z.string().min(1), command: z.string().min(1), bodyTemplate: z.string() }))
    .default([]),
  bundleUrl: z.url(),
  queueArn: z.string().startsWith('arn:'),
  region: z.string().min(1),
  /** closureWorkload prefix and size: the parent seeded exactly these accounts in the simulator. */
  workloadPrefix: z.string().min(1),
  warmupRecords: z.number().int().nonnegative(),
  measuredRecords: z.number().int().positive(),
  /** Take a V8 CPU profile of the measured window (node:inspector) and send it with the result. */
  profile: z.boolean().default(false),
});
export type WorkerParams = z.input<typeof workerParamsSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  /** Warm-up done: the parent notes its own CPU, then answers `go`. */
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('result'),
    records: z.number().int().positive(),
    invocations: z.number().int().positive(),
    cpuUserMs: z.number().nonnegative(),
    cpuSystemMs: z.number().nonnegative(),
    wallMs: z.number().nonnegative(),
    /** batchItemFailures over the measured invocations (0 when every record was erased). */
    failedRecords: z.number().int().nonnegative(),
    userSigSigns: z.number().int().nonnegative(),
    /** The V8 CPU profile of the measured window, when asked for (cpuProfile.ts reads it). */
    profile: z.unknown().optional(),
  }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

export const parentMessageSchema = z.object({ type: z.literal('go') });
