/**
 * Child process of the CPU measurement: `process.cpuUsage()` around the measured work, alone in its
 * process, so the figure holds none of the simulator's CPU (the simulator stays in the parent). Two
 * subjects, both in batches of 10 concurrent records:
 * - `handler`: one warm instance of the bundle, invoked directly on pre-built SQSEvents (its logging,
 *   metrics, HTTP client and GC included; its stdout, the function's logs, goes to /dev/null);
 * - `bare-http`: only what no implementation can skip, the same `friend_delete_all` POST over an undici
 *   keep-alive pool, answer read and parsed: the floor the handler's figure is to be read against.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Agent, request } from 'undici';
import { createLambdaContext } from '../sim/aws/lambdaContext.ts';
import { DEMO_ADMIN_SECRET, type LambdaInstance } from '../sim/erasureWorld.ts';
import { buildChatRequestUrl, randomUint32 } from '../src/chat/chatRequestUrl.ts';
import { signUserSig } from '../src/usersig/userSig.ts';
import { closureWorkload } from './closureEvents.ts';
import { parentMessageSchema, type WorkerMessage, workerParamsSchema } from './handlerCpuProtocol.ts';
import { buildSqsEvents } from './sqsEventFactory.ts';

const params = workerParamsSchema.parse(JSON.parse(process.argv[2] ?? 'null'));

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

function bareHttpRunner(): { run: BatchRunner; signatures: () => number } {
  const chatUrl = process.env.CHAT_API_ENDPOINT ?? '';
  const timeoutMs = 5000;
  const agent = new Agent({
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
  const erase = async (body: string): Promise<boolean> => {
    const { userId } = JSON.parse(body) as { userId: string };
    const url = buildChatRequestUrl(chatUrl, 'sns', 'friend_delete_all', {
      sdkAppId,
      identifier: adminIdentifier,
      userSig,
      random: randomUint32(),
    });
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ From_Account: userId, DeleteType: 'Delete_Type_Both' }),
      dispatcher: agent,
    });
    const answer = JSON.parse(await response.body.text()) as { ErrorCode?: unknown };
    return answer.ErrorCode === 0;
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

const subject = params.subject === 'handler' ? await handlerRunner() : bareHttpRunner();
const { bodies } = closureWorkload(params.workloadPrefix, params.warmupRecords + params.measuredRecords);
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

const wallStart = performance.now();
const cpuStart = process.cpuUsage();
const failedRecords = await runAll(subject.run, measured);
const cpu = process.cpuUsage(cpuStart);
const wallMs = performance.now() - wallStart;

await send({
  type: 'result',
  records: params.measuredRecords,
  invocations: measured.length,
  cpuUserMs: cpu.user / 1000,
  cpuSystemMs: cpu.system / 1000,
  wallMs,
  failedRecords,
  userSigSigns: subject.signatures(),
});
// Exit now: the keep-alive pools and SDK clients would hold the process open for seconds.
process.exit(0);
