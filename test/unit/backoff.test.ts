import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inProcessRetryDelayMs, visibilityBackoffSeconds } from '../../src/erasure/backoff.ts';

const fixed = (value: number) => () => value;
const ALMOST_ONE = 0.9999999999999999; // the largest double below 1, the top of Math.random's range

describe('visibilityBackoffSeconds', () => {
  it.each([
    // receiveCount, random 0 (×0.8), random 0.5 (×1.0), random → 1 (×1.2, then capped at 900)
    [1, 24, 30, 36],
    [2, 48, 60, 72],
    [3, 96, 120, 144],
    [4, 192, 240, 288],
    [5, 384, 480, 576],
    [6, 720, 900, 900],
    [7, 720, 900, 900],
    [50, 720, 900, 900],
  ])('receive %d → %d / %d / %d s', (receiveCount, low, middle, high) => {
    expect(visibilityBackoffSeconds(receiveCount, fixed(0))).toBe(low);
    expect(visibilityBackoffSeconds(receiveCount, fixed(0.5))).toBe(middle);
    expect(visibilityBackoffSeconds(receiveCount, fixed(ALMOST_ONE))).toBe(high);
  });

  it('rounds to whole seconds', () => {
    expect(visibilityBackoffSeconds(1, fixed(0.1))).toBe(25); // 30 × 0.84 = 25.2
    expect(visibilityBackoffSeconds(1, fixed(0.3))).toBe(28); // 30 × 0.92 = 27.6
  });

  it.each([0, -1, -1e9, Number.NaN, Number.NEGATIVE_INFINITY])(
    'treats receive count %d as 1',
    (receiveCount) => {
      expect(visibilityBackoffSeconds(receiveCount, fixed(0.5))).toBe(30);
    },
  );

  it.each([1024, 1e308, Number.MAX_VALUE, Number.POSITIVE_INFINITY])(
    'stays at the cap for huge receive count %d',
    (receiveCount) => {
      expect(visibilityBackoffSeconds(receiveCount, fixed(0.5))).toBe(900);
      expect(visibilityBackoffSeconds(receiveCount, fixed(0))).toBe(720);
    },
  );

  it('floors a fractional receive count', () => {
    expect(visibilityBackoffSeconds(2.9, fixed(0.5))).toBe(60);
  });

  it('keeps a faulty random source inside the jitter bounds', () => {
    expect(visibilityBackoffSeconds(1, fixed(-3))).toBe(24);
    expect(visibilityBackoffSeconds(1, fixed(7))).toBe(36);
    expect(visibilityBackoffSeconds(1, fixed(Number.NaN))).toBe(30);
    expect(visibilityBackoffSeconds(10, fixed(7))).toBe(900);
  });

  it('stays within ±20 % of the nominal delay, as an integer in [24, 900], growing with the count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true }),
        (count, r) => {
          const seconds = visibilityBackoffSeconds(count, fixed(r));
          const nominal = Math.min(30 * 2 ** (count - 1), 900);
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(Math.round(nominal * 0.8));
          expect(seconds).toBeLessThanOrEqual(Math.min(Math.round(nominal * 1.2), 900));
          expect(seconds).toBeGreaterThanOrEqual(visibilityBackoffSeconds(count - 1, fixed(r)));
        },
      ),
    );
  });
});

describe('inProcessRetryDelayMs', () => {
  it.each([
    // attempt, random 0 (×0.8), random 0.5 (×1.0), random → 1 (×1.2, then capped at 10 s)
    [0, 160, 200, 240],
    [1, 320, 400, 480],
    [2, 640, 800, 960],
    [3, 1280, 1600, 1920],
    [4, 2560, 3200, 3840],
    [5, 5120, 6400, 7680],
    [6, 8000, 10_000, 10_000],
    [7, 8000, 10_000, 10_000],
    [1000, 8000, 10_000, 10_000],
  ])('attempt %d → %d / %d / %d ms', (attempt, low, middle, high) => {
    expect(inProcessRetryDelayMs(attempt, fixed(0))).toBe(low);
    expect(inProcessRetryDelayMs(attempt, fixed(0.5))).toBe(middle);
    expect(inProcessRetryDelayMs(attempt, fixed(ALMOST_ONE))).toBe(high);
  });

  it.each([-1, -0.5, Number.NaN, Number.NEGATIVE_INFINITY])('treats attempt %d as 0', (attempt) => {
    expect(inProcessRetryDelayMs(attempt, fixed(0.5))).toBe(200);
  });

  it('stays at the cap for an infinite attempt and clamps a faulty random source', () => {
    expect(inProcessRetryDelayMs(Number.POSITIVE_INFINITY, fixed(0.5))).toBe(10_000);
    expect(inProcessRetryDelayMs(0, fixed(2))).toBe(240);
    expect(inProcessRetryDelayMs(0, fixed(-2))).toBe(160);
  });

  it('is an integer within ±20 % of 200 ms × 2^attempt, never above 10 s, growing with the attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true }),
        (attempt, r) => {
          const ms = inProcessRetryDelayMs(attempt, fixed(r));
          const nominal = Math.min(200 * 2 ** attempt, 10_000);
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(Math.round(nominal * 0.8));
          expect(ms).toBeLessThanOrEqual(Math.min(Math.round(nominal * 1.2), 10_000));
          if (attempt > 0) expect(ms).toBeGreaterThanOrEqual(inProcessRetryDelayMs(attempt - 1, fixed(r)));
        },
      ),
    );
  });

  it('calls the random source exactly once per delay', () => {
    let calls = 0;
    const counting = () => {
      calls += 1;
      return 0.5;
    };
    inProcessRetryDelayMs(2, counting);
    visibilityBackoffSeconds(2, counting);
    expect(calls).toBe(2);
  });
});
