/**
 * Smoke tests of the benchmark's pure helpers: the definitions behind the figures it reports. The timed
 * benchmark itself (`npm run bench`) is not run here; speed targets live there, not in tests.
 */
import { createHash } from 'node:crypto';
import type { Metafile } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalRatePerSecond, maxArrivalsInAnyWindow, median, spread } from '../../bench/arrivalStats.ts';
import {
  allowedSignaturesPerInstance,
  type BenchFigures,
  busiestSeconds,
  coldImportRatioOf,
  cpuRatioOf,
  markdownTable,
  reportRows,
  speedupOf,
  toJsonReport,
  toTable,
} from '../../bench/benchReport.ts';
import {
  bytesByPackage,
  dependencyImports,
  entrySourceFor,
  packageOfInput,
  stubSourceFor,
} from '../../bench/bundleAttribution.ts';
import { callTemplateOf, fillBody, USER_MARK } from '../../bench/callTemplate.ts';
import { closureWorkload } from '../../bench/closureEvents.ts';
import {
  bindingCommands,
  type CommandLoad,
  commandLoads,
  type LoggedCall,
  paceLosses,
  ratio,
  THROTTLED_ERROR_CODE,
  withinBudgets,
} from '../../bench/commandLoad.ts';
import { type CpuProfile, componentOfSource, componentTimes } from '../../bench/cpuProfile.ts';
import { NAIVE_IMPORT_SOURCE } from '../../bench/naiveImport.ts';
import { buildSqsEvents } from '../../bench/sqsEventFactory.ts';
import type { ThroughputFigures } from '../../bench/throughputRun.ts';
import { SlidingRateWindow } from '../../sim/chat-api/index.ts';

describe('arrivalRatePerSecond', () => {
  it('counts n − 1 gaps over the first-to-last span', () => {
    expect(arrivalRatePerSecond([0, 10, 20, 30])).toBe(100);
    expect(arrivalRatePerSecond([1000, 0, 500])).toBe(2);
  });

  it('is 0 with fewer than two arrivals', () => {
    expect(arrivalRatePerSecond([])).toBe(0);
    expect(arrivalRatePerSecond([5])).toBe(0);
  });
});

describe('maxArrivalsInAnyWindow', () => {
  it('uses the half-open window (t − 1000, t] of the simulator', () => {
    expect(maxArrivalsInAnyWindow([0, 500, 999, 1000])).toBe(3);
    expect(maxArrivalsInAnyWindow([0, 500, 999])).toBe(3);
    expect(maxArrivalsInAnyWindow([])).toBe(0);
  });

  it('agrees with the simulator: a limit of L admits everything exactly when no window holds more', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        (raw, limit) => {
          const arrivals = [...raw].sort((a, b) => a - b);
          const window = new SlidingRateWindow(limit);
          const allAdmitted = arrivals.map((at) => window.admit(at)).every(Boolean);
          expect(allAdmitted).toBe(maxArrivalsInAnyWindow(arrivals) <= limit);
        },
      ),
    );
  });
});

describe('median and spread', () => {
  it('takes the middle, or the mean of the two middle samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(spread([5, 1, 9, 3])).toEqual({ min: 1, median: 4, max: 9 });
  });
});

describe('closureWorkload', () => {
  it('names distinct accounts, each with two-way friendships, in valid account-closure bodies', () => {
    const work = closureWorkload('tp', 120, { occurredAt: new Date('2026-11-25T10:00:00Z') });
    expect(new Set(work.userIds).size).toBe(120);
    expect(work.bodies).toHaveLength(120);
    expect(JSON.parse(work.bodies[7] as string)).toEqual({
      userId: 'bench_tp_007',
      requestId: 'bench-tp-7',
      occurredAt: '2026-11-25T10:00:00.000Z',
    });
    for (const userId of work.userIds) expect(Buffer.byteLength(userId)).toBeLessThanOrEqual(32);
    expect(work.friendships.filter(([a]) => a === 'bench_tp_000')).toHaveLength(2);
    const known = new Set(work.accounts);
    for (const [a, b, kind] of work.friendships) {
      expect(known.has(a) && known.has(b)).toBe(true);
      expect(kind).toBe('both');
    }
  });

  it('refuses a prefix that could make a userId too long', () => {
    expect(() => closureWorkload('much-too-long', 1)).toThrow(RangeError);
  });
});

