/**
 * The Tencent Cloud Chat REST API simulator (dev and test only, never bundled): a real HTTP server on
 * 127.0.0.1 speaking the documented wire protocol, with the state of every command of the erasure plan
 * (friends and friend lists, blocklists, follows, conversations and conversation groups, groups,
 * profiles, accounts), per-command call limits, and faults on demand. Built from the docs (shared API.md,
 * DESIGN.md "Stand-ins"), not from any client.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { ChatData, type ChatFeatures } from './chatData.ts';
import { type Fault, FaultQueue, RandomFaultSource, type RandomFaults } from './faults.ts';
import type { Group } from './groups.ts';
import { type PersonalData, personalDataOf } from './personalData.ts';
import { CUSTOM_TAG_PATTERN, type CustomTag } from './profiles.ts';
import { DEFAULT_CALLS_PER_SECOND, PerCommandRateLimits } from './rateLimits.ts';
import { RequestLog, type RequestLogEntry, type SimulatorCounters } from './requestLog.ts';
import { applySeed, type ChatSeed } from './seeding.ts';
import { createRequestHandler, PendingAnswers, type SimulatorState } from './server.ts';

const limit = z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]);
const pageSize = z.number().int().positive();
const featuresSchema = z
  .object({ follow: z.boolean(), contactGroups: z.boolean(), accountDelete: z.boolean() })
  .partial()
  .strict();

const optionsSchema = z.object({
  sdkAppId: z.number().int().positive(),
  secretKey: z.string().min(1),
  admins: z.array(z.string().min(1)).min(1).optional(),
  callsPerSecond: limit.optional(),
  commandCallsPerSecond: z.record(z.string().regex(/^[^/]+\/[^/]+$/), limit).optional(),
  latencyMs: z.number().min(0).optional(),
  nowMs: z.custom<() => number>((value) => typeof value === 'function').optional(),
  port: z.number().int().min(0).max(65535).optional(),
  friendGetPageSize: pageSize.optional(),
  conversationPageSize: pageSize.optional(),
  contactGroupPageSize: pageSize.optional(),
  joinedGroupListMaxEntries: pageSize.optional(),
  maxLoggedRequests: z.number().int().positive().optional(),
  features: featuresSchema.optional(),
  customProfileTags: z
    .array(
      z.union([
        z.string().regex(CUSTOM_TAG_PATTERN),
        z.object({ tag: z.string().regex(CUSTOM_TAG_PATTERN), type: z.enum(['string', 'integer']) }),
      ]),
    )
    .optional(),
});

export interface ChatApiSimulatorOptions {
  sdkAppId: number;
  /** The app's secret key; UserSigs are verified against it (change it later with `setSecretKey`). */
  secretKey: string;
  /** App admin UserIDs allowed as `identifier` (default `['administrator']`); they also exist as accounts. */
  admins?: string[];
  /**
   * The per-command limit per sliding second (default 200, Tencent's); the account commands
   * (account_delete, account_check, multiaccount_import) keep min(this, 100). `Infinity` disables it.
   */
  callsPerSecond?: number;
  /** Limits of single commands, by `service/command` (e.g. `{ 'sns/friend_get': 5 }`), over the rule above. */
  commandCallsPerSecond?: Record<string, number>;
  /** Added to every answer (default 0), to model a remote API. */
  latencyMs?: number;
  /** The simulator's clock (default Date.now): UserSig expiry, the rate window and the log use it. */
  nowMs?: () => number;
  /** Default 0: a free port. The server binds 127.0.0.1 only. */
  port?: number;
  /** Page size of friend_get (default 100; Tencent does not document its own). */
  friendGetPageSize?: number;
  /** Page size of recentcontact/get_list (default 100; undocumented). */
  conversationPageSize?: number;
  /** Page size of recentcontact/get_contact_group, in groups (default 10; undocumented). */
  contactGroupPageSize?: number;
  /** get_joined_group_list answers 10018 ("over 1 MB") above this many entries (default 3,000). */
  joinedGroupListMaxEntries?: number;
  /** Log entries kept (default 10,000; older ones are dropped). */
  maxLoggedRequests?: number;
  /** Edition / console switches (default: all on). See ChatFeatures. */
  features?: Partial<ChatFeatures>;
  /**
   * The app's custom profile fields (`Tag_Profile_Custom_<1-8 letters>`; a bare name is a string field).
   * Any other custom tag gets 40009.
   */
  customProfileTags?: (string | CustomTag)[];
}

