// Bundles the Lambda entry points: dist/handler.mjs (the erasure function) and dist/ingress.mjs (the
// webhook ingress), with the same esbuild options.
import { build } from 'esbuild';
import { ingressBuildOptions, lambdaBuildOptions } from './lambdaBuildOptions.mjs';

for (const options of [lambdaBuildOptions, ingressBuildOptions]) {
  const result = await build(options);
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`${options.outfile}: ${(bytes / 1024).toFixed(0)} KiB`);
}
