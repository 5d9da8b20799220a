import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallPacer, type PacerClock } from '../../src/chat/callPacer.ts';
import { CommandPacers } from '../../src/chat/commandPacers.ts';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements PacerClock {
  time = 0;
  #timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  /** How late timers fire after they are due. */
  lateness = 0;

  setTimer(callback: () => void, delayMs: number) {
    const timer = { at: this.time + delayMs + this.lateness, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Advances to `until`, firing due timers in time order. */
  async advanceTo(until: number): Promise<void> {
    // Callers let through at the current time record it before time moves on.
    await flushMicrotasks();
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = Math.max(this.time, due.at);
      due.callback();
      await flushMicrotasks();
    }
    this.time = until;
    await flushMicrotasks();
  }
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts `count` callers at once; records the clock time each one is let through. */
function startCallers(pacer: CallPacer, clock: FakeClock, count: number, latestStartMs?: number) {
  const starts: number[] = [];
  const refused: number[] = [];
  for (let i = 0; i < count; i++) {
    void pacer.acquire(latestStartMs).then((started) => (started ? starts : refused).push(clock.now()));
  }
  return { starts, refused };
}

function maxStartsInAnyWindow(starts: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0; i < starts.length; i++) {
    let j = i;
    while (j < starts.length && (starts[j] as number) < (starts[i] as number) + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('CallPacer', () => {
  it('lets the first call through at once and spaces the rest by the interval', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(100, { clock, headroom: 0 });
    const { starts } = startCallers(pacer, clock, 5);
    await clock.advanceTo(0);
    expect(starts).toEqual([0]);
    await clock.advanceTo(1000);
    expect(starts).toEqual([0, 10, 20, 30, 40]);
  });

  it('keeps headroom below the share by default', () => {
    expect(new CallPacer(100).intervalMs).toBeCloseTo(1000 / 98, 2);
    expect(new CallPacer(100, { headroom: 0 }).intervalMs).toBe(10);
  });

  it('never has more than the share of starts in any sliding one-second window, for fractional rates too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0.3, max: 400, noNaN: true }), async (rate) => {
        const clock = new FakeClock();
        const pacer = new CallPacer(rate, { clock, headroom: 0 });
        const { starts } = startCallers(pacer, clock, Math.ceil(rate * 3) + 2);
        await clock.advanceTo(4000 + 3000 / rate);
        expect(maxStartsInAnyWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(1, Math.floor(rate)));
        for (let i = 1; i < starts.length; i++) {
          expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(
            1000 / rate - 1e-9,
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('paces a fractional share at its whole part, so instances sum to at most the budget per window', () => {
    // 200 calls/s over 3 instances: 66.67 each would let each window hold 67 starts, 201 in all.
    const pacer = new CallPacer(200 / 3, { headroom: 0 });
    expect(pacer.intervalMs).toBeCloseTo(1000 / 66, 3);
    expect(new CallPacer(0.5, { headroom: 0 }).intervalMs).toBe(2000);
  });

  it('uses the budget fully: a saturated pacer sustains its rate', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(100, { clock });
    const { starts } = startCallers(pacer, clock, 1000);
    await clock.advanceTo(5000);
    // 5 s at 98 calls/s (2% headroom) plus the call at t=0.
    // Turns may come up to a millisecond before their slot, never more than one extra in 5 s.
    expect(starts.length).toBeGreaterThanOrEqual(Math.floor(5000 / pacer.intervalMs) + 1);
    expect(starts.length).toBeLessThanOrEqual(Math.floor(5000 / pacer.intervalMs) + 2);
    expect(maxStartsInAnyWindow(starts, 1000)).toBeLessThanOrEqual(100);
  });

  it('does not bank unused budget: after an idle spell the burst is still one call', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(10, { clock, headroom: 0 });
    await clock.advanceTo(60_000);
    const { starts } = startCallers(pacer, clock, 3);
    await clock.advanceTo(60_000);
    expect(starts).toEqual([60_000]);
    await clock.advanceTo(60_200);
    expect(starts).toEqual([60_000, 60_100, 60_200]);
  });

  it('starts nothing during a pause and resumes one call at a time', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(100, { clock, headroom: 0 });
    const first = startCallers(pacer, clock, 1);
    await clock.advanceTo(5);
    expect(first.starts).toEqual([0]);
    pacer.pause(1000); // throttled answer at t=5
    const { starts } = startCallers(pacer, clock, 3);
    await clock.advanceTo(1004);
    expect(starts).toEqual([]);
    await clock.advanceTo(1100);
    expect(starts).toEqual([1005, 1015, 1025]);
  });

  it('extends, never shortens, a running pause', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(100, { clock, headroom: 0 });
    pacer.pause(1000);
    await clock.advanceTo(500);
    pacer.pause(100);
    const { starts } = startCallers(pacer, clock, 1);
    await clock.advanceTo(999);
    expect(starts).toEqual([]);
    pacer.pause(800); // until 1799
    await clock.advanceTo(2000);
    expect(starts).toEqual([1799]);
  });

  it('refuses at once, without using a turn, callers whose turn would come after their latest start', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(10, { clock, headroom: 0 });
    const { starts, refused } = startCallers(pacer, clock, 5, 250);
    await clock.advanceTo(0);
    // Turns at 0, 100, 200 fit; the 4th and 5th (300, 400) never can, and are told now rather than at 300.
    expect(refused).toEqual([0, 0]);
    await clock.advanceTo(1000);
    expect(starts).toEqual([0, 100, 200]);
    const later = startCallers(pacer, clock, 1);
    await clock.advanceTo(1000);
    expect(later.starts).toEqual([1000]);
  });

  it('refuses queued callers when a pause pushes their turn past their latest start', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(10, { clock, headroom: 0 });
    const { starts, refused } = startCallers(pacer, clock, 3, 500);
    await clock.advanceTo(50);
    pacer.pause(1000);
    await clock.advanceTo(50);
    expect(starts).toEqual([0]);
    expect(refused).toEqual([50, 50]);
  });

  it.each([0.15, 0.8, 1.9])(
    'with timers %f ms late: keeps the schedule where it can, never two starts closer than 1/r',
    async (lateness) => {
      const clock = new FakeClock();
      clock.lateness = lateness; // Node's millisecond timers fire late by a fraction of a millisecond
      const pacer = new CallPacer(100, { clock, headroom: 0.02 });
      const { starts } = startCallers(pacer, clock, 1000);
      await clock.advanceTo(5000);
      for (let i = 1; i < starts.length; i++) {
        expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(10 - 1e-9);
      }
      expect(maxStartsInAnyWindow(starts, 1000)).toBeLessThanOrEqual(100);
      // Lateness within the headroom (0.204 ms per turn here) costs nothing; beyond it, the 1/r floor rules.
      const expected = lateness <= pacer.intervalMs - 10 ? 5000 / pacer.intervalMs : 5000 / (10 + lateness);
      expect(starts.length).toBeGreaterThanOrEqual(Math.floor(expected));
    },
  );

  it('spaces the next turn from the real start when the caller starts late', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(10, { clock, headroom: 0 });
    const first = startCallers(pacer, clock, 1);
    await clock.advanceTo(0);
    expect(first.starts).toEqual([0]);
    // The caller only got to send 40 ms after its turn (a busy event loop).
    await clock.advanceTo(40);
    pacer.markStarted();
    const { starts } = startCallers(pacer, clock, 1);
    await clock.advanceTo(1000);
    expect(starts).toEqual([140]);
  });

  it('rejects a rate that is not positive and finite', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new CallPacer(rate)).toThrow(RangeError);
    }
  });

  it('paces in real time with the system clock', async () => {
    const pacer = new CallPacer(200, { headroom: 0 });
    // Measured from before the first turn: a busy machine can only run a continuation later than its
    // grant, so the first continuation's own time would understate the span (seen under CPU load).
    const before = performance.now();
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 11 }, () => pacer.acquire().then(() => started.push(performance.now()))),
    );
    expect((started.at(-1) as number) - before).toBeGreaterThanOrEqual(50 - 1);
  });
});