/** A friendship to seed: `single` means only `[0] -> [1]`. */
export type SeedFriendship = [a: string, b: string, kind: 'both' | 'single'];

/** The default limit of a command when nothing overrides it (the account commands keep min(it, 100)). */
export { DEFAULT_CALLS_PER_SECOND };

export interface ChatApiSimulator {
  /** Base URL `http://127.0.0.1:PORT` (no path): clients append `/v4/{service}/{command}`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops every connection (keep-alive ones too) and cancels delayed answers. */
  close(): Promise<void>;

  /** Rotates the app's secret key: UserSigs signed with the old key then get 70009. */
  setSecretKey(secretKey: string): void;
  setAdmins(admins: string[]): void;
  setLatencyMs(latencyMs: number): void;
  /** Sets the default per-command limit (the account commands keep min(it, 100)). */
  setCallsPerSecond(callsPerSecond: number): void;
  /** Sets one command's limit, e.g. `('follow/follow_delete', 20)`; `null` restores the default rule. */
  setCommandCallsPerSecond(command: string, callsPerSecond: number | null): void;
  /** The limit in force for `service/command`. */
  callsPerSecondOf(command: string): number;
  /** Switches features on or off at run time (the others keep their state). */
  setFeatures(features: Partial<ChatFeatures>): void;
  readonly features: ChatFeatures;

  /** Queues a scripted fault (first in, first out among those matching a request). */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Scripted faults not yet used up. */
  pendingFaults(): { fault: Fault; remaining: number }[];
  /** Turns on (or with null, off) seeded random faults; scripted faults still take precedence. */
  setRandomFaults(config: RandomFaults | null): void;

  /** Every request so far (copies), oldest first. */
  readonly requests: RequestLogEntry[];
  readonly counters: SimulatorCounters;
  /** Empties the request log and zeroes the counters. */
  clearRequests(): void;

  importAccounts(ids: string[]): void;
  /** Links two imported accounts without the API (`single`: only a -> b). Throws UnknownAccountError. */
  addFriendship(a: string, b: string, kind: 'both' | 'single'): void;
  /**
   * Gives users data of any kind in one call, without the API (see ChatSeed). Every account named must be
   * in `accounts` or already imported (UnknownAccountError); Tencent's limits hold (errors name them).
   */
  seed(seed: ChatSeed): void;
  hasAccount(id: string): boolean;
  /** The UserIDs on `id`'s own list, in list order. */
  friendsOf(id: string): string[];
  /** The users whose list holds `id` (one-way holders included). */
  holdersOf(id: string): string[];
  /** Everything the simulator holds about `id`, and what others hold about it (kept after account_delete). */
  personalDataOf(id: string): PersonalData;
  /** A copy of a live group (members with Role and JoinTime, messages by sender), or undefined. */
  groupOf(groupId: string): Group | undefined;
}

/**
 * Starts the simulator on 127.0.0.1.
 * @example
 * const sim = await startChatApiSimulator({ sdkAppId: 1400000000, secretKey: 'test-key' });
 * sim.seed({
 *   accounts: ['alice', 'bob'],
 *   friendships: [['alice', 'bob', 'both']],
 *   follows: [{ follower: 'bob', followee: 'alice' }],
 *   conversations: [{ owner: 'alice', peer: 'bob', messages: 3, peerMessages: 3 }],
 *   groups: [{ groupId: 'g1', type: 'Public', owner: 'alice', members: [{ account: 'bob' }] }],
 * });
 * // ... point the client at sim.url ...
 * sim.personalDataOf('alice'); // what is left of alice
 * await sim.close();
 */
