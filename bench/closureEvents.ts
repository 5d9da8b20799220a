/**
 * The benchmark's workload: distinct accounts to erase (each with a few two-way friendships, so every
 * `friend_delete_all` really deletes something) and the account-closure message bodies naming them.
 */
import type { SeedFriendship } from '../sim/chat-api/index.ts';

export interface Workload {
  /** The accounts whose closure is announced, one message each. */
  userIds: string[];
  /** Every account the simulator must know (the users and their friends). */
  accounts: string[];
  friendships: SeedFriendship[];
  /** SQS message bodies as DESIGN.md "Event" defines them, one per user, in order. */
  bodies: string[];
}

/** Friends shared by the users of one workload (each user is linked to `friendsPerUser` of them). */
const FRIEND_POOL_SIZE = 50;

/**
 * @example
 * const work = closureWorkload('tp', 2000);
 * chat.seed({ accounts: work.accounts, friendships: work.friendships });
 * await world.enqueue(work.bodies);
 */
export function closureWorkload(
  prefix: string,
  count: number,
  { friendsPerUser = 2, occurredAt = new Date() }: { friendsPerUser?: number; occurredAt?: Date } = {},
): Workload {
  if (!/^[a-z0-9]{1,8}$/.test(prefix)) throw new RangeError('prefix: 1–8 lowercase letters or digits');
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  const width = String(Math.max(count - 1, 0)).length;
  const userIds = Array.from(
    { length: count },
    (_, i) => `bench_${prefix}_${String(i).padStart(width, '0')}`,
  );
  const friends =
    count === 0 ? [] : Array.from({ length: FRIEND_POOL_SIZE }, (_, i) => `bench_${prefix}_friend_${i}`);
  const friendships: SeedFriendship[] = userIds.flatMap((userId, i) =>
    Array.from(
      { length: Math.min(friendsPerUser, friends.length) },
      (_, k) => [userId, friends[(i + k) % friends.length] as string, 'both'] as SeedFriendship,
    ),
  );
  const iso = occurredAt.toISOString();
  const bodies = userIds.map((userId, i) =>
    JSON.stringify({ userId, requestId: `bench-${prefix}-${i}`, occurredAt: iso }),
  );
  return { userIds, accounts: [...userIds, ...friends], friendships, bodies };
}
