/**
 * The loops every step shares, each bounded (DESIGN.md "Read back"): paging a listing to its documented
 * completion flag, removing items a few calls at a time, and the list-remove-read-back cycle that ends
 * verified or `unverified`, never in an endless loop.
 */
import { StepFailedError } from '../../errors.ts';

/** No listing of one user takes more pages than this (the largest lists are a few thousand items). */
const MAX_PAGES = 1000;

/** How many removal calls of one record run at once; the pacers bound the rate, this bounds the burst. */
export const REMOVAL_CONCURRENCY = 8;

export interface Page<C, T> {
  items: readonly T[];
  /** The next page's cursor, or undefined when the listing says it is complete. */
  next: C | undefined;
}

/**
 * Reads every page of a listing. A cursor that comes back a second time (a page that repeats) or more
 * than MAX_PAGES pages is a transient failure.
 * @example
 * const friends = await collectPages(0, async (startIndex) => ({ items, next: complete ? undefined : nextIndex }));
 */
export async function collectPages<C, T>(
  first: C,
  fetchPage: (cursor: C) => Promise<Page<C, T>>,
  key: (cursor: C) => string = (cursor) => JSON.stringify(cursor),
): Promise<T[]> {
  const seen = new Set([key(first)]);
  const items: T[] = [];
  let cursor = first;
  for (let page = 1; ; page++) {
    const answer = await fetchPage(cursor);
    items.push(...answer.items);
    if (answer.next === undefined) return items;
    if (seen.has(key(answer.next))) throw new StepFailedError('transient', 'a listing page repeated');
    if (page >= MAX_PAGES)
      throw new StepFailedError('transient', `a listing did not end within ${MAX_PAGES} pages`);
    seen.add(key(answer.next));
    cursor = answer.next;
  }
}

/** Splits items into batches of at most `size` (a command's documented batch limit). */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/**
 * Runs `work` for every item, at most `limit` at once, in order. After the first failure no new item
 * starts; the ones under way finish, and the first failure is thrown.
 * @example
 * await forEachLimited(followers, REMOVAL_CONCURRENCY, (follower) => unfollow(follower));
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}

/**
 * The read-back rule: list, remove, list again; if anything is left remove once more and list again;
 * still not empty → `unverified`. Returns what the listings found before each removal, summed.
 * @example
 * const { removed } = await removeUntilEmpty(() => listBlocklist(), (entries) => deleteEntries(entries));
 */
export async function removeUntilEmpty<T>(
  tally: { removed: number },
  list: () => Promise<readonly T[]>,
  remove: (items: readonly T[]) => Promise<void>,
  count: (items: readonly T[]) => number = (items) => items.length,
): Promise<{ removed: number }> {
  let left = await list();
  for (let round = 0; left.length > 0; round++) {
    if (round === 2) {
      throw new StepFailedError('unverified', `${count(left)} item(s) still listed after removing twice`);
    }
    tally.removed += count(left);
    await remove(left);
    left = await list();
  }
  return { removed: tally.removed };
}
