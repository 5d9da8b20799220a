import { describe, expect, it } from 'vitest';
import { AnswerMemory } from '../../src/chat/answerMemory.ts';

const settled = async <T>(promise: Promise<T>) => {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('AnswerMemory', () => {
  it('grants what fits at once and makes the rest wait, in order, until bytes are given back', async () => {
    const memory = new AnswerMemory(100);
    await memory.take(60);
    const second = memory.take(50);
    const third = memory.take(10);
    expect(await settled(second)).toBe(false);
    // First come, first served: the small third request does not overtake the second.
    expect(await settled(third)).toBe(false);
    memory.give(60);
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
    expect(memory.usedBytes).toBe(60);
  });

  it('never holds more than its limit, except one request larger than the limit taken alone', async () => {
    const memory = new AnswerMemory(100);
    await memory.take(250);
    expect(memory.usedBytes).toBe(250);
    const next = memory.take(1);
    expect(await settled(next)).toBe(false);
    memory.give(250);
    expect(await settled(next)).toBe(true);
    expect(memory.usedBytes).toBe(1);
  });

  it('lets a waiter leave the line when its signal aborts, and serves the next one', async () => {
    const memory = new AnswerMemory(10);
    await memory.take(10);
    const abort = new AbortController();
    const leaving = memory.take(5, abort.signal);
    const staying = memory.take(5);
    abort.abort(new Error('timeout'));
    await expect(leaving).rejects.toThrow('timeout');
    memory.give(10);
    expect(await settled(staying)).toBe(true);
    expect(memory.usedBytes).toBe(5);
  });
});
