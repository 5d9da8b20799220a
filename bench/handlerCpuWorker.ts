/**
 * Child process of the CPU measurement: `process.cpuUsage()` around the measured work, alone in its
 * process, so the figure holds none of the simulator's CPU (the simulator stays in the parent). Two
 * subjects, both in batches of 10 concurrent records:
 * - `handler`: one warm instance of the bundle, invoked directly on pre-built SQSEvents (its logging,
 *   metrics, HTTP client and GC included; its stdout, the function's logs, goes to /dev/null);
 * - `bare-http`: only what no implementation can skip: the calls one record of the handler run made (the
 *   same commands in the same order, byte-identical bodies, so the same answers), replayed per record
 *   over an undici keep-alive pool, each answer read and parsed: the floor the handler's figure is read
 *   against.
 */
import { Session } from 'node:inspector/promises';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Pool } from 'undici';
import { createLambdaContext } from '../sim/aws/lambdaContext.ts';
import { DEMO_ADMIN_SECRET, type LambdaInstance } from '../sim/erasureWorld.ts';
import { buildChatRequestUrl, randomUint32 } from '../src/chat/chatRequestUrl.ts';
import { signUserSig } from '../src/chat/userSig.ts';
import { fillBody, type TemplateCall } from './callTemplate.ts';
import { closureWorkload, type Workload } from './closureEvents.ts';
import { parentMessageSchema, type WorkerMessage, workerParamsSchema } from './handlerCpuProtocol.ts';
import { buildSqsEvents } from './sqsEventFactory.ts';

const params = workerParamsSchema.parse(JSON.parse(process.argv[2] ?? 'null'));

/** 0.1 ms: a call costs about that much, so coarser samples would not tell its parts apart. */
const PROFILE_SAMPLING_INTERVAL_US = 100;

/** Runs one batch of bodies; resolves with how many records failed. */
type BatchRunner = (batch: { bodies: string[]; event: SQSEvent }) => Promise<number>;

const send = (message: WorkerMessage) =>
  new Promise<void>((resolve, reject) => {
    if (!process.send) throw new Error('handlerCpuWorker must run with an IPC channel');
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });

const nextMessage = () =>
  new Promise<unknown>((resolve) => {
    process.once('message', resolve);
  });

async function handlerRunner(): Promise<{ run: BatchRunner; signatures: () => number }> {
  const instance = (await import(params.bundleUrl)) as LambdaInstance;
  return {
    run: async ({ event }) => {
      const context = createLambdaContext({
        functionName: 'chat-erasure',
        region: params.region,
        timeoutMs: 60_000,
      });
      const answer: SQSBatchResponse = await instance.handler(event, context);
      return answer.batchItemFailures.length;
    },
    signatures: () => instance.userSigSignatures(),
  };
}

function bareHttpRunner(workload: Workload): { run: BatchRunner; signatures: () => number } {
  const origin = (process.env.CHAT_API_ENDPOINT ?? '').replace(/\/$/, '');
  if (params.template.length === 0) throw new Error('bare-http needs the call template of one record');
  const timeoutMs = 5000;
  // One origin, keep-alive: the same kind of dispatcher the function uses.
  const pool = new Pool(origin, {
    keepAliveTimeout: 10_000,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const { sdkAppId, adminIdentifier, secretKey } = DEMO_ADMIN_SECRET;
  const userSig = signUserSig({
    sdkAppId,
    secretKey,
    identifier: adminIdentifier,
    expireSeconds: 3600,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  // Every request body made before the measured window: the floor is the POST and the parse, not the
  // harness filling in templates.
  const { bodies: recordBodies, userIds } = workload;
  const callBodies = new Map(
    recordBodies.map((body, index) => [
      body,
      params.template.map((call) => fillBody(call, userIds[index] as string)),
    ]),
  );
  const post = async (call: TemplateCall, body: string): Promise<boolean> => {
    const url = buildChatRequestUrl(origin, call.service, call.command, {
      sdkAppId,
      identifier: adminIdentifier,
      userSig,
      random: randomUint32(),
    });
    const response = await pool.request({
      method: 'POST',
      path: url.slice(origin.length),
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = JSON.parse(await response.body.text()) as { ErrorCode?: unknown };
    return answer.ErrorCode === 0;
  };
  /** One record: its calls one after the other, as the plan makes them. */
  const erase = async (recordBody: string): Promise<boolean> => {
    const bodies = callBodies.get(recordBody) ?? [];
    let ok = bodies.length === params.template.length;
    for (const [index, call] of params.template.entries())
      ok = (await post(call, bodies[index] as string)) && ok;
    return ok;
  };
  return {
    run: async ({ bodies }) => (await Promise.all(bodies.map(erase))).filter((ok) => !ok).length,
    signatures: () => 1,
  };
}

async function runAll(run: BatchRunner, batches: { bodies: string[]; event: SQSEvent }[]): Promise<number> {
  let failed = 0;
  for (const batch of batches) failed += await run(batch);
  return failed;
}

const workload = closureWorkload(params.workloadPrefix, params.warmupRecords + params.measuredRecords);
const { bodies } = workload;
const subject = params.subject === 'handler' ? await handlerRunner() : bareHttpRunner(workload);
const source = { queueArn: params.queueArn, region: params.region };
const toBatches = (part: string[]) =>
  buildSqsEvents(part, source).map((event) => ({
    bodies: event.Records.map((record) => record.body),
    event,
  }));
const warmup = toBatches(bodies.slice(0, params.warmupRecords));
const measured = toBatches(bodies.slice(params.warmupRecords));

await runAll(subject.run, warmup);
await send({ type: 'ready' });
parentMessageSchema.parse(await nextMessage());

let profiler: Session | undefined;
if (params.profile) {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_INTERVAL_US });
  await profiler.post('Profiler.start');
}
const wallStart = performance.now();
const cpuStart = process.cpuUsage();
const failedRecords = await runAll(subject.run, measured);
const cpu = process.cpuUsage(cpuStart);
const wallMs = performance.now() - wallStart;
const profile = profiler === undefined ? undefined : (await profiler.post('Profiler.stop')).profile;

await send({
  type: 'result',
  records: params.measuredRecords,
  invocations: measured.length,
  cpuUserMs: cpu.user / 1000,
  cpuSystemMs: cpu.system / 1000,
  wallMs,
  failedRecords,
  userSigSigns: subject.signatures(),
  ...(profile === undefined ? {} : { profile }),
});
// Exit now: the keep-alive pools and SDK clients would hold the process open for seconds.
process.exit(0);
