/**
 * What the erasures did to the friend graph, from two snapshots of every seeded list (before the drain and
 * after it). Pure, so the demo's account of "what was and was not erased" is computed, not asserted.
 */

/** owner → the UserIDs on the owner's own list. */
export type FriendLists = ReadonlyMap<string, readonly string[]>;

/**
 * How a neighbour was linked to the erased user before the run:
 * `two-way`: each list held the other; `listed-by-erased`: only the erased user's list held the neighbour;
 * `holds-one-way`: only the neighbour's list held the erased user (friend_delete_all cannot reach it).
 */
export type NeighbourLink = 'two-way' | 'listed-by-erased' | 'holds-one-way';

export interface NeighbourChange {
  userId: string;
  link: NeighbourLink;
  /** Size of the neighbour's own list before and after the whole run. */
  listBefore: number;
  listAfter: number;
  /** Whether the neighbour's list still holds the erased user after the run. */
  stillHoldsErased: boolean;
  /** The neighbour was erased in this run too (its own list was emptied). */
  alsoErased: boolean;
}

export interface ErasedUserChange {
  userId: string;
  listBefore: number;
  listAfter: number;
  neighbours: NeighbourChange[];
  /** Who still lists the erased user after the run: the entries that were not erased. */
  heldByAfter: string[];
}

const listOf = (lists: FriendLists, owner: string): readonly string[] => lists.get(owner) ?? [];

/**
 * @example
 * const before = new Map([['alice', ['bob']], ['bob', ['alice']], ['zoe', ['alice']]]);
 * const after = new Map([['alice', []], ['bob', []], ['zoe', ['alice']]]);
 * friendListChanges(before, after, ['alice'])[0]?.heldByAfter; // ['zoe']
 */
export function friendListChanges(
  before: FriendLists,
  after: FriendLists,
  erasedUserIds: readonly string[],
): ErasedUserChange[] {
  const erased = new Set(erasedUserIds);
  return [...erased].map((userId) => {
    const own = listOf(before, userId);
    const holders = [...before.keys()].filter((owner) => listOf(before, owner).includes(userId));
    const neighbours = [...new Set([...own, ...holders])].map((neighbour): NeighbourChange => {
      const erasedListsNeighbour = own.includes(neighbour);
      const neighbourListsErased = holders.includes(neighbour);
      return {
        userId: neighbour,
        link: erasedListsNeighbour
          ? neighbourListsErased
            ? 'two-way'
            : 'listed-by-erased'
          : 'holds-one-way',
        listBefore: listOf(before, neighbour).length,
        listAfter: listOf(after, neighbour).length,
        stillHoldsErased: listOf(after, neighbour).includes(userId),
        alsoErased: erased.has(neighbour),
      };
    });
    return {
      userId,
      listBefore: own.length,
      listAfter: listOf(after, userId).length,
      neighbours,
      heldByAfter: [...after.keys()].filter((owner) => listOf(after, owner).includes(userId)),
    };
  });
}
