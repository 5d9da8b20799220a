/**
 * `npm run chaos [-- --events 20000 --seed 7 --instances 2 --budget 2000 --fault-probability 0.1
 *   --dlq-outage-ms 2000 --secrets-outage-ms 2000]`:
 * the chaos run from the command line. Progress goes to stderr, the summary to stdout; the exit code is
 * 1 when any promise was broken (a lost event, an event in both places, a secret in a log, the budget
 * exceeded, …), 2 for bad arguments.
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { formatChaosReport } from './chaosReport.ts';
import { type ChaosOptions, type ChaosProgress, MAX_CHAOS_EVENTS, runChaos } from './chaosRun.ts';

const integer = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer')
  .transform(Number);
const argumentsSchema = z.object({
  events: integer.pipe(z.number().min(1).max(MAX_CHAOS_EVENTS)).optional(),
  seed: integer.optional(),
  instances: integer.pipe(z.number().min(2).max(10)).optional(),
  budget: integer.pipe(z.number().positive()).optional(),
  'fault-probability': z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a number in [0, 1]')
    .transform(Number)
    .optional(),
  'dlq-outage-ms': integer.pipe(z.number().min(0)).optional(),
  'secrets-outage-ms': integer.pipe(z.number().min(0)).optional(),
});

/** Written straight to fd 2: while the run lives, the erasure world captures process.stderr as function logs. */
function progress({ elapsedMs, settled, total, invocations, chatCalls }: ChaosProgress): void {
  const percent = ((100 * settled) / total).toFixed(1);
  writeSync(
    2,
    `chaos: ${(elapsedMs / 1000).toFixed(1)} s, ${settled}/${total} settled (${percent} %), ` +
      `${invocations} invocations, ${chatCalls} Chat calls\n`,
  );
}

function readArguments(): ChaosOptions {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      seed: { type: 'string' },
      instances: { type: 'string' },
      budget: { type: 'string' },
      'fault-probability': { type: 'string' },
      'dlq-outage-ms': { type: 'string' },
      'secrets-outage-ms': { type: 'string' },
    },
    strict: true,
  });
  const parsed = argumentsSchema.parse(values);
  return {
    ...(parsed.events !== undefined && { events: parsed.events }),
    seed: parsed.seed ?? Math.floor(Math.random() * 1_000_000),
    ...(parsed.instances !== undefined && { instances: parsed.instances }),
    ...(parsed.budget !== undefined && { callBudgetPerSecond: parsed.budget }),
    ...(parsed['fault-probability'] !== undefined && { faultProbability: parsed['fault-probability'] }),
    ...(parsed['dlq-outage-ms'] !== undefined && { dlqOutageMs: parsed['dlq-outage-ms'] }),
    ...(parsed['secrets-outage-ms'] !== undefined && { secretsOutageMs: parsed['secrets-outage-ms'] }),
  };
}

let options: ChaosOptions;
try {
  options = readArguments();
} catch (error) {
  const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
  writeSync(2, `chaos: bad arguments\n${detail}\n`);
  process.exit(2);
}
writeSync(
  2,
  `chaos: seed ${options.seed}, ${options.events ?? 2000} events (replay with --seed ${options.seed})\n`,
);
const report = await runChaos({ ...options, onProgress: progress });
process.stdout.write(formatChaosReport(report));
process.exitCode = report.violations.length === 0 ? 0 : 1;
