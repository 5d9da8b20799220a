/**
 * Cold start as Lambda pays it on every new instance: a fresh Node process `import()`s the bundle. Each
 * sample is a new process (spawned asynchronously, one after the other, so samples do not compete for the
 * CPU); the child times its own `import()` with `performance.now()` and reports it on stdout.
 */
import { spawn } from 'node:child_process';
import * as z from 'zod';

/** The child: times one import and prints the figures as JSON. The module URL comes in the environment. */
const PROBE_SOURCE = `
const startedMs = performance.now();
const cpuBefore = process.cpuUsage();
await import(process.env.BENCH_IMPORT_URL);
const cpu = process.cpuUsage(cpuBefore);
const importedMs = performance.now();
process.stdout.write(JSON.stringify({
  importMs: importedMs - startedMs,
  importCpuMs: (cpu.user + cpu.system) / 1000,
  sinceProcessStartMs: importedMs,
}));
process.exit(0);
`;

const probeAnswerSchema = z.object({
  importMs: z.number().nonnegative(),
  importCpuMs: z.number().nonnegative(),
  sinceProcessStartMs: z.number(),
});

export interface ColdImportSample {
  /** The `import()` alone: module loading, compilation and evaluation (configuration validated). */
  importMs: number;
  /**
   * CPU the process spent on the import (all its threads): less sensitive than `importMs` to other work
   * on the machine, so it attributes better; `importMs` is what a cold start waits.
   */
  importCpuMs: number;
  /** From the child's process start to the end of the import (Node's own start-up included). */
  sinceProcessStartMs: number;
}

/**
 * A valid function environment for an import that makes no call: configuration is validated at import,
 * so a missing variable would fail it. Nothing listens at these addresses; importing connects to nothing.
 */
export const IMPORT_ONLY_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIASTANDIN000000000',
  AWS_SECRET_ACCESS_KEY: 'stand-in-secret-access-key',
  SECRET_ID: 'chat-erasure/chat-admin',
  DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/chat-erasure-dlq',
  CHAT_REGION: 'singapore',
  POWERTOOLS_SERVICE_NAME: 'chat-erasure',
  POWERTOOLS_METRICS_NAMESPACE: 'ChatErasure',
};

/** Imports `moduleUrl` once in a fresh Node process (this process's own binary: Node 24). */
export function coldImportOnce(
  moduleUrl: URL,
  env: Readonly<Record<string, string>> = IMPORT_ONLY_ENV,
  timeoutMs = 30_000,
): Promise<ColdImportSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', PROBE_SOURCE], {
      env: { PATH: process.env.PATH ?? '', ...env, BENCH_IMPORT_URL: moduleUrl.href },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`import of ${moduleUrl.pathname} failed (${signal ?? code}): ${stderr.trim()}`));
        return;
      }
      try {
        resolve(probeAnswerSchema.parse(JSON.parse(stdout)));
      } catch (error) {
        reject(new Error(`import probe answered something unexpected: ${String(error)}`));
      }
    });
  });
}

/**
 * @example
 * const samples = await coldImportSamples(new URL('../dist/handler.mjs', import.meta.url), 15);
 * median(samples.map((sample) => sample.importMs));
 */
export async function coldImportSamples(
  moduleUrl: URL,
  count: number,
  env: Readonly<Record<string, string>> = IMPORT_ONLY_ENV,
): Promise<ColdImportSample[]> {
  const samples: ColdImportSample[] = [];
  for (let i = 0; i < count; i++) samples.push(await coldImportOnce(moduleUrl, env));
  return samples;
}

/**
 * Cold imports of several modules, interleaved (one fresh process per module per round, the order turned
 * every round), so a change in the machine's load during the series touches every module alike: ratios
 * between them are then fairer than between two series taken one after the other.
 * @example
 * const [bundle, naive] = await interleavedColdImports([bundleUrl, naiveUrl], 15);
 */
export async function interleavedColdImports(
  moduleUrls: readonly URL[],
  rounds: number,
  env: Readonly<Record<string, string>> = IMPORT_ONLY_ENV,
): Promise<ColdImportSample[][]> {
  const samples = moduleUrls.map((): ColdImportSample[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = moduleUrls.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) {
      samples[index]?.push(await coldImportOnce(moduleUrls[index] as URL, env));
    }
  }
  return samples;
}
