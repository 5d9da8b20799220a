/**
 * The ingress on loopback, as deployed: the BUILT bundle `dist/ingress.mjs` behind the Function URL
 * stand-in (sim/aws/functionUrlServer.ts), its real SQS and Secrets Manager SDK clients pointed at the
 * stand-ins through `AWS_ENDPOINT_URL_*`, and a client that sends real HTTP requests (repeated headers and
 * raw bytes included).
 *
 * Each world loads its own copy of the bundle (a cold start with this world's environment). The copy is
 * loaded by Node itself through `require(esm)`, not by Vitest's transform, as Lambda would load it.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@aws-sdk/client-sqs';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { STAND_IN_CREDENTIALS } from '../../sim/aws/awsWire.ts';
import { type FunctionUrlServer, startFunctionUrlServer } from '../../sim/aws/functionUrlServer.ts';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../../sim/aws/secretsManagerStandIn.ts';
import { type QueueRef, type SqsCall, type SqsStandIn, startSqsStandIn } from '../../sim/aws/sqsStandIn.ts';
import { applyEnv, captureOutput, jsonRecords, restoreEnv } from '../../sim/functionProcess.ts';
import { signatureHeaders } from '../../src/ingress/signature.ts';

export const BUNDLE_PATH = fileURLToPath(new URL('../../dist/ingress.mjs', import.meta.url));
export const SIGNING_SECRET_NAME = 'chat-erasure/ingress-signing-keys';
export const CURRENT_KEY = 'ingress-current-key-7f3a9c2e5b1d4f60';
export const PREVIOUS_KEY = 'ingress-previous-key-0b8e6d4c2a9f1e37';

export type IngressHandler = (event: LambdaFunctionURLEvent, context: Context) => Promise<unknown>;

const nodeRequire = createRequire(import.meta.url);
let copies = 0;

/**
 * Loads a fresh copy of the built bundle with the current process.env (its configuration is read at
 * import). Rejects as the import would, e.g. with a ConfigurationError.
 */
