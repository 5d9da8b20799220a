// Bundles the Lambda entry into dist/handler.mjs. Only src/handler.ts is an entry point, so the simulator
// and test code (sim/, test/) cannot reach the bundle.
import { build } from 'esbuild';

export const lambdaBuildOptions = {
  entryPoints: ['src/handler.ts'],
  outfile: 'dist/handler.mjs',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  // Some dependencies call require() at run time; ESM output needs a real one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
};

const result = await build(lambdaBuildOptions);
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`dist/handler.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
