/**
 * Handler CPU per record and per Chat call. The simulator (zero latency, no call limit) stays in this
 * process; the handler runs in a child process (handlerCpuWorker.ts), so the worker's `process.cpuUsage()`
 * holds no simulator work. This process's own CPU over the same window is reported too: it is what the
 * simulator spent answering (verifying every UserSig, the data, the log), i.e. what was kept out. The
 * calls a record made are counted at the simulator. The same worker then replays those calls bare (same
 * commands, same bodies, same answers; undici keep-alive, answer parsed): the floor per call.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { RequestLogEntry } from '../sim/chat-api/index.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { callTemplateOf } from './callTemplate.ts';
import { closureWorkload } from './closureEvents.ts';
import { type CpuProfile, componentOfSource, componentTimes } from './cpuProfile.ts';
import { type WorkerMessage, type WorkerParams, workerMessageSchema } from './handlerCpuProtocol.ts';
import { progress } from './progress.ts';

export interface HandlerCpuFigures {
  records: number;
  invocations: number;
  cpuMsPerRecord: number;
  /** Chat calls the simulator received in the measured window / records. */
  callsPerRecord: number;
  /** cpuMsPerRecord / callsPerRecord. */
  cpuMsPerCall: number;
  /** The commands of one record, in order (what the floor replays). */
  recordCalls: string[];
  userMsPerRecord: number;
  systemMsPerRecord: number;
  /** Wall time per record through one instance, sequential invocations of 10 (pacer not binding). */
  wallMsPerRecord: number;
  failedRecords: number;
  /** The simulator's (this process's) CPU per call over the measured window: excluded from the figure. */
  simulatorCpuMsPerCall: number;
  /** The budget the worker's instance ran with (high, so the pacer does not dominate). */
  callBudgetPerSecond: number;
  /**
   * The floor: CPU per call of the same calls with nothing around them (the same bodies and answers,
   * keep-alive undici, answer parsed), calls counted at the simulator.
   */
  bareHttpCpuMsPerCall: number;
  bareHttpCalls: number;
  /** `--cpu-profile` only. */
  breakdown?: CpuBreakdown;
}

type WorkerResult = Extract<WorkerMessage, { type: 'result' }>;

/** Worker output kept for an error message (its stdout, the function's logs, is discarded). */
const MAX_STDERR_CHARS = 4000;

const HIGH_CALL_BUDGET_PER_SECOND = 100_000;

