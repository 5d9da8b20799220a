/**
 * `npm run bench`: measures the built function (dist/handler.mjs) on this machine in one run, against the
 * loopback stand-ins, and prints each figure next to its target (a Markdown table). `-- --json` prints one
 * JSON object on stdout instead (progress goes to stderr); `-- --attribution` adds where the bundle's bytes
 * and cold import go, per dependency; `-- --instances N` runs the throughput phases with N instances (and
 * MAX_CONCURRENCY=N, so the budget split stays right); `-- --cpu-profile` adds where the handler's CPU per
 * call goes against the floor's, and where the cold import goes against the plain-import bundle's,
 * component by component (all profiled again in separate runs).
 *
 * Phases, all in this process's one run, against one simulator (50 ms added latency, 200 calls/s per
 * command): throughput of the default plan with each instance in its own process → the full plan the same
 * way → the default plan with the instances on this event loop → the naive baseline → handler CPU and its
 * floor (child processes, simulator here at zero latency and no limit) → cold import of the bundle and of
 * the plain-import bundle in fresh processes, interleaved. It exits 0 whatever the figures are; only a
 * broken phase exits 1.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startErasureWorld } from '../sim/erasureWorld.ts';
import { FULL_PLAN } from '../sim/planSeeds.ts';
import { median } from './arrivalStats.ts';
import { type BenchFigures, toJsonReport, toTable } from './benchReport.ts';
import { attributeBundle } from './bundleAttribution.ts';
import { callTemplateOf } from './callTemplate.ts';
import { closureWorkload } from './closureEvents.ts';
import { interleavedColdImports } from './coldImport.ts';
import { measureHandlerCpu } from './handlerCpu.ts';
import { profileColdImport } from './importProfile.ts';
import { measureNaive } from './naiveErasure.ts';
import { buildNaiveImportBundle } from './naiveImport.ts';
import { emitReport, progress } from './progress.ts';
import { measureThroughput } from './throughputRun.ts';

const BUDGET_CALLS_PER_SECOND = 200;
const CHAT_LATENCY_MS = 50;
const USERSIG_TTL_SECONDS = 3600;
const THROUGHPUT_EVENTS = 2000;
const FULL_PLAN_EVENTS = 400;
/** A subset: the naive design runs at ~1/(latency + overhead) calls/s; rate is rate. */
const NAIVE_EVENTS = 60;
const CPU_WARMUP_RECORDS = 500;
const CPU_MEASURED_RECORDS = 3000;
const COLD_IMPORT_SAMPLES = 15;
const ATTRIBUTION_SAMPLES = 9;
const IMPORT_PROFILE_ROUNDS = 5;
/** The full plan's custom profile fields (the simulator must know them, the function must erase them). */
const FULL_PLAN_ENV = {
  ERASURE_STEPS: FULL_PLAN,
  PROFILE_CUSTOM_TAGS: 'Tag_Profile_Custom_Hobby, Tag_Profile_Custom_Score:int',
};
/** The whole bench must finish in under 3 minutes; a hung phase is a failure, not a wait. */
const WATCHDOG_MS = 175_000;

const argsSchema = z.object({
  json: z.boolean().default(false),
  attribution: z.boolean().default(false),
  'cpu-profile': z.boolean().default(false),
  instances: z.coerce.number().int().min(1).max(50).default(2),
  // template.yaml's default BatchSize: what a deployment runs with.
  'batch-size': z.coerce.number().int().min(1).max(10_000).default(1000),
});

