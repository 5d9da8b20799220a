/**
 * The chaos run (issues 5, 9, 10): thousands of account-closure events for users seeded with personal data
 * of every kind, drained through the real bundle by the event-source-mapping poller with concurrent warm
 * instances that run different erasure plans (the full plan under either owner policy, the default
 * `friends` plan, a plan that keeps the account), while the Chat API simulator injects faults of every class
 * on every command, the DLQ and Secrets Manager go down for a while, the admin key rotates, short invocation
 * deadlines cut long plans (which continue), and receipts go to an EventBridge bus and to Step Functions
 * tasks that fail now and then. Afterwards every message and every erasure is accounted for and judged
 * (messageVerdicts.ts), receipts are checked (receiptVerdicts.ts), erased users' data is read back
 * (dataVerdicts.ts), each command's rate budget is checked on the simulator's arrival log, and the logs, DLQ
 * attributes and receipts are searched for secrets.
 * Seeded: the workload, the fault sequences, the deadlines and the windows all follow from the seed.
 * (Which request meets which fault still depends on timing: the instances share one fault sequence.)
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
import {
  type ChaosOptions,
  type ChaosSettings,
  chaosOptionsSchema,
  parseCallBudgets,
} from './chaosOptions.ts';
import { ChaosWindows } from './chaosWindows.ts';
import { buildChaosWorkload, type ChaosEvent, taskTokenPlaceholder } from './chaosWorkload.ts';
import { chatFaultMix, doomFault } from './chatFaultMix.ts';
import { ChatFaultSchedule } from './chatFaultSchedule.ts';
import { DeliveryLog } from './deliveryLog.ts';
import type { DeadLetterCopy } from './messageVerdicts.ts';
import { CHAOS_CUSTOM_TAGS, PLAN_PROFILES, type PlanProfile } from './planCatalog.ts';
import { ReceiptFaults } from './receiptFaults.ts';
import { SeededRandom } from './seededRandom.ts';

export type { ChaosReport } from './chaosAssessment.ts';
export { type ChaosOptions, type ChaosProgress, MAX_CHAOS_EVENTS } from './chaosOptions.ts';

const FUNCTION_NAME = 'chat-erasure';
const RECEIPT_BUS = 'chaos-receipts';

/**
 * @example
 * const report = await runChaos({ events: 2000, seed: 7 });
 * console.log(formatChaosReport(report));
 * process.exitCode = report.violations.length === 0 ? 0 : 1;
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const settings = chaosOptionsSchema.parse(options);
  const redriveMaxReceiveCount = settings.redriveMaxReceiveCount ?? settings.maxReceives + 5;
  const callBudgets = parseCallBudgets(settings.callBudgets);
  const workload = buildChaosWorkload({
    seed: settings.seed,
    events: settings.events,
    adminIdentifier: DEMO_ADMIN_SECRET.adminIdentifier,
  });
  const world = await startErasureWorld({
    chatCallsPerSecond: settings.callBudgetPerSecond,
    chatLatencyMs: settings.chatLatencyMs,
    chatOptions: {
      customProfileTags: CHAOS_CUSTOM_TAGS.app.map((tag) => ({ ...tag })),
      commandCallsPerSecond: callBudgets,
      // Every request of the run is judged: keep them all.
      maxLoggedRequests: 10_000_000,
    },
    queueVisibilityTimeoutSeconds: Math.ceil(settings.maxFunctionTimeoutMs / 1000) + 1,
    redriveMaxReceiveCount,
    receiptBus: RECEIPT_BUS,
    functionEnv: {
      CALL_BUDGET_PER_SECOND: String(settings.callBudgetPerSecond),
      CALL_BUDGETS: settings.callBudgets,
      MAX_CONCURRENCY: String(settings.instances),
      MAX_RECEIVES: String(settings.maxReceives),
      CHAT_TIMEOUT_MS: String(settings.chatTimeoutMs),
      PROFILE_CUSTOM_TAGS: CHAOS_CUSTOM_TAGS.env,
      SECRET_MAX_AGE_SECONDS: '1',
      LOG_USER_ID: 'pseudonym',
    },
  });
  try {
    const originalKey = world.adminSecret.secretKey;
    world.chat.seed(workload.data.seed);
    for (const [userId, doom] of workload.doomed) {
      world.chat.injectFault(doomFault(userId, doom, settings.chatTimeoutMs));
    }
    const { events, tokens } = withTaskTokens(world, workload.events);
    const messageIds = await world.enqueue(events.map((event) => event.body));
    const throttledErasures = new Set(
      events.flatMap((event, index) => (event.receiptThrottled ? [messageIds[index] as string] : [])),
    );
    const started = Date.now();
    world.chat.setRandomFaults({
      seed: SeededRandom.derive(settings.seed, 2),
      probability: settings.faultProbability,
      faults: chatFaultMix(settings.chatTimeoutMs),
    });
    const schedule = new ChatFaultSchedule(world, settings.seed, 200);
    schedule.start();
    const receiptFaults = new ReceiptFaults(world, {
      seed: settings.seed,
      rate: settings.receiptFaultRate,
      tickMs: 100,
      throttledErasures,
    });
    receiptFaults.start();
    const windows = new ChaosWindows(world, windowPlan(settings), started);
    const deliveries = new DeliveryLog();
    let drainResult: DrainResult;
    const invocations: InvocationInfo[] = [];
    const profiles: PlanProfile[] = [];
    try {
      drainResult = await drainWithDeadlines(world, settings, {
        started,
        onInvocation: (info) => invocations.push(info),
        windows,
        deliveries,
        profiles,
      });
    } finally {
      windows.closeAll();
      receiptFaults.stop();
      schedule.stop();
      world.chat.setRandomFaults(null);
    }
    const durationMs = Date.now() - started;
    if (settings.sabotage.includes('restore-data')) restoreFriends(world, events);

    const deadLetters = await readWholeQueue(world, world.dlq.url);
    const queueLeft = await world.sqs.approximateCounts(world.queue.url);
    return assessChaosRun({
      settings,
      redriveMaxReceiveCount,
      callBudgets,
      workload: { ...workload, events },
      tokens,
      world,
      messageIds,
      requests: world.chat.requests,
      invocations,
      deliveries,
      profiles,
      drainResult,
      deadLetters,
      queueLeft,
      windows: windows.report,
      receiptFaults: receiptFaults.report,
      scheduledChatFaults: schedule.queued,
      receiptBus: RECEIPT_BUS,
      durationMs,
      secretKeys: [originalKey, world.adminSecret.secretKey],
    });
  } finally {
    await world.close();
  }
}

/** Sabotage: gives every erasable account that still exists a friend back, as a broken erasure would leave it. */
function restoreFriends(world: ErasureWorld, events: readonly ChaosEvent[]): void {
  for (const event of events) {
    if (event.expected.type !== 'erasable' || !world.chat.hasAccount(event.expected.userId)) continue;
    try {
      world.chat.addFriendship(event.expected.userId, 'chaos-b-1', 'both');
    } catch {
      // Already friends, or a friend list limit: the other accounts make the point.
    }
  }
}