async function runWorker(
  world: ErasureWorld,
  params: WorkerParams,
  timeoutMs: number,
): Promise<{ result: WorkerResult; simulatorCpuMsPerCall: number; calls: number; log: RequestLogEntry[] }> {
  const work = closureWorkload(params.workloadPrefix, params.warmupRecords + params.measuredRecords);
  world.chat.seed({ accounts: work.accounts, friendships: work.friendships });
  world.chat.clearRequests();
  const worker = spawn(
    process.execPath,
    [fileURLToPath(new URL('./handlerCpuWorker.ts', import.meta.url)), JSON.stringify(params)],
    {
      env: { ...process.env, ...world.env, CALL_BUDGET_PER_SECOND: String(HIGH_CALL_BUDGET_PER_SECOND) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  worker.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  let simulatorCpuStart: NodeJS.CpuUsage | undefined;
  let callsBefore = 0;
  const result = await new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.kill('SIGKILL');
      reject(new Error(`CPU worker (${params.subject}) did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.on('message', (raw) => {
      const message = workerMessageSchema.parse(raw);
      if (message.type === 'ready') {
        callsBefore = world.chat.counters.received;
        simulatorCpuStart = process.cpuUsage();
        worker.send({ type: 'go' });
        return;
      }
      clearTimeout(timer);
      resolve(message);
    });
    worker.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`CPU worker (${params.subject}) exited (${signal ?? code}) early: ${stderr.trim()}`));
    });
  });
  const simulatorCpu = process.cpuUsage(simulatorCpuStart);
  const calls = world.chat.counters.received - callsBefore;
  await exited;
  return {
    result,
    simulatorCpuMsPerCall: (simulatorCpu.user + simulatorCpu.system) / 1000 / Math.max(calls, 1),
    calls,
    log: world.chat.requests,
  };
}

/**
 * @example
 * const cpu = await measureHandlerCpu(world, { bundleUrl, warmupRecords: 500, measuredRecords: 3000, timeoutMs: 60_000 });
 */
export async function measureHandlerCpu(
  world: ErasureWorld,
  options: {
    bundleUrl: URL;
    warmupRecords: number;
    measuredRecords: number;
    timeoutMs: number;
    /** Also profile both subjects (separate runs: the profiler's overhead stays out of the figures). */
    profile?: boolean;
  },
): Promise<HandlerCpuFigures> {
  world.chat.setLatencyMs(0);
  world.chat.setCallsPerSecond(Number.POSITIVE_INFINITY);
  const common = {
    bundleUrl: options.bundleUrl.href,
    queueArn: world.queue.arn,
    region: world.sqs.region,
    warmupRecords: options.warmupRecords,
    measuredRecords: options.measuredRecords,
  };
  progress(
    `handler CPU: ${options.warmupRecords} warm-up + ${options.measuredRecords} measured records in a worker process`,
  );
  const handler = await runWorker(
    world,
    { ...common, subject: 'handler', workloadPrefix: 'cpu', template: [] },
    options.timeoutMs,
  );
  // The calls of one measured record, as the simulator logged them: what the floor replays per record.
  const sampleUser = closureWorkload('cpu', options.warmupRecords + options.measuredRecords).userIds[
    options.warmupRecords
  ] as string;
  const template = callTemplateOf(handler.log, sampleUser);
  const callsPerRecord = handler.calls / handler.result.records;
  if (template.length !== callsPerRecord) {
    throw new Error(
      `handler CPU: records made ${callsPerRecord} calls on average but ${sampleUser} made ${template.length}; the floor would not replay the same calls`,
    );
  }
  progress(`handler CPU: the same ${template.length} calls per record as bare HTTP requests (the floor)`);
  const bare = await runWorker(
    world,
    { ...common, subject: 'bare-http', workloadPrefix: 'flr', template },
    options.timeoutMs,
  );

  let breakdown: CpuBreakdown | undefined;
  if (options.profile) {
    progress('handler CPU: both again under the V8 profiler, for where the CPU goes');
    const profiled = await runWorker(
      world,
      { ...common, subject: 'handler', workloadPrefix: 'cpp', template: [], profile: true },
      options.timeoutMs,
    );
    const floorProfiled = await runWorker(
      world,
      { ...common, subject: 'bare-http', workloadPrefix: 'flp', template, profile: true },
      options.timeoutMs,
    );
    breakdown = await cpuBreakdown(options.bundleUrl, profiled, floorProfiled);
  }

  const { result } = handler;
  const cpuMsPerRecord = (result.cpuUserMs + result.cpuSystemMs) / result.records;
  return {
    records: result.records,
    invocations: result.invocations,
    cpuMsPerRecord,
    callsPerRecord,
    cpuMsPerCall: cpuMsPerRecord / callsPerRecord,
    recordCalls: template.map((call) => `${call.service}/${call.command}`),
    userMsPerRecord: result.cpuUserMs / result.records,
    systemMsPerRecord: result.cpuSystemMs / result.records,
    wallMsPerRecord: result.wallMs / result.records,
    failedRecords: result.failedRecords + bare.result.failedRecords,
    simulatorCpuMsPerCall: handler.simulatorCpuMsPerCall,
    callBudgetPerSecond: HIGH_CALL_BUDGET_PER_SECOND,
    bareHttpCpuMsPerCall: (bare.result.cpuUserMs + bare.result.cpuSystemMs) / Math.max(bare.calls, 1),
    bareHttpCalls: bare.calls,
    ...(breakdown === undefined ? {} : { breakdown }),
  };
}

/** Where one call's CPU goes, handler against floor, from profiles of separate runs. */
export interface CpuBreakdown {
  /** Largest difference first; ms per Chat call of sampled self time ((idle) left out). */
  components: { component: string; handlerMsPerCall: number; floorMsPerCall: number }[];
  handlerProfiledMsPerCall: number;
  floorProfiledMsPerCall: number;
}

async function cpuBreakdown(
  bundleUrl: URL,
  handler: { result: WorkerResult; calls: number },
  floor: { result: WorkerResult; calls: number },
): Promise<CpuBreakdown> {
  const rootHref = new URL('..', import.meta.url).href;
  const sourceMap = new SourceMap(JSON.parse(await readFile(new URL(`${bundleUrl.href}.map`), 'utf8')));
  const relative = (url: string) => (url.startsWith(rootHref) ? url.slice(rootHref.length) : url);
  const resolve = (url: string, line: number, column: number): string | undefined => {
    if (url === bundleUrl.href) {
      const entry = sourceMap.findEntry(line, column);
      return 'originalSource' in entry ? componentOfSource(relative(entry.originalSource)) : '(bundle)';
    }
    if (url.startsWith('node:') || url.startsWith(rootHref)) return componentOfSource(relative(url));
    return '(other)';
  };
  const perCall = (run: { result: WorkerResult; calls: number }) =>
    new Map(
      componentTimes(run.result.profile as CpuProfile, resolve).map(({ component, ms }) => [
        component,
        ms / Math.max(run.calls, 1),
      ]),
    );
  const handlerTimes = perCall(handler);
  const floorTimes = perCall(floor);
  const sum = (times: Map<string, number>) => [...times.values()].reduce((a, b) => a + b, 0);
  const components = [...new Set([...handlerTimes.keys(), ...floorTimes.keys()])]
    .map((component) => ({
      component,
      handlerMsPerCall: handlerTimes.get(component) ?? 0,
      floorMsPerCall: floorTimes.get(component) ?? 0,
    }))
    .sort((a, b) => b.handlerMsPerCall - b.floorMsPerCall - (a.handlerMsPerCall - a.floorMsPerCall));
  return {
    components,
    handlerProfiledMsPerCall: sum(handlerTimes),
    floorProfiledMsPerCall: sum(floorTimes),
  };
}
