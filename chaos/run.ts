/**
 * `npm run chaos [-- --events 3000 --seed 7 …]`: the chaos run from the command line (`--help` lists the
 * options). Progress goes to stderr, the summary to stdout; the exit code is 1 when any promise was broken (a
 * lost event, an event in both places, data left behind, a missing receipt, a secret in a log, a budget
 * exceeded, …), 2 for bad arguments.
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { SABOTAGES } from './chaosOptions.ts';
import { formatChaosReport } from './chaosReport.ts';
import { type ChaosOptions, type ChaosProgress, MAX_CHAOS_EVENTS, runChaos } from './chaosRun.ts';

const HELP = `npm run chaos -- [options]

Drains thousands of account-closure events through the real bundle (dist/handler.mjs) against the local
stand-ins, with Chat faults of every class on every command, a DLQ outage, a Secrets Manager outage, a key
rotation, short invocation deadlines, receipts to EventBridge and Step Functions (which fail now and then),
and warm instances running different erasure plans; then checks every promise of DESIGN.md.

  --events N                  events to send, 1–${MAX_CHAOS_EVENTS} (default 2000)
  --seed N                    seed of the workload, faults, deadlines and windows (default: random, printed)
  --instances N               warm instances = MAX_CONCURRENCY, 2–10 (default 4); instance i runs plan i mod 4:
                              full (transfer), default friends, full (destroy), keep-account
  --budget N                  CALL_BUDGET_PER_SECOND and the simulator's per-command limit (default 2000)
  --call-budgets LIST         CALL_BUDGETS, e.g. "account_delete=300,follow/follow_delete=400"
                              (default "account_delete=50, account_check=50, follow/follow_delete=100, kick=150")
  --fault-probability P       chance a Chat request draws from the fault mix, 0–1 (default 0.04)
  --receipt-fault-rate P      chance per 100 ms of one EventBridge and one Step Functions fault (default 0.08)
  --batch-size N              records per batch (default 10)
  --chat-latency-ms N         added latency of every Chat answer (default 0)
  --min-function-timeout-ms N each invocation's timeout is drawn from [min, max] (default 2100)
  --max-function-timeout-ms N (default 4000)
  --max-receives N            MAX_RECEIVES (default 4)
  --dlq-outage-ms N           length of the DLQ outage (default 2000; 0: none)
  --secrets-outage-ms N       length of the Secrets Manager outage (default 2000; 0: none)
  --sabotage LIST             break the run on purpose to see the checks fail: skip-invocations, wrong-bus,
                              restore-data (comma-separated)
  --help                      this text

Exit code 0: every promise held; 1: violations (listed at the end); 2: bad arguments.`;

const integer = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer')
  .transform(Number);
const probability = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a number in [0, 1]')
  .transform(Number);
const argumentsSchema = z.object({
  events: integer.pipe(z.number().min(1).max(MAX_CHAOS_EVENTS)).optional(),
  seed: integer.optional(),
  instances: integer.pipe(z.number().min(2).max(10)).optional(),
  budget: integer.pipe(z.number().positive()).optional(),
  'call-budgets': z.string().optional(),
  'fault-probability': probability.optional(),
  'receipt-fault-rate': probability.optional(),
  'batch-size': integer.pipe(z.number().min(1).max(10_000)).optional(),
  'chat-latency-ms': integer.pipe(z.number().min(0)).optional(),
  'min-function-timeout-ms': integer.pipe(z.number().positive()).optional(),
  'max-function-timeout-ms': integer.pipe(z.number().positive()).optional(),
  'max-receives': integer.pipe(z.number().min(1)).optional(),
  'dlq-outage-ms': integer.pipe(z.number().min(0)).optional(),
  'secrets-outage-ms': integer.pipe(z.number().min(0)).optional(),
  sabotage: z
    .string()
    .transform((text) => text.split(',').map((name) => name.trim()))
    .pipe(z.array(z.enum(SABOTAGES)))
    .optional(),
});

/** Written straight to fd 2: while the run lives, the erasure world captures process.stderr as function logs. */
function progress({ elapsedMs, settled, total, invocations, chatCalls }: ChaosProgress): void {
  writeSync(
    2,
    `chaos: ${(elapsedMs / 1000).toFixed(1)} s, ${settled} records settled for ${total} events, ` +
      `${invocations} invocations, ${chatCalls} Chat calls\n`,
  );
}

function readArguments(): ChaosOptions | 'help' {
  const names = [...Object.keys(argumentsSchema.shape)];
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const { help: _help, ...rest } = values;
  const parsed = argumentsSchema.parse(rest);
  const options: ChaosOptions = { seed: parsed.seed ?? Math.floor(Math.random() * 1_000_000) };
  const set = <K extends keyof ChaosOptions>(key: K, value: ChaosOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('events', parsed.events);
  set('instances', parsed.instances);
  set('callBudgetPerSecond', parsed.budget);
  set('callBudgets', parsed['call-budgets']);
  set('faultProbability', parsed['fault-probability']);
  set('receiptFaultRate', parsed['receipt-fault-rate']);
  set('batchSize', parsed['batch-size']);
  set('chatLatencyMs', parsed['chat-latency-ms']);
  set('minFunctionTimeoutMs', parsed['min-function-timeout-ms']);
  set('maxFunctionTimeoutMs', parsed['max-function-timeout-ms']);
  set('maxReceives', parsed['max-receives']);
  set('dlqOutageMs', parsed['dlq-outage-ms']);
  set('secretsOutageMs', parsed['secrets-outage-ms']);
  set('sabotage', parsed.sabotage);
  return options;
}

let options: ChaosOptions | 'help';
try {
  options = readArguments();
} catch (error) {
  const detail = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
  writeSync(2, `chaos: bad arguments (--help lists them)\n${detail}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
writeSync(
  2,
  `chaos: seed ${options.seed}, ${options.events ?? 2000} events (replay with --seed ${options.seed})\n`,
);
try {
  const report = await runChaos({ ...options, onProgress: progress });
  process.stdout.write(formatChaosReport(report));
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} catch (error) {
  if (!(error instanceof z.ZodError)) throw error;
  writeSync(2, `chaos: bad arguments (--help lists them)\n${z.prettifyError(error)}\n`);
  process.exitCode = 2;
}
