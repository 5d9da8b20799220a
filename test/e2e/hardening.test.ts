/**
 * The hardening contracts of DESIGN.md, each through the real bundle against the stand-ins: AWS calls
 * bounded by the deadline, the admin never erased (rotation, PROTECTED_USER_IDS), invalid events
 * dead-lettered without the secret, the UserSig read at send time, requestIds as SQS carries them, bodies
 * near the size limit still reaching the DLQ, impossible configurations refused, the budget holding
 * across rotating warm instances, and FIFO decided by the queue ARN.
 */
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type ErasureWorld, SECRET_NAME } from '../../sim/erasureWorld.ts';
import {
  attribute,
  event,
  lambdaContext,
  lastOutcome,
  readDeadLetters,
  sqsEvent,
  worldsPerTest,
} from './support.ts';

const startWorld = worldsPerTest();

const context = (timeoutMs: number) => lambdaContext(timeoutMs);

const fromAccounts = (w: ErasureWorld) =>
  w.chat.requests.map((request) => (request.body as { From_Account?: string } | undefined)?.From_Account);

describe('every AWS call is bounded by the deadline', () => {
  it('returns before the deadline while Secrets Manager accepts the connection and never answers', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['hd_hang_secret'] });
    w.secrets.setOutage(true, 'hang');
    const instance = await w.startInstance(); // cold: nothing cached
    const batch = sqsEvent(w, [event({ userId: 'hd_hang_secret' })]);
    const startedAt = performance.now();
    const result = await instance.handler(batch, context(4000));
    expect(performance.now() - startedAt).toBeLessThan(3500);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[0]?.messageId }]);
    expect(w.chat.requests).toHaveLength(0);
  });

  it('returns before the deadline while the DLQ SendMessage never answers, returning the record', async () => {
    const w = await startWorld();
    const hang = w.sqs.injectFailure((call) => call.action === 'SendMessage', { mode: 'hang' });
    const instance = await w.startInstance();
    const batch = sqsEvent(w, ['not json at all']);
    const startedAt = performance.now();
    const result = await instance.handler(batch, context(4000));
    expect(performance.now() - startedAt).toBeLessThan(3500);
    expect(hang.hits).toBeGreaterThanOrEqual(1);
    const id = batch.Records[0]?.messageId as string;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    expect(lastOutcome(w, id)).toMatchObject({ outcome: 'retry' });
  });

  it('a dead letter whose DLQ send fails goes back for retry with its failed step in the audit line', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['hd_dlq_down'] });
    w.chat.injectFault({ type: 'error-code', code: 30001, fromAccount: 'hd_dlq_down' });
    w.sqs.injectFailure((call) => call.action === 'SendMessage', { mode: 'error' });
    const instance = await w.startInstance();
    const batch = sqsEvent(w, [event({ userId: 'hd_dlq_down' })]);
    const result = await instance.handler(batch, context(10_000));
    const id = batch.Records[0]?.messageId as string;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    expect(lastOutcome(w, id)).toMatchObject({ outcome: 'retry', errorCode: 30001, failedStep: 'friends' });
  });

  it('returns before the deadline while ChangeMessageVisibility never answers, still returning the record', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['hd_hang_visibility'] });
    w.chat.injectFault({ type: 'error-code', code: 30006, fromAccount: 'hd_hang_visibility', times: 5 });
    const hang = w.sqs.injectFailure((call) => call.action === 'ChangeMessageVisibility', { mode: 'hang' });
    const instance = await w.startInstance();
    const batch = sqsEvent(w, [event({ userId: 'hd_hang_visibility' })]);
    const startedAt = performance.now();
    const result = await instance.handler(batch, context(4000));
    expect(performance.now() - startedAt).toBeLessThan(3500);
    expect(hang.hits).toBe(1);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[0]?.messageId }]);
  });
});

