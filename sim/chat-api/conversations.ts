/**
 * Conversations (`recentcontact/*`): each user's own conversation list, and the roaming messages on that
 * user's side of each conversation. Both sides of a one-to-one chat are separate: A's conversation with B
 * and B's with A each have their own entry and their own message count, so deleting A's side (even with
 * `ClearRamble: 1`) leaves B's alone. Pure and synchronous.
 *
 * A conversation is keyed `c2c:<peer>` or `group:<GroupId>`. Deleting it without ClearRamble only takes it
 * off the list: its roaming messages stay on the user's side (invisible to `get_list`, still there).
 *
 * `get_list` order and cursors: most recent `MsgTime` first; ties in the order the conversations were
 * created. A cursor is (TimeStamp, StartIndex) = (MsgTime, creation number) of the last conversation
 * answered: the next page continues strictly after it; (0, 0) is the start. Pinned (TopFlag)
 * conversations have their own cursor (TopTimeStamp, TopStartIndex). Tencent documents the fields, not
 * their exact meaning (clients only echo them back); this reading is position-free, so removing
 * already-listed conversations never makes a later page skip one.
 */

export type ConversationTarget = { type: 1; peer: string } | { type: 2; groupId: string };

/** One conversation on its owner's side. */
export interface Conversation {
  target: ConversationTarget;
  /** Unix seconds of the last message (> 0). */
  msgTime: number;
  pinned: boolean;
  /** Roaming messages on the owner's side; 0 = an "empty" conversation (AssistFlags bit 1 shows it). */
  messages: number;
  /** false: deleted from the list without ClearRamble, messages kept. */
  listed: boolean;
}

/** The four cursors of `get_list`. */
export interface ListCursors {
  timeStamp: number;
  startIndex: number;
  topTimeStamp: number;
  topStartIndex: number;
}

/** One page of `get_list`. */
export interface ConversationPage {
  items: Conversation[];
  complete: boolean;
  next: ListCursors;
}

/**
 * The key of a conversation on its owner's side.
 * @example
 * conversationKey({ type: 1, peer: 'bob' }); // 'c2c:bob'
 */
export function conversationKey(target: ConversationTarget): string {
  return target.type === 1 ? `c2c:${target.peer}` : `group:${target.groupId}`;
}

/** A conversation with its creation number on its owner's side (the tie-breaker of the order). */
interface Stored extends Conversation {
  seq: number;
}

interface ConversationState {
  /** owner -> (key -> conversation). */
  byOwner: Map<string, Map<string, Stored>>;
  /** owner -> the last creation number handed out. */
  lastSeq: Map<string, number>;
}

/**
 * Every user's conversations and the roaming messages on their side.
 * @example
 * const conversations = new Conversations();
 * conversations.put('alice', { target: { type: 1, peer: 'bob' }, msgTime: 1700000000, pinned: false, messages: 2, listed: true });
 * conversations.delete('alice', { type: 1, peer: 'bob' }, true); // true: gone with its messages
 */