describe('buildSqsEvents', () => {
  it('splits bodies into events of 10 records shaped as Lambda delivers them', () => {
    const bodies = closureWorkload('ev', 23).bodies;
    const source = { queueArn: 'arn:aws:sqs:us-east-1:000000000000:chat-erasure-queue', region: 'us-east-1' };
    const events = buildSqsEvents(bodies, source, { sentAtMs: 1_764_000_000_000 });
    expect(events.map((event) => event.Records.length)).toEqual([10, 10, 3]);
    const record = events[2]?.Records[0];
    expect(record).toMatchObject({
      body: bodies[20],
      md5OfBody: createHash('md5')
        .update(bodies[20] as string)
        .digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: source.queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764000000000' },
    });
    const ids = events.flatMap((event) => event.Records.map((r) => r.messageId));
    expect(new Set(ids).size).toBe(23);
  });

  it('refuses batches the SQS event source cannot deliver', () => {
    expect(() => buildSqsEvents([], { queueArn: 'arn:x', region: 'r' }, { batchSize: 11 })).toThrow(
      RangeError,
    );
  });
});

describe('bundle attribution helpers', () => {
  it('names the innermost package of an input path', () => {
    expect(packageOfInput('node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(packageOfInput('node_modules/a/node_modules/undici/lib/api/index.js')).toBe('undici');
    expect(packageOfInput('src/handler.ts')).toBe('src');
  });

  it('adds output bytes per package, largest first', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'dist/handler.mjs': {
          bytes: 60,
          inputs: {
            'node_modules/zod/v4/a.js': { bytesInOutput: 10 },
            'node_modules/zod/v4/b.js': { bytesInOutput: 15 },
            'src/handler.ts': { bytesInOutput: 30 },
          },
          imports: [],
          exports: [],
        },
      },
    } as unknown as Metafile;
    expect(bytesByPackage(metafile)).toEqual([
      { name: 'src', bytes: 30 },
      { name: 'zod', bytes: 25 },
    ]);
  });

  it('reads value imports of dependencies, leaving out types, relative and node: imports', () => {
    const sources = [
      "import { Agent, type Dispatcher, request } from 'undici';\nimport { x } from './local.ts';",
      "import type { Context } from 'aws-lambda';\nimport { createHmac } from 'node:crypto';",
      "import {\n  SendMessageCommand,\n  type SQSClient,\n} from '@aws-sdk/client-sqs';",
      "import * as z from 'zod';\nconst s = z.object({ a: z.string().min(1) });",
    ];
    const found = dependencyImports(sources);
    expect(found).toEqual([
      { specifier: '@aws-sdk/client-sqs', named: ['SendMessageCommand'], namespaceMembers: [] },
      { specifier: 'undici', named: ['Agent', 'request'], namespaceMembers: [] },
      { specifier: 'zod', named: [], namespaceMembers: ['object', 'string'] },
    ]);
    expect(entrySourceFor(found[1] as (typeof found)[number])).toBe(
      "export { Agent, request } from 'undici';\n",
    );
    expect(entrySourceFor(found[2] as (typeof found)[number])).toContain(
      'dependency.object, dependency.string',
    );
  });
});

describe('stubSourceFor', () => {
  it('stands in an empty class for each imported name, and refuses namespace imports', () => {
    expect(stubSourceFor({ specifier: 'undici', named: ['Agent', 'request'], namespaceMembers: [] })).toBe(
      'export class Agent {}\nexport class request {}\n',
    );
    expect(stubSourceFor({ specifier: 'zod', named: [], namespaceMembers: ['object'] })).toBeUndefined();
  });
});

