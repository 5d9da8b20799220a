// Bundles the Lambda entry into dist/handler.mjs.
import { build } from 'esbuild';
import { lambdaBuildOptions } from './lambdaBuildOptions.mjs';

const result = await build(lambdaBuildOptions);
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`dist/handler.mjs: ${(bytes / 1024).toFixed(0)} KiB`);