describe('CallPacer: invocations', () => {
  it('lets an invocation’s first start go no earlier than one interval after the invocation began', async () => {
    const clock = new FakeClock();
    const pacer = new CallPacer(2, { clock, headroom: 0 });
    clock.time = 5000;
    pacer.beginInvocation();
    const { starts } = startCallers(pacer, clock, 2);
    await clock.advanceTo(7000);
    expect(starts).toEqual([5500, 6000]);
  });

  it('keeps rotating instances of one slot a spacing apart (the rotation case of DESIGN.md)', async () => {
    // Six instances share two slots; each invocation is served by a fresh instance of its slot.
    const clock = new FakeClock();
    const starts: number[] = [];
    for (let round = 0; round < 3; round++) {
      const invocations = [0, 1].map(() => {
        const pacer = new CallPacer(2, { clock, headroom: 0 });
        pacer.beginInvocation();
        return startCallers(pacer, clock, 2).starts;
      });
      await clock.advanceTo(clock.time + 1000);
      starts.push(...invocations.flat());
    }
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(12);
    expect(maxStartsInAnyWindow(starts, 1000)).toBeLessThanOrEqual(4);
  });

  it('uses the spacing 1/⌊r⌋ as the hard floor between starts', async () => {
    const clock = new FakeClock();
    // r = 1.9: one start per second, never two in a second.
    const pacer = new CallPacer(1.9, { clock, headroom: 0 });
    const { starts } = startCallers(pacer, clock, 3);
    await clock.advanceTo(5000);
    expect(starts).toEqual([0, 1000, 2000]);
  });
});

describe('CommandPacers', () => {
  it('paces each command on its own share and creates pacers on first use', async () => {
    const clock = new FakeClock();
    const pacers = new CommandPacers((command) => (command === 'a/slow' ? 2 : 10), { clock });
    const slow = startCallers(pacers.pacerFor('a/slow'), clock, 2);
    const fast = startCallers(pacers.pacerFor('a/fast'), clock, 2);
    expect(pacers.pacerFor('a/slow')).toBe(pacers.pacerFor('a/slow'));
    await clock.advanceTo(2000);
    expect(slow.starts[1] as number).toBeGreaterThanOrEqual(500);
    expect(fast.starts[1] as number).toBeLessThan(200);
  });

  it('applies the invocation floor to pacers created later in the invocation, and pauseAll to every command', async () => {
    const clock = new FakeClock();
    const pacers = new CommandPacers(() => 4, { clock });
    clock.time = 100;
    pacers.beginInvocation();
    clock.time = 150;
    const late = startCallers(pacers.pacerFor('x/late'), clock, 1);
    await clock.advanceTo(1000);
    expect(late.starts[0] as number).toBeGreaterThanOrEqual(350);
    pacers.pauseAll(1000);
    const a = startCallers(pacers.pacerFor('x/late'), clock, 1);
    const b = startCallers(pacers.pacerFor('x/new'), clock, 1);
    await clock.advanceTo(3000);
    expect(a.starts[0] as number).toBeGreaterThanOrEqual(2000);
    expect(b.starts[0] as number).toBeGreaterThanOrEqual(2000);
  });
});
