/**
 * Where CPU time goes, by component, from a V8 CPU profile (`node:inspector` Profiler): each sample's time
 * is charged to the component of the innermost frame that has a script (built-ins such as JSON.parse are
 * charged to their caller's component), except the garbage collector, which stays apart. A component is a
 * package (`undici`, `zod`, `@aws-lambda-powertools/logger`), a folder of this project (`src/chat`,
 * `bench`) or a part of Node (`node:internal/streams`); frames of the bundle are traced back to their
 * sources through its source map.
 */

/** The parts of a V8 `Profiler.Profile` this reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Maps a frame's script position to its component, or undefined to charge the caller's component. */
export type FrameResolver = (url: string, lineNumber: number, columnNumber: number) => string | undefined;

const GC = '(garbage collector)';
/** V8's pseudo-frames: time that is not this process's JavaScript at all. */
const LEFT_OUT = new Set(['(idle)', '(root)']);

/**
 * The component a source path (from a source map, or a file path relative to the project) belongs to.
 * @example
 * componentOfSource('../node_modules/@smithy/core/dist-es/index.js'); // '@smithy/core'
 * componentOfSource('../src/chat/chatRestClient.ts'); // 'src/chat'
 * componentOfSource('node:internal/streams/readable'); // 'node:internal/streams'
 */
export function componentOfSource(source: string): string {
  const marker = 'node_modules/';
  const at = source.lastIndexOf(marker);
  if (at !== -1) {
    const [first = '', second = ''] = source.slice(at + marker.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (source.startsWith('node:')) {
    const parts = source.split('/');
    return parts.length > 2 ? parts.slice(0, 2).join('/') : source;
  }
  const path = source.replace(/^(\.\.\/)+/, '');
  const [top = '', sub] = path.split('/');
  if (top === 'src' && sub !== undefined && !sub.includes('.')) return `src/${sub}`;
  return top === '' ? '(unknown)' : top.includes('.') ? '(other)' : top;
}

/**
 * Milliseconds of self time per component, largest first ((idle) left out, GC apart).
 * @example
 * componentTimes(profile, (url) => (url.includes('node_modules/undici') ? 'undici' : undefined));
 * // [{ component: 'undici', ms: 120.4 }, { component: '(garbage collector)', ms: 8.1 }, ...]
 */
export function componentTimes(
  profile: CpuProfile,
  resolve: FrameResolver,
): { component: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const componentOfNode = new Map<number, string | null>();
  const resolveNode = (id: number): string | null => {
    const known = componentOfNode.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    let component: string | null = null;
    if (node !== undefined) {
      const { functionName, url, lineNumber, columnNumber } = node.callFrame;
      if (functionName === GC) component = GC;
      else if (LEFT_OUT.has(functionName)) component = null;
      else if (functionName === '(program)') component = '(program)';
      else {
        const own = url === '' ? undefined : resolve(url, lineNumber, columnNumber);
        const parent = parentOf.get(id);
        component = own ?? (parent === undefined ? '(native)' : (resolveNode(parent) ?? '(native)'));
      }
    }
    componentOfNode.set(id, component);
    return component;
  };
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next sample (V8 records the delta before each one).
  for (let i = 0; i < samples.length; i++) {
    const component = resolveNode(samples[i] as number);
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (component !== null) totals.set(component, (totals.get(component) ?? 0) + ms);
  }
  return [...totals].map(([component, ms]) => ({ component, ms })).sort((a, b) => b.ms - a.ms);
}
