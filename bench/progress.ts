/**
 * Where the benchmark speaks. The erasure world captures process.stdout and process.stderr while it
 * lives (the function's logs are test data there), so the streams' original `write`s are taken at import:
 * progress still reaches the terminal, and stdout carries only the report.
 */
const writeStderr = process.stderr.write.bind(process.stderr);
const writeStdout = process.stdout.write.bind(process.stdout);

/** A progress line on stderr (never stdout: `--json` promises one JSON object there and nothing else). */
export function progress(message: string): void {
  writeStderr(`[bench] ${message}\n`);
}

/** The report itself, on stdout; resolves once it has been handed to the stream. */
export function emitReport(text: string): Promise<void> {
  return new Promise((resolve) => {
    writeStdout(text.endsWith('\n') ? text : `${text}\n`, () => resolve());
  });
}