describe('per-command load', () => {
  /** `count` arrivals of one command, `spacingMs` apart from `startMs`. */
  const stream = (command: string, count: number, spacingMs: number, startMs = 0): LoggedCall[] =>
    Array.from({ length: count }, (_, i) => ({
      service: command.split('/')[0] as string,
      command: command.split('/')[1] as string,
      receivedAtMs: startMs + i * spacingMs,
    }));
  const budgets = (command: string) => (command === 'im_open_login_svc/account_delete' ? 100 : 200);

  it('rates, shares and busiest seconds each command against its own budget', () => {
    const calls = [
      ...stream('sns/friend_get', 201, 5), // 200 calls/s over 1 s: the whole budget
      ...stream('sns/friend_delete_all', 101, 10), // 100/s: half
      ...stream('im_open_login_svc/account_delete', 51, 20), // 50/s of 100: half
    ];
    const loads = commandLoads(calls, budgets);
    expect(loads.map((load) => load.command)).toEqual([
      'sns/friend_get',
      'im_open_login_svc/account_delete',
      'sns/friend_delete_all',
    ]);
    expect(loads[0]).toMatchObject({ calls: 201, callsPerSecond: 200, budget: 200, shareOfBudget: 1 });
    expect(loads[0]?.busiestSecond).toBe(200); // (0, 1000] holds 200 of them
    expect(loads[1]).toMatchObject({ budget: 100, shareOfBudget: 0.5, busiestSecond: 50 });
    expect(loads[2]).toMatchObject({ callsPerSecond: 100, shareOfBudget: 0.5 });
  });

  it('counts throttled answers per command', () => {
    const calls = stream('sns/friend_get', 3, 1).map((call, i) =>
      i === 1 ? { ...call, errorCode: THROTTLED_ERROR_CODE } : { ...call, errorCode: 0 },
    );
    expect(commandLoads(calls, budgets)[0]?.throttled).toBe(1);
  });

  it('binds the run to the busiest share and any command within the tolerance of it', () => {
    const load = (command: string, shareOfBudget: number, calls = 100): CommandLoad => ({
      command,
      calls,
      callsPerSecond: shareOfBudget * 200,
      budget: 200,
      shareOfBudget,
      busiestSecond: 0,
      throttled: 0,
    });
    const loads = [
      load('sns/friend_get', 0.95),
      load('sns/group_get', 0.93),
      load('sns/friend_delete_all', 0.5),
      load('sns/group_delete', 0.99, 3), // a handful of calls cannot bind a run
    ];
    expect(bindingCommands(loads).map((l) => l.command)).toEqual(['sns/friend_get', 'sns/group_get']);
    expect(bindingCommands(loads, { tolerance: 0.01 }).map((l) => l.command)).toEqual(['sns/friend_get']);
  });

  it('is within budgets only when no command’s busiest second exceeds its budget', () => {
    const calls = stream('sns/friend_get', 201, 4); // 200 in 796 ms: one window holds all 201
    expect(withinBudgets(commandLoads(calls, budgets))).toBe(false);
    expect(withinBudgets(commandLoads(stream('sns/friend_get', 201, 5), budgets))).toBe(true);
  });

  it('names the busiest seconds against their budgets, the rest summarised', () => {
    const loads = commandLoads(
      [
        ...stream('sns/friend_get', 201, 5),
        ...stream('sns/group_get', 101, 10),
        ...stream('im_open_login_svc/account_delete', 51, 20),
      ],
      budgets,
    );
    expect(busiestSeconds(loads)).toBe('friend_get 200/200, account_delete 50/100, group_get 100/200');
    expect(busiestSeconds(loads, 1)).toBe('friend_get 200/200, 2 more ≤ 50 %');
  });
});

