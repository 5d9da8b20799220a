/**
 * Where the bundle's bytes and its cold import go, package by package: esbuild's metafile attributes the
 * output bytes to their input files, and each dependency the function imports is bundled alone (same
 * options, same import statements as src/) and imported in fresh processes.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { lambdaBuildOptions } from '../scripts/lambdaBuildOptions.mjs';
import { median } from './arrivalStats.ts';
import { type ColdImportSample, coldImportSamples } from './coldImport.ts';

/** The Lambda bundle's own esbuild options, without its entry and output (each dependency is bundled alone). */
const { entryPoints: _entryPoints, outfile: _outfile, ...sharedOptions } = lambdaBuildOptions as BuildOptions;
export const LAMBDA_BUILD_OPTIONS = { ...sharedOptions, logLevel: 'silent' } satisfies BuildOptions;

/**
 * The package an esbuild input path belongs to: the innermost `node_modules/<name>` (scoped names kept
 * whole), `src` for the function's own code.
 * @example
 * packageOfInput('node_modules/@smithy/core/dist-es/index.js'); // '@smithy/core'
 */
export function packageOfInput(inputPath: string): string {
  const marker = 'node_modules/';
  const at = inputPath.lastIndexOf(marker);
  if (at === -1) return inputPath.startsWith('src/') ? 'src' : '(other)';
  const [first, second] = inputPath.slice(at + marker.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : (first ?? '(other)');
}

/** Output bytes per package, largest first. */
export function bytesByPackage(metafile: Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOfInput(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** What src/ imports from one bare module specifier (type-only imports left out: they vanish). */
export interface DependencyImport {
  specifier: string;
  named: string[];
  /** Members read through a namespace import (`z.object` → `object`), as tree shaking keeps them. */
  namespaceMembers: string[];
}

const NAMED_IMPORT = /^import\s+\{([^}]*)\}\s+from\s+'([^']+)'/gm;
const NAMESPACE_IMPORT = /^import\s+\*\s+as\s+(\w+)\s+from\s+'([^']+)'/gm;

const isBareDependency = (specifier: string) => !specifier.startsWith('.') && !specifier.startsWith('node:');

/**
 * Reads the value imports of bare specifiers out of TypeScript sources.
 * @example
 * dependencyImports(["import { Agent, type Dispatcher, request } from 'undici';"]);
 * // [{ specifier: 'undici', named: ['Agent', 'request'], namespaceMembers: [] }]
 * dependencyImports(["import * as z from 'zod';\nconst s = z.object({ a: z.string() });"]);
 * // [{ specifier: 'zod', named: [], namespaceMembers: ['object', 'string'] }]
 */
export function dependencyImports(sources: readonly string[]): DependencyImport[] {
  const found = new Map<string, { named: Set<string>; members: Set<string> }>();
  const entry = (specifier: string) => {
    const existing = found.get(specifier) ?? { named: new Set<string>(), members: new Set<string>() };
    found.set(specifier, existing);
    return existing;
  };
  for (const source of sources) {
    for (const [, list = '', specifier = ''] of source.matchAll(NAMED_IMPORT)) {
      if (!isBareDependency(specifier)) continue;
      const names = list
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && !name.startsWith('type '))
        .map((name) => name.split(/\s+as\s+/)[0] as string);
      for (const name of names) entry(specifier).named.add(name);
    }
    for (const [, alias = '', specifier = ''] of source.matchAll(NAMESPACE_IMPORT)) {
      if (!isBareDependency(specifier)) continue;
      const members = entry(specifier).members;
      for (const [, member = ''] of source.matchAll(new RegExp(`\\b${alias}\\.(\\w+)`, 'g'))) {
        members.add(member);
      }
    }
  }
  return [...found]
    .filter(([, { named, members }]) => named.size + members.size > 0)
    .map(([specifier, { named, members }]) => ({
      specifier,
      named: [...named].sort(),
      namespaceMembers: [...members].sort(),
    }))
    .sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/**
 * An entry module that keeps what src/ uses of one dependency, so the bundle esbuild makes of it holds
 * about what the function's bundle holds of it.
 * @example
 * entrySourceFor({ specifier: 'undici', named: ['Agent'], namespaceMembers: [] });
 * // "export { Agent } from 'undici';\n"
 */
