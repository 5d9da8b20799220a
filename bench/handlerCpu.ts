/**
 * Handler CPU per record. The simulator (zero latency, no call limit) stays in this process; the handler
 * runs in a child process (handlerCpuWorker.ts), so the worker's `process.cpuUsage()` holds no simulator
 * work. This process's own CPU over the same window is reported too: it is what the simulator spent
 * answering (verifying every UserSig, the friend graph, the log), i.e. what was kept out. The same worker
 * then measures the bare HTTP calls alone, the floor the handler's figure sits on.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { closureWorkload } from './closureEvents.ts';
import { type WorkerMessage, type WorkerParams, workerMessageSchema } from './handlerCpuProtocol.ts';
import { progress } from './progress.ts';

export interface HandlerCpuFigures {
  records: number;
  invocations: number;
  cpuMsPerRecord: number;
  userMsPerRecord: number;
  systemMsPerRecord: number;
  /** Wall time per record through one instance, sequential invocations of 10 (pacer not binding). */
  wallMsPerRecord: number;
  failedRecords: number;
  /** The simulator's (this process's) CPU per call over the measured window: excluded from the figure. */
  simulatorCpuMsPerCall: number;
  /** The budget the worker's instance ran with (high, so the pacer does not dominate). */
  callBudgetPerSecond: number;
  /** CPU per call of the same POSTs with nothing around them (keep-alive undici, answer parsed). */
  bareHttpCpuMsPerCall: number;
}

type WorkerResult = Extract<WorkerMessage, { type: 'result' }>;

/** Worker output kept for an error message (its stdout, the function's logs, is discarded). */
const MAX_STDERR_CHARS = 4000;

const HIGH_CALL_BUDGET_PER_SECOND = 100_000;

async function runWorker(
  world: ErasureWorld,
  params: WorkerParams,
  timeoutMs: number,
): Promise<{ result: WorkerResult; simulatorCpuMsPerCall: number }> {
  const work = closureWorkload(params.workloadPrefix, params.warmupRecords + params.measuredRecords);
  world.chat.seed({ accounts: work.accounts, friendships: work.friendships });
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
  };
}

/**
 * @example
 * const cpu = await measureHandlerCpu(world, { bundleUrl, warmupRecords: 500, measuredRecords: 3000, timeoutMs: 60_000 });
 */
export async function measureHandlerCpu(
  world: ErasureWorld,
  options: { bundleUrl: URL; warmupRecords: number; measuredRecords: number; timeoutMs: number },
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
    { ...common, subject: 'handler', workloadPrefix: 'cpu' },
    options.timeoutMs,
  );
  progress('handler CPU: the same calls as bare HTTP requests (the floor)');
  const bare = await runWorker(
    world,
    { ...common, subject: 'bare-http', workloadPrefix: 'flr' },
    options.timeoutMs,
  );

  const { result } = handler;
  return {
    records: result.records,
    invocations: result.invocations,
    cpuMsPerRecord: (result.cpuUserMs + result.cpuSystemMs) / result.records,
    userMsPerRecord: result.cpuUserMs / result.records,
    systemMsPerRecord: result.cpuSystemMs / result.records,
    wallMsPerRecord: result.wallMs / result.records,
    failedRecords: result.failedRecords + bare.result.failedRecords,
    simulatorCpuMsPerCall: handler.simulatorCpuMsPerCall,
    callBudgetPerSecond: HIGH_CALL_BUDGET_PER_SECOND,
    bareHttpCpuMsPerCall: (bare.result.cpuUserMs + bare.result.cpuSystemMs) / bare.result.records,
  };
}
