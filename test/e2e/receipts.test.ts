/**
 * Receipts through the real bundle (DESIGN.md "Receipts"): EventBridge events and Step Functions callbacks
 * for every way a record ends, delivery failures that retry and those that dead-letter at once, and what
 * a receipt may never carry.
 */
import { describe, expect, it } from 'vitest';
import type { ErasureWorld } from '../../sim/erasureWorld.ts';
import {
  attribute,
  event,
  lambdaContext,
  lastOutcome,
  readDeadLetters,
  sqsEvent,
  worldsPerTest,
} from './support.ts';

const BUS = 'erasure-receipts';
const startWorld = worldsPerTest({ receiptBus: BUS, functionEnv: { MAX_RECEIVES: '3' } });

const context = lambdaContext;

async function invoke(w: ErasureWorld, bodies: string[], receiveCount = 1, timeoutMs = 30_000) {
  const batch = sqsEvent(w, bodies, receiveCount);
  const result = await (await w.startInstance()).handler(batch, context(timeoutMs));
  const ids = batch.Records.map((record) => record.messageId);
  return { batch, result, ids };
}

const eventsFor = (w: ErasureWorld, messageId: string) =>
  w.events.events({ bus: BUS }).filter((recorded) => recorded.detail.messageId === messageId);

describe('EventBridge receipts', () => {
  it('sends Chat Erasure Completed for erased and absent records, with the documented detail', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['rc_erased', 'rc_pal'], friendships: [['rc_erased', 'rc_pal', 'both']] });
    const { result, ids } = await invoke(w, [
      event({ userId: 'rc_erased', requestId: 'dsr-r1', occurredAt: '2026-11-25T10:00:00Z' }),
      event({ userId: 'rc_absent' }),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    const [erased] = eventsFor(w, ids[0] as string);
    expect(erased).toMatchObject({ source: 'chat-erasure', detailType: 'Chat Erasure Completed' });
    expect(erased?.detail).toEqual({
      version: '1',
      erasureId: ids[0],
      requestId: 'dsr-r1',
      messageId: ids[0],
      outcome: 'erased',
      steps: { friends: { result: 'done', removed: 1, verified: true } },
      residual: [
        'one-way friend entries held by others',
        'blocklist entries held by others',
        "messages on the other party's side and in groups",
      ],
      user: expect.stringMatching(/^[0-9a-f]{16}$/),
      sdkAppId: w.adminSecret.sdkAppId,
      occurredAt: '2026-11-25T10:00:00Z',
      completedAt: expect.any(String),
      lagSeconds: expect.any(Number),
      attempts: 1,
    });
    expect(erased?.detail.user).toBe(lastOutcome(w, ids[0] as string)?.user);
    const [absent] = eventsFor(w, ids[1] as string);
    expect(absent?.detail).toMatchObject({ outcome: 'absent', steps: { friends: { result: 'absent' } } });
  });

  it('batches the receipts of records that finish together into PutEvents calls of at most 10 entries', async () => {
    const w = await startWorld();
    const users = Array.from({ length: 23 }, (_, index) => `rc_batch_${index}`);
    const { ids } = await invoke(
      w,
      users.map((userId) => event({ userId })),
    );
    expect(new Set(w.events.events({ bus: BUS }).map((recorded) => recorded.detail.messageId))).toEqual(
      new Set(ids),
    );
    const calls = w.events.calls().filter((call) => call.status === 200);
    const sizes = calls.map(
      (call) => ((call.input as { Entries?: unknown[] } | undefined)?.Entries ?? []).length,
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(calls.length).toBeLessThan(users.length / 2);
  });

  it.each([
    ['invalid-event', '{"userId": 42}', undefined],
    ['permanent-error', JSON.stringify({ userId: 'rc_perm' }), 30001],
    ['retries-exhausted', JSON.stringify({ userId: 'rc_flaky' }), 70500],
  ] as const)('sends Chat Erasure Failed for a record dead-lettered as %s', async (reason, body, code) => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['rc_perm', 'rc_flaky'] });
    if (code !== undefined) w.chat.injectFault({ type: 'error-code', code, times: Number.POSITIVE_INFINITY });
    const { ids } = await invoke(w, [body], 3);
    const [failed] = eventsFor(w, ids[0] as string);
    expect(failed?.detailType).toBe('Chat Erasure Failed');
    expect(failed?.detail).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: reason,
      ...(code === undefined ? {} : { errorCode: code, failedStep: 'friends' }),
    });
    expect(JSON.stringify(failed?.detail)).not.toContain('ErrorInfo');
  });

  it('cuts a requestId over 1,024 characters in the receipt', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['rc_long'] });
    const requestId = `dsr-${'x'.repeat(2000)}`;
    const { ids } = await invoke(w, [event({ userId: 'rc_long', requestId })]);
    const [receipt] = eventsFor(w, ids[0] as string);
    expect(receipt?.detail.requestId).toBe(requestId.slice(0, 1024));
    expect(receipt?.detail.requestIdTruncated).toBe(true);
  });

  it.each([
    ['throttled', { type: 'throttle', times: 10 }],
    ['5xx', { type: 'internal', times: 10 }],
    [
      'partly failed (FailedEntryCount)',
      { type: 'partial', entries: 'all', errorCode: 'ThrottlingException', times: 10 },
    ],
    ['hung', { type: 'hang', times: 10 }],
  ] as const)(
    'returns an erased record whose PutEvents is %s, and delivers on a later delivery',
    async (_label, fault) => {
      const w = await startWorld();
      w.chat.seed({ accounts: ['rc_later'] });
      w.events.injectFault(fault);
      const first = await invoke(w, [event({ userId: 'rc_later' })], 1, 6000);
      expect(first.result.batchItemFailures).toEqual([{ itemIdentifier: first.ids[0] }]);
      expect(lastOutcome(w, first.ids[0] as string)).toMatchObject({ outcome: 'retry' });
      expect(w.events.events({ bus: BUS })).toEqual([]);
      w.events.clearFaults();
      const second = await invoke(w, [event({ userId: 'rc_later' })], 2);
      expect(second.result.batchItemFailures).toEqual([]);
      expect(eventsFor(w, second.ids[0] as string)[0]?.detail).toMatchObject({
        outcome: 'erased',
        attempts: 2,
      });
    },
  );

  it('dead-letters at MAX_RECEIVES as receipt-undelivered when the bus keeps failing', async () => {
    const w = await startWorld();
    w.chat.seed({ accounts: ['rc_never'] });
    w.events.injectFault({ type: 'internal', times: Number.POSITIVE_INFINITY });
    const { result, ids } = await invoke(w, [event({ userId: 'rc_never' })], 3);
    expect(result.batchItemFailures).toEqual([]);
    const letter = (await readDeadLetters(w)).get(ids[0] as string);
    expect(attribute(letter ?? {}, 'failure-reason')).toBe('receipt-undelivered');
    expect(lastOutcome(w, ids[0] as string)).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'receipt-undelivered',
    });
  });

  it.each([
    ['access denied', { type: 'access-denied', times: 5 }],
    ['a validation refusal', { type: 'validation', times: 5 }],
  ] as const)(
    'dead-letters at once as receipt-undelivered on %s, and sends no receipt for that dead letter',
    async (_label, fault) => {
      const w = await startWorld();
      w.chat.seed({ accounts: ['rc_denied'] });
      w.events.injectFault(fault);
      const { result, ids } = await invoke(w, [event({ userId: 'rc_denied' })]);
      expect(result.batchItemFailures).toEqual([]);
      const letter = (await readDeadLetters(w)).get(ids[0] as string);
      expect(attribute(letter ?? {}, 'failure-reason')).toBe('receipt-undelivered');
      expect(w.events.calls()).toHaveLength(1);
    },
  );

  it('tries a dead-lettered record’s receipt once, counts a failure, and keeps the record done', async () => {
    const w = await startWorld();
    w.events.injectFault({ type: 'internal', times: Number.POSITIVE_INFINITY });
    const { result, ids } = await invoke(w, ['not json']);
    expect(result.batchItemFailures).toEqual([]);
    expect(attribute((await readDeadLetters(w)).get(ids[0] as string) ?? {}, 'failure-reason')).toBe(
      'invalid-event',
    );
    // One call (the SDK's own retries included), then given up.
    expect(w.events.calls().length).toBeLessThanOrEqual(3);
    expect(w.functionLogs.some((line) => line.includes('"ReceiptsUndelivered"'))).toBe(true);
  });

  it('puts no secret, UserSig or plain userId into a receipt; RECEIPT_USER_ID=omit leaves the user out', async () => {
    const w = await startWorld({ functionEnv: { RECEIPT_USER_ID: 'omit' } });
    w.chat.seed({ accounts: ['rc_private'] });
    w.chat.injectFault({ type: 'error-code', code: 30001, times: 1 });
    await invoke(w, [event({ userId: 'rc_private' }), event({ userId: 'rc_private_ghost' })]);
    const texts = w.events.events({ bus: BUS }).map((recorded) => recorded.detailText);
    expect(texts).toHaveLength(2);
    const userSigs = w.chat.requests.map((request) => request.query.usersig).filter(Boolean) as string[];
    for (const text of texts) {
      expect(text).not.toContain('rc_private');
      expect(text).not.toContain(w.adminSecret.secretKey);
      for (const userSig of userSigs) expect(text).not.toContain(userSig);
      expect(JSON.parse(text)).not.toHaveProperty('user');
    }
  });
});

