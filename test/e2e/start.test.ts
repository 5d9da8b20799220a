/**
 * `npm start` as a user runs it: scripts/start.ts in its own Node 24 process (the one running this test),
 * on the sample events and on custom files, read only through its exit code and what it prints.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLine } from '../../scripts/start/auditLog.ts';
import type { DemoRecord, QueueRunReport } from '../../scripts/start/queueRun.ts';
import { queueRunLines, summaryLines } from '../../scripts/start/report.ts';
import { judgeRun, nothingLost } from '../../scripts/start/verdict.ts';
import { DEMO_ADMIN_SECRET } from '../../sim/erasureWorld.ts';
import { FULL_PLAN } from '../../sim/planSeeds.ts';

const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = join(PROJECT_DIR, 'dist', 'handler.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Node script of this project asynchronously (never execFileSync: see TOOLCHAIN.md), bounded in time. */
function runNode(
  args: string[],
  options: {
    cwd?: string;
    timeoutMs: number;
    onStdout?: (soFar: string, child: ReturnType<typeof spawn>) => void;
  },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_DIR,
      // As npm sets it: the directory the user ran `npm start` in, where relative file names are read.
      env: { ...process.env, INIT_CWD: options.cwd ?? PROJECT_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${args.join(' ')} did not finish within ${options.timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const runStart = (args: string[], options: Parameters<typeof runNode>[1]) =>
  runNode(['scripts/start.ts', ...args], options);

/** The lines of one output section: from its heading to the next blank line. */
function section(output: string, heading: RegExp): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) throw new Error(`no section ${heading} in:\n${output}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

/** No admin secret key and nothing shaped like a UserSig (base64 of zlib data, `eJ…`) or a signed URL. */
function expectNoCredentials(run: Run): void {
  for (const text of [run.stdout, run.stderr]) {
    expect(text).not.toContain(DEMO_ADMIN_SECRET.secretKey);
    expect(text).not.toMatch(/usersig/i);
    expect(text).not.toMatch(/eJ[A-Za-z0-9*_-]{40,}/);
  }
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'chat-erasure-start-'));
  // `npm test` builds first; build here only when the bundle is missing (e.g. a lone vitest run).
  if (!existsSync(BUNDLE)) {
    const build = await runNode(['scripts/build.mjs'], { timeoutMs: 25_000 });
    expect(build.code, build.stderr).toBe(0);
  }
}, 30_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('npm start on the sample events', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runStart([], { timeoutMs: 25_000 });
  }, 30_000);

  it('exits 0 and says nothing was lost', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Nothing lost: every record ended erased, absent or dead-lettered');
    expect(run.stdout).toMatch(/Total: 22 records: erased 13, absent 0, dead-lettered 9, retry 0;/);
  });

  it('prints the outcome, requestId, pseudonym and plain userId of the known records', () => {
    const standard = section(run.stdout, /^Records/);
    expect(standard).toContainEqual(
      expect.stringMatching(/^\s+1\s+erased\s+request dsr-2026-000101\s+user [0-9a-f]{16} = demo_alice$/),
    );
    expect(standard).toContainEqual(
      expect.stringMatching(/^\s+2\s+erased\s+request dsr-2026-000202\s+user [0-9a-f]{16} = demo_frank$/),
    );
    // demo_carol has no requestId: the function falls back to the SQS messageId.
    expect(standard).toContainEqual(
      expect.stringMatching(/^\s+3\s+erased\s+request [0-9a-f-]{36}\s+user [0-9a-f]{16} = demo_carol$/),
    );
    const fifo = run.stdout.slice(run.stdout.indexOf('FIFO queue chat-erasure-queue.fifo'));
    expect(fifo).toMatch(
      /^\s+1\s+erased\s+group accounts-eu\s+request dsr-2026-000401\s+user [0-9a-f]{16} = demo_ivan$/m,
    );
  });

  it('dead-letters the nine invalid records as invalid-event, with the reason and a safe display', () => {
    const invalid = section(run.stdout, /^ {2}events\/invalid-records\.json$/);
    expect(invalid.filter((line) => /^\s+\d+\s+dead-lettered\s/.test(line))).toHaveLength(9);
    expect(invalid).toContain('         invalid-event: body is not JSON');
    expect(invalid).toContain('         invalid-event: userId is longer than 32 bytes (UTF-8)');
    // The refused userId with an ESC in it is shown escaped; no raw control character reaches the terminal.
    expect(invalid).toContainEqual(expect.stringMatching(/= demo_\\u001b\[31mred$/));
    expect(run.stdout).not.toContain('\u001b');
    expect(invalid).toContainEqual(expect.stringMatching(/^\s+10\s+erased\s+request dsr-2026-000510\s/));
    expect(invalid).toContain(
      '         warning: occurredAt is not an RFC 3339 date-time with a time zone; it was ignored',
    );
  });

  it('lists what landed in the DLQ with its failure-reason and error-message', () => {
    const dlq = section(run.stdout, /^Dead-letter queue chat-erasure-dlq: /);
    expect(dlq[0]).toBe('Dead-letter queue chat-erasure-dlq: 9 messages');
    const entries = dlq.filter((line) => line.includes('failure-reason'));
    expect(entries).toHaveLength(9);
    expect(entries[0]).toBe(
      '  events/invalid-records.json #1: failure-reason invalid-event, error-message "body is not JSON"',
    );
    expect(entries.every((line) => line.includes('failure-reason invalid-event'))).toBe(true);
    expect(section(run.stdout, /^Dead-letter queue chat-erasure-dlq\.fifo: /)[0]).toBe(
      'Dead-letter queue chat-erasure-dlq.fifo: 0 messages',
    );
  });

  it('shows friend counts falling to zero, both-way deletion, and the one-way entries that remain', () => {
    const lists = section(run.stdout, /^Friend lists/);
    expect(lists).toContainEqual(expect.stringMatching(/^ {2}demo_alice: [1-9]\d* -> 0, erased$/));
    expect(lists).toContainEqual(
      expect.stringMatching(/^ {4}two-way friends, removed both ways: .*demo_bob/),
    );
    expect(lists).toContainEqual(expect.stringMatching(/still lists demo_alice: NOT erased/));
    expect(lists.join('\n')).toMatch(
      /NOT erased: 8 one-way entries that other users hold toward erased users remain/,
    );
  });

  it('posts the standard-queue bodies through the signed webhook first and prints its answers', () => {
    expect(run.stdout).toMatch(
      /^Webhook ingress \(dist\/ingress\.mjs behind a Function URL stand-in, http:\/\/127\.0\.0\.1:\d+\/erasures\)/m,
    );
    expect(run.stdout).toMatch(/^ {2}202 accepted and enqueued: 9$/m);
    expect(run.stdout).toMatch(
      /^ {2}400 invalid-event \(userId is not valid Unicode\): events\/invalid-records\.json #9$/m,
    );
  });

  it('prints the receipts the pipeline got, one of them in full', () => {
    expect(run.stdout).toMatch(
      /^Receipts on the EventBridge bus chat-erasure-receipts: 18 events \(Source chat-erasure\)$/m,
    );
    expect(run.stdout).toMatch(/^ {2}9 × Chat Erasure Failed \(dead-lettered, invalid-event\)$/m);
    expect(run.stdout).toMatch(/"outcome": "erased"/);
  });

  it('runs the full plan for a user with data of every kind, beside the default run', () => {
    const full = run.stdout.slice(run.stdout.indexOf('━━ Full plan'));
    expect(full).toMatch(/One event for demo_full, a user with data of every kind: erased/);
    for (const step of FULL_PLAN.split(',')) {
      expect(full).toMatch(
        new RegExp(`^ {2}${step} +done +removed \\d+ +(verified|\\(no read-back\\))`, 'm'),
      );
    }
    expect(full).toMatch(/^ {2}profile fields +9 -> 0 +erased$/m);
    expect(full).toMatch(/^ {2}group memberships +6 -> 1 +an AVChatRoom the user only joined/m);
    expect(full).toMatch(/one-way friend entries held by others: demo_full_ow/);
    expect(full).toMatch(/^Receipt: Chat Erasure Completed/m);
  });

  it('prints a readable summary, hides the raw function logs and shows no credential', () => {
    // 8 or 9 plan runs: the two demo_carol records share one when they land in the same batch. Each run
    // lists (friend_get, group_get), deletes, and reads back.
    expect(run.stdout).toMatch(
      /Chat API \d+ calls \(friend_get (1[68]), group_get \1, friend_delete_all [89]\), 0 throttled/,
    );
    expect(run.stdout).toMatch(/calls\/s over the [\d.]+ s drain \(stopped: empty\)/);
    expect(run.stdout).toMatch(/wall time [\d.]+ s/);
    expect(run.stdout).not.toMatch(/^\{/m);
    expectNoCredentials(run);
  });
});

describe('npm start on a custom file', () => {
  it('runs a JSON array of bodies named relative to where npm ran, and --verbose echoes the raw logs', async () => {
    await writeFile(
      join(scratch, 'custom.json'),
      JSON.stringify([{ userId: 'e2e_solo', requestId: 'e2e-1' }, 'not json', '{"userId":"administrator"}']),
    );
    const run = await runStart(['--verbose', 'custom.json'], { cwd: scratch, timeoutMs: 20_000 });

    expect(run.code, run.stderr).toBe(0);
    const shown = /^\s+1\s+erased\s+request e2e-1\s+user ([0-9a-f]{16}) = e2e_solo$/m.exec(run.stdout);
    expect(shown).not.toBeNull();
    expect(run.stdout).toMatch(
      /^\s+2\s+dead-lettered\s.*\(no userId in body\)\n\s+invalid-event: body is not JSON$/m,
    );
    expect(run.stdout).toMatch(/= administrator\n\s+invalid-event: userId is the Chat admin account$/m);
    expect(run.stdout).toContain('Dead-letter queue chat-erasure-dlq: 2 messages');

    // --verbose: the function's own JSON lines, which carry the pseudonym the table shows, never the userId.
    const logs = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const audits = logs.filter((line) => line.message === 'erasure');
    expect(audits).toHaveLength(3);
    expect(audits.find((line) => line.requestId === 'e2e-1')).toMatchObject({
      outcome: 'erased',
      user: shown?.[1],
    });
    expect(logs.some((line) => JSON.stringify(line).includes('e2e_solo'))).toBe(false);
    expectNoCredentials(run);
  }, 25_000);

  it("runs a FIFO SQSEvent in its own FIFO queue, keeping each record's message group", async () => {
    const record = (userId: string, group: string) => ({
      messageId: `m-${userId}`,
      body: JSON.stringify({ userId, requestId: `req-${userId}` }),
      attributes: { MessageGroupId: group },
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:chat-erasure-queue.fifo',
    });
    await writeFile(
      join(scratch, 'fifo.json'),
      JSON.stringify({
        Records: [record('e2e_f1', 'g-one'), record('e2e_f2', 'g-two'), record('e2e_f3', 'g-one')],
      }),
    );
    await writeFile(join(scratch, 'plain.json'), JSON.stringify(['{"userId":"e2e_p1"}']));
    const run = await runStart(['fifo.json', 'plain.json'], { cwd: scratch, timeoutMs: 20_000 });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('━━ Standard queue chat-erasure-queue: 1 record from 1 file ━━');
    expect(run.stdout).toContain('━━ FIFO queue chat-erasure-queue.fifo: 3 records from 1 file ━━');
    const fifo = section(run.stdout.slice(run.stdout.indexOf('━━ FIFO')), /^Records/);
    expect(fifo).toContainEqual(
      expect.stringMatching(/^\s+1\s+erased\s+group g-one\s+request req-e2e_f1\s.* = e2e_f1$/),
    );
    expect(fifo).toContainEqual(
      expect.stringMatching(/^\s+2\s+erased\s+group g-two\s+request req-e2e_f2\s.* = e2e_f2$/),
    );
    expect(fifo).toContainEqual(
      expect.stringMatching(/^\s+3\s+erased\s+group g-one\s+request req-e2e_f3\s.* = e2e_f3$/),
    );
  }, 25_000);

  it.each([
    ['not JSON', '{"Records": [', /broken\.json: not JSON/],
    [
      'a bad SQSEvent',
      '{"Records":[{"body":""},{"messageId":"m2"}]}',
      /broken\.json: not a valid SQSEvent:[\s\S]*Records\[0\]\.body[\s\S]*Records\[1\]\.body/,
    ],
    ['neither shape', '42', /expected an SQSEvent .* or a JSON array of message bodies/],
  ])('exits 2 with a clear message for a file that is %s', async (_, content, message) => {
    await writeFile(join(scratch, 'broken.json'), content);
    const run = await runStart([join(scratch, 'broken.json')], { timeoutMs: 15_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^npm start: cannot run the event file /);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('stops the drain on Ctrl-C, closes everything and exits 130 with a summary', async () => {
    const bodies = Array.from({ length: 400 }, (_, index) => ({ userId: `e2e_bulk_${index}` }));
    await writeFile(join(scratch, 'bulk.json'), JSON.stringify(bodies));
    let interruptedAt = 0;
    const run = await runStart([join(scratch, 'bulk.json')], {
      timeoutMs: 20_000,
      onStdout: (soFar, child) => {
        // The header is printed before the world starts; interrupt once the run is under way.
        if (interruptedAt === 0 && soFar.includes('Standard queue:')) {
          interruptedAt = Date.now();
          setTimeout(() => child.kill('SIGINT'), 1_500);
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping the drain, then closing every stand-in');
    expect(run.stdout).toContain('NOT every record reached a final outcome in this run');
    expect(run.stdout).toMatch(
      /records? never processed \(the run was interrupted while they were queued or in flight\)/,
    );
    expect(Date.now() - interruptedAt).toBeLessThan(10_000);
  }, 25_000);
});

describe('the report of a run that did not end well (built from a synthetic run, no processes)', () => {
  const audit = (
    messageId: string,
    outcome: AuditLine['outcome'],
    extra: Partial<AuditLine> = {},
  ): AuditLine => ({
    message: 'erasure',
    outcome,
    requestId: `req-${messageId}`,
    messageId,
    erasureId: messageId,
    user: '0123456789abcdef',
    ...extra,
  });
  const record = (messageId: string, position: number, lines: AuditLine[]): DemoRecord => ({
    file: 'synthetic.json',
    position,
    messageId,
    body: `{"userId":"user_${position}"}`,
    plainUserId: `user_${position}`,
    audit: lines,
  });
  const report: QueueRunReport = {
    queue: 'standard',
    instances: 2,
    queueName: 'chat-erasure-queue',
    dlqName: 'chat-erasure-dlq',
    seed: { accounts: ['user_1', 'demo_zoe'], friendships: [], bystanders: ['demo_zoe'] },
    records: [
      record('m1', 1, [
        audit('m1', 'retry', { errorCode: 60007, error: 'throttled' }),
        audit('m1', 'erased'),
      ]),
      record('m2', 2, [audit('m2', 'retry', { error: 'HTTP 502' })]),
      record('m3', 3, [
        audit('m3', 'dead-lettered', { failureReason: 'permanent-error', error: 'x', errorCode: 70402 }),
      ]),
      record('m4', 4, []),
    ],
    friendLists: [],
    deadLetters: [],
    receiptBus: 'chat-erasure-receipts',
    receipts: [],
    drain: {
      invocations: 3,
      recordsDelivered: 5,
      deleted: 2,
      returnedForRetry: 2,
      handlerErrors: 0,
      receiveErrors: 0,
      stoppedBy: 'maxDuration',
    },
    drainMs: 30_000,
    coldStartMs: 250,
    chat: { calls: 4, throttled: 1, byCommand: { friend_delete_all: 4 }, peakPerSecond: 2 },
    chatCallsPerSecond: 200,
    malformedAuditLines: 0,
  };

  it('shows retries, a record still pending, and counts every way a record was not accounted for', () => {
    const verdict = judgeRun(report);
    expect(nothingLost(verdict)).toBe(false);
    const lines = [...queueRunLines(report), ...summaryLines([{ report, verdict }], [], 31_000)];

    expect(lines).toContainEqual(
      expect.stringMatching(/^\s+1\s+erased\s+request req-m1\s+user 0123456789abcdef = user_1$/),
    );
    expect(lines).toContain('         earlier deliveries: retry (ErrorCode 60007)');
    expect(lines).toContainEqual(expect.stringMatching(/^\s+2\s+retry \(pending\)\s+request req-m2\s/));
    expect(lines).toContain('         retry: HTTP 502');
    expect(lines).toContain('         permanent-error: x (ErrorCode 70402)');
    expect(lines).toContainEqual(
      expect.stringMatching(/^\s+4\s+NO OUTCOME\s+\(no audit line\)\s+user \(not logged\) = user_4$/),
    );
    expect(lines).toContain(
      '    1 record never processed (the drain reached its time bound while they were queued or in flight): synthetic.json #4',
    );
    expect(lines).toContain(
      '    1 record back on the queue for a retry when the drain stopped (the drain reached its time bound): synthetic.json #2',
    );
    expect(lines).toContain('    1 record logged as dead-lettered but NOT in the DLQ: synthetic.json #3');
    expect(lines.at(-1)).toBe('NOT every record reached a final outcome in this run: see above.');
  });
});