export class Conversations {
  #s: ConversationState = { byOwner: new Map(), lastSeq: new Map() };

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as ConversationState);
  }

  /**
   * Seeding helper: puts (or replaces) a conversation on `owner`'s side.
   * @example
   * conversations.put('alice', { target: { type: 1, peer: 'bob' }, msgTime: 1700000000, pinned: false, messages: 3, listed: true });
   */
  put(owner: string, conversation: Conversation): void {
    let map = this.#s.byOwner.get(owner);
    if (map === undefined) {
      map = new Map();
      this.#s.byOwner.set(owner, map);
    }
    const key = conversationKey(conversation.target);
    let seq = map.get(key)?.seq;
    if (seq === undefined) {
      seq = (this.#s.lastSeq.get(owner) ?? 0) + 1;
      this.#s.lastSeq.set(owner, seq);
    }
    map.set(key, { ...conversation, target: { ...conversation.target }, seq });
  }

  /** Every conversation `owner` has (listed or not), copies, in creation order. */
  allOf(owner: string): Conversation[] {
    return this.#stored(owner).map(({ seq: _seq, ...c }) => ({ ...c, target: { ...c.target } }));
  }

  /** The owners whose side has a one-to-one conversation with `peer` (the peer's data about them). */
  c2cWith(peer: string): { owner: string; conversation: Conversation }[] {
    const key = conversationKey({ type: 1, peer });
    return [...this.#s.byOwner.entries()].flatMap(([owner, map]) => {
      const conversation = map.get(key);
      return conversation === undefined ? [] : [{ owner, conversation: { ...conversation } }];
    });
  }

  has(owner: string, target: ConversationTarget): boolean {
    return this.#s.byOwner.get(owner)?.get(conversationKey(target))?.listed === true;
  }

  /**
   * `get_list`: one page. `assistFlags` bit 0: pinned conversations come first with TopFlag 1 (otherwise
   * they are listed as ordinary ones); bit 1: empty conversations are included; bit 2: pinned ones are
   * paged too (otherwise all of them come on the first page that has any).
   */
  page(owner: string, cursors: ListCursors, assistFlags: number, pageSize: number): ConversationPage {
    const supportPinned = (assistFlags & 1) !== 0;
    const withEmpty = (assistFlags & 2) !== 0;
    const pagePinned = (assistFlags & 4) !== 0;
    const visible = this.#stored(owner)
      .filter((c) => c.listed && (withEmpty || c.messages > 0))
      .map((c) => (supportPinned ? c : { ...c, pinned: false }))
      .sort(byRecency);
    const pinnedRest = after(
      visible.filter((c) => c.pinned),
      cursors.topTimeStamp,
      cursors.topStartIndex,
    );
    const generalRest = after(
      visible.filter((c) => !c.pinned),
      cursors.timeStamp,
      cursors.startIndex,
    );
    const pinnedPage = pagePinned ? pinnedRest.slice(0, pageSize) : pinnedRest;
    const generalPage = generalRest.slice(0, Math.max(0, pageSize - (pagePinned ? pinnedPage.length : 0)));
    const [topTimeStamp, topStartIndex] = advance(pinnedPage, cursors.topTimeStamp, cursors.topStartIndex);
    const [timeStamp, startIndex] = advance(generalPage, cursors.timeStamp, cursors.startIndex);
    return {
      items: [...pinnedPage, ...generalPage].map(({ seq: _seq, ...c }) => ({
        ...c,
        target: { ...c.target },
      })),
      complete: pinnedPage.length === pinnedRest.length && generalPage.length === generalRest.length,
      next: { timeStamp, startIndex, topTimeStamp, topStartIndex },
    };
  }

  /**
   * `recentcontact/delete`: takes the conversation off `owner`'s list; with `clearRamble` also drops the
   * roaming messages on `owner`'s side (even of a conversation already off the list). The peer's side is
   * never touched. Deleting what is not there succeeds (undocumented; a repeated delete must not fail).
   * @returns whether anything changed.
   */
  delete(owner: string, target: ConversationTarget, clearRamble: boolean): boolean {
    const map = this.#s.byOwner.get(owner);
    const key = conversationKey(target);
    const conversation = map?.get(key);
    if (map === undefined || conversation === undefined) return false;
    if (clearRamble || conversation.messages === 0) {
      map.delete(key);
      return true;
    }
    const changed = conversation.listed;
    conversation.listed = false;
    return changed;
  }

  #stored(owner: string): Stored[] {
    return [...(this.#s.byOwner.get(owner)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
}

function byRecency(a: Stored, b: Stored): number {
  return b.msgTime - a.msgTime || a.seq - b.seq;
}

/** The entries of a sorted list strictly after the cursor (MsgTime, creation number); (0, 0) = all. */
function after(sorted: Stored[], timeStamp: number, startIndex: number): Stored[] {
  if (timeStamp === 0 && startIndex === 0) return sorted;
  return sorted.filter((c) => c.msgTime < timeStamp || (c.msgTime === timeStamp && c.seq > startIndex));
}

/** The cursor after `page`: its last entry; unchanged when the page is empty. */
function advance(page: Stored[], timeStamp: number, startIndex: number): [number, number] {
  const last = page.at(-1);
  return last === undefined ? [timeStamp, startIndex] : [last.msgTime, last.seq];
}