describe('the admin is never erased', () => {
  it('refuses an event naming the admin a rotation renamed, without sending a call for it', async () => {
    const w = await startWorld();
    w.chat.seed({
      accounts: ['hd_warmup', 'admin_new', 'hd_pal'],
      friendships: [['admin_new', 'hd_pal', 'both']],
    });
    const instance = await w.startInstance();
    // Warm: the instance caches a secret naming `administrator`.
    expect(
      (await instance.handler(sqsEvent(w, [event({ userId: 'hd_warmup' })]), context(30_000)))
        .batchItemFailures,
    ).toEqual([]);
    // The operator rotates key and admin.
    const rotated = {
      ...w.adminSecret,
      adminIdentifier: 'admin_new',
      secretKey: 'rotated-key-for-admin-new-0123456789',
    };
    w.secrets.setSecret(SECRET_NAME, JSON.stringify(rotated));
    w.chat.setSecretKey(rotated.secretKey);
    w.chat.setAdmins(['administrator', 'admin_new']);
    w.chat.clearRequests();
    const batch = sqsEvent(w, [event({ userId: 'admin_new', requestId: 'dsr-admin-new' })]);
    const id = batch.Records[0]?.messageId as string;
    const result = await instance.handler(batch, context(30_000));
    expect(result.batchItemFailures).toEqual([]);
    // The first call (signed as the cached admin) was refused with 70009; after the re-fetch, no call for
    // admin_new was signed as admin_new.
    expect(w.chat.requests.map((request) => request.errorCode)).toEqual([70009]);
    expect(w.chat.requests.every((request) => request.query.identifier === 'administrator')).toBe(true);
    expect(w.chat.friendsOf('admin_new')).toEqual(['hd_pal']);
    const letter = (await readDeadLetters(w)).get(id);
    expect(attribute(letter ?? {}, 'failure-reason')).toBe('invalid-event');
    expect(attribute(letter ?? {}, 'error-message')).toBe('userId is the Chat admin account');
    expect(attribute(letter ?? {}, 'request-id')).toBe('dsr-admin-new');
  });

  it('refuses PROTECTED_USER_IDS before any call and before the secret is read', async () => {
    const w = await startWorld({ functionEnv: { PROTECTED_USER_IDS: ' ops_admin , service-bot ' } });
    w.chat.seed({ accounts: ['ops_admin', 'service-bot'] });
    const instance = await w.startInstance();
    const fetchesBefore = w.secrets.requestCount();
    const batch = sqsEvent(w, [event({ userId: 'ops_admin' }), event({ userId: 'service-bot' })]);
    const result = await instance.handler(batch, context(30_000));
    expect(result.batchItemFailures).toEqual([]);
    expect(w.chat.requests).toHaveLength(0);
    const letters = await readDeadLetters(w);
    for (const record of batch.Records) {
      const letter = letters.get(record.messageId);
      expect(attribute(letter ?? {}, 'failure-reason')).toBe('invalid-event');
      expect(attribute(letter ?? {}, 'error-message')).toBe(
        'userId is a protected account (PROTECTED_USER_IDS)',
      );
    }
    // The secret is read at most once for the batch (for the audit pseudonym), never needed for the verdict.
    expect(w.secrets.requestCount() - fetchesBefore).toBeLessThanOrEqual(1);
  });

  it('refuses an import with an invalid PROTECTED_USER_IDS entry, naming the variable', async () => {
    const w = await startWorld();
    process.env.PROTECTED_USER_IDS = 'ok_admin,,other';
    try {
      await expect(w.startInstance()).rejects.toThrow(
        /^chat-erasure configuration: PROTECTED_USER_IDS is invalid/,
      );
    } finally {
      delete process.env.PROTECTED_USER_IDS;
    }
  });
});