describe('paceLosses', () => {
  const sum = (losses: Record<string, number>) => Object.values(losses).reduce((a, b) => a + b, 0);
  const every = (count: number, spacingMs: number, startMs = 0) =>
    Array.from({ length: count }, (_, i) => startMs + i * spacingMs);

  it('is all used and headroom when every instance keeps its interval over the whole span', () => {
    const losses = paceLosses([every(101, 10.2), every(101, 10.2, 5)], {
      sharePerSecond: 100,
      intervalMs: 10.2,
    });
    expect(losses.gaps).toBe(0);
    expect(losses.lateness).toBeCloseTo(0, 10);
    expect(losses.headroom / (losses.used + losses.headroom)).toBeCloseTo(0.2 / 10.2);
    expect(losses.inactive).toBeCloseTo(10 / 1025); // each instance misses 5 ms of the 1,025 ms span
    expect(sum({ ...losses })).toBeCloseTo(1);
  });

  it('puts small delays in lateness, long spacings in gaps, and a silent instance in inactive', () => {
    const late = every(11, 11); // 1 ms late each time
    const gappy = [...every(6, 10), ...every(5, 10, 150)]; // one 100 ms spacing
    const losses = paceLosses([late, gappy, []], { sharePerSecond: 100, intervalMs: 10 });
    expect(losses.lateness).toBeCloseTo(10 / (3 * 190));
    expect(losses.gaps).toBeCloseTo((100 - 10) / (3 * 190));
    expect(losses.inactive).toBeCloseTo((80 + 190) / (3 * 190)); // late ends at 110; nobody in the third
    expect(sum({ ...losses })).toBeCloseTo(1);
  });

  it('adds up to 1 for any streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 40 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (streams) => {
          fc.pre(new Set(streams.flat()).size > 1);
          expect(sum({ ...paceLosses(streams, { sharePerSecond: 100, intervalMs: 10.2 }) })).toBeCloseTo(
            1,
            6,
          );
        },
      ),
    );
  });
});

describe('CPU profile components', () => {
  it('names the package, the project folder or the part of Node a source belongs to', () => {
    expect(componentOfSource('../node_modules/@smithy/core/dist-es/index.js')).toBe('@smithy/core');
    expect(componentOfSource('../node_modules/undici/lib/dispatcher/pool.js')).toBe('undici');
    expect(componentOfSource('../src/chat/chatRestClient.ts')).toBe('src/chat');
    expect(componentOfSource('src/handler.ts')).toBe('src');
    expect(componentOfSource('bench/handlerCpuWorker.ts')).toBe('bench');
    expect(componentOfSource('node:internal/streams/readable')).toBe('node:internal/streams');
    expect(componentOfSource('node:fs')).toBe('node:fs');
  });

  it('charges self time to the innermost frame with a script, built-ins to their caller, GC apart', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
        { id: 2, callFrame: frame('post', 'file:///p/node_modules/undici/index.js'), children: [3] },
        { id: 3, callFrame: frame('parse'), children: [4] }, // JSON.parse: no script, charged to undici
        { id: 4, callFrame: frame('inner') },
        { id: 5, callFrame: frame('(garbage collector)') },
        { id: 6, callFrame: frame('(idle)') },
      ],
      samples: [2, 3, 4, 5, 6, 2],
      timeDeltas: [0, 1000, 2000, 3000, 4000, 5000], // µs before each sample
    };
    const resolve = (url: string) => (url.includes('node_modules/undici') ? 'undici' : undefined);
    expect(componentTimes(profile, resolve)).toEqual([
      { component: 'undici', ms: 1 + 2 + 3 },
      { component: '(garbage collector)', ms: 4 },
    ]);
  });
});

describe('ratio', () => {
  it('divides, and is NaN (not 0 or Infinity) without a positive whole', () => {
    expect(ratio(0.39, 0.3)).toBeCloseTo(1.3);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, Number.NaN)).toBeNaN();
  });
});

