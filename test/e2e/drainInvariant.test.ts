/**
 * The invariant, through the event-source-mapping poller: every message ends erased or absent in the
 * simulator's graph, or in the DLQ with its reason; none lost, none in both.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ErasureWorld, startErasureWorld } from '../../sim/erasureWorld.ts';
import { attribute, auditByMessageId, event, expectNoCredentialsInLogs, readDeadLetters } from './support.ts';

let world: ErasureWorld;

beforeAll(async () => {
  world = await startErasureWorld({
    chatCallsPerSecond: 500,
    functionEnv: { MAX_RECEIVES: '3', CHAT_TIMEOUT_MS: '1000', CALL_BUDGET_PER_SECOND: '500' },
  });
});

afterAll(async () => {
  await world?.close();
});

type Expected = 'erased' | 'absent' | 'invalid-event' | 'permanent-error' | 'retries-exhausted';

it('drains a mixed queue with every message accounted for exactly once', async () => {
  const cases: { body: string; expected: Expected; userId?: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const userId = `inv_user_${i}`;
    world.chat.seed({
      accounts: [userId, `inv_friend_${i}`],
      friendships: [[userId, `inv_friend_${i}`, 'both']],
    });
    cases.push({ body: event({ userId, requestId: `dsr-${i}` }), expected: 'erased', userId });
  }
  for (let i = 0; i < 5; i++) cases.push({ body: event({ userId: `inv_ghost_${i}` }), expected: 'absent' });
  for (const body of ['', 'nope', '{}', '{"userId":null}', event({ userId: 'x'.repeat(33) })]) {
    cases.push({ body: body || ' ', expected: 'invalid-event' });
  }
  world.chat.seed({ accounts: ['inv_perm', 'inv_stuck', 'inv_dup'] });
  world.chat.injectFault({
    type: 'error-code',
    code: 70402,
    fromAccount: 'inv_perm',
    times: Number.POSITIVE_INFINITY,
  });
  world.chat.injectFault({
    type: 'http-status',
    status: 503,
    fromAccount: 'inv_stuck',
    times: Number.POSITIVE_INFINITY,
  });
  cases.push({ body: event({ userId: 'inv_perm' }), expected: 'permanent-error' });
  cases.push({ body: event({ userId: 'inv_stuck' }), expected: 'retries-exhausted' });
  cases.push({ body: event({ userId: 'inv_dup', requestId: 'first' }), expected: 'absent' });
  cases.push({ body: event({ userId: 'inv_dup', requestId: 'second' }), expected: 'absent' });
  // inv_dup has no friends: friend_delete_all still succeeds (erased), so accept either done outcome.
  const ids = await world.enqueue(cases.map((c) => c.body));

  const result = await world.drain({ maxDurationMs: 30_000, instances: 2 });
  expect(result.stoppedBy).toBe('empty');
  expect(result.handlerErrors).toBe(0);

  const deadLetters = await readDeadLetters(world);
  const audits = auditByMessageId(world);
  let lost = 0;
  let inBoth = 0;
  cases.forEach((testCase, index) => {
    const id = ids[index] as string;
    const finalOutcomes = (audits.get(id) ?? []).filter((a) => a.outcome !== 'retry');
    const letter = deadLetters.get(id);
    if (finalOutcomes.length === 0 && !letter) lost++;
    if (finalOutcomes.length > 1 || (letter && finalOutcomes.some((a) => a.outcome !== 'dead-lettered')))
      inBoth++;
    if (testCase.expected === 'erased' || testCase.expected === 'absent') {
      expect(letter).toBeUndefined();
      expect(['erased', 'absent']).toContain(finalOutcomes[0]?.outcome);
      if (testCase.userId) {
        expect(world.chat.friendsOf(testCase.userId)).toEqual([]);
        expect(world.chat.friendsOf(`inv_friend_${index}`)).toEqual([]);
      }
    } else {
      expect(letter?.Body).toBe(testCase.body);
      expect(attribute(letter ?? {}, 'failure-reason')).toBe(testCase.expected);
    }
  });
  expect({ lost, inBoth }).toEqual({ lost: 0, inBoth: 0 });
  expect(deadLetters.size).toBe(
    cases.filter((c) => c.expected !== 'erased' && c.expected !== 'absent').length,
  );
  expectNoCredentialsInLogs(world, [world.adminSecret.secretKey]);
});
