/**
 * `npm run sign -- <body-file>`: signs a webhook body for the ingress (DESIGN.md "Ingress: signed webhook")
 * and prints the two signature headers and a ready `curl` line.
 *
 *   INGRESS_SIGNING_KEY=… npm run sign -- body.json [--url https://….lambda-url.….on.aws] [--timestamp <unix seconds>]
 *
 * The key comes from the environment variable INGRESS_SIGNING_KEY (or `--key <key>`, which shells keep in
 * their history: prefer the variable). The URL defaults to INGRESS_URL, else a placeholder. The body is
 * signed byte for byte as the file holds it, and curl sends it with `--data-binary` (plain `-d` would strip
 * its newlines and break the signature). A signature is valid for INGRESS_MAX_SKEW_SECONDS (300 s by
 * default) around its timestamp: sign right before sending.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MAX_BODY_BYTES } from '../src/ingress/httpRequest.ts';
import { SIGNATURE_HEADER, signatureHeaders, TIMESTAMP_HEADER } from '../src/ingress/signature.ts';

const USAGE = `usage: INGRESS_SIGNING_KEY=<key> npm run sign -- <body-file> [--url <function url>] [--timestamp <unix seconds>] [--key <key>]`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface SignOptions {
  file: string;
  key: string;
  url: string;
  timestamp: string | undefined;
}

function parseArguments(args: readonly string[], env: NodeJS.ProcessEnv): SignOptions {
  let file: string | undefined;
  let key = env.INGRESS_SIGNING_KEY;
  let url = env.INGRESS_URL;
  let timestamp: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    const value = () => {
      const next = args[index + 1];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      index += 1;
      return next;
    };
    if (arg === '--key') key = value();
    else if (arg === '--url') url = value();
    else if (arg === '--timestamp') timestamp = value();
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new UsageError('name one body file');
  }
  if (file === undefined) throw new UsageError('name the body file to sign');
  if (key === undefined || key.length === 0) throw new UsageError('set INGRESS_SIGNING_KEY (or pass --key)');
  if (timestamp !== undefined && !/^[0-9]+$/.test(timestamp)) {
    throw new UsageError('--timestamp takes Unix seconds in decimal digits');
  }
  return { file, key, url: url ?? 'https://<url-id>.lambda-url.<region>.on.aws', timestamp };
}

/** A single-quoted shell word. */
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function main(): number {
  let options: SignOptions;
  try {
    options = parseArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) console.error(`sign: ${error.message}`);
      console.error(USAGE);
      return 2;
    }
    throw error;
  }
  // npm runs scripts from the project directory; a relative path means where npm was run.
  const base = process.env.INIT_CWD ?? process.cwd();
  const path = isAbsolute(options.file) ? options.file : resolve(base, options.file);
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (error) {
    console.error(
      `sign: cannot read ${options.file} (${error instanceof Error ? error.message : String(error)})`,
    );
    return 1;
  }
  if (body.length > MAX_BODY_BYTES) {
    console.error(
      `sign: warning: the body has ${body.length} bytes; the ingress refuses more than ${MAX_BODY_BYTES} (413)`,
    );
  }
  const headers = signatureHeaders(options.key, body, options.timestamp);
  const endpoint = `${options.url.replace(/\/+$/, '')}/erasures`;
  console.log(`${TIMESTAMP_HEADER}: ${headers[TIMESTAMP_HEADER]}`);
  console.log(`${SIGNATURE_HEADER}: ${headers[SIGNATURE_HEADER]}`);
  console.log('');
  console.log(
    [
      'curl -sS -i -X POST',
      shellQuote(endpoint),
      "-H 'Content-Type: application/json'",
      `-H ${shellQuote(`${TIMESTAMP_HEADER}: ${headers[TIMESTAMP_HEADER]}`)}`,
      `-H ${shellQuote(`${SIGNATURE_HEADER}: ${headers[SIGNATURE_HEADER]}`)}`,
      `--data-binary ${shellQuote(`@${path}`)}`,
    ].join(' '),
  );
  return 0;
}

process.exitCode = main();
