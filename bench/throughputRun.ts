/**
 * Throughput: the real bundle, as N warm Lambda instances fed by the event-source-mapping poller, erases a
 * queue full of accounts against the simulator's per-command limit and added latency. Two isolations:
 * - `process`: each instance in its own Node process (instanceProcesses.ts), as Lambda runs them; the
 *   poller, the simulator and the SQS emulator share the benchmark's event loop (they are AWS and Tencent);
 * - `shared-loop`: the instances imported into the benchmark's process, one event loop for everything.
 * The simulator's request log is the referee: how fast each command's calls came, whether any 1-second
 * window of a command held more than its budget, and whether any call was throttled.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { drainQueue } from '../sim/aws/eventSourceMapping.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { seedFullUser } from '../sim/planSeeds.ts';
import { CallPacer } from '../src/chat/callPacer.ts';
import { budgetOf } from '../src/erasure/plan/erasureSteps.ts';
import { arrivalRatePerSecond, maxArrivalsInAnyWindow } from './arrivalStats.ts';
import { closureWorkload } from './closureEvents.ts';
import {
  bindingCommands,
  type CommandLoad,
  commandLoads,
  type PaceLosses,
  paceLosses,
} from './commandLoad.ts';
import { type InstanceReport, startInstanceProcesses } from './instanceProcesses.ts';
import { LOOP_DELAY_RESOLUTION_MS, type LoopDelay, loopDelayMs } from './instanceProtocol.ts';
import { progress } from './progress.ts';

export type Isolation = 'process' | 'shared-loop';

export interface ThroughputFigures {
  /** ERASURE_STEPS of the run. */
  plan: string;
  isolation: Isolation;
  events: number;
  instances: number;
  /** Records per invocation (the event source mapping's BatchSize). */
  batchSize: number;
  /** Chat API calls (HTTP attempts) the simulator received, every command. */
  calls: number;
  /** `(calls − 1) / (last arrival − first arrival)`, every command together: see arrivalRatePerSecond. */
  callsPerSecond: number;
  /** First to last arrival. */
  callSpanMs: number;
  /** Calls / the whole drain (first receive to the final empty check), for contrast. */
  endToEndCallsPerSecond: number;
  drainMs: number;
  /** Records erased (audit outcome `erased`). */
  erasures: number;
  /** erasures / the call span. */
  erasuresPerSecond: number;
  /** calls / erasures. */
  callsPerErasure: number;
  throttledAnswers: number;
  /** Most arrivals of all commands together in any window (t − 1 s, t]. */
  maxCallsInAny1sWindow: number;
  /** Per command, busiest share of its budget first. */
  perCommand: CommandLoad[];
  /** The command(s) that bound the run (bindingCommands). */
  binding: string[];
  /** The binding command's share of its budget: the run's "share of the budget used". */
  shareOfBudget: number;
  /** Where each binding command's budget went (paceLosses), by command. */
  bindingLosses: Record<string, PaceLosses>;
  /** UserSigs signed, summed over the instances used. */
  userSigSigns: number;
  invocations: number;
  /** Mean invocation time, handler and the poller's DeleteMessageBatch. */
  meanInvocationMs: number;
  /** How often each instance starts a batch: the call span / the invocations per instance. */
  meanBatchCycleMs: number;
  /** Distinct client ports seen by the simulator: keep-alive connections opened. */
  connections: number;
  /** Audit log lines (`erasure`) by outcome. */
  outcomes: Record<string, number>;
  /** Accounts with data the plan removes still there after the run (0 when every erasure happened). */
  accountsNotErased: number;
  drainStoppedBy: string;
  /** Event-loop delay of the benchmark's process (poller, simulator, SQS emulator; and the instances when shared). */
  hostLoopDelay: LoopDelay;
  /** `process` isolation only: each instance's own figures. */
  instanceReports?: InstanceReport[];
}

