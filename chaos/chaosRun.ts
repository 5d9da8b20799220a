/**
 * The chaos run (issue 5): thousands of account-closure events drained through the real bundle by the
 * event-source-mapping poller with concurrent warm instances, while the Chat API simulator injects every
 * kind of fault, the DLQ and Secrets Manager go down for a while, the admin key rotates and invocation
 * deadlines cut batches short. Afterwards every event is accounted for and judged (eventVerdicts.ts), the
 * rate budget is checked on the simulator's arrival log, and the function's logs are searched for secrets.
 * Seeded: the workload, the fault sequence, the deadlines and the windows all follow from the seed.
 * (Which request meets which fault still depends on timing: two instances share one fault sequence.)
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  type DrainResult,
  drainQueue,
  FunctionTimeoutError,
  type InvocationInfo,
  type SqsLambdaHandler,
} from '../sim/aws/eventSourceMapping.ts';
import { createLambdaContext } from '../sim/aws/lambdaContext.ts';
import {
  DEMO_ADMIN_SECRET,
  type ErasureWorld,
  type LambdaInstance,
  startErasureWorld,
} from '../sim/erasureWorld.ts';
import { assessChaosRun, type ChaosReport } from './chaosAssessment.ts';
import { type ChaosOptions, type ChaosSettings, chaosOptionsSchema } from './chaosOptions.ts';
import { ChaosWindows } from './chaosWindows.ts';
import { buildChaosWorkload } from './chaosWorkload.ts';
import { chatFaultMix, doomFault } from './chatFaultMix.ts';
import type { DeadLetterCopy } from './eventVerdicts.ts';
import { RequestLogRecorder } from './requestLogRecorder.ts';
import { SeededRandom } from './seededRandom.ts';

export type { ChaosReport } from './chaosAssessment.ts';
export { type ChaosOptions, type ChaosProgress, MAX_CHAOS_EVENTS } from './chaosOptions.ts';

const FUNCTION_NAME = 'chat-erasure';

/**
 * @example
 * const report = await runChaos({ events: 2000, seed: 7 });
 * console.log(formatChaosReport(report));
 * process.exitCode = report.violations.length === 0 ? 0 : 1;
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const settings = chaosOptionsSchema.parse(options);
  const redriveMaxReceiveCount = settings.redriveMaxReceiveCount ?? settings.maxReceives + 5;
  const workload = buildChaosWorkload({
    seed: settings.seed,
    events: settings.events,
    adminIdentifier: DEMO_ADMIN_SECRET.adminIdentifier,
  });
  const world = await startErasureWorld({
    chatCallsPerSecond: settings.callBudgetPerSecond,
    queueVisibilityTimeoutSeconds: Math.ceil(settings.maxFunctionTimeoutMs / 1000) + 1,
    redriveMaxReceiveCount,
    functionEnv: {
      CALL_BUDGET_PER_SECOND: String(settings.callBudgetPerSecond),
      MAX_CONCURRENCY: String(settings.instances),
      MAX_RECEIVES: String(settings.maxReceives),
      CHAT_TIMEOUT_MS: String(settings.chatTimeoutMs),
      SECRET_MAX_AGE_SECONDS: '1',
      LOG_USER_ID: 'pseudonym',
    },
  });
  try {
    const originalKey = world.adminSecret.secretKey;
    world.chat.seed({ accounts: workload.accounts, friendships: workload.friendships });
    for (const [userId, doom] of workload.doomed) {
      world.chat.injectFault(doomFault(userId, doom, settings.chatTimeoutMs));
    }
    const messageIds = await world.enqueue(workload.events.map((event) => event.body));
    const started = Date.now();
    const recorder = new RequestLogRecorder(world.chat);
    recorder.start(500);
    world.chat.setRandomFaults({
      seed: SeededRandom.derive(settings.seed, 2),
      probability: settings.faultProbability,
      faults: chatFaultMix(settings.chatTimeoutMs),
    });
    const windows = new ChaosWindows(world, windowPlan(settings), started);
    let drainResult: DrainResult;
    const invocations: InvocationInfo[] = [];
    try {
      drainResult = await drainWithDeadlines(world, settings, {
        started,
        onInvocation: (info) => invocations.push(info),
        windows,
      });
    } finally {
      windows.closeAll();
      world.chat.setRandomFaults(null);
    }
    const requests = recorder.stop();
    const durationMs = Date.now() - started;

    const deadLetters = await readWholeQueue(world, world.dlq.url);
    const queueLeft = await world.sqs.approximateCounts(world.queue.url);
    return assessChaosRun({
      settings,
      redriveMaxReceiveCount,
      workload,
      world,
      messageIds,
      requests,
      invocations,
      drainResult,
      deadLetters,
      queueLeft,
      windows: windows.report,
      durationMs,
      secretKeys: [originalKey, world.adminSecret.secretKey],
    });
  } finally {
    await world.close();
  }
}

function windowPlan(settings: ChaosSettings) {
  const random = new SeededRandom(settings.seed, 3);
  return {
    dlqOutageAt: 0.2,
    secretsOutageAt: 0.45,
    keyRotationAt: 0.7,
    dlqOutageMs: settings.dlqOutageMs,
    secretsOutageMs: settings.secretsOutageMs,
    secretsOutageMode: random.chance(0.5) ? ('error' as const) : ('reset' as const),
    rotatedSecretKey: `chaos-rotated-key-${settings.seed}-${random.next().toString(36).slice(2)}-${random.next().toString(36).slice(2)}`,
  };
}

/**
 * Drains with one warm instance per poller, each invocation under its own function timeout drawn from
 * [min, max]: the handler sees that deadline in its context, and like Lambda the invocation is cut
 * (FunctionTimeoutError, nothing deleted) if it is still running then.
 */