describe('callTemplateOf', () => {
  const logged = (command: string, receivedAtMs: number, body: unknown) => ({
    service: 'sns',
    command,
    receivedAtMs,
    body,
  });

  it('keeps one user’s calls in arrival order, bodies byte for byte with the userId marked', () => {
    const log = [
      logged('group_get', 2, { From_Account: 'bench_cpu_0001', NeedFriend: 'Need_Friend_Type_No' }),
      logged('friend_get', 1, { From_Account: 'bench_cpu_0001', StartIndex: 0 }),
      logged('friend_get', 3, { From_Account: 'bench_cpu_0002', StartIndex: 0 }),
      logged('friend_delete_all', 4, { From_Account: 'bench_cpu_0001', DeleteType: 'Delete_Type_Both' }),
    ];
    const template = callTemplateOf(log, 'bench_cpu_0001');
    expect(template.map((call) => call.command)).toEqual(['friend_get', 'group_get', 'friend_delete_all']);
    expect(template[0]?.bodyTemplate).toBe(`{"From_Account":"${USER_MARK}","StartIndex":0}`);
    expect(fillBody(template[0] as (typeof template)[0], 'bench_cpu_0042')).toBe(
      JSON.stringify({ From_Account: 'bench_cpu_0042', StartIndex: 0 }),
    );
  });

  it('replaces the userId inside other strings too, and round-trips any userId', () => {
    const [call] = callTemplateOf([logged('destroy_group', 1, { GroupId: 'u"1-g-alone' })], 'u"1');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((id) => !id.includes('\u0000')),
        (userId) => {
          expect(JSON.parse(fillBody(call as NonNullable<typeof call>, userId))).toEqual({
            GroupId: `${userId}-g-alone`,
          });
        },
      ),
    );
  });
});

describe('naive import source', () => {
  it('imports each of the card’s packages from its plain entry, and exports what it imports', () => {
    for (const specifier of [
      'undici',
      'zod',
      '@aws-sdk/client-secrets-manager',
      '@aws-sdk/client-sqs',
      '@aws-lambda-powertools/logger',
      '@aws-lambda-powertools/metrics',
      '@aws-lambda-powertools/batch',
      '@aws-lambda-powertools/parameters/secrets',
    ]) {
      expect(NAIVE_IMPORT_SOURCE).toContain(`from '${specifier}';`);
    }
    const imported = [...NAIVE_IMPORT_SOURCE.matchAll(/import \{([^}]*)\}/g)].flatMap(([, names = '']) =>
      names.split(',').map((name) => name.trim()),
    );
    const exported = (/export \{([^}]*)\}/.exec(NAIVE_IMPORT_SOURCE)?.[1] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    expect(new Set(exported)).toEqual(new Set(imported));
  });
});

