/**
 * A minimal signed REST client for the simulator tests: real HTTP on loopback, the project's own
 * `signUserSig`, the documented query string. Also a pager that follows a listing to completion with a
 * bound, so a test never loops for ever.
 */
import { afterEach, beforeEach } from 'vitest';
import {
  type ChatApiSimulator,
  type ChatApiSimulatorOptions,
  startChatApiSimulator,
} from '../../sim/chat-api/index.ts';
import { signUserSig } from '../../src/chat/userSig.ts';

export const SDK_APP_ID = 1400000000;
export const SECRET_KEY = 'sim-secret-key-0123456789abcdef';
export const ADMIN = 'administrator';
export const START_MS = Date.UTC(2026, 10, 25, 10, 0, 0, 250);
export const START_SECONDS = Math.floor(START_MS / 1000);

export type Json = Record<string, unknown>;

/** A started simulator with a settable clock and a `call` bound to it. */
export interface SimHarness {
  sim: ChatApiSimulator;
  clock: { ms: number };
  /** POSTs `body` to `/v4/{path}` with a valid query string; resolves to the JSON answer. */
  call(path: string, body?: unknown): Promise<Json>;
}

/**
 * Starts a fresh simulator before each test of the calling file and closes it after.
 * @example
 * const h = useSimulator({ features: { follow: false } });
 * it('...', async () => { h.sim.seed(...); await h.call('follow/follow_get', {...}); });
 */
export function useSimulator(options: Partial<ChatApiSimulatorOptions> = {}): SimHarness {
  const clock = { ms: START_MS };
  const harness = {
    clock,
    sim: undefined as unknown as ChatApiSimulator,
    async call(path: string, body: unknown = {}): Promise<Json> {
      const query = new URLSearchParams({
        sdkappid: String(SDK_APP_ID),
        identifier: ADMIN,
        usersig: signUserSig({
          sdkAppId: SDK_APP_ID,
          secretKey: SECRET_KEY,
          identifier: ADMIN,
          expireSeconds: 3600,
          nowSeconds: Math.floor(clock.ms / 1000),
        }),
        random: String(Math.floor(Math.random() * 4294967295)),
        contenttype: 'json',
      });
      const response = await fetch(`${harness.sim.url}/v4/${path}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${path}`);
      return (await response.json()) as Json;
    },
  };
  beforeEach(async () => {
    clock.ms = START_MS;
    harness.sim = await startChatApiSimulator({
      sdkAppId: SDK_APP_ID,
      secretKey: SECRET_KEY,
      nowMs: () => clock.ms,
      ...options,
    });
  });
  afterEach(async () => {
    await harness.sim.close();
  });
  return harness;
}

/**
 * Follows a listing until `done` says so; throws past `maxPages` (a page that never advances).
 * @example
 * const pages = await pageAll(async (cursor) => h.call('sns/black_list_get', {...}), ...);
 */
export async function pageAll<C>(
  first: C,
  fetchPage: (cursor: C) => Promise<Json>,
  step: (answer: Json) => { done: boolean; next: C },
  maxPages = 50,
): Promise<Json[]> {
  const answers: Json[] = [];
  let cursor = first;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await fetchPage(cursor);
    if (answer.ErrorCode !== 0) throw new Error(`listing failed: ${JSON.stringify(answer)}`);
    answers.push(answer);
    const { done, next } = step(answer);
    if (done) return answers;
    cursor = next;
  }
  throw new Error(`no completion after ${maxPages} pages`);
}

/** The values of `field` in each item of `list` (an array of objects, or absent). */
export function field(list: unknown, name: string): unknown[] {
  return ((list as Json[] | undefined) ?? []).map((item) => item[name]);
}

/** The ResultItem of a batch answer as `key:code` strings. */
export function itemCodes(answer: Json, key = 'To_Account'): string[] {
  return ((answer.ResultItem as Json[] | undefined) ?? []).map((item) => `${item[key]}:${item.ResultCode}`);
}