export function loadIngressBundle(): { handler: IngressHandler } {
  if (!existsSync(BUNDLE_PATH)) throw new Error(`${BUNDLE_PATH} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'chat-erasure-ingress-'));
  copies += 1;
  const copy = join(dir, `ingress-${copies}.mjs`);
  copyFileSync(BUNDLE_PATH, copy);
  try {
    return nodeRequire(copy) as { handler: IngressHandler };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export interface PostOptions {
  /** Signing key (default the current one); `null` sends no signature headers at all. */
  key?: string | null;
  /** Timestamp header value (default now). */
  timestamp?: string;
  /** Replaces the signature header's value (the timestamp header stays). */
  signature?: string;
  /** Content-Type (default `application/json`); `null` sends none. */
  contentType?: string | null;
  method?: string;
  /** Path and query (default `/erasures`). */
  path?: string;
  /** Extra raw headers, name/value pairs, repeats allowed (appended after the generated ones). */
  extraHeaders?: [string, string][];
  /** Leave out these generated headers (lower-case names). */
  omit?: string[];
}

/** One HTTP request to the URL, with full control over the raw headers. */
export function httpRequest(
  url: string,
  options: { method: string; path: string; headers: [string, string][]; body: Buffer },
): Promise<HttpAnswer> {
  const target = new URL(options.path, url);
  const rawHeaders = options.headers.flat();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method,
        path: `${target.pathname}${target.search}`,
        headers: ['host', target.host, ...rawHeaders, 'content-length', String(options.body.length)],
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface IngressWorldOptions {
  fifo?: boolean;
  /** Extra or overriding ingress environment (e.g. SECRET_MAX_AGE_SECONDS, LOG_USER_ID). */
  env?: Record<string, string>;
  /** The function timeout the Function URL stand-in gives each invocation (default 10 s, the template's). */
  timeoutMs?: number;
  /** The initial signing keys (default [CURRENT_KEY]). */
  keys?: string[];
}

export interface IngressWorld {
  readonly sqs: SqsStandIn;
  readonly secrets: SecretsManagerStandIn;
  readonly queue: QueueRef;
  readonly server: FunctionUrlServer;
  readonly env: Readonly<Record<string, string>>;
  /** Every line the bundle wrote to stdout/stderr. */
  readonly logs: string[];
  /** Puts a new secret version `{ "signingKeys": keys }` (or a raw SecretString). */
  setKeys(keys: string[] | { raw: string }): void;
  /** POSTs a body (signed with the current key unless told otherwise). */
  post(body: string | Buffer, options?: PostOptions): Promise<HttpAnswer>;
  /** SendMessage calls that reached the SQS stand-in (injected failures included). */
  sendCalls(): SqsCall[];
  /** Receives and deletes everything on the erasure queue. */
  drainQueue(): Promise<Message[]>;
  /** Parsed JSON log lines. */
  logRecords(): Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * @example
 * const world = await startIngressWorld();
 * const answer = await world.post(JSON.stringify({ userId: 'user_42' }));
 * await world.close();
 */
export async function startIngressWorld(options: IngressWorldOptions = {}): Promise<IngressWorld> {
  const region = 'us-east-1';
  const sqs = await startSqsStandIn({ region });
  const secrets = await startSecretsManagerStandIn({ region });
  const queue = await sqs.createQueue(
    options.fifo ? 'chat-erasure-queue.fifo' : 'chat-erasure-queue',
    options.fifo ? { fifo: true } : {},
  );
  const setKeys = (keys: string[] | { raw: string }) => {
    secrets.setSecret(
      SIGNING_SECRET_NAME,
      Array.isArray(keys) ? JSON.stringify({ signingKeys: keys }) : keys.raw,
    );
  };
  setKeys(options.keys ?? [CURRENT_KEY]);

  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    ERASURE_QUEUE_URL: queue.url,
    INGRESS_SECRET_ID: SIGNING_SECRET_NAME,
    ...options.env,
  };
  const previousEnv = applyEnv(env);
  const logs: string[] = [];
  const restoreOutput = captureOutput(logs);
  let server: FunctionUrlServer;
  try {
    const { handler } = loadIngressBundle();
    server = await startFunctionUrlServer({ handler, region, timeoutMs: options.timeoutMs ?? 10_000 });
  } catch (error) {
    restoreOutput();
    restoreEnv(previousEnv);
    await Promise.allSettled([sqs.close(), secrets.close()]);
    throw error;
  }

  return {
    sqs,
    secrets,
    queue,
    server,
    env,
    logs,
    setKeys,
    post(body, postOptions = {}) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const omit = new Set(postOptions.omit ?? []);
      const headers: [string, string][] = [];
      const contentType =
        postOptions.contentType === undefined ? 'application/json' : postOptions.contentType;
      if (contentType !== null) headers.push(['Content-Type', contentType]);
      const key = postOptions.key === undefined ? CURRENT_KEY : postOptions.key;
      if (key !== null) {
        const signed = signatureHeaders(key, bytes, postOptions.timestamp);
        headers.push(['X-Chat-Erasure-Timestamp', signed['x-chat-erasure-timestamp']]);
        headers.push([
          'X-Chat-Erasure-Signature',
          postOptions.signature ?? signed['x-chat-erasure-signature'],
        ]);
      }
      return httpRequest(server.url, {
        method: postOptions.method ?? 'POST',
        path: postOptions.path ?? '/erasures',
        headers: [
          ...headers.filter(([name]) => !omit.has(name.toLowerCase())),
          ...(postOptions.extraHeaders ?? []),
        ],
        body: bytes,
      });
    },
    sendCalls: () => sqs.calls.filter((call) => call.action === 'SendMessage'),
    drainQueue: () => sqs.readAll(queue.url),
    logRecords: () => jsonRecords(logs),
    async close() {
      restoreOutput();
      restoreEnv(previousEnv);
      await Promise.allSettled([server.close(), sqs.close(), secrets.close()]);
    },
  };
}
