/**
 * `npm start`: the local run of the real Lambda bundle on embedded stand-ins, no AWS or Tencent account
 * needed. Loads the sample events (or the files named on the command line), runs them through a
 * standard queue and, for FIFO batches, a separate FIFO queue (each in its own fresh world: a queue is
 * either standard or FIFO, and a FIFO batch must keep its message groups), and prints what the function
 * did with every record.
 *
 * Always bounded and always tidy: each drain has a time bound, the whole run a hard one; Ctrl-C stops the
 * drain and still closes every stand-in; a second Ctrl-C (a second later or more) exits at once.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStartArguments, type StartOptions, USAGE, UsageError } from './start/cli.ts';
import {
  type EventFile,
  EventFileError,
  type QueueKind,
  readEventFile,
  sampleEventPaths,
} from './start/eventFiles.ts';
import { fullPlanLines, headerLines, type JudgedRun, queueRunLines, summaryLines } from './start/report.ts';
import { printErrorLines, printLines } from './start/terminal.ts';
import { judgeRun, nothingLost } from './start/verdict.ts';

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_PATH = fileURLToPath(new URL('../dist/handler.mjs', import.meta.url));

/** Bound on one queue's drain (the sample events take well under a second). */
const MAX_DRAIN_MS = 30_000;
/** Bound on the whole run: past it the process exits, whatever is still running. */
const HARD_BOUND_MS = 120_000;
/** Signals this close to the first are the same Ctrl-C (npm forwards it to its child as well). */
const SIGNAL_ECHO_MS = 1_000;

const EXIT = { ok: 0, notAccounted: 1, usage: 2, hardBound: 124, interrupted: 130 } as const;

/** The files to run: the ones given (relative to where npm was run), else every sample event. */
async function loadEventFiles(options: StartOptions): Promise<EventFile[]> {
  if (options.files.length === 0) {
    const paths = await sampleEventPaths(resolve(PROJECT_DIR, 'events'));
    return Promise.all(paths.map((path) => readEventFile(path, `events/${path.split('/').at(-1)}`)));
  }
  // npm runs scripts in the project directory; INIT_CWD is where the user typed `npm start`.
  const base = process.env.INIT_CWD ?? process.cwd();
  return Promise.all(
    options.files.map((given) => readEventFile(isAbsolute(given) ? given : resolve(base, given), given)),
  );
}

/** Ctrl-C (SIGINT) and SIGTERM abort the returned signal; a later repeat exits at once. */
function interruptOnSignals(): AbortSignal {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      firstAt = performance.now();
      printErrorLines([
        `${signal}: stopping the drain, then closing every stand-in (repeat to exit at once)`,
      ]);
      controller.abort();
    } else if (performance.now() - firstAt > SIGNAL_ECHO_MS) {
      printErrorLines([`${signal} again: exiting now`]);
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

async function main(args: readonly string[]): Promise<number> {
  const options = parseStartArguments(args);
  if (options.help) {
    printLines(USAGE);
    return EXIT.ok;
  }
  const files = await loadEventFiles(options);
  if (!existsSync(BUNDLE_PATH)) {
    printErrorLines([
      'npm start: dist/handler.mjs is missing; run `npm run build` (npm start builds it first).',
    ]);
    return EXIT.notAccounted;
  }
  // Loaded only now, so a bad command line or file is refused without loading the stand-ins and the SDK.
  const { DEMO_INSTANCES, runQueue } = await import('./start/queueRun.ts');
  const interrupted = interruptOnSignals();
  const startedAt = performance.now();
  printLines(headerLines(files, DEMO_INSTANCES));

  const runs: JudgedRun[] = [];
  const skipped: string[] = [];
  for (const queue of ['standard', 'fifo'] as const satisfies readonly QueueKind[]) {
    const queueFiles = files.filter((file) => file.queue === queue);
    if (queueFiles.length === 0) continue;
    if (interrupted.aborted) {
      skipped.push(`The ${queue} queue run was skipped (interrupted before it started).`);
      continue;
    }
    const report = await runQueue({
      queue,
      files: queueFiles,
      verbose: options.verbose,
      signal: interrupted,
      maxDrainMs: MAX_DRAIN_MS,
    });
    runs.push({ report, verdict: judgeRun(report) });
    printLines(queueRunLines(report));
  }
  let fullPlanErased = true;
  if (options.files.length === 0 && !interrupted.aborted) {
    // Beside the default plan: one user with data of every kind through every step of the plan.
    const { runFullPlan } = await import('./start/fullPlanRun.ts');
    const fullPlan = await runFullPlan({
      signal: interrupted,
      maxDrainMs: MAX_DRAIN_MS,
      verbose: options.verbose,
    });
    printLines(fullPlanLines(fullPlan));
    fullPlanErased = fullPlan.audit.at(-1)?.outcome === 'erased';
  }
  printLines(summaryLines(runs, skipped, performance.now() - startedAt));
  if (interrupted.aborted) return EXIT.interrupted;
  return fullPlanErased && skipped.length === 0 && runs.every(({ verdict }) => nothingLost(verdict))
    ? EXIT.ok
    : EXIT.notAccounted;
}

setTimeout(() => {
  printErrorLines([`npm start: the hard time bound (${HARD_BOUND_MS / 1000} s) was reached; exiting.`]);
  process.exit(EXIT.hardBound);
}, HARD_BOUND_MS).unref();

let exitCode: number;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    printErrorLines([`npm start: ${error.message}`, ...USAGE]);
    exitCode = EXIT.usage;
  } else if (error instanceof EventFileError) {
    printErrorLines([`npm start: cannot run the event file ${error.message}`]);
    exitCode = EXIT.usage;
  } else {
    printErrorLines([
      `npm start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ]);
    exitCode = EXIT.notAccounted;
  }
}
// Every stand-in is closed by now; exiting explicitly keeps a stray handle from holding the process open.
process.exit(exitCode);
