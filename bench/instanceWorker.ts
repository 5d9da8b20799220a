/**
 * One warm Lambda instance in its own Node process, as Lambda runs it: the bundle imported once, then
 * invoked with each batch the poller (in the benchmark's process) sends over IPC, its answer sent back.
 * Nothing else runs on this event loop: the simulator and the SQS emulator live in the benchmark process.
 * The function's log lines are read here (audit outcomes counted) and dropped, like a runtime that ships
 * them elsewhere.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLambdaContext } from '../sim/aws/lambdaContext.ts';
import type { LambdaInstance } from '../sim/erasureWorld.ts';
import {
  type InstanceCommand,
  type InstanceMessage,
  instanceCommandSchema,
  instanceParamsSchema,
  LOOP_DELAY_RESOLUTION_MS,
  loopDelayMs,
} from './instanceProtocol.ts';

const params = instanceParamsSchema.parse(JSON.parse(process.argv[2] ?? 'null'));

const send = (message: InstanceMessage) =>
  new Promise<void>((resolve, reject) => {
    if (!process.send) throw new Error('instanceWorker must run with an IPC channel');
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });

/** Audit outcomes, counted from the function's JSON log lines; everything else is dropped. */
const outcomes: Record<string, number> = {};
let partial = '';
const countLines = (chunk: string | Uint8Array) => {
  const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.includes('"erasure"')) continue;
    try {
      const record = JSON.parse(line) as { message?: unknown; outcome?: unknown };
      if (record.message === 'erasure' && typeof record.outcome === 'string') {
        outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
      }
    } catch {
      // not a JSON line
    }
  }
};
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    countLines(chunk);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}

const importStartedAt = performance.now();
const instance = (await import(params.bundleUrl)) as LambdaInstance;
const importMs = performance.now() - importStartedAt;

const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
loopDelay.enable();
const cpuStart = process.cpuUsage();
let busyMs = 0;

const invoke = async (command: Extract<InstanceCommand, { type: 'invoke' }>) => {
  const startedAt = performance.now();
  try {
    const context = createLambdaContext({
      functionName: params.functionName,
      region: params.region,
      timeoutMs: Math.max(0, command.deadlineEpochMs - Date.now()),
      awsRequestId: command.awsRequestId,
    });
    const answer: SQSBatchResponse = await instance.handler(command.event as SQSEvent, context);
    busyMs += performance.now() - startedAt;
    await send({ type: 'answer', id: command.id, answer });
  } catch (error) {
    busyMs += performance.now() - startedAt;
    await send({
      type: 'error',
      id: command.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
};

process.on('message', (raw) => {
  const command = instanceCommandSchema.parse(raw);
  if (command.type === 'invoke') {
    void invoke(command);
    return;
  }
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuStart);
  const ms = (ns: number) => loopDelayMs(ns, loopDelay.count);
  void send({
    type: 'report',
    userSigSigns: instance.userSigSignatures(),
    outcomes,
    cpuMs: (cpu.user + cpu.system) / 1000,
    busyMs,
    loopDelay: { meanMs: ms(loopDelay.mean), p99Ms: ms(loopDelay.percentile(99)), maxMs: ms(loopDelay.max) },
  }).then(() => process.exit(0));
});

await send({ type: 'ready', importMs });