async function drainWithDeadlines(
  world: ErasureWorld,
  settings: ChaosSettings,
  run: { started: number; onInvocation: (info: InvocationInfo) => void; windows: ChaosWindows },
): Promise<DrainResult> {
  const instances: LambdaInstance[] = [];
  for (let i = 0; i < settings.instances; i++) instances.push(await world.startInstance());
  const deadlines = new SeededRandom(settings.seed, 4);
  const handlers = instances.map(
    (instance): SqsLambdaHandler =>
      (event: SQSEvent, context: Context) => {
        const timeoutMs = deadlines.int(settings.minFunctionTimeoutMs, settings.maxFunctionTimeoutMs);
        const invocationContext = createLambdaContext({
          functionName: FUNCTION_NAME,
          region: world.sqs.region,
          timeoutMs,
          awsRequestId: context.awsRequestId,
        });
        return withinTimeout(instance.handler(event, invocationContext), timeoutMs);
      },
  );

  let settled = 0;
  let invocationCount = 0;
  const report = () =>
    settings.onProgress?.({
      elapsedMs: Date.now() - run.started,
      settled,
      total: settings.events,
      invocations: invocationCount,
      chatCalls: world.chat.counters.received,
    });
  const progressTimer = setInterval(report, settings.progressIntervalMs);
  try {
    const result = await drainQueue({
      sqs: world.sqs.client,
      queueUrl: world.queue.url,
      queueArn: world.queue.arn,
      region: world.sqs.region,
      instances: settings.instances,
      handler: handlers,
      functionName: FUNCTION_NAME,
      // The poller's own timeout only backs up the per-invocation ones.
      functionTimeoutMs: settings.maxFunctionTimeoutMs + 1000,
      waitTimeSeconds: 0,
      maxDurationMs: settings.maxDurationMs ?? 60_000 + 30 * settings.events,
      onInvocation: (info) => {
        invocationCount++;
        settled += info.deletedCount;
        run.onInvocation(info);
        run.windows.onProgress(settled / settings.events);
      },
    });
    report();
    return result;
  } finally {
    clearInterval(progressTimer);
  }
}

function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new FunctionTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
      timeoutMs,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Every message of a queue (readAll stops after 10,000; a big run's DLQ can hold more). */
async function readWholeQueue(world: ErasureWorld, queueUrl: string): Promise<DeadLetterCopy[]> {
  const copies: DeadLetterCopy[] = [];
  for (;;) {
    const batch = await world.sqs.readAll(queueUrl);
    if (batch.length === 0) return copies;
    copies.push(...batch.map(toDeadLetterCopy));
  }
}

function toDeadLetterCopy(message: Message): DeadLetterCopy {
  const attributes: DeadLetterCopy['attributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = { dataType: value.DataType ?? '', value: value.StringValue ?? '' };
  }
  return { body: message.Body ?? '', attributes };
}
