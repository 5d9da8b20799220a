/** FIFO queues: order within a message group, groups independent, duplicates not merged. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ErasureWorld, startErasureWorld } from '../../sim/erasureWorld.ts';
import { attribute, auditByMessageId, event, readDeadLetters } from './support.ts';

let world: ErasureWorld;

beforeAll(async () => {
  world = await startErasureWorld({
    fifo: true,
    functionEnv: { MAX_RECEIVES: '3', CHAT_TIMEOUT_MS: '1000', CALL_BUDGET_PER_SECOND: '400' },
  });
});

afterAll(async () => {
  await world?.close();
});

/** The positions of the plan runs' first calls (friend_get) for a userId, in arrival order. */
const callsFor = (userId: string) =>
  world.chat.requests
    .map((request, index) => ({
      index,
      command: request.command,
      from: (request.body as { From_Account?: string })?.From_Account,
    }))
    .filter((call) => call.from === userId && call.command === 'friend_get')
    .map((call) => call.index);

it('keeps each group in order, returns the rest of a group after a retry, and leaves other groups alone', async () => {
  world.chat.seed({ accounts: ['f_a1', 'f_a2', 'f_a3', 'f_b1', 'f_b2', 'f_dup'] });
  world.chat.injectFault({
    type: 'error-code',
    code: 30008,
    fromAccount: 'f_a2',
    times: Number.POSITIVE_INFINITY,
  });
  const bodies = ['f_a1', 'f_a2', 'f_a3', 'f_b1', 'f_b2', 'f_dup', 'f_dup'].map((userId) =>
    event({ userId }),
  );
  const groups = ['A', 'A', 'A', 'B', 'B', 'C', 'C'];
  const ids = await world.enqueue(bodies, { groupOf: (index) => groups[index] as string });
  const result = await world.drain({ maxDurationMs: 20_000, instances: 2 });
  expect(result.handlerErrors).toBe(0);

  const outcomes = auditByMessageId(world);
  const history = (index: number) => (outcomes.get(ids[index] as string) ?? []).map((a) => a.outcome);
  expect(history(0)).toEqual(['erased']);
  expect(history(1)).toEqual(['retry', 'retry', 'dead-lettered']);
  // f_a3 waits behind f_a2: returned without a call each time, erased once f_a2 is settled.
  expect(history(2)).toEqual(['retry', 'retry', 'erased']);
  expect(history(3)).toEqual(['erased']);
  expect(history(4)).toEqual(['erased']);
  expect(callsFor('f_a3')).toHaveLength(1);
  expect(Math.min(...callsFor('f_a3'))).toBeGreaterThan(Math.max(...callsFor('f_a2')));
  expect(Math.min(...callsFor('f_a2'))).toBeGreaterThan(Math.max(...callsFor('f_a1')));
  expect(Math.min(...callsFor('f_b2'))).toBeGreaterThan(Math.max(...callsFor('f_b1')));
  // Duplicates in a FIFO group are not merged: each message makes its own call.
  expect(callsFor('f_dup')).toHaveLength(2);

  const letter = (await readDeadLetters(world)).get(ids[1] as string);
  expect(letter?.Body).toBe(bodies[1]);
  expect(attribute(letter ?? {}, 'failure-reason')).toBe('retries-exhausted');
  expect(attribute(letter ?? {}, 'error-code')).toBe('30008');
  expect(letter?.Attributes?.MessageGroupId).toBe('A');
  expect(letter?.Attributes?.MessageDeduplicationId).toBe(ids[1]);
});