async function main(): Promise<void> {
  const benchStartedAt = performance.now();
  const loadAverage = loadavg()[0] ?? Number.NaN;
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      attribution: { type: 'boolean' },
      'cpu-profile': { type: 'boolean' },
      instances: { type: 'string' },
      'batch-size': { type: 'string' },
    },
  });
  const args = argsSchema.parse(values);
  const projectRoot = fileURLToPath(new URL('..', import.meta.url));
  const bundleUrl = new URL('../dist/handler.mjs', import.meta.url);
  const bundleBytes = (await stat(bundleUrl)).size;

  const world = await startErasureWorld({
    chatCallsPerSecond: BUDGET_CALLS_PER_SECOND,
    chatLatencyMs: CHAT_LATENCY_MS,
    chatOptions: {
      // Every call of a phase stays in the log (the referee); the CPU phase makes ~17,500.
      maxLoggedRequests: 100_000,
      customProfileTags: ['Tag_Profile_Custom_Hobby', { tag: 'Tag_Profile_Custom_Score', type: 'integer' }],
    },
    // As deployed (template.yaml): a batch may run for seconds, so the queue must keep it invisible.
    queueVisibilityTimeoutSeconds: 365,
    functionEnv: {
      MAX_CONCURRENCY: String(args.instances),
      CALL_BUDGET_PER_SECOND: String(BUDGET_CALLS_PER_SECOND),
      USERSIG_TTL_SECONDS: String(USERSIG_TTL_SECONDS),
    },
    bundleUrl,
  });
  const common = {
    instances: args.instances,
    callBudgetPerSecond: BUDGET_CALLS_PER_SECOND,
    bundleUrl,
    maxDurationMs: 60_000,
  };
  let throughput: BenchFigures['throughput'];
  let throughputSharedLoop: BenchFigures['throughputSharedLoop'];
  let fullPlan: BenchFigures['fullPlan'];
  let naive: BenchFigures['naive'];
  let cpu: BenchFigures['cpu'];
  try {
    throughput = await measureThroughput(world, {
      ...common,
      workload: 'friends',
      isolation: 'process',
      events: THROUGHPUT_EVENTS,
      batchSize: args['batch-size'],
      prefix: 'tp',
    });
    // One record's calls, as the simulator logged them: the naive baseline makes the same ones.
    const [firstUser = ''] = closureWorkload('tp', THROUGHPUT_EVENTS).userIds;
    const recordTemplate = callTemplateOf(world.chat.requests, firstUser);
    progress(
      `throughput: ${throughput.erasuresPerSecond.toFixed(1)} erasures/s, ${throughput.callsPerSecond.toFixed(1)} calls/s`,
    );
    fullPlan = await measureThroughput(world, {
      ...common,
      workload: 'full',
      isolation: 'process',
      events: FULL_PLAN_EVENTS,
      // Every instance gets a share of the users (one batch of everything would leave the others idle).
      batchSize: Math.min(args['batch-size'], Math.ceil(FULL_PLAN_EVENTS / args.instances)),
      functionEnv: FULL_PLAN_ENV,
      prefix: 'fp',
    });
    progress(
      `full plan: ${fullPlan.erasuresPerSecond.toFixed(1)} erasures/s, ${fullPlan.callsPerErasure.toFixed(1)} calls each`,
    );
    throughputSharedLoop = await measureThroughput(world, {
      ...common,
      workload: 'friends',
      isolation: 'shared-loop',
      events: THROUGHPUT_EVENTS,
      batchSize: args['batch-size'],
      prefix: 'sl',
    });
    progress(`shared loop: ${throughputSharedLoop.erasuresPerSecond.toFixed(1)} erasures/s`);
    naive = await measureNaive(world, { events: NAIVE_EVENTS, template: recordTemplate });
    progress(`naive: ${naive.callsPerSecond.toFixed(1)} calls/s`);
    cpu = await measureHandlerCpu(world, {
      bundleUrl,
      warmupRecords: CPU_WARMUP_RECORDS,
      measuredRecords: CPU_MEASURED_RECORDS,
      timeoutMs: 60_000,
      profile: args['cpu-profile'],
    });
    progress(
      `handler CPU: ${cpu.cpuMsPerCall.toFixed(3)} ms/call, floor ${cpu.bareHttpCpuMsPerCall.toFixed(3)} ms/call`,
    );
  } finally {
    await world.close();
  }

  progress('cold import: building the plain-import bundle');
  const naiveBundle = await buildNaiveImportBundle(projectRoot);
  let coldImport: BenchFigures['coldImport'];
  let coldImportNaive: BenchFigures['coldImportNaive'];
  let importProfiles: BenchFigures['importProfiles'];
  try {
    progress(`cold import: ${COLD_IMPORT_SAMPLES} fresh processes per bundle, interleaved`);
    [coldImport = [], coldImportNaive = []] = await interleavedColdImports(
      [bundleUrl, naiveBundle.url],
      COLD_IMPORT_SAMPLES,
    );
    if (args['cpu-profile']) {
      progress(`cold import: both bundles under the V8 profiler, ${IMPORT_PROFILE_ROUNDS} times each`);
      importProfiles = {
        bundle: await profileColdImport(bundleUrl, projectRoot, IMPORT_PROFILE_ROUNDS),
        naive: await profileColdImport(naiveBundle.url, projectRoot, IMPORT_PROFILE_ROUNDS),
      };
    }
  } finally {
    await naiveBundle.dispose();
  }
  let attribution: BenchFigures['attribution'];
  if (args.attribution) {
    progress('attribution: bundling and importing each dependency alone');
    attribution = await attributeBundle({
      projectRoot,
      bundleBytes,
      samplesPerDependency: ATTRIBUTION_SAMPLES,
    });
  }

  const figures: BenchFigures = {
    budgetCallsPerSecond: BUDGET_CALLS_PER_SECOND,
    chatLatencyMs: CHAT_LATENCY_MS,
    userSigTtlSeconds: USERSIG_TTL_SECONDS,
    throughput,
    throughputSharedLoop,
    fullPlan,
    naive,
    cpu,
    coldImport,
    coldImportMedianMs: median(coldImport.map((sample) => sample.importMs)),
    coldImportNaive,
    coldImportNaiveMedianMs: median(coldImportNaive.map((sample) => sample.importMs)),
    naiveBundleBytes: naiveBundle.bytes,
    bundleBytes,
    ...(attribution === undefined ? {} : { attribution }),
    ...(importProfiles === undefined ? {} : { importProfiles }),
    benchMs: performance.now() - benchStartedAt,
    nodeVersion: process.version,
    loadAverage,
    loadAverageAtEnd: loadavg()[0] ?? Number.NaN,
    cpuCount: availableParallelism(),
  };
  await emitReport(args.json ? JSON.stringify(toJsonReport(figures)) : toTable(figures));
}

const watchdog = setTimeout(() => {
  progress(`gave up after ${WATCHDOG_MS / 1000} s: a phase hung`);
  process.exit(1);
}, WATCHDOG_MS);

try {
  await main();
  clearTimeout(watchdog);
  // The instances' keep-alive pools and SDK clients live in module copies nothing outside can close;
  // every server is closed, so end here instead of waiting for their idle timers.
  process.exit(0);
} catch (error) {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