/** Puts a real task token (created by the Step Functions stand-in) in each event that carries one. */
function withTaskTokens(
  world: ErasureWorld,
  events: readonly ChaosEvent[],
): { events: ChaosEvent[]; tokens: Map<number, string> } {
  const tokens = new Map<number, string>();
  const rendered = events.map((event) => {
    if (event.task === undefined) return event;
    const token = world.stepFunctions.createTaskToken();
    if (event.task.expired) world.stepFunctions.expireTask(token);
    tokens.set(event.index, token);
    return { ...event, body: event.body.replace(taskTokenPlaceholder(event.index), token) };
  });
  return { events: rendered, tokens };
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
 * Starts warm instance `index` with its plan: configuration is read when the bundle is imported, so the
 * plan's variables are in the environment just for that import (a deployment mid-rollout runs two
 * configurations side by side the same way).
 */
async function startInstanceWithPlan(
  world: ErasureWorld,
  profile: PlanProfile,
  receiptBus?: string,
): Promise<LambdaInstance> {
  const previous = {
    steps: process.env.ERASURE_STEPS,
    policy: process.env.GROUP_OWNER_POLICY,
    bus: process.env.RECEIPT_EVENT_BUS,
  };
  if (profile.erasureSteps === undefined) delete process.env.ERASURE_STEPS;
  else process.env.ERASURE_STEPS = profile.erasureSteps;
  process.env.GROUP_OWNER_POLICY = profile.groupOwnerPolicy;
  if (receiptBus !== undefined) process.env.RECEIPT_EVENT_BUS = receiptBus;
  try {
    return await world.startInstance();
  } finally {
    restore('ERASURE_STEPS', previous.steps);
    restore('GROUP_OWNER_POLICY', previous.policy);
    restore('RECEIPT_EVENT_BUS', previous.bus);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * Drains with one warm instance per poller, each invocation under its own function timeout drawn from
 * [min, max]: the handler sees that deadline in its context, and like Lambda the invocation is cut
 * (FunctionTimeoutError, nothing deleted) if it is still running then.
 */
async function drainWithDeadlines(
  world: ErasureWorld,
  settings: ChaosSettings,
  run: {
    started: number;
    onInvocation: (info: InvocationInfo) => void;
    windows: ChaosWindows;
    deliveries: DeliveryLog;
    profiles: PlanProfile[];
  },
): Promise<DrainResult> {
  const instances: LambdaInstance[] = [];
  for (let i = 0; i < settings.instances; i++) {
    const profile = PLAN_PROFILES[i % PLAN_PROFILES.length] as PlanProfile;
    run.profiles.push(profile);
    const wrongBus = i === 0 && settings.sabotage.includes('wrong-bus') ? 'chaos-nowhere' : undefined;
    instances.push(await startInstanceWithPlan(world, profile, wrongBus));
  }
  let skipped = 0;
  const deadlines = new SeededRandom(settings.seed, 4);
  const handlers = instances.map(
    (instance, index): SqsLambdaHandler =>
      (event: SQSEvent, context: Context) => {
        const timeoutMs = deadlines.int(settings.minFunctionTimeoutMs, settings.maxFunctionTimeoutMs);
        run.deliveries.record(index, context.awsRequestId, timeoutMs, event);
        if (index === 1 && settings.sabotage.includes('skip-invocations') && skipped++ % 10 === 4) {
          return Promise.resolve({ batchItemFailures: [] });
        }
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
      batchSize: settings.batchSize,
      // The poller's own timeout only backs up the per-invocation ones.
      functionTimeoutMs: settings.maxFunctionTimeoutMs + 1000,
      waitTimeSeconds: 0,
      maxDurationMs: settings.maxDurationMs ?? 60_000 + 100 * settings.events,
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
