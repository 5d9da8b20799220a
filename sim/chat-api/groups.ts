/**
 * Groups (`group_open_http_svc/*`): each group's type, owner and members (with Role and JoinTime), and the
 * messages each member sent, which stay in the group when the member leaves (roaming group messages belong
 * to the group). Pure and synchronous.
 *
 * Types use the REST names: Public, Private (= Work), ChatRoom (= Meeting), AVChatRoom, Community. A
 * Private group can be "not activated" (Tencent leaves those out of get_joined_group_list unless asked).
 * AVChatRoom keeps no member list at Tencent; the simulator still records who joined (so a test can see
 * the residual) but the API never lists them.
 */

export type GroupType = 'Public' | 'Private' | 'ChatRoom' | 'AVChatRoom' | 'Community';
export type MemberRole = 'Owner' | 'Admin' | 'Member';

/** The documented type names, with the new names mapped to the REST ones. */
export const GROUP_TYPE_ALIASES: Readonly<Record<string, GroupType>> = {
  Public: 'Public',
  Private: 'Private',
  Work: 'Private',
  ChatRoom: 'ChatRoom',
  Meeting: 'ChatRoom',
  AVChatRoom: 'AVChatRoom',
  Community: 'Community',
};

export interface GroupMember {
  account: string;
  role: MemberRole;
  /** Unix seconds. */
  joinTime: number;
}

/** A group as the simulator holds it (copies leave the store). */
export interface Group {
  groupId: string;
  type: GroupType;
  name: string;
  /** undefined: an ownerless group (a Work group whose owner left). */
  owner: string | undefined;
  createTime: number;
  /** false only for a never-activated Private (Work) group. */
  activated: boolean;
  /** In join order. */
  members: GroupMember[];
  /** account -> messages it sent in the group (kept after it leaves). */
  messagesBySender: Record<string, number>;
}

/** A membership of one account, as get_joined_group_list sees it. */
export interface Membership {
  group: Group;
  member: GroupMember;
}

/** Why a group operation was refused, in Tencent's codes. */
export interface GroupRefusal {
  code: number;
  detail: string;
}

/** Thrown by the seeding helper for a group that cannot exist (duplicate id, owner not a member, ...). */
export class InvalidGroupError extends Error {
  override readonly name = 'InvalidGroupError';
}

interface GroupState {
  groups: Map<string, Group>;
  /** GroupIds of destroyed groups: 10010 rather than 10015. */
  destroyed: Set<string>;
}

/**
 * Every live group, and the ids of destroyed ones.
 * @example
 * const groups = new GroupStore();
 * groups.destroy('nope'); // { code: 10015, ... }
 */
export class GroupStore {
  #s: GroupState = { groups: new Map(), destroyed: new Set() };