export interface ThroughputOptions {
  /** `friends`: closure workload (two friends each); `full`: users with data of every kind (seedFullUser). */
  workload: 'friends' | 'full';
  isolation: Isolation;
  events: number;
  instances: number;
  batchSize: number;
  maxDurationMs: number;
  /** The deployment's budget of each command before the account commands' cap (CALL_BUDGET_PER_SECOND). */
  callBudgetPerSecond: number;
  /** Function environment over the world's (process isolation only), e.g. ERASURE_STEPS. */
  functionEnv?: Record<string, string>;
  /** closureWorkload prefix (distinct per run: the simulator keeps earlier runs' accounts). */
  prefix: string;
  /** The bundle the instance processes import (shared-loop instances use the world's). */
  bundleUrl: URL;
}

/**
 * @example
 * const world = await startErasureWorld({ chatLatencyMs: 50, functionEnv: { MAX_CONCURRENCY: '2' } });
 * const figures = await measureThroughput(world, { workload: 'friends', isolation: 'process', events: 2000,
 *   instances: 2, batchSize: 1000, maxDurationMs: 60_000, callBudgetPerSecond: 200, prefix: 'tp' });
 */
export async function measureThroughput(
  world: ErasureWorld,
  options: ThroughputOptions,
): Promise<ThroughputFigures> {
  const label = `throughput (${options.workload} plan, ${options.isolation})`;
  const env = { ...world.env, ...options.functionEnv };
  const plan = env.ERASURE_STEPS ?? 'friends';
  if (options.isolation === 'shared-loop' && options.functionEnv !== undefined) {
    throw new Error('shared-loop instances run with the world’s own environment');
  }

  const work = closureWorkload(options.prefix, options.events);
  const { userIds } = work;
  if (options.workload === 'friends')
    world.chat.seed({ accounts: work.accounts, friendships: work.friendships });
  else for (const userId of userIds) seedFullUser(world.chat, userId);
  progress(`${label}: enqueueing ${options.events} account-closure events`);
  const messageIds = await world.enqueue(work.bodies);
  const userOfMessage = new Map(messageIds.map((id, index) => [id, userIds[index] as string]));
  /** Which instance (poller index) erased each user: it tells the instances' calls apart in the log. */
  const instanceOfUser = new Map<string, number>();

  const instances =
    options.isolation === 'process'
      ? await startInstanceProcesses({
          count: options.instances,
          env,
          params: {
            bundleUrl: options.bundleUrl.href,
            functionName: 'chat-erasure',
            region: world.sqs.region,
          },
        })
      : undefined;
  const logLinesBefore = world.functionLogs.length;
  world.chat.clearRequests();
  progress(`${label}: draining through ${options.instances} concurrent instances`);
  const hostLoop = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  hostLoop.enable();
  const startedAt = performance.now();
  let invocationMs = 0;
  const onInvocation = (invocation: { durationMs: number; instance: number; messageIds: string[] }) => {
    invocationMs += invocation.durationMs;
    for (const id of invocation.messageIds) {
      const userId = userOfMessage.get(id);
      if (userId !== undefined) instanceOfUser.set(userId, invocation.instance);
    }
  };
  let drained: Awaited<ReturnType<typeof drainQueue>>;
  let instanceReports: InstanceReport[] | undefined;
  try {
    drained =
      instances === undefined
        ? await world.drain({
            instances: options.instances,
            batchSize: options.batchSize,
            maxDurationMs: options.maxDurationMs,
            onInvocation,
          })
        : await drainQueue({
            sqs: world.sqs.client,
            queueUrl: world.queue.url,
            queueArn: world.queue.arn,
            region: world.sqs.region,
            instances: options.instances,
            handler: instances.handlers,
            batchSize: options.batchSize,
            maxDurationMs: options.maxDurationMs,
            onInvocation,
          });
    instanceReports = await instances?.finish();
  } catch (error) {
    instances?.kill();
    throw error;
  }
  const drainMs = performance.now() - startedAt;
  hostLoop.disable();

  const requests = world.chat.requests;
  if (requests.length !== world.chat.counters.received) {
    throw new Error(
      `${label}: the simulator's log kept ${requests.length} of ${world.chat.counters.received} calls`,
    );
  }
  const arrivals = requests.map((request) => request.receivedAtMs);
  const callSpanMs = arrivals.length > 0 ? Math.max(...arrivals) - Math.min(...arrivals) : 0;
  const outcomes: Record<string, number> = {};
  if (instanceReports === undefined) {
    for (const line of world.functionLogs.slice(logLinesBefore)) {
      if (!line.includes('"erasure"')) continue;
      let record: { message?: unknown; outcome?: unknown };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue;
      }
      if (record.message !== 'erasure' || typeof record.outcome !== 'string') continue;
      outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1;
    }
  } else {
    for (const report of instanceReports) {
      for (const [outcome, count] of Object.entries(report.outcomes)) {
        outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
      }
    }
  }
  const perCommand = commandLoads(requests, (command) =>
    budgetOf(command, options.callBudgetPerSecond, new Map()),
  );
  const binding = bindingCommands(perCommand);
  // Every call's body names the record's user (or an account or group named after it: planSeeds.ts).
  const userInBody = new RegExp(`bench_${options.prefix}_\\d+`);
  const bindingLosses = Object.fromEntries(
    binding.map((load) => {
      const streams = Array.from({ length: options.instances }, (): number[] => []);
      for (const request of requests) {
        if (`${request.service}/${request.command}` !== load.command) continue;
        const userId = userInBody.exec(JSON.stringify(request.body))?.[0];
        const instance = userId === undefined ? undefined : instanceOfUser.get(userId);
        if (instance === undefined)
          throw new Error(`${label}: a ${load.command} call names no user of the run`);
        streams[instance]?.push(request.receivedAtMs);
      }
      const sharePerSecond = load.budget / options.instances;
      return [
        load.command,
        paceLosses(streams, { sharePerSecond, intervalMs: new CallPacer(sharePerSecond).intervalMs }),
      ];
    }),
  );
  const erasures = outcomes.erased ?? 0;
  const stillThere =
    options.workload === 'friends'
      ? (userId: string) => world.chat.friendsOf(userId).length > 0
      : (userId: string) => world.chat.hasAccount(userId);
  return {
    plan,
    isolation: options.isolation,
    events: options.events,
    instances: options.instances,
    batchSize: options.batchSize,
    calls: requests.length,
    callsPerSecond: arrivalRatePerSecond(arrivals),
    callSpanMs,
    endToEndCallsPerSecond: (requests.length * 1000) / drainMs,
    drainMs,
    erasures,
    erasuresPerSecond: callSpanMs > 0 ? (erasures * 1000) / callSpanMs : 0,
    callsPerErasure: erasures > 0 ? requests.length / erasures : Number.NaN,
    throttledAnswers: world.chat.counters.throttled,
    maxCallsInAny1sWindow: maxArrivalsInAnyWindow(arrivals, 1000),
    perCommand,
    binding: binding.map((load) => load.command),
    shareOfBudget: Math.max(...binding.map((load) => load.shareOfBudget)),
    bindingLosses,
    userSigSigns:
      instanceReports === undefined
        ? world.instances.reduce((sum, instance) => sum + instance.userSigSignatures(), 0)
        : instanceReports.reduce((sum, report) => sum + report.userSigSigns, 0),
    invocations: drained.invocations,
    meanInvocationMs: invocationMs / Math.max(drained.invocations, 1),
    meanBatchCycleMs: callSpanMs / Math.max(drained.invocations / options.instances - 1, 1),
    connections: new Set(requests.map((request) => request.remotePort)).size,
    outcomes,
    accountsNotErased: userIds.filter(stillThere).length,
    drainStoppedBy: drained.stoppedBy,
    hostLoopDelay: {
      meanMs: loopDelayMs(hostLoop.mean, hostLoop.count),
      p99Ms: loopDelayMs(hostLoop.percentile(99), hostLoop.count),
      maxMs: loopDelayMs(hostLoop.max, hostLoop.count),
    },
    ...(instanceReports === undefined ? {} : { instanceReports }),
  };
}
