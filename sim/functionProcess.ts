/**
 * What a test world does to this process to host a function bundle in it: the function's environment in
 * `process.env`, and its stdout/stderr lines (JSON logs, EMF metrics) kept instead of printed. Shared by
 * the erasure world and the ingress test world.
 */

/** Sets (or, for `undefined`, removes) each variable; returns what `restoreEnv` needs to undo it. */
export function applyEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    previous[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return previous;
}

export function restoreEnv(previous: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * Keeps every line written to stdout and stderr (where Lambda's runtime would collect the function's
 * logs). Powertools writes through a Console bound to these streams, so patching `write` sees all of it.
 */
export function captureOutput(lines: string[], echo = false): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  let partial = '';
  streams.forEach((stream, index) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const pieces = (partial + text).split('\n');
      partial = pieces.pop() ?? '';
      lines.push(...pieces.filter((line) => line.length > 0));
      if (echo) return (originals[index] as (...args: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  };
}

/** The lines that are JSON objects, parsed (other lines are skipped). */
export function jsonRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return parsed !== null && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
