/**
 * The cold-import baseline: a bundle, built in the same run with the Lambda bundle's own esbuild options
 * (scripts/lambdaBuildOptions.mjs), of a module that imports the function's packages the plain way (each
 * package's root entry, or the documented subpath for Powertools parameters) and does nothing else. What
 * it imports is exported, so tree shaking keeps what a plain function using those names would keep.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS } from './bundleAttribution.ts';

/** The baseline's whole source: the card's packages, imported plainly, nothing run. */
export const NAIVE_IMPORT_SOURCE = `\
import { Pool, request } from 'undici';
import { z } from 'zod';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { getSecret, SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

export {
  Pool, request, z, GetSecretValueCommand, SecretsManagerClient, ChangeMessageVisibilityCommand,
  SendMessageCommand, SQSClient, Logger, Metrics, BatchProcessor, EventType, processPartialResponse,
  getSecret, SecretsProvider,
};
`;

export interface NaiveImportBundle {
  url: URL;
  bytes: number;
  /** Removes the temporary directory. */
  dispose(): Promise<void>;
}

/**
 * @example
 * const naive = await buildNaiveImportBundle(projectRoot);
 * const samples = await coldImportSamples(naive.url, 15);
 * await naive.dispose();
 */
export async function buildNaiveImportBundle(projectRoot: string): Promise<NaiveImportBundle> {
  const workDir = await mkdtemp(join(tmpdir(), 'chat-erasure-naive-'));
  try {
    const entryFile = join(workDir, 'naive-entry.mjs');
    const outfile = join(workDir, 'naive.mjs');
    await writeFile(entryFile, NAIVE_IMPORT_SOURCE);
    const result = await build({
      ...LAMBDA_BUILD_OPTIONS,
      absWorkingDir: projectRoot,
      entryPoints: [entryFile],
      outfile,
      // esbuild resolves from the entry's folder: reach the project's node_modules from the temp dir.
      nodePaths: [join(projectRoot, 'node_modules')],
    });
    const bytes =
      Object.values(result.metafile?.outputs ?? {}).find((output) => output.entryPoint)?.bytes ?? 0;
    return {
      url: pathToFileURL(outfile),
      bytes,
      dispose: () => rm(workDir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
