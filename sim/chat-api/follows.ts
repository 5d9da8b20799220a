/**
 * Follows (`follow/*`): who follows whom, with the time of each follow. One relation seen from both ends:
 * A following B puts B on A's "following" list (FollowType 2) and A on B's "followers" list (FollowType 1);
 * "mutual" (FollowType 3) is the accounts on both. Pure and synchronous.
 *
 * Cursors are positional (cursors.ts): removing entries while paging shifts later pages, so a client must
 * list to completion before removing, or re-list until empty.
 */
import { decodeCursor, encodeCursor } from './cursors.ts';
import type { ItemResult } from './friendGraph.ts';

/** FollowType of `follow_get`. */
export type FollowType = 1 | 2 | 3;

/** One page of `follow_get`. */
export interface FollowPage {
  items: { toAccount: string; followedAtSeconds: number }[];
  /** "" when the list is done. */
  nextCursor: string;
}

interface FollowState {
  /** follower -> (followee -> FollowTime), in follow order. */
  following: Map<string, Map<string, number>>;
  /** followee -> (follower -> FollowTime), in follow order. */
  followers: Map<string, Map<string, number>>;
}

/**
 * Who follows whom.
 * @example
 * const follows = new FollowGraph();
 * follows.follow('fan', 'star', 1700000000);
 * follows.page('star', 1, '', 100).items; // [{ toAccount: 'fan', followedAtSeconds: 1700000000 }]
 */
export class FollowGraph {
  #s: FollowState = { following: new Map(), followers: new Map() };

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as FollowState);
  }

  /**
   * Seeding helper: `follower` follows `followee` (again: keeps the first time).
   * @example
   * follows.follow('fan', 'star', 1700000000);
   */
  follow(follower: string, followee: string, followedAtSeconds: number): void {
    if (this.#s.following.get(follower)?.has(followee) === true) return;
    mapOf(this.#s.following, follower).set(followee, followedAtSeconds);
    mapOf(this.#s.followers, followee).set(follower, followedAtSeconds);
  }

  /** Whom `user` follows, in follow order. */
  followingOf(user: string): string[] {
    return [...(this.#s.following.get(user)?.keys() ?? [])];
  }

  /** Who follows `user`, in follow order. */
  followersOf(user: string): string[] {
    return [...(this.#s.followers.get(user)?.keys() ?? [])];
  }

  /** `follow_get`: up to `wantNum` entries of the list of `type` from the cursor's position (throws InvalidCursorError). */
  page(user: string, type: FollowType, startCursor: string, wantNum: number): FollowPage {
    const entries = this.#listOf(user, type);
    const start = decodeCursor('follow', startCursor);
    const slice = entries.slice(start, start + wantNum);
    const end = start + slice.length;
    return {
      items: slice.map(([toAccount, followedAtSeconds]) => ({ toAccount, followedAtSeconds })),
      nextCursor: end >= entries.length ? '' : encodeCursor('follow', end),
    };
  }

  /**
   * `follow_delete`: `follower` stops following each target. A target that does not exist (and is not
   * followed) gets 30003; one that exists but is not followed succeeds (undocumented: unfollowing is
   * treated as idempotent, like delete_group_member's documented "not a member" success).
   */
  unfollow(follower: string, targets: string[], accountExists: (id: string) => boolean): ItemResult[] {
    return targets.map((toAccount): ItemResult => {
      if (toAccount === follower) return { toAccount, code: 30001, info: 'Err_SNS_FollowDelete_Self' };
      const removed = this.#s.following.get(follower)?.delete(toAccount) === true;
      if (removed) {
        this.#s.followers.get(toAccount)?.delete(follower);
        return { toAccount, code: 0, info: '' };
      }
      if (!accountExists(toAccount)) {
        return { toAccount, code: 30003, info: 'Err_SNS_FollowDelete_Account_Not_Exist' };
      }
      return { toAccount, code: 0, info: '' };
    });
  }

  #listOf(user: string, type: FollowType): [string, number][] {
    const following = [...(this.#s.following.get(user)?.entries() ?? [])];
    const followers = [...(this.#s.followers.get(user)?.entries() ?? [])];
    if (type === 2) return following;
    if (type === 1) return followers;
    // Mutual: accounts on both lists, in the order of the following list, with the later of the two times.
    const followerTimes = new Map(followers);
    return following.flatMap(([account, time]): [string, number][] => {
      const back = followerTimes.get(account);
      return back === undefined ? [] : [[account, Math.max(time, back)]];
    });
  }
}

function mapOf(maps: Map<string, Map<string, number>>, key: string): Map<string, number> {
  let map = maps.get(key);
  if (map === undefined) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}