  snapshot(): unknown {
    return structuredClone(this.#s);
  }

  restore(snapshot: unknown): void {
    this.#s = structuredClone(snapshot as GroupState);
  }

  /**
   * Seeding helper: creates a group. The owner (if any) must be among `members` with Role Owner, or is
   * added as the first member. Throws InvalidGroupError.
   * @example
   * groups.create({ groupId: 'g1', type: 'Public', name: 'g1', owner: 'alice', createTime: 1, activated: true,
   *   members: [{ account: 'alice', role: 'Owner', joinTime: 1 }], messagesBySender: {} });
   */
  create(group: Group): void {
    if (this.#s.groups.has(group.groupId)) throw new InvalidGroupError(`group ${group.groupId} exists`);
    const members = group.members.map((member) => ({ ...member }));
    const accounts = new Set(members.map((member) => member.account));
    if (accounts.size !== members.length) throw new InvalidGroupError(`duplicate member in ${group.groupId}`);
    if (group.owner !== undefined && !accounts.has(group.owner)) {
      members.unshift({ account: group.owner, role: 'Owner', joinTime: group.createTime });
    }
    for (const member of members) {
      if (member.account === group.owner) member.role = 'Owner';
      else if (member.role === 'Owner') {
        throw new InvalidGroupError(`${member.account} has Role Owner but does not own ${group.groupId}`);
      }
    }
    this.#s.destroyed.delete(group.groupId);
    this.#s.groups.set(group.groupId, { ...group, members, messagesBySender: { ...group.messagesBySender } });
  }

  /** A copy of the group, or undefined. */
  get(groupId: string): Group | undefined {
    const group = this.#s.groups.get(groupId);
    return group === undefined ? undefined : copyGroup(group);
  }

  /** Every group (copies), in creation order. */
  all(): Group[] {
    return [...this.#s.groups.values()].map(copyGroup);
  }

  /** The refusal for an unknown GroupId: 10010 if it was destroyed, 10015 if it never existed. */
  missing(groupId: string): GroupRefusal {
    return this.#s.destroyed.has(groupId)
      ? { code: 10010, detail: `GroupId: ${groupId} has been disbanded` }
      : { code: 10015, detail: `GroupId: ${groupId}` };
  }

  /** Every group `account` is a member of, in join order (AVChatRoom included: the caller filters). */
  membershipsOf(account: string): Membership[] {
    const memberships: Membership[] = [];
    for (const group of this.#s.groups.values()) {
      const member = group.members.find((candidate) => candidate.account === account);
      if (member !== undefined) memberships.push({ group: copyGroup(group), member: { ...member } });
    }
    return memberships.sort(
      (a, b) => a.member.joinTime - b.member.joinTime || compare(a.group.groupId, b.group.groupId),
    );
  }

  /**
   * `change_group_owner`: the new owner must already be a member (10004 otherwise: undocumented code);
   * AVChatRoom refuses (10007, documented). The old owner (if any) becomes a Member. Also gives an
   * ownerless group an owner.
   */
  changeOwner(groupId: string, newOwner: string): GroupRefusal | undefined {
    const group = this.#s.groups.get(groupId);
    if (group === undefined) return this.missing(groupId);
    if (group.type === 'AVChatRoom') {
      return { code: 10007, detail: 'AVChatRoom groups do not support changing the owner' };
    }
    const member = group.members.find((candidate) => candidate.account === newOwner);
    if (member === undefined) {
      return { code: 10004, detail: `NewOwner_Account ${newOwner} is not a member of ${groupId}` };
    }
    if (group.owner === newOwner) return undefined;
    const old = group.members.find((candidate) => candidate.account === group.owner);
    if (old !== undefined) old.role = 'Member';
    member.role = 'Owner';
    group.owner = newOwner;
    return undefined;
  }

  /**
   * `delete_group_member`: removes the members; accounts that are not members are ignored (documented:
   * safe to repeat). AVChatRoom refuses (10004, documented). Removing the owner is undocumented, so it is
   * refused as a whole (10004) before anything changes: transfer ownership or destroy the group instead.
   * The members' messages stay in the group.
   */
  removeMembers(groupId: string, accounts: string[]): GroupRefusal | undefined {
    const group = this.#s.groups.get(groupId);
    if (group === undefined) return this.missing(groupId);
    if (group.type === 'AVChatRoom') {
      return { code: 10004, detail: 'AVChatRoom groups do not support deleting members' };
    }
    if (group.owner !== undefined && accounts.includes(group.owner)) {
      return { code: 10004, detail: `cannot delete the group owner ${group.owner} from ${groupId}` };
    }
    const doomed = new Set(accounts);
    group.members = group.members.filter((member) => !doomed.has(member.account));
    return undefined;
  }

  /** `destroy_group`: every type. The group's messages go with it. */
  destroy(groupId: string): GroupRefusal | undefined {
    if (!this.#s.groups.delete(groupId)) return this.missing(groupId);
    this.#s.destroyed.add(groupId);
    return undefined;
  }
}

function copyGroup(group: Group): Group {
  return {
    ...group,
    members: group.members.map((member) => ({ ...member })),
    messagesBySender: { ...group.messagesBySender },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