describe('benchReport', () => {
  it('allows one signature per instance per TTL (renewed min(300 s, TTL/10) before expiry)', () => {
    expect(allowedSignaturesPerInstance(20_000, 3600)).toBe(1);
    expect(allowedSignaturesPerInstance(3_300_000, 3600)).toBe(2);
    expect(allowedSignaturesPerInstance(100_000, 100)).toBe(2); // renewed every 90 s
  });

  const load = (
    command: string,
    shareOfBudget: number,
    busiestSecond: number,
    budget = 200,
  ): CommandLoad => ({
    command,
    calls: 2000,
    callsPerSecond: shareOfBudget * budget,
    budget,
    shareOfBudget,
    busiestSecond,
    throttled: 0,
  });

  const run = (over: { share: number; throttled: number; busiest?: number }): ThroughputFigures => ({
    plan: 'friends',
    isolation: 'process',
    events: 2000,
    instances: 2,
    batchSize: 1000,
    calls: 10_000,
    callsPerSecond: over.share * 500,
    callSpanMs: 10_000,
    endToEndCallsPerSecond: 450,
    drainMs: 10_500,
    erasures: 2000,
    erasuresPerSecond: over.share * 100,
    callsPerErasure: 5,
    throttledAnswers: over.throttled,
    maxCallsInAny1sWindow: 490,
    perCommand: [
      load('sns/friend_get', over.share, over.busiest ?? 196),
      load('sns/group_get', over.share, 195),
      load('sns/friend_delete_all', over.share / 2, 98),
    ],
    binding: ['sns/friend_get', 'sns/group_get'],
    shareOfBudget: over.share,
    bindingLosses: {
      'sns/friend_get': {
        used: over.share,
        headroom: 0.02,
        lateness: 0.98 - over.share,
        gaps: 0,
        inactive: 0,
      },
    },
    userSigSigns: 2,
    invocations: 2,
    meanInvocationMs: 10_000,
    meanBatchCycleMs: 10_000,
    connections: 10,
    outcomes: { erased: 2000 },
    accountsNotErased: 0,
    drainStoppedBy: 'empty',
    hostLoopDelay: { meanMs: 1, p99Ms: 5, maxMs: 9 },
  });

  const figures = (over: {
    share: number;
    throttled: number;
    cpuMsPerCall: number;
    importMs?: number;
    busiest?: number;
  }): BenchFigures => ({
    budgetCallsPerSecond: 200,
    chatLatencyMs: 50,
    userSigTtlSeconds: 3600,
    throughput: run(over),
    throughputSharedLoop: run({ share: 0.9, throttled: 0 }),
    fullPlan: { ...run({ share: 0.98, throttled: 0 }), plan: 'kick,friends,blocklist', callsPerErasure: 39 },
    naive: {
      events: 60,
      calls: 300,
      callsPerSecond: 20,
      wallMs: 15_000,
      connections: 60,
      secretFetches: 60,
      userSigSigns: 60,
      failures: 0,
      recordCalls: [
        'sns/friend_get',
        'sns/group_get',
        'sns/friend_delete_all',
        'sns/friend_get',
        'sns/group_get',
      ],
      erasuresPerSecond: 4,
    },
    cpu: {
      records: 3000,
      invocations: 300,
      cpuMsPerRecord: over.cpuMsPerCall * 5,
      callsPerRecord: 5,
      cpuMsPerCall: over.cpuMsPerCall,
      recordCalls: [
        'sns/friend_get',
        'sns/group_get',
        'sns/friend_delete_all',
        'sns/friend_get',
        'sns/group_get',
      ],
      userMsPerRecord: over.cpuMsPerCall * 5,
      systemMsPerRecord: 0,
      wallMsPerRecord: 1,
      failedRecords: 0,
      simulatorCpuMsPerCall: 0.4,
      callBudgetPerSecond: 100_000,
      bareHttpCpuMsPerCall: 0.1,
      bareHttpCalls: 15_000,
    },
    coldImport: [{ importMs: over.importMs ?? 50, importCpuMs: 45, sinceProcessStartMs: 80 }],
    coldImportMedianMs: over.importMs ?? 50,
    coldImportNaive: [{ importMs: 120, importCpuMs: 110, sinceProcessStartMs: 150 }],
    coldImportNaiveMedianMs: 120,
    naiveBundleBytes: 1_400_000,
    bundleBytes: 900_000,
    benchMs: 90_000,
    nodeVersion: 'v24.21.0',
    loadAverage: 0.5,
    loadAverageAtEnd: 1.5,
    cpuCount: 2,
  });

  it('computes the ratios: CPU per call over the floor per call, cold import over the naive bundle’s', () => {
    const sample = figures({ share: 0.98, throttled: 0, cpuMsPerCall: 0.12, importMs: 60 });
    expect(cpuRatioOf(sample.cpu)).toBeCloseTo(1.2);
    expect(coldImportRatioOf(sample)).toBeCloseTo(0.5);
    expect(speedupOf(sample)).toBeCloseTo(24.5);
  });

  it('judges each figure against its target', () => {
    const metOf = (sample: BenchFigures) =>
      Object.fromEntries(
        reportRows(sample).flatMap((row) => (row.met === undefined ? [] : [[row.key, row.met]])),
      );
    expect(metOf(figures({ share: 0.98, throttled: 0, cpuMsPerCall: 0.12 }))).toEqual({
      throughput: true,
      throughput_shared_loop: false,
      max_calls_in_any_1s_window: true,
      full_plan_throughput: true,
      full_plan_max_calls_in_any_1s_window: true,
      speedup: true,
      cpu_ratio: true,
      cold_import_ratio: true,
      usersig_signs: true,
    });
    const missed = metOf(
      figures({ share: 0.98, throttled: 1, cpuMsPerCall: 0.2, importMs: 61, busiest: 201 }),
    );
    expect(missed).toMatchObject({
      throughput: false,
      max_calls_in_any_1s_window: false,
      cpu_ratio: false,
      cold_import_ratio: false,
    });
    expect(metOf(figures({ share: 0.96, throttled: 0, cpuMsPerCall: 0.1 })).throughput).toBe(false);
  });

  it('puts every figure at the top of the JSON report, with per-command lines and targets', () => {
    const report = toJsonReport(figures({ share: 0.9, throttled: 0, cpuMsPerCall: 0.15 }));
    for (const key of [
      'throughput_calls_per_s',
      'budget_calls_per_s',
      'throughput_share_of_budget',
      'throttled_answers',
      'max_calls_in_any_1s_window',
      'erasures_per_s',
      'calls_per_erasure',
      'throughput_shared_loop_calls_per_s',
      'throughput_shared_loop_share_of_budget',
      'full_plan_erasures_per_s',
      'full_plan_calls_per_erasure',
      'full_plan_share_of_budget',
      'naive_calls_per_s',
      'speedup',
      'cpu_ms_per_record',
      'cpu_ms_per_call',
      'cpu_floor_ms_per_call',
      'cpu_ratio',
      'cold_import_ms',
      'cold_import_naive_ms',
      'cold_import_ratio',
      'bundle_bytes',
      'usersig_signs',
    ]) {
      expect(typeof report[key], key).toBe('number');
    }
    expect(report).toMatchObject({
      cpu_ratio: 1.5,
      cold_import_ratio: 0.42,
      throughput_binding_commands: ['sns/friend_get', 'sns/group_get'],
      max_calls_in_any_1s_window: 196,
    });
    expect(report.per_command).toMatchObject({
      default_plan: {
        'sns/friend_get': {
          calls_per_erasure: 1,
          budget_per_s: 200,
          share_of_budget: 0.9,
          busiest_second: 196,
        },
      },
    });
    expect(JSON.stringify(report.targets)).not.toContain('**');
  });

  it('prints a Markdown table of three columns that pastes into README, misses marked', () => {
    const table = toTable(figures({ share: 0.9, throttled: 0, cpuMsPerCall: 0.15 }));
    const rows = table.split('\n\n')[0]?.split('\n') ?? [];
    expect(rows[0]).toMatch(/^\| figure +\| value +\| target +\|$/);
    expect(rows[1]).toMatch(/^\| -+ \| -+ \| -+ \|$/);
    expect(new Set(rows.map((row) => [...row].length)).size).toBe(1); // padded like the formatter pads
    expect(table).toMatch(
      /\*\*90 erasures\/s\*\*.*friend_get 90 %, group_get 90 % of the budget.*— \*\*missed\*\*/,
    );
    expect(table).toMatch(/\*\*ratio 1\.5\*\* +\| ratio ≤ 1\.3 — \*\*missed\*\*/);
  });

  it('pads Markdown cells by characters', () => {
    expect(markdownTable([{ key: 'k', measure: 'm', figure: '≥ 1', target: '' }]).split('\n')).toEqual([
      '| figure | value | target |',
      '| ------ | ----- | ------ |',
      '| m      | ≥ 1   |        |',
    ]);
  });
});