export async function startChatApiSimulator(options: ChatApiSimulatorOptions): Promise<ChatApiSimulator> {
  const config = optionsSchema.parse(options);
  const admins = config.admins ?? ['administrator'];
  const data = new ChatData({
    customProfileTags: (config.customProfileTags ?? []).map((tag) =>
      typeof tag === 'string' ? { tag, type: 'string' } : tag,
    ),
    features: config.features ?? {},
  });
  const graph = data.graph;
  const rateLimits = new PerCommandRateLimits(config.callsPerSecond ?? DEFAULT_CALLS_PER_SECOND);
  for (const [command, callsPerSecond] of Object.entries(config.commandCallsPerSecond ?? {})) {
    rateLimits.setCommandLimit(command, callsPerSecond);
  }
  const state: SimulatorState = {
    app: { sdkAppId: config.sdkAppId, secretKey: config.secretKey, admins },
    nowMs: config.nowMs ?? Date.now,
    latencyMs: config.latencyMs ?? 0,
    config: {
      friendGetPageSize: config.friendGetPageSize ?? 100,
      conversationPageSize: config.conversationPageSize ?? 100,
      contactGroupPageSize: config.contactGroupPageSize ?? 10,
      joinedGroupListMaxEntries: config.joinedGroupListMaxEntries ?? 3000,
    },
    rateLimits,
    faults: new FaultQueue(),
    randomFaults: undefined,
    data,
    log: new RequestLog(config.maxLoggedRequests ?? 10_000),
  };
  for (const admin of admins) graph.importAccount(admin);
  const nowSeconds = () => Math.floor(state.nowMs() / 1000);

  const pending = new PendingAnswers();
  const server = createServer(createRequestHandler(state, pending));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const importAccounts = (ids: string[]) => {
    for (const id of z.array(z.string().min(1)).parse(ids)) graph.importAccount(id);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        pending.cancelAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },

    setSecretKey(secretKey) {
      state.app = { ...state.app, secretKey: z.string().min(1).parse(secretKey) };
    },
    setAdmins(newAdmins) {
      const parsed = z.array(z.string().min(1)).min(1).parse(newAdmins);
      state.app = { ...state.app, admins: parsed };
      for (const admin of parsed) graph.importAccount(admin);
    },
    setLatencyMs(latencyMs) {
      state.latencyMs = z.number().min(0).parse(latencyMs);
    },
    setCallsPerSecond(callsPerSecond) {
      rateLimits.setDefault(callsPerSecond);
    },
    setCommandCallsPerSecond(command, callsPerSecond) {
      rateLimits.setCommandLimit(
        z
          .string()
          .regex(/^[^/]+\/[^/]+$/)
          .parse(command),
        callsPerSecond,
      );
    },
    callsPerSecondOf: (command) => rateLimits.limitOf(command),
    setFeatures(features) {
      data.features = { ...data.features, ...featuresSchema.parse(features) };
    },
    get features() {
      return { ...data.features };
    },

    injectFault(fault) {
      state.faults.push(fault);
    },
    clearFaults() {
      state.faults.clear();
    },
    pendingFaults() {
      return state.faults.pending();
    },
    setRandomFaults(randomFaults) {
      state.randomFaults = randomFaults === null ? undefined : new RandomFaultSource(randomFaults);
    },

    get requests() {
      return state.log.entries();
    },
    get counters() {
      return state.log.counters();
    },
    clearRequests() {
      state.log.clear();
    },

    importAccounts,
    addFriendship(a, b, kind) {
      graph.link(a, b, kind);
    },
    seed(seed) {
      applySeed(data, seed, nowSeconds());
    },
    hasAccount: (id) => graph.hasAccount(id),
    friendsOf: (id) => graph.friendsOf(id),
    holdersOf: (id) => graph.holdersOf(id),
    personalDataOf: (id) => personalDataOf(data, id),
    groupOf: (groupId) => data.groups.get(groupId),
  };
}