describe('invalid events never wait for Secrets Manager', () => {
  it.each(['error', 'hang'] as const)(
    'dead-letters an invalid body as invalid-event during a Secrets Manager outage (%s)',
    async (mode) => {
      const w = await startWorld();
      w.chat.seed({ accounts: ['hd_valid_in_outage'] });
      w.secrets.setOutage(true, mode);
      const instance = await w.startInstance();
      const batch = sqsEvent(w, ['{"userId": 42}', event({ userId: 'hd_valid_in_outage' })]);
      const [invalid, valid] = batch.Records.map((record) => record.messageId) as [string, string];
      const result = await instance.handler(batch, context(4000));
      // Only the valid record needs the secret: it goes back for retry.
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: valid }]);
      const letters = await readDeadLetters(w);
      expect(letters.size).toBe(1);
      expect(attribute(letters.get(invalid) ?? {}, 'failure-reason')).toBe('invalid-event');
      expect(attribute(letters.get(invalid) ?? {}, 'error-message')).toBe('userId is not a string');
      expect(lastOutcome(w, invalid)).toMatchObject({
        outcome: 'dead-lettered',
        failureReason: 'invalid-event',
      });
    },
  );
});

describe('the UserSig is read when the request is sent', () => {
  it('sends a fresh UserSig after a long pacer wait instead of an expired one', async () => {
    // One call every 2 s per instance; a UserSig valid for 1 s (renewed when < 0.1 s remains).
    const w = await startWorld({
      functionEnv: { CALL_BUDGET_PER_SECOND: '0.5', MAX_CONCURRENCY: '1', USERSIG_TTL_SECONDS: '1' },
    });
    w.chat.seed({ accounts: ['hd_slow_budget_1', 'hd_slow_budget_2'] });
    const instance = await w.startInstance();
    // The second record's call waits a whole spacing (2 s) behind the first: a UserSig read before that
    // wait would be expired on arrival, and again after re-signing.
    const batch = sqsEvent(w, [event({ userId: 'hd_slow_budget_1' }), event({ userId: 'hd_slow_budget_2' })]);
    const result = await instance.handler(batch, context(30_000));
    expect(result.batchItemFailures).toEqual([]);
    expect(w.chat.requests.map((request) => request.errorCode)).toEqual([0, 0, 0, 0]);
    for (const record of batch.Records)
      expect(lastOutcome(w, record.messageId)).toMatchObject({ outcome: 'erased' });
  });
});

describe('requestId and DLQ attributes', () => {
  it.each([
    ['TAB, LF and CR', 'dsr\t1\nline\r2'],
    ['over 1,024 bytes', `dsr-${'x'.repeat(3000)}`],
    ['DEL and C1 characters (SQS carries them)', 'dsr-\u007f-\u0085'],
  ])('carries a requestId with %s into the DLQ as it is', async (_label, requestId) => {
    const w = await startWorld();
    const batch = sqsEvent(w, [JSON.stringify({ userId: 42, requestId })]);
    const id = batch.Records[0]?.messageId as string;
    await (await w.startInstance()).handler(batch, context(30_000));
    const letter = (await readDeadLetters(w)).get(id);
    expect(attribute(letter ?? {}, 'request-id')).toBe(requestId);
    expect(attribute(letter ?? {}, 'erasure-id')).toBe(id);
    expect(lastOutcome(w, id)).toMatchObject({ requestId, erasureId: id });
  });

  it('uses the messageId for a requestId SQS cannot carry', async () => {
    const w = await startWorld();
    const batch = sqsEvent(w, [JSON.stringify({ userId: 42, requestId: 'dsr\u0000nul' })]);
    const id = batch.Records[0]?.messageId as string;
    await (await w.startInstance()).handler(batch, context(30_000));
    expect(attribute((await readDeadLetters(w)).get(id) ?? {}, 'request-id')).toBe(id);
  });
});

describe('a body near the maximum message size still reaches the DLQ', () => {
  const MAX = 64 * 1024;
  const bodyOf = (size: number) => {
    const prefix = '{"userId":7,"pad":"';
    return `${prefix}${'p'.repeat(size - prefix.length - 2)}"}`;
  };

  it.each([
    ['with failure-reason only', MAX - 60, ['failure-reason']],
    ['with no attributes', MAX - 5, []],
  ])('repeats the send %s when SQS refuses it as too large', async (_label, size, attributes) => {
    const w = await startWorld();
    for (const queue of [w.queue, w.dlq]) {
      await w.sqs.client.send(
        new SetQueueAttributesCommand({
          QueueUrl: queue.url,
          Attributes: { MaximumMessageSize: String(MAX) },
        }),
      );
    }
    const body = bodyOf(size);
    expect(Buffer.byteLength(body)).toBe(size);
    const [id] = await w.enqueue([body]);
    const drained = await w.drain({ maxDurationMs: 10_000, instances: 1 });
    expect(drained).toMatchObject({ deleted: 1, returnedForRetry: 0 });
    const letters = await w.sqs.readAll(w.dlq.url);
    expect(letters).toHaveLength(1);
    const letter = letters[0];
    expect(letter?.Body).toBe(body);
    expect(Object.keys(letter?.MessageAttributes ?? {})).toEqual(attributes);
    // The audit line carries everything.
    expect(lastOutcome(w, id as string)).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'invalid-event',
    });
  });
});

