/**
 * Conversation ("contact") groups (`recentcontact/get_contact_group`, `del_contact_group`; Ultimate
 * edition only): each user's named groups of conversations, at most 20, names at most 32 bytes, each with
 * a numeric GroupId unique per user. Pure and synchronous.
 */

/** Tencent's per-user limit of conversation groups (51010 above it). */
export const MAX_CONTACT_GROUPS_PER_USER = 20;
/** The longest group name, in UTF-8 bytes (51011 above it). */
export const MAX_CONTACT_GROUP_NAME_BYTES = 32;

/** One conversation group. `conversations` holds conversation keys (`c2c:<peer>` / `group:<GroupId>`). */
export interface ContactGroup {
  name: string;
  id: number;
  conversations: string[];
}

/** Thrown by the seeding helper for a group Tencent would refuse (too many, name too long). */
export class ContactGroupLimitError extends Error {
  override readonly name = 'ContactGroupLimitError';
}

interface ContactGroupState {
  byOwner: Map<string, ContactGroup[]>;
  /** owner -> the last GroupId handed out (ids are never reused). */
  lastIds: Map<string, number>;
}

/**
 * Every user's conversation groups.
 * @example
 * const groups = new ContactGroups();
 * groups.put('alice', 'work', ['c2c:bob']).id; // 1
 * groups.delete('alice', 'work')?.name; // 'work'
 */
export class ContactGroups {
  #s: ContactGroupState = { byOwner: new Map(), lastIds: new Map() };

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as ContactGroupState);
  }

  /**
   * Seeding helper: creates the group (or adds conversations to an existing one of that name).
   * @example
   * contactGroups.put('alice', 'work', ['c2c:bob']);
   */
  put(owner: string, name: string, conversations: string[] = []): ContactGroup {
    const groups = this.#s.byOwner.get(owner) ?? [];
    let group = groups.find((candidate) => candidate.name === name);
    if (group === undefined) {
      if (Buffer.byteLength(name, 'utf8') > MAX_CONTACT_GROUP_NAME_BYTES || name === '') {
        throw new ContactGroupLimitError(`contact group name must be 1-32 bytes: ${JSON.stringify(name)}`);
      }
      if (groups.length >= MAX_CONTACT_GROUPS_PER_USER) {
        throw new ContactGroupLimitError(
          `${owner} already has ${MAX_CONTACT_GROUPS_PER_USER} contact groups`,
        );
      }
      const id = (this.#s.lastIds.get(owner) ?? 0) + 1;
      this.#s.lastIds.set(owner, id);
      group = { name, id, conversations: [] };
      this.#s.byOwner.set(owner, [...groups, group]);
    }
    for (const key of conversations) if (!group.conversations.includes(key)) group.conversations.push(key);
    return { ...group, conversations: [...group.conversations] };
  }

  /** `owner`'s groups in creation order (copies). */
  groupsOf(owner: string): ContactGroup[] {
    return (this.#s.byOwner.get(owner) ?? []).map((group) => ({
      ...group,
      conversations: [...group.conversations],
    }));
  }

  /** `get_contact_group`: up to `pageSize` groups from `startIndex`. */
  page(
    owner: string,
    startIndex: number,
    pageSize: number,
  ): { groups: ContactGroup[]; complete: boolean; nextStartIndex: number } {
    const all = this.groupsOf(owner);
    const groups = all.slice(startIndex, startIndex + pageSize);
    const end = startIndex + groups.length;
    const complete = end >= all.length;
    return { groups, complete, nextStartIndex: complete ? 0 : end };
  }

  /** `del_contact_group`: removes the named group; undefined when there is none (51009). */
  delete(owner: string, name: string): ContactGroup | undefined {
    const groups = this.#s.byOwner.get(owner) ?? [];
    const doomed = groups.find((group) => group.name === name);
    if (doomed === undefined) return undefined;
    this.#s.byOwner.set(
      owner,
      groups.filter((group) => group !== doomed),
    );
    return doomed;
  }

  /** A deleted conversation leaves every group of its owner. */
  forgetConversation(owner: string, conversationKey: string): void {
    for (const group of this.#s.byOwner.get(owner) ?? []) {
      group.conversations = group.conversations.filter((key) => key !== conversationKey);
    }
  }
}
