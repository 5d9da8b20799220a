// The esbuild options of the Lambda bundle, shared by `npm run build`, the benchmark's bundle
// attribution and (mirrored in its Metadata, checked by test/template) template.yaml. Only
// src/handler.ts is an entry point, so the simulator and test code (sim/, test/) cannot reach the bundle.
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

// The webhook ingress (DESIGN.md "Ingress: signed webhook"): the same options, its own entry point
// (src/ingress.ts) and output, mirrored in template.yaml's IngressFunction Metadata.
export const ingressBuildOptions = {
  ...lambdaBuildOptions,
  entryPoints: ['src/ingress.ts'],
  outfile: 'dist/ingress.mjs',
};
