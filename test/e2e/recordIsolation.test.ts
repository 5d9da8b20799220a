/**
 * The domain wired with the production adapters (createErasureServices) against the stand-ins, with one
 * seam opened: a Chat poster that throws for one userId, standing in for a bug. Also LOG_USER_ID modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../sim/aws/lambdaContext.ts';
import { type ErasureWorld, startErasureWorld } from '../../sim/erasureWorld.ts';
import { loadConfiguration, type UserIdDisplay } from '../../src/configuration.ts';
import { processErasureBatch } from '../../src/erasure/processErasureBatch.ts';
import { createServices } from '../../src/services.ts';
import { event, sqsEvent } from './support.ts';

let world: ErasureWorld;

beforeAll(async () => {
  world = await startErasureWorld({ functionEnv: { MAX_RECEIVES: '2' } });
});

afterAll(async () => {
  await world?.close();
});

const context = () =>
  createLambdaContext({ functionName: 'chat-erasure', region: 'us-east-1', timeoutMs: 30_000 });

function servicesWith(logUserId: UserIdDisplay = 'pseudonym') {
  const services = createServices(loadConfiguration({ ...process.env, LOG_USER_ID: logUserId }));
  const realPost = services.chat.post.bind(services.chat);
  const chat = {
    post: (...args: Parameters<typeof realPost>) => {
      if ((args[0].body as { From_Account?: string }).From_Account === 'iso_buggy') {
        throw new TypeError('simulated bug');
      }
      return realPost(...args);
    },
  };
  return { ...services, chat };
}

const erasureLines = (messageIds: string[]) =>
  world.logRecords().filter((r) => r.message === 'erasure' && messageIds.includes(String(r.messageId)));

describe('a bug in one record', () => {
  it('affects only that record: it goes back for retry, the rest of the batch completes', async () => {
    world.chat.seed({ accounts: ['iso_ok_1', 'iso_ok_2', 'iso_buggy'] });
    const batch = sqsEvent(
      world,
      ['iso_ok_1', 'iso_buggy', 'iso_ok_2'].map((userId) => event({ userId })),
    );
    const result = await processErasureBatch(batch, context(), servicesWith());
    const buggyId = batch.Records[1]?.messageId as string;
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: buggyId }] });
    const lines = erasureLines(batch.Records.map((r) => r.messageId));
    expect(lines.map((l) => l.outcome).sort()).toEqual(['erased', 'erased', 'retry']);
    expect(lines.find((l) => l.messageId === buggyId)?.error).toBe('unexpected error (TypeError)');
  });

  it('is dead-lettered as retries-exhausted once MAX_RECEIVES is reached', async () => {
    const batch = sqsEvent(world, [event({ userId: 'iso_buggy' })], 2);
    const result = await processErasureBatch(batch, context(), servicesWith());
    expect(result.batchItemFailures).toEqual([]);
    const [letter] = await world.sqs.readAll(world.dlq.url);
    expect(letter?.MessageAttributes?.['failure-reason']?.StringValue).toBe('retries-exhausted');
    expect(letter?.MessageAttributes?.['error-message']?.StringValue).toBe('unexpected error (TypeError)');
  });
});

describe('LOG_USER_ID', () => {
  it.each([
    ['plain', (user: unknown) => expect(user).toBe('iso_logged')],
    ['omit', (user: unknown) => expect(user).toBeUndefined()],
    ['pseudonym', (user: unknown) => expect(user).toMatch(/^[0-9a-f]{16}$/)],
  ] as const)('%s applies to valid and invalid events alike', async (mode, check) => {
    world.chat.seed({ accounts: ['iso_logged'] });
    const batch = sqsEvent(world, [event({ userId: 'iso_logged' }), event({ userId: 'iso_logged\u0001' })]);
    await processErasureBatch(batch, context(), servicesWith(mode));
    const lines = erasureLines(batch.Records.map((r) => r.messageId));
    expect(lines).toHaveLength(2);
    check(lines.find((l) => l.outcome === 'erased')?.user);
    const invalidUser = lines.find((l) => l.outcome === 'dead-lettered')?.user;
    if (mode === 'plain') expect(invalidUser).toBe('iso_logged\u0001');
    else if (mode === 'omit') expect(invalidUser).toBeUndefined();
    else expect(invalidUser).toMatch(/^[0-9a-f]{16}$/);
    if (mode !== 'plain') {
      for (const line of erasureLines(batch.Records.map((r) => r.messageId))) {
        expect(JSON.stringify(line)).not.toContain('iso_logged');
      }
    }
    await world.sqs.readAll(world.dlq.url);
  });
});

describe('audit and metrics after the outcome is final', () => {
  it('never turn a dead-lettered or erased record into a retry when they throw', async () => {
    world.chat.seed({ accounts: ['iso_audited'] });
    const services = servicesWith();
    const failing = {
      ...services,
      log: {
        info: (message: string) => {
          if (message === 'erasure') throw new Error('log sink down');
        },
        warn: () => undefined,
        error: () => undefined,
      },
      metrics: {
        addMetric: () => {
          throw new RangeError('too many metrics');
        },
        publishStoredMetrics: () => {
          throw new Error('metrics sink down');
        },
      },
    };
    const batch = sqsEvent(world, ['not json', event({ userId: 'iso_audited' })]);
    const result = await processErasureBatch(batch, context(), failing);
    expect(result).toEqual({ batchItemFailures: [] });
    const letters = await world.sqs.readAll(world.dlq.url);
    expect(letters.map((letter) => letter.Body)).toEqual(['not json']);
    expect(world.chat.friendsOf('iso_audited')).toEqual([]);
  });
});
