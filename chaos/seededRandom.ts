/**
 * A small seeded random source for the chaos run: the same seed gives the same workload, the same fault
 * sequence and the same invocation deadlines, so a failing run can be replayed from its printed seed.
 */
import { mulberry32 } from '../sim/chat-api/index.ts';

export class SeededRandom {
  readonly #next: () => number;

  /**
   * @param seed any integer; `stream` separates independent sequences drawn from one seed (the workload,
   *   the Chat faults, the deadlines), so adding draws to one never shifts another.
   * @example
   * const random = new SeededRandom(7, 1);
   * random.int(1, 6); // the same die roll for seed 7, stream 1, every time
   */
  constructor(seed: number, stream = 0) {
    this.#next = mulberry32(SeededRandom.derive(seed, stream));
  }

  /** A seed for another generator (e.g. the simulator's fault source) from a run seed and a stream. */
  static derive(seed: number, stream: number): number {
    return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream + 1, 0xc2b2ae35)) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.#next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return (entries.at(-1) as [K, number])[0];
  }

  /** A shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.#next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }

  /** One item of a non-empty `[item, weight]` list, with probability proportional to its weight. */
  weightedItem<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.#next() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    const last = items.at(-1);
    if (last === undefined) throw new RangeError('weightedItem from an empty list');
    return last[0];
  }
}