describe('Step Functions callbacks', () => {
  it('sends SendTaskSuccess with the receipt for an erased record', async () => {
    const w = await startWorld({ receiptBus: undefined });
    w.chat.seed({ accounts: ['rc_task'] });
    const taskToken = w.stepFunctions.createTaskToken();
    const { result, ids } = await invoke(w, [event({ userId: 'rc_task', taskToken })]);
    expect(result.batchItemFailures).toEqual([]);
    const task = w.stepFunctions.task(taskToken);
    expect(task?.status).toBe('succeeded');
    expect(JSON.parse(task?.output ?? '{}')).toMatchObject({ outcome: 'erased', messageId: ids[0] });
  });

  it('sends SendTaskFailure with ChatErasure.<failure-reason> for a dead-lettered record, even an invalid one', async () => {
    const w = await startWorld({ receiptBus: undefined });
    const taskToken = w.stepFunctions.createTaskToken();
    await invoke(w, [JSON.stringify({ userId: '', taskToken })]);
    const task = w.stepFunctions.task(taskToken);
    expect(task).toMatchObject({ status: 'failed', error: 'ChatErasure.invalid-event' });
    expect(JSON.parse(task?.cause ?? '{}')).toMatchObject({
      outcome: 'dead-lettered',
      failureReason: 'invalid-event',
    });
  });

  it('sends a heartbeat for a record returned for retry', async () => {
    const w = await startWorld({ receiptBus: undefined });
    w.chat.seed({ accounts: ['rc_beat'] });
    w.chat.injectFault({ type: 'error-code', code: 70500, times: 2 });
    const taskToken = w.stepFunctions.createTaskToken();
    const { result } = await invoke(w, [event({ userId: 'rc_beat', taskToken })]);
    expect(result.batchItemFailures).toHaveLength(1);
    expect(w.stepFunctions.task(taskToken)).toMatchObject({ status: 'waiting', heartbeats: 1 });
  });

  it.each(['task-does-not-exist', 'task-timed-out', 'invalid-token'] as const)(
    'counts %s as delivered, with a warning',
    async (type) => {
      const w = await startWorld({ receiptBus: undefined });
      w.chat.seed({ accounts: ['rc_gone_task'] });
      w.stepFunctions.injectFault({ type, times: 5 });
      const taskToken = w.stepFunctions.createTaskToken();
      const { result, ids } = await invoke(w, [event({ userId: 'rc_gone_task', taskToken })]);
      expect(result.batchItemFailures).toEqual([]);
      expect(lastOutcome(w, ids[0] as string)).toMatchObject({ outcome: 'erased' });
      expect(w.logRecords().some((line) => String(line.message).includes('no longer waits'))).toBe(true);
    },
  );

  it('dead-letters at once as receipt-undelivered when the output is refused (InvalidOutput)', async () => {
    const w = await startWorld({ receiptBus: undefined });
    w.chat.seed({ accounts: ['rc_bad_output'] });
    w.stepFunctions.injectFault({ type: 'invalid-output', times: 5 });
    const taskToken = w.stepFunctions.createTaskToken();
    const { ids } = await invoke(w, [event({ userId: 'rc_bad_output', taskToken })]);
    expect(attribute((await readDeadLetters(w)).get(ids[0] as string) ?? {}, 'failure-reason')).toBe(
      'receipt-undelivered',
    );
  });
});
