/**
 * The real bundle (dist/handler.mjs) end to end, with the real AWS SDK clients against the loopback
 * stand-ins and the Chat API simulator, drained through the event-source-mapping poller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../sim/aws/lambdaContext.ts';
import { type ErasureWorld, startErasureWorld } from '../../sim/erasureWorld.ts';
import {
  attribute,
  auditByMessageId,
  event,
  expectNoCredentialsInLogs,
  lastOutcome,
  readDeadLetters,
  sqsEvent,
} from './support.ts';

const MAX_RECEIVES = 3;
let world: ErasureWorld;
const keysUsed: string[] = [];

beforeAll(async () => {
  world = await startErasureWorld({
    chatCallsPerSecond: 1000,
    functionEnv: {
      MAX_RECEIVES: String(MAX_RECEIVES),
      CHAT_TIMEOUT_MS: '1000',
      CALL_BUDGET_PER_SECOND: '1000',
      MAX_CONCURRENCY: '2',
    },
  });
  keysUsed.push(world.adminSecret.secretKey);
});

afterEach(async () => {
  world.chat.clearFaults();
  world.sqs.clearFailures();
  world.secrets.setOutage(false);
  // Nothing may be left behind by a test: every message ended somewhere. Purge so one failure stays one.
  const left = await world.sqs.approximateCounts(world.queue.url);
  if (left.visible + left.notVisible + left.delayed > 0) {
    await world.sqs.client.send(new PurgeQueueCommand({ QueueUrl: world.queue.url }));
  }
  expect(left).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
});

afterAll(async () => {
  expectNoCredentialsInLogs(world, keysUsed);
  await world?.close();
});

const context = (timeoutMs = 30_000) =>
  createLambdaContext({ functionName: 'chat-erasure', region: 'us-east-1', timeoutMs });

const drain = (maxDurationMs = 15_000) => world.drain({ maxDurationMs, instances: 2, reuseInstances: true });

describe('outcomes', () => {
  it('erases both ways, reports absent accounts done, and writes one audit line per record', async () => {
    world.chat.seed({
      accounts: ['e2e_alice', 'e2e_bob', 'e2e_carol', 'e2e_dave'],
      friendships: [
        ['e2e_alice', 'e2e_bob', 'both'],
        ['e2e_alice', 'e2e_carol', 'both'],
        ['e2e_dave', 'e2e_alice', 'single'],
      ],
    });
    const occurredAt = new Date(Date.now() - 90_000).toISOString();
    const [alice, ghost] = await world.enqueue([
      event({ userId: 'e2e_alice', requestId: 'dsr-1', occurredAt }),
      event({ userId: 'e2e_ghost' }),
    ]);
    const result = await drain();
    expect(result).toMatchObject({ recordsDelivered: 2, deleted: 2, returnedForRetry: 0, handlerErrors: 0 });
    expect(world.chat.friendsOf('e2e_alice')).toEqual([]);
    expect(world.chat.friendsOf('e2e_bob')).toEqual([]);
    expect(world.chat.friendsOf('e2e_carol')).toEqual([]);
    expect(world.chat.friendsOf('e2e_dave')).toEqual(['e2e_alice']); // one-way entry held by another user
    const aliceAudit = lastOutcome(world, alice as string);
    expect(aliceAudit).toMatchObject({ outcome: 'erased', requestId: 'dsr-1', attempts: 1 });
    expect(aliceAudit?.lagSeconds).toBeGreaterThanOrEqual(89);
    expect(aliceAudit?.user).toMatch(/^[0-9a-f]{16}$/); // pseudonym by default
    expect(JSON.stringify(aliceAudit)).not.toContain('e2e_alice');
    expect(lastOutcome(world, ghost as string)).toMatchObject({ outcome: 'absent', errorCode: 30003 });
    expect(auditByMessageId(world).get(alice as string)).toHaveLength(1);
  });

  it('unwraps SNS and EventBridge envelopes', async () => {
    world.chat.seed({
      accounts: ['e2e_sns', 'e2e_eb', 'e2e_pal'],
      friendships: [
        ['e2e_sns', 'e2e_pal', 'both'],
        ['e2e_eb', 'e2e_pal', 'both'],
      ],
    });
    const sns = event({
      Type: 'Notification',
      MessageId: 'sns-1',
      Message: event({ userId: 'e2e_sns', requestId: 'dsr-sns' }),
    });
    const eventBridge = event({
      'detail-type': 'AccountClosed',
      source: 'accounts',
      detail: { userId: 'e2e_eb', requestId: 'dsr-eb' },
    });
    const [snsId, ebId] = await world.enqueue([sns, eventBridge]);
    await drain();
    expect(lastOutcome(world, snsId as string)).toMatchObject({ outcome: 'erased', requestId: 'dsr-sns' });
    expect(lastOutcome(world, ebId as string)).toMatchObject({ outcome: 'erased', requestId: 'dsr-eb' });
    expect(world.chat.friendsOf('e2e_pal')).toEqual([]);
  });

  it('dead-letters every kind of invalid event with its reason and the body byte for byte, leaving the rest alone', async () => {
    world.chat.seed({
      accounts: ['e2e_valid', 'e2e_v_friend'],
      friendships: [['e2e_valid', 'e2e_v_friend', 'both']],
    });
    const invalid: Record<string, string> = {
      'not JSON': '{"userId": "oops"',
      'userId missing': event({ requestId: 'dsr-missing' }),
      'userId a number': event({ userId: 42 }),
      'userId empty': event({ userId: '' }),
      'userId over 32 bytes': event({ userId: 'ü'.repeat(17) }),
      'control character': event({ userId: 'bad\u0007id' }),
      'the admin': event({ userId: 'administrator' }),
      'SNS Message not JSON': event({ Type: 'Notification', Message: 'not json' }),
      'an array': '[1,2,3]',
      // BMP only: fauxqs refuses characters above U+FFFF, which real SQS accepts.
      'whitespace and unicode kept': '  {"userId": 7, "note": "ünïcödé ✓"}  ',
    };
    const INVALID_REASON_OF = [
      'body is not JSON',
      'userId is missing',
      'userId is not a string',
      'userId is empty',
      'userId is longer than 32 bytes (UTF-8)',
      'userId contains a control character',
      'userId is the Chat admin account',
      'SNS Message is not JSON',
      'event is not a JSON object',
      'userId is not a string',
    ];
    const bodies = [...Object.values(invalid), event({ userId: 'e2e_valid' })];
    const ids = await world.enqueue(bodies);
    const result = await drain();
    expect(result.deleted).toBe(bodies.length);
    const deadLetters = await readDeadLetters(world);
    Object.values(invalid).forEach((body, index) => {
      const letter = deadLetters.get(ids[index] as string);
      expect(letter?.Body).toBe(body);
      expect(attribute(letter ?? {}, 'failure-reason')).toBe('invalid-event');
      expect(attribute(letter ?? {}, 'error-message')).toBe(INVALID_REASON_OF[index]);
      expect(lastOutcome(world, ids[index] as string)).toMatchObject({
        outcome: 'dead-lettered',
        failureReason: 'invalid-event',
      });
    });
    expect(attribute(deadLetters.get(ids[1] as string) ?? {}, 'request-id')).toBe('dsr-missing');
    expect(attribute(deadLetters.get(ids[0] as string) ?? {}, 'request-id')).toBe(ids[0]);
    expect(lastOutcome(world, ids.at(-1) as string)).toMatchObject({ outcome: 'erased' });
    expect(deadLetters.size).toBe(Object.keys(invalid).length);
    expect(world.chat.hasAccount('administrator')).toBe(true);
    // The admin record never reached the Chat API.
    expect(
      world.chat.requests.some(
        (r) => (r.body as { From_Account?: string })?.From_Account === 'administrator',
      ),
    ).toBe(false);
  });

  it('makes one call for duplicated userIds in a batch and reports both done', async () => {
    world.chat.seed({ accounts: ['e2e_dup'] });
    world.chat.clearRequests();
    await world.enqueue([
      event({ userId: 'e2e_dup', requestId: 'a' }),
      event({ userId: 'e2e_dup', requestId: 'b' }),
    ]);
    const result = await world.drain({ maxDurationMs: 10_000, instances: 1, reuseInstances: true });
    expect(result.deleted).toBe(2);
    expect(result.invocations).toBe(1);
    // One plan run: one friend_get and one group_get (nothing to remove), not two of each.
    expect(
      world.chat.requests
        .filter((r) => (r.body as { From_Account?: string })?.From_Account === 'e2e_dup')
        .map((r) => r.command),
    ).toEqual(['friend_get', 'group_get']);
  });
});

describe('the error table through the handler', () => {
  it.each([
    ['permanent', { type: 'error-code', code: 30001 } as const, 'permanent-error', 30001],
    ['re-sign twice', { type: 'error-code', code: 70003, times: 2 } as const, 'permanent-error', 70003],
    ['HTTP 4xx', { type: 'http-status', status: 403 } as const, 'permanent-error', undefined],
  ])('dead-letters a %s answer as permanent-error', async (_label, fault, reason, code) => {
    world.chat.seed({ accounts: ['e2e_perm'] });
    world.chat.injectFault({ ...fault, fromAccount: 'e2e_perm' });
    const [id] = await world.enqueue([event({ userId: 'e2e_perm', requestId: 'dsr-perm' })]);
    await drain();
    const letter = (await readDeadLetters(world)).get(id as string);
    expect(attribute(letter ?? {}, 'failure-reason')).toBe(reason);
    if (code === undefined) {
      expect(letter?.MessageAttributes?.['error-code']).toBeUndefined();
      expect(attribute(letter ?? {}, 'error-message')).toBe('HTTP 403');
    } else {
      expect(letter?.MessageAttributes?.['error-code']).toEqual(
        expect.objectContaining({ DataType: 'Number', StringValue: String(code) }),
      );
    }
    expect(attribute(letter ?? {}, 'request-id')).toBe('dsr-perm');
    expect(attribute(letter ?? {}, 'attempts')).toBe('1');
    expect(attribute(letter ?? {}, 'error-message')).not.toContain('e2e_perm');
    expect(Date.parse(attribute(letter ?? {}, 'failed-at') ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it.each([
    ['transient code', { type: 'error-code', code: 30006 } as const],
    ['throttled code', { type: 'error-code', code: 60007 } as const],
    ['HTTP 502', { type: 'http-status', status: 502 } as const],
    ['timeout', { type: 'delay', ms: 1500 } as const],
    ['reset', { type: 'reset' } as const],
    ['disagreeing answer', { type: 'error-code', code: 30006, actionStatus: 'OK' } as const],
  ])('recovers from one %s with the in-process retry', async (_label, fault) => {
    world.chat.seed({
      accounts: ['e2e_blip', 'e2e_blip_friend'],
      friendships: [['e2e_blip', 'e2e_blip_friend', 'both']],
    });
    world.chat.injectFault({ ...fault, fromAccount: 'e2e_blip', times: 1 });
    const [id] = await world.enqueue([event({ userId: 'e2e_blip' })]);
    const result = await drain();
    expect(result).toMatchObject({ deleted: 1, returnedForRetry: 0 });
    expect(lastOutcome(world, id as string)).toMatchObject({ outcome: 'erased', attempts: 1 });
    expect(world.chat.friendsOf('e2e_blip_friend')).toEqual([]);
  });

  it('returns a persistently failing record with a growing visibility backoff, then dead-letters it as retries-exhausted', async () => {
    world.chat.seed({ accounts: ['e2e_flaky'] });
    world.chat.injectFault({
      type: 'error-code',
      code: 70500,
      fromAccount: 'e2e_flaky',
      times: Number.POSITIVE_INFINITY,
    });
    world.sqs.clearCalls();
    const [id] = await world.enqueue([event({ userId: 'e2e_flaky' })]);
    const result = await drain(20_000);
    expect(result.returnedForRetry).toBe(MAX_RECEIVES - 1);
    const audits = auditByMessageId(world).get(id as string) ?? [];
    expect(audits.map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead-lettered']);
    expect(audits.map((a) => a.attempts)).toEqual([1, 2, 3]);
    const requested = world.sqs.calls
      .filter((call) => call.action === 'ChangeMessageVisibility')
      .map((call) => (call.input as { VisibilityTimeout: number }).VisibilityTimeout);
    expect(requested).toHaveLength(2);
    expect(requested[0]).toBeGreaterThanOrEqual(24);
    expect(requested[0]).toBeLessThanOrEqual(36);
    expect(requested[1]).toBeGreaterThanOrEqual(48);
    expect(requested[1]).toBeLessThanOrEqual(72);
    const letter = (await readDeadLetters(world)).get(id as string);
    expect(attribute(letter ?? {}, 'failure-reason')).toBe('retries-exhausted');
    expect(attribute(letter ?? {}, 'error-code')).toBe('70500');
    expect(attribute(letter ?? {}, 'attempts')).toBe(String(MAX_RECEIVES));
  });

  it('re-signs after an expired-UserSig answer without failing the record', async () => {
    world.chat.seed({ accounts: ['e2e_resign'] });
    world.chat.injectFault({ type: 'error-code', code: 70001, fromAccount: 'e2e_resign' });
    const fetchesBefore = world.secrets.requestCount();
    const [id] = await world.enqueue([event({ userId: 'e2e_resign' })]);
    await drain();
    expect(lastOutcome(world, id as string)).toMatchObject({ outcome: 'erased' });
    expect(world.secrets.requestCount()).toBeGreaterThan(fetchesBefore); // forced fetch, cache bypassed
  });
});

describe('rotation, outages and deadlines', () => {
  it('picks up a rotated key while warm, with no failed erasure', async () => {
    world.chat.seed({ accounts: ['e2e_before', 'e2e_after'] });
    await world.enqueue([event({ userId: 'e2e_before' })]);
    await drain();
    world.rotateKey('rotated-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0');
    keysUsed.push(world.adminSecret.secretKey);
    world.chat.clearRequests();
    const fetchesBefore = world.secrets.requestCount();
    const [id] = await world.enqueue([event({ userId: 'e2e_after' })]);
    const result = await drain();
    expect(result).toMatchObject({ deleted: 1, returnedForRetry: 0 });
    expect(lastOutcome(world, id as string)).toMatchObject({ outcome: 'erased' });
    // This rotation: the old UserSig is refused once, the secret is re-fetched, the retry succeeds and
    // the rest of the plan is signed with the new key.
    const codes = world.chat.requests.map((r) => r.errorCode);
    expect(codes[0]).toBe(70009);
    expect(codes.slice(1).every((code) => code === 0)).toBe(true);
    expect(codes.length).toBeGreaterThan(1);
    expect(world.secrets.requestCount()).toBeGreaterThan(fetchesBefore);
  });

  it('keeps a record whose DLQ send fails, and dead-letters it once the DLQ is back', async () => {
    const outage = world.sqs.injectFailure(
      (call) =>
        call.action === 'SendMessage' && (call.input as { QueueUrl?: string }).QueueUrl === world.dlq.url,
    );
    const instance = await world.startInstance();
    const batch = sqsEvent(world, ['definitely not json', event({ userId: 'e2e_unaffected' })]);
    const id = batch.Records[0]?.messageId as string;
    world.chat.importAccounts(['e2e_unaffected']);
    const during = await instance.handler(batch, context());
    expect(during.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    expect(lastOutcome(world, id)).toMatchObject({ outcome: 'retry' });
    expect((await readDeadLetters(world)).has(id)).toBe(false);
    outage.remove();
    const after = await instance.handler({ Records: [batch.Records[0] as SQSRecord] }, context());
    expect(after.batchItemFailures).toEqual([]);
    const letter = (await readDeadLetters(world)).get(id);
    expect(letter?.Body).toBe('definitely not json');
    expect(lastOutcome(world, id)).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'invalid-event',
    });
  });

  it('returns the records that need the secret while Secrets Manager is down, and recovers when it is back', async () => {
    world.chat.seed({ accounts: ['e2e_nosecret'] });
    world.secrets.setOutage(true);
    // A fresh instance has no cached secret.
    const instance = await world.startInstance();
    const batch = sqsEvent(world, [event({ userId: 'e2e_nosecret' }), 'not json']);
    const result = await instance.handler(batch, context());
    // The invalid body needs no secret: it is dead-lettered at once.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[0]?.messageId }]);
    expect(lastOutcome(world, batch.Records[1]?.messageId as string)).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'invalid-event',
    });
    world.secrets.setOutage(false);
    const retried = await instance.handler(sqsEvent(world, [event({ userId: 'e2e_nosecret' })]), context());
    expect(retried.batchItemFailures).toEqual([]);
  });

  it('starts no call that cannot finish before the deadline, and returns those records', async () => {
    const users = Array.from({ length: 5 }, (_, i) => `e2e_deadline_${i}`);
    world.chat.seed({ accounts: users });
    world.chat.clearRequests();
    const instance = await world.startInstance();
    // CHAT_TIMEOUT_MS 1000 + 1 s margin > 1.9 s left: no call may start.
    const result = await instance.handler(
      sqsEvent(
        world,
        users.map((userId) => event({ userId })),
      ),
      context(1900),
    );
    expect(result.batchItemFailures).toHaveLength(users.length);
    expect(world.chat.requests).toHaveLength(0);
    const audits = world
      .logRecords()
      .filter((r) => r.message === 'erasure' && String(r.error).startsWith('not started'));
    expect(audits.length).toBeGreaterThanOrEqual(users.length);
    // Even at MAX_RECEIVES such a record is not dead-lettered: the next delivery decides.
    const last = await instance.handler(
      sqsEvent(world, [event({ userId: 'e2e_deadline_0' })], MAX_RECEIVES),
      context(1900),
    );
    expect(last.batchItemFailures).toHaveLength(1);
    const ample = await instance.handler(
      sqsEvent(
        world,
        users.map((userId) => event({ userId })),
      ),
      context(),
    );
    expect(ample.batchItemFailures).toEqual([]);
  });

  it('lets a started call finish before the function times out', async () => {
    world.chat.seed({ accounts: ['e2e_slow'] });
    world.chat.injectFault({ type: 'delay', ms: 5000, fromAccount: 'e2e_slow', times: 2 });
    const instance = await world.startInstance();
    const startedAt = performance.now();
    // 2.5 s left: the first call may start (1 s timeout + 1 s margin), the retry may not.
    const result = await instance.handler(sqsEvent(world, [event({ userId: 'e2e_slow' })]), context(2500));
    expect(performance.now() - startedAt).toBeLessThan(2500);
    expect(result.batchItemFailures).toHaveLength(1);
    world.chat.clearFaults();
  });
});

describe('sample events', () => {
  const files = readdirSync(new URL('../../events/', import.meta.url)).filter((name) =>
    name.endsWith('.json'),
  );
  /** What each sample record comes to, from events/README.md (written by hand, not derived from the code). */
  const EXPECTED: Record<string, string[]> = {
    'plain-batch.json': ['erased', 'erased', 'erased', 'erased'],
    'sns-wrapped.json': ['erased', 'erased'],
    'eventbridge-wrapped.json': ['erased', 'erased'],
    'fifo-batch.json': ['erased', 'erased', 'erased', 'erased'],
    'invalid-records.json': [...Array.from({ length: 9 }, () => 'dead-lettered'), 'erased'],
  };
  const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

  it('knows every sample file', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('the handler accepts events/%s and finishes every record as expected', async (file) => {
    const sample = JSON.parse(
      readFileSync(new URL(`../../events/${file}`, import.meta.url), 'utf8'),
    ) as SQSEvent;
    world.chat.importAccounts(DEMO_USERS.map((name) => `demo_${name}`));
    const instance = await world.startInstance();
    const result = await instance.handler(sample, context(60_000));
    expect(result).toEqual({ batchItemFailures: [] });
    const outcomes = sample.Records.map((record) => lastOutcome(world, record.messageId)?.outcome);
    expect(outcomes).toEqual(EXPECTED[file]);
    const letters = await readDeadLetters(world);
    for (const record of sample.Records) {
      const letter = letters.get(record.messageId);
      if (lastOutcome(world, record.messageId)?.outcome === 'dead-lettered') {
        expect(letter?.Body).toBe(record.body);
        expect(attribute(letter ?? {}, 'failure-reason')).toBe('invalid-event');
      } else {
        expect(letter).toBeUndefined();
      }
    }
  });
});

describe('configuration', () => {
  it('fails the import with one message naming the variable', async () => {
    const saved = process.env.DLQ_URL;
    delete process.env.DLQ_URL;
    try {
      await expect(world.startInstance()).rejects.toThrow('chat-erasure configuration: DLQ_URL is required');
      process.env.DLQ_URL = 'not a url';
      await expect(world.startInstance()).rejects.toThrow(/^chat-erasure configuration: DLQ_URL is invalid/);
    } finally {
      process.env.DLQ_URL = saved;
    }
  });
});
