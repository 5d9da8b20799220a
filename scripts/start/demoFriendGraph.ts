/**
 * The friend graph `npm start` seeds into the Chat API simulator: the users the events name, linked in a
 * chain of two-way friendships, plus a few bystanders (accounts no event closes) with every kind of link
 * to them, so an erasure visibly changes counts and shows what Delete_Type_Both does and does not reach.
 */
import type { SeedFriendship } from '../../sim/chat-api/index.ts';

export interface DemoSeed {
  /** Every account to import: the event users first, then the bystanders. */
  accounts: string[];
  friendships: SeedFriendship[];
  /** Accounts no event closes; they keep their lists, minus what the erasures remove. */
  bystanders: string[];
}

/** Candidate bystander names; ones an event happens to close are skipped. */
const BYSTANDER_NAMES = ['demo_zoe', 'demo_yusuf', 'demo_xiu', 'demo_walter', 'demo_vera', 'demo_uma'];
const BYSTANDER_COUNT = 3;

/**
 * Deterministic: the same users give the same graph. For user `i` (in the order given):
 * - two-way with user `i + 1` (a chain) and with bystander `i mod 3`;
 * - bystander `(i + 1) mod 3` holds user `i` one-way (user `i`'s list lacks it): this entry survives
 *   the erasure, because friend_delete_all only walks the erased user's own list;
 * - user `i` holds bystander `(i + 2) mod 3` one-way: the erasure empties it from user `i`'s list, and
 *   the bystander's list never held user `i`.
 * @example
 * const seed = demoFriendGraph(['demo_alice', 'demo_bob']);
 * simulator.seed(seed);
 */
export function demoFriendGraph(userIds: readonly string[]): DemoSeed {
  const users = [...new Set(userIds)];
  const taken = new Set(users);
  const bystanders = BYSTANDER_NAMES.filter((name) => !taken.has(name)).slice(0, BYSTANDER_COUNT);
  for (let n = 1; bystanders.length < BYSTANDER_COUNT; n += 1) {
    if (!taken.has(`demo_bystander_${n}`)) bystanders.push(`demo_bystander_${n}`);
  }
  const friendships: SeedFriendship[] = [];
  users.forEach((user, index) => {
    const next = users[index + 1];
    if (next !== undefined) friendships.push([user, next, 'both']);
    const bystander = (offset: number) => bystanders[(index + offset) % bystanders.length] as string;
    friendships.push([user, bystander(0), 'both']);
    friendships.push([bystander(1), user, 'single']);
    friendships.push([user, bystander(2), 'single']);
  });
  return { accounts: [...users, ...bystanders], friendships, bystanders };
}
