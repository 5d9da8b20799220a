/**
 * Whose erasure a Chat request served, read from its body as the Chat API defines the fields (DESIGN.md
 * "Erasure plan", API.md §4, §8): `From_Account`, `To_Account`, `UserID`, `Member_Account`,
 * `MemberToDel_Account`, `DeleteItem`/`CheckItem` UserIDs, and for group commands that name only a GroupId,
 * every account the group ever had (its owner among them). Loose on purpose (a follower's own list names the follower and the user):
 * the verdicts ask "was this answered for that user", and an extra candidate only makes them more lenient.
 */
import type { RequestLogEntry } from '../sim/chat-api/index.ts';

/**
 * The accounts a request names.
 * @example
 * subjectsOf({ body: { DeleteItem: [{ UserID: 'u1' }] } } as RequestLogEntry, new Map()); // ['u1']
 */
export function subjectsOf(
  entry: Pick<RequestLogEntry, 'body'>,
  groupAccounts: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const body = entry.body;
  if (body === null || typeof body !== 'object') return [];
  const fields = body as Record<string, unknown>;
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') found.add(value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') found.add(item);
  };
  for (const name of ['From_Account', 'To_Account', 'UserID', 'Member_Account', 'MemberToDel_Account']) {
    add(fields[name]);
  }
  for (const name of ['DeleteItem', 'CheckItem']) {
    const items = fields[name];
    if (Array.isArray(items)) for (const item of items) add((item as { UserID?: unknown } | null)?.UserID);
  }
  // A group request that names no account (destroy, change owner, member list) serves the group's owner.
  if (found.size === 0 && typeof fields.GroupId === 'string') {
    for (const account of groupAccounts.get(fields.GroupId) ?? []) found.add(account);
  }
  return [...found];
}

/** The simulator's request log, indexed by the accounts each request names. */
export class ChatCallIndex {
  readonly #byAccount = new Map<string, RequestLogEntry[]>();

  /**
   * @example
   * const calls = new ChatCallIndex(requests, workload.data.groupAccounts);
   * calls.about('chaos-u-3').some((call) => call.errorCode === 30006);
   */
  constructor(requests: readonly RequestLogEntry[], groupAccounts: ReadonlyMap<string, ReadonlySet<string>>) {
    for (const request of requests) {
      for (const account of subjectsOf(request, groupAccounts)) {
        const list = this.#byAccount.get(account);
        if (list === undefined) this.#byAccount.set(account, [request]);
        else list.push(request);
      }
    }
  }

  /** The requests that name `account`, oldest first. */
  about(account: string): readonly RequestLogEntry[] {
    return this.#byAccount.get(account) ?? [];
  }
}
