/**
 * `npm run sign -- <body-file>` (scripts/sign.ts): prints the two headers and a curl line whose signature
 * the ingress accepts, computed over the file's bytes exactly.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/ingress/signature.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/sign.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'chat-erasure-sign-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sign(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: PROJECT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run sign', () => {
  const body = '{"userId":"user_42","requestId":"dsr-1"}\n';
  const file = join(scratch, 'body.json');
  writeFileSync(file, body);

  it('prints both headers and a curl line sending the file byte for byte', () => {
    const run = sign(
      [file, '--timestamp', '1780000000', '--url', 'https://abc.lambda-url.eu-west-1.on.aws/'],
      {
        INGRESS_SIGNING_KEY: 'k-current',
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const expected = createHmac('sha256', 'k-current').update(`1780000000.${body}`).digest('hex');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('x-chat-erasure-timestamp: 1780000000');
    expect(lines[1]).toBe(`x-chat-erasure-signature: v1=${expected}`);
    expect(lines[3]).toBe(
      `curl -sS -i -X POST 'https://abc.lambda-url.eu-west-1.on.aws/erasures' -H 'Content-Type: application/json' ` +
        `-H 'x-chat-erasure-timestamp: 1780000000' -H 'x-chat-erasure-signature: v1=${expected}' --data-binary '@${file}'`,
    );
    expect(run.stdout).not.toContain('k-current');
  });

  it('signs now by default (accepted by the ingress rules), with the key from --key or INGRESS_URL for the URL', () => {
    const run = sign(['body.json', '--key', 'k-arg'], { INIT_CWD: scratch, INGRESS_URL: 'https://x.on.aws' });
    expect(run.code, run.stderr).toBe(0);
    const [timestampLine = '', signatureLine = ''] = run.stdout.split('\n');
    const timestamp = timestampLine.split(': ')[1];
    const check = verifySignature(
      { timestamp, signature: signatureLine.split(': ')[1], body: Buffer.from(body) },
      { keys: ['k-arg'], maxSkewSeconds: 300, nowMs: Date.now() },
    );
    expect(check).toEqual({ ok: true });
    expect(run.stdout).toContain("'https://x.on.aws/erasures'");
  });

  it('refuses to run without a key or a file, and warns about a body the ingress would refuse as too large', () => {
    const keyless = sign([file]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/INGRESS_SIGNING_KEY/);
    expect(sign([], { INGRESS_SIGNING_KEY: 'k' }).code).toBe(2);
    expect(sign([file, '--timestamp', 'soon'], { INGRESS_SIGNING_KEY: 'k' }).code).toBe(2);
    expect(sign([join(scratch, 'missing.json')], { INGRESS_SIGNING_KEY: 'k' }).code).toBe(1);
    const big = join(scratch, 'big.json');
    writeFileSync(big, ' '.repeat(16 * 1024 + 1));
    const run = sign([big], { INGRESS_SIGNING_KEY: 'k' });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/413/);
  });
});