export function entrySourceFor(dependency: DependencyImport): string {
  const lines: string[] = [];
  if (dependency.named.length > 0) {
    lines.push(`export { ${dependency.named.join(', ')} } from '${dependency.specifier}';`);
  }
  if (dependency.namespaceMembers.length > 0) {
    lines.push(`import * as dependency from '${dependency.specifier}';`);
    const reads = dependency.namespaceMembers.map((member) => `dependency.${member}`);
    lines.push(`export const members = [${reads.join(', ')}];`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A stand-in module for leave-one-out timing: an empty class under every imported name (enough for an
 * import that only constructs things), or undefined when the dependency is read through a namespace at
 * import time and cannot be stubbed.
 * @example
 * stubSourceFor({ specifier: 'undici', named: ['Agent', 'request'], namespaceMembers: [] });
 * // 'export class Agent {}\nexport class request {}\n'
 */
export function stubSourceFor(dependency: DependencyImport): string | undefined {
  if (dependency.namespaceMembers.length > 0) return undefined;
  return dependency.named.map((name) => `export class ${name} {}\n`).join('');
}

/** An esbuild plugin that resolves one specifier to the given source instead of the package. */
function stubPlugin(specifier: string, source: string): Plugin {
  const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  return {
    name: 'bench-stub',
    setup(stub) {
      stub.onResolve({ filter }, () => ({ path: specifier, namespace: 'bench-stub' }));
      stub.onLoad({ filter: /.*/, namespace: 'bench-stub' }, () => ({ contents: source, loader: 'js' }));
    },
  };
}

export interface DependencyColdStart {
  specifier: string;
  /** The dependency bundled alone (what src/ uses of it): size and import time. */
  bytes: number;
  importMedianMs: number;
  importCpuMedianMs: number;
  /**
   * The whole bundle with this dependency replaced by an empty stub: its import time. The whole bundle's
   * import minus this is what the dependency costs in place (code it shares with others included only
   * when no one else uses it). Absent for a dependency used at import time (zod builds its schemas then).
   */
  wholeWithoutMedianMs?: number;
  wholeWithoutCpuMedianMs?: number;
  wholeWithoutBytes?: number;
}

export interface BundleAttribution {
  bundleBytes: number;
  /** The size this module's copy of the build options produces (equals bundleBytes when in step). */
  rebuiltBytes: number;
  packages: { name: string; bytes: number }[];
  /** Each dependency bundled and imported alone (they share code, so these do not add up). */
  dependencies: DependencyColdStart[];
  /** An empty module, imported the same way: the probe's own floor. */
  emptyImportMedianMs: number;
  /** The whole bundle, imported in the same series (compare the leave-one-out figures with this). */
  wholeImportMedianMs: number;
  wholeImportCpuMedianMs: number;
  samplesPerModule: number;
}

async function sourcesUnder(directory: string): Promise<string[]> {
  const names = await readdir(directory, { recursive: true });
  const files = names.filter((name) => name.endsWith('.ts')).map((name) => join(directory, name));
  return Promise.all(files.map((file) => readFile(file, 'utf8')));
}

/**
 * Median import time of each module, sampled round-robin (one fresh process per module per round), so a
 * change in the machine's load during the series touches every module alike.
 */
async function interleavedImportMedians(
  files: readonly string[],
  rounds: number,
): Promise<{ wallMs: number; cpuMs: number }[]> {
  const samples = files.map((): ColdImportSample[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [index, file] of files.entries()) {
      samples[index]?.push(...(await coldImportSamples(pathToFileURL(file), 1)));
    }
  }
  return samples.map((series) => ({
    wallMs: median(series.map((sample) => sample.importMs)),
    cpuMs: median(series.map((sample) => sample.importCpuMs)),
  }));
}

/**
 * @example
 * const attribution = await attributeBundle({ projectRoot, bundleBytes, samplesPerDependency: 7 });
 */
export async function attributeBundle(options: {
  projectRoot: string;
  bundleBytes: number;
  samplesPerDependency: number;
}): Promise<BundleAttribution> {
  const { projectRoot } = options;
  const workDir = await mkdtemp(join(tmpdir(), 'chat-erasure-bench-'));
  const bundle = async (outfile: string, extra: BuildOptions = {}) => {
    const result = await build({ ...LAMBDA_BUILD_OPTIONS, absWorkingDir: projectRoot, outfile, ...extra });
    return Object.values(result.metafile?.outputs ?? {}).find((output) => output.entryPoint)?.bytes ?? 0;
  };
  try {
    const handlerEntry = { entryPoints: ['src/handler.ts'] };
    const wholeFile = join(workDir, 'handler.mjs');
    await bundle(wholeFile, handlerEntry);
    const inMemory = await build({
      ...LAMBDA_BUILD_OPTIONS,
      ...handlerEntry,
      absWorkingDir: projectRoot,
      // Same outfile name as scripts/build.mjs: the output names it (sourceMappingURL, relative paths).
      outfile: 'dist/handler.mjs',
      write: false,
    });
    const emptyFile = join(workDir, 'empty.mjs');
    await writeFile(emptyFile, 'export {};\n');

    const imports = dependencyImports(await sourcesUnder(join(projectRoot, 'src')));
    const modules: string[] = [emptyFile, wholeFile];
    const planned = [];
    for (const [index, dependency] of imports.entries()) {
      const entryFile = join(workDir, `entry-${index}.mjs`);
      const aloneFile = join(workDir, `alone-${index}.mjs`);
      await writeFile(entryFile, entrySourceFor(dependency));
      // esbuild resolves from the entry's folder: reach the project's node_modules from the temp dir.
      const bytes = await bundle(aloneFile, {
        entryPoints: [entryFile],
        nodePaths: [join(projectRoot, 'node_modules')],
      });
      const stub = stubSourceFor(dependency);
      const withoutFile = join(workDir, `without-${index}.mjs`);
      const withoutBytes =
        stub === undefined
          ? undefined
          : await bundle(withoutFile, { ...handlerEntry, plugins: [stubPlugin(dependency.specifier, stub)] });
      planned.push({
        dependency,
        bytes,
        withoutBytes,
        aloneAt: modules.push(aloneFile) - 1,
        withoutAt: withoutBytes === undefined ? undefined : modules.push(withoutFile) - 1,
      });
    }

    const medians = await interleavedImportMedians(modules, options.samplesPerDependency);
    const at = (index: number) => medians[index] ?? { wallMs: Number.NaN, cpuMs: Number.NaN };
    const dependencies = planned.map(
      ({ dependency, bytes, withoutBytes, aloneAt, withoutAt }): DependencyColdStart => ({
        specifier: dependency.specifier,
        bytes,
        importMedianMs: at(aloneAt).wallMs,
        importCpuMedianMs: at(aloneAt).cpuMs,
        ...(withoutAt === undefined
          ? {}
          : {
              wholeWithoutMedianMs: at(withoutAt).wallMs,
              wholeWithoutCpuMedianMs: at(withoutAt).cpuMs,
              wholeWithoutBytes: withoutBytes ?? 0,
            }),
      }),
    );
    return {
      bundleBytes: options.bundleBytes,
      rebuiltBytes:
        inMemory.outputFiles.find((file) => file.path.endsWith('.mjs'))?.contents.byteLength ?? Number.NaN,
      packages: bytesByPackage(inMemory.metafile ?? { inputs: {}, outputs: {} }),
      dependencies: dependencies.sort((a, b) => b.importCpuMedianMs - a.importCpuMedianMs),
      emptyImportMedianMs: at(0).wallMs,
      wholeImportMedianMs: at(1).wallMs,
      wholeImportCpuMedianMs: at(1).cpuMs,
      samplesPerModule: options.samplesPerDependency,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
