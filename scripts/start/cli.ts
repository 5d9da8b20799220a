/** The command line of `npm start`: `npm start -- [--verbose] [event-file …]`. */
import { parseArgs } from 'node:util';

export interface StartOptions {
  /** Event files as given; empty means every sample in `events/`. */
  files: string[];
  /** Echo the function's raw JSON log lines. */
  verbose: boolean;
  help: boolean;
}

/** The command line cannot be understood. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE: readonly string[] = [
  'usage: npm start [-- [--verbose] [event-file …]]',
  '  Runs the real bundle (dist/handler.mjs) against loopback stand-ins of the Chat API, SQS and Secrets',
  '  Manager, and prints what happened to every record.',
  '  event-file  an SQSEvent JSON ({"Records": [{"body": "…"}, …]}; FIFO when a record has a MessageGroupId)',
  '              or a JSON array of message bodies (strings, or objects sent as their JSON text).',
  '              Default: every events/*.json. Relative paths are read from the directory npm was run in.',
  "  --verbose   also print the function's raw JSON log lines as it writes them.",
  'Exit status: 0 nothing lost; 1 a record ended without a final outcome or the run failed;',
  '  2 bad arguments or event file; 124 the hard time bound was hit; 130 interrupted.',
];

/**
 * @example
 * parseStartArguments(['--verbose', 'my-events.json']); // { files: ['my-events.json'], verbose: true, help: false }
 */
export function parseStartArguments(args: readonly string[]): StartOptions {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    return { files: positionals, verbose: values.verbose, help: values.help };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
