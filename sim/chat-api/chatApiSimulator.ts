/**
 * The Tencent Cloud Chat REST API simulator (dev and test only, never bundled): a real HTTP server on
 * 127.0.0.1 speaking the documented wire protocol, with a friend graph, the per-second call limit, and
 * faults on demand. Built from the docs (shared API.md, DESIGN.md "Stand-ins"), not from any client.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { type Fault, FaultQueue, RandomFaultSource, type RandomFaults } from './faults.ts';
import { FriendGraph } from './friendGraph.ts';
import { SlidingRateWindow } from './rateWindow.ts';
import { RequestLog, type RequestLogEntry, type SimulatorCounters } from './requestLog.ts';
import { createRequestHandler, PendingAnswers, type SimulatorState } from './server.ts';

const optionsSchema = z.object({
  sdkAppId: z.number().int().positive(),
  secretKey: z.string().min(1),
  admins: z.array(z.string().min(1)).min(1).optional(),
  callsPerSecond: z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional(),
  latencyMs: z.number().min(0).optional(),
  nowMs: z.custom<() => number>((value) => typeof value === 'function').optional(),
  port: z.number().int().min(0).max(65535).optional(),
  friendGetPageSize: z.number().int().positive().optional(),
  maxLoggedRequests: z.number().int().positive().optional(),
});

export interface ChatApiSimulatorOptions {
  sdkAppId: number;
  /** The app's secret key; UserSigs are verified against it (change it later with `setSecretKey`). */
  secretKey: string;
  /** App admin UserIDs allowed as `identifier` (default `['administrator']`); they also exist as accounts. */
  admins?: string[];
  /** The app-wide limit per sliding second (default 200); `Infinity` disables it. */
  callsPerSecond?: number;
  /** Added to every answer (default 0), to model a remote API. */
  latencyMs?: number;
  /** The simulator's clock (default Date.now): UserSig expiry, the rate window and the log use it. */
  nowMs?: () => number;
  /** Default 0: a free port. The server binds 127.0.0.1 only. */
  port?: number;
  /** Page size of friend_get (default 100; Tencent does not document its own). */
  friendGetPageSize?: number;
  /** Log entries kept (default 10,000; older ones are dropped). */
  maxLoggedRequests?: number;
}

/** A friendship to seed: `single` means only `[0] -> [1]`. */
export type SeedFriendship = [a: string, b: string, kind: 'both' | 'single'];

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
  setCallsPerSecond(callsPerSecond: number): void;

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
  seed(seed: { accounts?: string[]; friendships?: SeedFriendship[] }): void;
  hasAccount(id: string): boolean;
  /** The UserIDs on `id`'s own list, in list order. */
  friendsOf(id: string): string[];
  /** The users whose list holds `id` (one-way holders included). */
  holdersOf(id: string): string[];
}

/**
 * Starts the simulator on 127.0.0.1.
 * @example
 * const sim = await startChatApiSimulator({ sdkAppId: 1400000000, secretKey: 'test-key' });
 * sim.seed({ accounts: ['alice', 'bob'], friendships: [['alice', 'bob', 'both']] });
 * // ... point the client at sim.url ...
 * await sim.close();
 */
export async function startChatApiSimulator(options: ChatApiSimulatorOptions): Promise<ChatApiSimulator> {
  const config = optionsSchema.parse(options);
  const admins = config.admins ?? ['administrator'];
  const graph = new FriendGraph();
  const state: SimulatorState = {
    app: { sdkAppId: config.sdkAppId, secretKey: config.secretKey, admins },
    nowMs: config.nowMs ?? Date.now,
    latencyMs: config.latencyMs ?? 0,
    friendGetPageSize: config.friendGetPageSize ?? 100,
    rateWindow: new SlidingRateWindow(config.callsPerSecond ?? 200),
    faults: new FaultQueue(),
    randomFaults: undefined,
    graph,
    log: new RequestLog(config.maxLoggedRequests ?? 10_000),
  };
  for (const admin of admins) graph.importAccount(admin);

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
      state.rateWindow.setLimit(callsPerSecond);
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
    seed({ accounts = [], friendships = [] }) {
      importAccounts(accounts);
      for (const [a, b, kind] of friendships) graph.link(a, b, kind);
    },
    hasAccount: (id) => graph.hasAccount(id),
    friendsOf: (id) => graph.friendsOf(id),
    holdersOf: (id) => graph.holdersOf(id),
  };
}
