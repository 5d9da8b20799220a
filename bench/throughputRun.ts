/**
 * Throughput: the real bundle, as N warm Lambda instances fed by the event-source-mapping poller, erases a
 * queue full of accounts against the simulator's 200 calls/s limit and added latency. The simulator's
 * arrival log is the referee: it says how fast calls came, whether any 1-second window held too many, and
 * whether any was throttled.
 */
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { arrivalRatePerSecond, maxArrivalsInAnyWindow } from './arrivalStats.ts';
import { closureWorkload } from './closureEvents.ts';
import { progress } from './progress.ts';

export interface ThroughputFigures {
  events: number;
  instances: number;
  /** Records per invocation (the event source mapping's BatchSize). */
  batchSize: number;
  /** Chat API calls (HTTP attempts) the simulator received. */
  calls: number;
  /** `(calls − 1) / (last arrival − first arrival)`: see arrivalRatePerSecond. */
  callsPerSecond: number;
  /** First to last arrival. */
  callSpanMs: number;
  /** Calls / the whole drain (first receive to the final empty check), for contrast. */
  endToEndCallsPerSecond: number;
  drainMs: number;
  throttledAnswers: number;
  maxCallsInAny1sWindow: number;
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
  /** Accounts that still have friends after the run (0 when every erasure happened). */
  accountsNotErased: number;
  drainStoppedBy: string;
}

/**
 * @example
 * const world = await startErasureWorld({ chatLatencyMs: 50, functionEnv: { MAX_CONCURRENCY: '2' } });
 * const figures = await measureThroughput(world, { events: 2000, instances: 2, maxDurationMs: 60_000 });
 */
export async function measureThroughput(
  world: ErasureWorld,
  options: { events: number; instances: number; batchSize: number; maxDurationMs: number },
): Promise<ThroughputFigures> {
  const work = closureWorkload('tp', options.events);
  world.chat.seed({ accounts: work.accounts, friendships: work.friendships });
  progress(`throughput: enqueueing ${options.events} account-closure events`);
  await world.enqueue(work.bodies);
  world.chat.clearRequests();

  progress(`throughput: draining through ${options.instances} concurrent instances`);
  const startedAt = performance.now();
  let invocationMs = 0;
  const drained = await world.drain({
    instances: options.instances,
    batchSize: options.batchSize,
    maxDurationMs: options.maxDurationMs,
    onInvocation: (invocation) => {
      invocationMs += invocation.durationMs;
    },
  });
  const drainMs = performance.now() - startedAt;

  const requests = world.chat.requests;
  const arrivals = requests.map((request) => request.receivedAtMs);
  const callSpanMs = arrivals.length > 0 ? Math.max(...arrivals) - Math.min(...arrivals) : 0;
  const outcomes: Record<string, number> = {};
  for (const line of world.logRecords()) {
    if (line.message !== 'erasure' || typeof line.outcome !== 'string') continue;
    outcomes[line.outcome] = (outcomes[line.outcome] ?? 0) + 1;
  }
  return {
    events: options.events,
    instances: options.instances,
    batchSize: options.batchSize,
    calls: requests.length,
    callsPerSecond: arrivalRatePerSecond(arrivals),
    callSpanMs,
    endToEndCallsPerSecond: (requests.length * 1000) / drainMs,
    drainMs,
    throttledAnswers: world.chat.counters.throttled,
    maxCallsInAny1sWindow: maxArrivalsInAnyWindow(arrivals, 1000),
    userSigSigns: world.instances.reduce((sum, instance) => sum + instance.userSigSignatures(), 0),
    invocations: drained.invocations,
    meanInvocationMs: invocationMs / Math.max(drained.invocations, 1),
    meanBatchCycleMs: callSpanMs / Math.max(drained.invocations / options.instances - 1, 1),
    connections: new Set(requests.map((request) => request.remotePort)).size,
    outcomes,
    accountsNotErased: work.userIds.filter((userId) => world.chat.friendsOf(userId).length > 0).length,
    drainStoppedBy: drained.stoppedBy,
  };
}
