/** Helpers shared by the end-to-end tests (the real bundle against the loopback stand-ins). */
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, expect } from 'vitest';
import { createLambdaContext } from '../../sim/aws/lambdaContext.ts';
import { type ErasureWorld, type ErasureWorldOptions, startErasureWorld } from '../../sim/erasureWorld.ts';

export const event = (fields: Record<string, unknown>): string => JSON.stringify(fields);

/** The audit line (`message: 'erasure'`) of each message, by messageId. */
export function auditByMessageId(world: ErasureWorld): Map<string, Record<string, unknown>[]> {
  const byId = new Map<string, Record<string, unknown>[]>();
  for (const record of world.logRecords()) {
    if (record.message !== 'erasure') continue;
    const id = String(record.messageId);
    byId.set(id, [...(byId.get(id) ?? []), record]);
  }
  return byId;
}

export function lastOutcome(world: ErasureWorld, messageId: string): Record<string, unknown> | undefined {
  return auditByMessageId(world).get(messageId)?.at(-1);
}

export function attribute(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

/** DLQ messages by their `source-message-id` attribute. */
export async function readDeadLetters(world: ErasureWorld): Promise<Map<string, Message>> {
  const messages = await world.sqs.readAll(world.dlq.url);
  return new Map(messages.map((message) => [attribute(message, 'source-message-id') ?? '?', message]));
}

/** Asserts that no function output line holds the key, any UserSig the simulator saw, or a signed URL. */
export function expectNoCredentialsInLogs(world: ErasureWorld, secretKeys: string[]): void {
  const userSigs = new Set(world.chat.requests.map((request) => request.query.usersig).filter(Boolean));
  expect(userSigs.size).toBeGreaterThan(0);
  for (const line of world.functionLogs) {
    for (const key of secretKeys) expect(line).not.toContain(key);
    for (const userSig of userSigs) expect(line).not.toContain(userSig as string);
    expect(line).not.toMatch(/usersig=/i);
  }
}

/** A Lambda SQS event for direct invocation (outside the poller), on the world's queue. */
export function sqsEvent(world: ErasureWorld, bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map(
      (body, index): SQSRecord => ({
        messageId: `direct-${index}-${Math.random().toString(36).slice(2)}`,
        receiptHandle: `receipt-${index}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: world.queue.arn,
        awsRegion: 'us-east-1',
      }),
    ),
  };
}

/** A Lambda context for a direct invocation, with `timeoutMs` left. */
export const lambdaContext = (timeoutMs = 30_000) =>
  createLambdaContext({ functionName: 'chat-erasure', region: 'us-east-1', timeoutMs });

/**
 * A fresh world per test, from the file's defaults (a test's own options override them; `functionEnv` and
 * `chatOptions` are merged), closed after each test. The e2e defaults: a budget and a simulator limit high
 * enough not to slow a test, and 1 s Chat timeouts.
 * @example
 * const startWorld = worldsPerTest({ receiptBus: 'receipts' });
 * it('…', async () => { const world = await startWorld({ functionEnv: { MAX_RECEIVES: '2' } }); });
 */
export function worldsPerTest(
  defaults: ErasureWorldOptions = {},
): (options?: ErasureWorldOptions) => Promise<ErasureWorld> {
  let current: ErasureWorld | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startErasureWorld({
      chatCallsPerSecond: 1000,
      ...defaults,
      ...options,
      chatOptions: { ...defaults.chatOptions, ...options.chatOptions },
      functionEnv: {
        CALL_BUDGET_PER_SECOND: '1000',
        CHAT_TIMEOUT_MS: '1000',
        ...defaults.functionEnv,
        ...options.functionEnv,
      },
    });
    return current;
  };
}
