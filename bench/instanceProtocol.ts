/**
 * The messages between the benchmark and an instance process (instanceWorker.ts): one warm Lambda
 * instance of the bundle in its own Node process, invoked over the IPC channel by the event-source-mapping
 * poller that runs in the benchmark's process. Checked with zod on both sides.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';

export const instanceParamsSchema = z.object({
  bundleUrl: z.url(),
  functionName: z.string().min(1),
  region: z.string().min(1),
});
export type InstanceParams = z.infer<typeof instanceParamsSchema>;

/**
 * How late the event loop ran a 10 ms timer (monitorEventLoopDelay, its 10 ms resolution subtracted):
 * how long the loop was busy when something was due.
 */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** Milliseconds of loop delay from a histogram value in ns (0 when the histogram is empty). */
export const loopDelayMs = (ns: number, count: number) =>
  count > 0 ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0;

const loopDelaySchema = z.object({
  meanMs: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
});
export type LoopDelay = z.infer<typeof loopDelaySchema>;

/** Instance → benchmark. */
export const instanceMessageSchema = z.discriminatedUnion('type', [
  /** The bundle is imported (the cold start is over): the instance is warm. */
  z.object({ type: z.literal('ready'), importMs: z.number().nonnegative() }),
  z.object({ type: z.literal('answer'), id: z.number().int(), answer: z.custom<SQSBatchResponse>() }),
  z.object({ type: z.literal('error'), id: z.number().int(), message: z.string() }),
  z.object({
    type: z.literal('report'),
    userSigSigns: z.number().int().nonnegative(),
    /** Audit log lines (`erasure`) by outcome. */
    outcomes: z.record(z.string(), z.number().int().nonnegative()),
    /** CPU (user + system) from `ready` to the report: the instance's whole share of the run. */
    cpuMs: z.number().nonnegative(),
    /** Time spent inside invocations. */
    busyMs: z.number().nonnegative(),
    loopDelay: loopDelaySchema,
  }),
]);
export type InstanceMessage = z.infer<typeof instanceMessageSchema>;

/** Benchmark → instance. */
export const instanceCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('invoke'),
    id: z.number().int(),
    event: z.custom<SQSEvent>((value) => typeof value === 'object' && value !== null),
    /** The invocation's deadline (epoch ms): the instance's context counts down to it. */
    deadlineEpochMs: z.number(),
    awsRequestId: z.string().min(1),
  }),
  z.object({ type: z.literal('finish') }),
]);
export type InstanceCommand = z.infer<typeof instanceCommandSchema>;
