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
  checkTargets,
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
import { closureWorkload } from '../../bench/closureEvents.ts';
import { buildSqsEvents } from '../../bench/sqsEventFactory.ts';
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

describe('benchReport', () => {
  it('allows one signature per instance per TTL (renewed min(300 s, TTL/10) before expiry)', () => {
    expect(allowedSignaturesPerInstance(20_000, 3600)).toBe(1);
    expect(allowedSignaturesPerInstance(3_300_000, 3600)).toBe(2);
    expect(allowedSignaturesPerInstance(100_000, 100)).toBe(2); // renewed every 90 s
  });

  const figures = (over: { callsPerSecond: number; throttled: number; cpuMs: number }): BenchFigures => ({
    budgetCallsPerSecond: 200,
    chatLatencyMs: 50,
    userSigTtlSeconds: 3600,
    throughput: {
      events: 2000,
      instances: 2,
      batchSize: 1000,
      calls: 2000,
      callsPerSecond: over.callsPerSecond,
      callSpanMs: 10_000,
      endToEndCallsPerSecond: 190,
      drainMs: 10_500,
      throttledAnswers: over.throttled,
      maxCallsInAny1sWindow: 198,
      userSigSigns: 2,
      invocations: 200,
      meanInvocationMs: 100,
      meanBatchCycleMs: 100,
      connections: 10,
      outcomes: { erased: 2000 },
      accountsNotErased: 0,
      drainStoppedBy: 'empty',
    },
    naive: {
      events: 300,
      calls: 300,
      callsPerSecond: 20,
      wallMs: 15_000,
      connections: 300,
      secretFetches: 300,
      userSigSigns: 300,
      failures: 0,
    },
    cpu: {
      records: 3000,
      invocations: 300,
      cpuMsPerRecord: over.cpuMs,
      userMsPerRecord: over.cpuMs,
      systemMsPerRecord: 0,
      wallMsPerRecord: 1,
      failedRecords: 0,
      simulatorCpuMsPerCall: 0.4,
      callBudgetPerSecond: 100_000,
      bareHttpCpuMsPerCall: 0.05,
    },
    coldImport: [{ importMs: 90, importCpuMs: 85, sinceProcessStartMs: 120 }],
    coldImportMedianMs: 90,
    bundleBytes: 1000,
    benchMs: 60_000,
    nodeVersion: 'v24.21.0',
    loadAverage: 0.5,
    cpuCount: 2,
  });

  it('judges each figure against its target', () => {
    const met = Object.fromEntries(
      checkTargets(figures({ callsPerSecond: 195, throttled: 0, cpuMs: 0.09 })).map((c) => [c.key, c.met]),
    );
    expect(met).toEqual({
      throughput: true,
      max_calls_in_any_1s_window: true,
      speedup: true,
      cpu_ms_per_record: true,
      cold_import_ms: true,
      usersig_signs: true,
    });
    const missed = checkTargets(figures({ callsPerSecond: 195, throttled: 1, cpuMs: 0.2 }));
    expect(missed.find((c) => c.key === 'throughput')?.met).toBe(false);
    expect(missed.find((c) => c.key === 'cpu_ms_per_record')?.met).toBe(false);
  });

  it('puts every required key at the top of the JSON report, and prints a table', () => {
    const sample = figures({ callsPerSecond: 150, throttled: 0, cpuMs: 0.3 });
    const report = toJsonReport(sample);
    for (const key of [
      'throughput_calls_per_s',
      'budget_calls_per_s',
      'throttled_answers',
      'max_calls_in_any_1s_window',
      'naive_calls_per_s',
      'speedup',
      'cpu_ms_per_record',
      'cold_import_ms',
      'bundle_bytes',
      'usersig_signs',
    ]) {
      expect(report).toHaveProperty(key);
      expect(typeof report[key]).toBe('number');
    }
    expect(report.speedup).toBe(7.5);
    expect(toTable(sample)).toMatch(/throughput \(calls\/s\)\s+150 = 75% of 200, 0 throttled\s+.*NO/);
  });
});