describe('configurations that cannot work fail the import', () => {
  it.each([
    ['CHAT_TIMEOUT_MS', '900000', /^chat-erasure configuration: CHAT_TIMEOUT_MS is invalid/],
    ['CHAT_TIMEOUT_MS', '999', /^chat-erasure configuration: CHAT_TIMEOUT_MS is invalid/],
    ['DLQ_URL', 'https://example.com/not-a-queue', /^chat-erasure configuration: DLQ_URL is invalid/],
    ['CALL_BUDGET_PER_SECOND', '0.1', /^chat-erasure configuration: CALL_BUDGET_PER_SECOND is invalid/],
  ])('%s=%s', async (name, value, message) => {
    const w = await startWorld();
    const saved = process.env[name];
    process.env[name] = value;
    try {
      await expect(w.startInstance()).rejects.toThrow(message);
    } finally {
      process.env[name] = saved;
    }
  });
});

describe('the budget survives instance rotation', () => {
  it('keeps every sliding second within the budget while six warm instances are served two at a time', async () => {
    const w = await startWorld({ functionEnv: { CALL_BUDGET_PER_SECOND: '4', MAX_CONCURRENCY: '2' } });
    const users = Array.from({ length: 12 }, (_, index) => `hd_rot_${index}`);
    w.chat.seed({ accounts: users });
    const instances: Awaited<ReturnType<ErasureWorld['startInstance']>>[] = [];
    for (let index = 0; index < 6; index++) instances.push(await w.startInstance());
    w.chat.clearRequests();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        [0, 1].map((slot) => {
          const instance = instances[round * 2 + slot];
          const user = users[round * 4 + slot * 2] as string;
          const next = users[round * 4 + slot * 2 + 1] as string;
          return instance?.handler(
            sqsEvent(w, [event({ userId: user }), event({ userId: next })]),
            context(30_000),
          );
        }),
      );
    }
    // Each record's plan makes one friend_get and one group_get: each command has its own budget of 4.
    for (const command of ['friend_get', 'group_get']) {
      const arrivals = w.chat.requests
        .filter((request) => request.command === command)
        .map((request) => request.receivedAtMs)
        .sort((a, b) => a - b);
      expect(arrivals).toHaveLength(12);
      let busiest = 0;
      for (const start of arrivals) {
        busiest = Math.max(busiest, arrivals.filter((at) => at >= start && at < start + 1000).length);
      }
      expect(busiest, command).toBeLessThanOrEqual(4);
    }
    expect(w.chat.counters.throttled).toBe(0);
  });
});

describe('FIFO is decided by the queue ARN', () => {
  it('treats a standard-queue record with a MessageGroupId (fair queues) by the standard rules', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['hd_fair'] });
    const batch = sqsEvent(w, [event({ userId: 'hd_fair' }), event({ userId: 'hd_fair' })]);
    for (const record of batch.Records as SQSRecord[]) record.attributes.MessageGroupId = 'tenant-1';
    w.chat.clearRequests();
    const result = await (await w.startInstance()).handler(batch, context(30_000));
    expect(result.batchItemFailures).toEqual([]);
    // Standard rules: duplicates of one userId share one erasure (FIFO would erase twice, in order).
    expect(
      w.chat.requests.filter(
        (request) => request.command === 'friend_get' && fromAccounts(w).includes('hd_fair'),
      ),
    ).toHaveLength(1);
  });
});
