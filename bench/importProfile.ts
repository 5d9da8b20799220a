/**
 * Where a cold `import()` goes, by component: a fresh Node process imports the module under the V8
 * sampling profiler (node:inspector, started just before the import and stopped just after), and each
 * sample's self time is charged to the package, project folder or part of Node it ran in (cpuProfile.ts),
 * bundle frames traced back through the bundle's source map. Diagnostic (the profiler slows the import):
 * compare components between bundles profiled the same way, not with the unprofiled medians.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPORT_ONLY_ENV } from './coldImport.ts';
import { type CpuProfile, componentOfSource, componentTimes } from './cpuProfile.ts';

const PROFILE_PROBE_SOURCE = `
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
await import(process.env.BENCH_IMPORT_URL);
const { profile } = await session.post('Profiler.stop');
writeFileSync(process.env.BENCH_PROFILE_PATH, JSON.stringify(profile));
process.exit(0);
`;

function profileOnce(moduleUrl: URL, profilePath: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', PROFILE_PROBE_SOURCE], {
      env: {
        PATH: process.env.PATH ?? '',
        ...IMPORT_ONLY_ENV,
        BENCH_IMPORT_URL: moduleUrl.href,
        BENCH_PROFILE_PATH: profilePath,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`profiled import failed (${signal ?? code}): ${stderr.trim()}`)),
    );
  });
}

export interface ImportProfile {
  /** Mean ms of sampled self time per import, by component, largest first. */
  components: { component: string; ms: number }[];
  /** Their sum: the profiled import's sampled time. */
  totalMs: number;
  rounds: number;
}

/**
 * @param projectRoot the project folder, so file URLs and source-map paths name project folders.
 * @example
 * const where = await profileColdImport(bundleUrl, projectRoot, 3);
 */
export async function profileColdImport(
  moduleUrl: URL,
  projectRoot: string,
  rounds: number,
): Promise<ImportProfile> {
  const workDir = await mkdtemp(join(tmpdir(), 'chat-erasure-import-profile-'));
  try {
    const sourceMap = new SourceMap(JSON.parse(await readFile(new URL(`${moduleUrl.href}.map`), 'utf8')));
    const rootHref = new URL(`file://${projectRoot.endsWith('/') ? projectRoot : `${projectRoot}/`}`).href;
    const relative = (url: string) => (url.startsWith(rootHref) ? url.slice(rootHref.length) : url);
    const resolve = (url: string, line: number, column: number): string | undefined => {
      if (url === moduleUrl.href) {
        const entry = sourceMap.findEntry(line, column);
        return 'originalSource' in entry ? componentOfSource(relative(entry.originalSource)) : '(bundle)';
      }
      if (url.startsWith('node:') || url.startsWith(rootHref)) return componentOfSource(relative(url));
      return url.startsWith('file:') ? '(other)' : undefined;
    };
    const totals = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      const profilePath = join(workDir, `import-${round}.cpuprofile`);
      await profileOnce(moduleUrl, profilePath);
      const profile = JSON.parse(await readFile(profilePath, 'utf8')) as CpuProfile;
      for (const { component, ms } of componentTimes(profile, resolve)) {
        totals.set(component, (totals.get(component) ?? 0) + ms / rounds);
      }
    }
    const components = [...totals].map(([component, ms]) => ({ component, ms })).sort((a, b) => b.ms - a.ms);
    return { components, totalMs: components.reduce((sum, entry) => sum + entry.ms, 0), rounds };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
