import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdminCredentialsSource } from '../../src/aws/adminCredentials.ts';
import { SignedAdminSession as AdminSession } from '../../src/chat/adminSession.ts';
import { AdminUserSigCache } from '../../src/chat/adminUserSig.ts';
import { verifyUserSig } from '../../src/chat/userSig.ts';
import type {
  AdminCredentials,
  ChatApi,
  ChatAttempt,
  ChatAuth,
  ChatOutcome,
  ChatOutcomeKind,
} from '../../src/erasure/ports.ts';
import { RecordChatCalls, type RecordChatCallsOptions } from '../../src/erasure/recordChatCalls.ts';
import { AdminSubjectError } from '../../src/errors.ts';

/** One friend_delete_all through a fresh RecordChatCalls, as a plan step makes it. */
async function eraseAccount(userId: string, options: Omit<RecordChatCallsOptions, 'userId'>) {
  const calls = new RecordChatCalls({ ...options, userId });
  const result = await calls.call('sns', 'friend_delete_all', {
    From_Account: userId,
    DeleteType: 'Delete_Type_Both',
  });
  return result.started
    ? { started: true as const, outcome: result.outcome, latenciesMs: calls.latenciesMs }
    : result;
}

const NOW = 1_800_000_000;
const OLD: AdminCredentials = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'old-key-1',
};
const NEW: AdminCredentials = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'new-key-2',
};
/** Far enough in the future that the deadline never interferes, unless a test says otherwise. */
const NO_DEADLINE = Number.POSITIVE_INFINITY;

const DONE: ChatOutcome = { kind: 'done', detail: 'OK' };
const ABSENT: ChatOutcome = { kind: 'absent', errorCode: 70107, detail: 'ErrorCode 70107' };
const PERMANENT: ChatOutcome = { kind: 'permanent', errorCode: 70402, detail: 'ErrorCode 70402' };
const EXPIRED: ChatOutcome = { kind: 're-sign', errorCode: 70001, detail: 'ErrorCode 70001' };
const BAD_SIG: ChatOutcome = { kind: 're-sign', errorCode: 70009, detail: 'ErrorCode 70009' };
const TRANSIENT: ChatOutcome = { kind: 'transient', errorCode: 70500, detail: 'ErrorCode 70500' };
const BAD_GATEWAY: ChatOutcome = { kind: 'transient', detail: 'HTTP 502' };
const THROTTLED: ChatOutcome = { kind: 'throttled', errorCode: 60007, detail: 'ErrorCode 60007' };

interface PostCall {
  service: string;
  command: string;
  body: object;
  auth: ChatAuth;
  latestStartMs: number | undefined;
}

type Step = ChatAttempt | ((call: PostCall) => ChatAttempt | Promise<ChatAttempt>);

const answered = (outcome: ChatOutcome, latencyMs = 10): ChatAttempt => ({
  started: true,
  outcome,
  latencyMs,
});
const NOT_STARTED: ChatAttempt = { started: false };

/**
 * A ChatApi that records every call and answers from a script; running past its end fails the test. Like
 * the real client, it reads the auth (`authorize`) only once a call is about to be sent.
 */
function scriptedChat(steps: Step[]) {
  const calls: PostCall[] = [];
  const chat: ChatApi = {
    async post({ service, command, body, latestStartMs, authorize }) {
      const step = steps.shift();
      if (step === undefined) throw new Error(`unscripted call #${calls.length + 1}`);
      // A call that cannot start is never signed: the client gives up before reading the auth.
      const sent = typeof step === 'function' || step.started;
      const call = {
        service,
        command,
        body,
        auth: (sent ? authorize() : undefined) as ChatAuth,
        latestStartMs,
      };
      calls.push(call);
      return typeof step === 'function' ? step(call) : step;
    },
  };
  return { chat, calls };
}

/** A real AdminSession over a credentials source with scripted forced fetches (cached reads give OLD). */
async function sessionWith(forced: Array<AdminCredentials | Error> = [NEW]) {
  const calls: Array<{ forceFetch?: boolean } | undefined> = [];
  const source: AdminCredentialsSource = {
    async get(options) {
      calls.push(options);
      if (!options?.forceFetch) return OLD;
      const answer = forced.length > 1 ? forced.shift() : forced[0];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer');
      return answer;
    },
  };
  const session = new AdminSession(source, new AdminUserSigCache(3600, () => NOW));
  await session.load();
  return { session, forcedFetches: () => calls.filter((call) => call?.forceFetch === true).length };
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const signedWith = (auth: ChatAuth, credentials: AdminCredentials) =>
  verifyUserSig(auth.userSig, {
    sdkAppId: credentials.sdkAppId,
    secretKey: credentials.secretKey,
    identifier: credentials.adminIdentifier,
    nowSeconds: NOW,
  }).ok;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('eraseAccount: the request', () => {
  it('POSTs friend_delete_all with Delete_Type_Both for the user, signed for the admin', async () => {
    const { chat, calls } = scriptedChat([answered(DONE)]);
    const { session } = await sessionWith();
    await eraseAccount('user_42', { chat, session, latestStartMs: 123_456 });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.service).toBe('sns');
    expect(call?.command).toBe('friend_delete_all');
    expect(call?.body).toEqual({ From_Account: 'user_42', DeleteType: 'Delete_Type_Both' });
    expect(Object.keys(call?.body ?? {})).toEqual(['From_Account', 'DeleteType']);
    expect(call?.latestStartMs).toBe(123_456);
    expect(call?.auth.sdkAppId).toBe(1400000000);
    expect(call?.auth.identifier).toBe('administrator');
    expect(signedWith(call?.auth as ChatAuth, OLD)).toBe(true);
  });

  it('passes the userId through untouched (unicode, spaces)', async () => {
    const { chat, calls } = scriptedChat([answered(DONE)]);
    const { session } = await sessionWith();
    await eraseAccount(' José 🙂 ', { chat, session, latestStartMs: NO_DEADLINE });
    expect(calls[0]?.body).toEqual({ From_Account: ' José 🙂 ', DeleteType: 'Delete_Type_Both' });
  });
});

describe('eraseAccount: answers that end it at once', () => {
  it.each([
    ['done', DONE],
    ['absent', ABSENT],
    ['permanent', PERMANENT],
    ['permanent (HTTP)', { kind: 'permanent', detail: 'HTTP 403' } satisfies ChatOutcome],
  ])('%s → one call, that outcome', async (_what, outcome) => {
    const { chat, calls } = scriptedChat([answered(outcome, 42)]);
    const { session, forcedFetches } = await sessionWith();
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toEqual({ started: true, outcome, latenciesMs: [42] });
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(forcedFetches()).toBe(0);
  });
});

describe('eraseAccount: re-sign', () => {
  it('renews (forced fetch), re-signs and retries once with the new credentials', async () => {
    const { chat, calls } = scriptedChat([answered(EXPIRED, 15), answered(DONE, 25)]);
    const { session, forcedFetches } = await sessionWith([NEW]);
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toEqual({ started: true, outcome: DONE, latenciesMs: [15, 25] });
    expect(forcedFetches()).toBe(1);
    expect(delays).toEqual([]); // a re-sign retries straight away
    expect(signedWith(calls[0]?.auth as ChatAuth, OLD)).toBe(true);
    expect(signedWith(calls[1]?.auth as ChatAuth, NEW)).toBe(true);
    expect(calls[1]?.body).toEqual(calls[0]?.body);
  });

  it('a second re-sign answer is permanent, with its error code', async () => {
    const { chat } = scriptedChat([answered(EXPIRED), answered(BAD_SIG)]);
    const { session, forcedFetches } = await sessionWith([NEW]);
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE });
    expect(result.started).toBe(true);
    if (!result.started) return;
    expect(result.outcome.kind).toBe('permanent');
    expect(result.outcome.errorCode).toBe(70009);
    expect(result.outcome.detail).toContain('ErrorCode 70009');
    expect(result.outcome.detail).toContain('re-sign');
    expect(result.latenciesMs.length).toBe(2);
    expect(forcedFetches()).toBe(1);
  });

  it('a failed renewal ends it as transient, without another call', async () => {
    const { chat, calls } = scriptedChat([answered(EXPIRED)]);
    const { session, forcedFetches } = await sessionWith([new Error('Secrets Manager could not be read')]);
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toMatchObject({ started: true, outcome: { kind: 'transient' } });
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(forcedFetches()).toBe(1);
  });

  it('a renewal that outlives the invocation bound ends it as transient at the bound, without another call', async () => {
    const { chat, calls } = scriptedChat([answered(EXPIRED)]);
    const hung: AdminCredentialsSource = {
      get: (options) =>
        options?.forceFetch ? new Promise<AdminCredentials>(() => {}) : Promise.resolve(OLD),
    };
    const session = new AdminSession(hung, new AdminUserSigCache(3600, () => NOW));
    await session.load();
    let bounded = 0;
    const result = await eraseAccount('user_42', {
      chat,
      session,
      latestStartMs: NO_DEADLINE,
      // The invocation's bound: abandons the call (here at once) however long it would take.
      boundAwsCall: (call) => {
        bounded++;
        void call();
        return Promise.reject(new Error('abandoned at the deadline'));
      },
    });
    expect(bounded).toBe(1);
    expect(result).toMatchObject({
      started: true,
      outcome: {
        kind: 'transient',
        errorCode: 70001,
        detail: 'Secrets Manager could not be read to re-sign',
      },
    });
    expect(calls).toHaveLength(1);
  });

  // DESIGN.md "DLQ message": error-code is set "when the last Chat answer carried a non-zero ErrorCode", and
  // the audit line logs errorCode "when any". The last Chat answer here was 70001.
  it('a failed renewal keeps the error code of the re-sign answer', async () => {
    const { chat } = scriptedChat([answered(EXPIRED)]);
    const { session } = await sessionWith([new Error('Secrets Manager could not be read')]);
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE });
    expect(result).toMatchObject({ started: true, outcome: { kind: 'transient', errorCode: 70001 } });
  });

  it('a re-sign whose second call cannot start ends as re-sign (retryable), one attempt', async () => {
    const { chat } = scriptedChat([answered(EXPIRED, 7), NOT_STARTED]);
    const { session } = await sessionWith([NEW]);
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE });
    expect(result).toEqual({ started: true, outcome: EXPIRED, latenciesMs: [7] });
  });

  it('does not renew again when another record already renewed since its call', async () => {
    const { session, forcedFetches } = await sessionWith([NEW]);
    // Record A's answer comes first and renews; record B's (stale) answer comes after.
    let releaseB!: () => void;
    const bAnswered = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const { chat, calls } = scriptedChat([
      answered(EXPIRED), // A, first call
      async () => {
        await bAnswered; // B, first call: held until A is through
        return answered(EXPIRED);
      },
      answered(DONE), // A, retry
      answered(DONE), // B, retry
    ]);
    const a = eraseAccount('user_a', { chat, session, latestStartMs: NO_DEADLINE });
    const b = eraseAccount('user_b', { chat, session, latestStartMs: NO_DEADLINE });
    await expect(a).resolves.toMatchObject({ outcome: DONE });
    releaseB();
    await expect(b).resolves.toMatchObject({ outcome: DONE });
    expect(forcedFetches()).toBe(1);
    expect(signedWith(calls[3]?.auth as ChatAuth, NEW)).toBe(true);
  });

  // The consequence of AdminSession counting a failed renewal as a renewal: record B got its re-sign answer
  // after A's renewal had failed. B must re-fetch the secret itself (DESIGN.md: "re-fetch the secret
  // (bypassing the cache), re-sign, retry once"); instead it retries with the refused key, is refused again
  // and ends as permanent, i.e. it is dead-lettered because Secrets Manager blinked once.
  it('a record whose re-sign answer arrives after a failed renewal still gets a fresh secret', async () => {
    const { session, forcedFetches } = await sessionWith([
      new Error('Secrets Manager could not be read'),
      NEW,
    ]);
    let releaseB!: () => void;
    const bAnswered = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const byKey = (call: PostCall) => answered(signedWith(call.auth, NEW) ? DONE : EXPIRED);
    const { chat } = scriptedChat([
      answered(EXPIRED), // A: renewal fails → transient
      async (call) => {
        await bAnswered;
        return byKey(call); // B: signed with OLD → 70001
      },
      byKey, // B's retry
    ]);
    const a = eraseAccount('user_a', { chat, session, latestStartMs: NO_DEADLINE });
    const b = eraseAccount('user_b', { chat, session, latestStartMs: NO_DEADLINE });
    await expect(a).resolves.toMatchObject({ outcome: { kind: 'transient' } });
    releaseB();
    const resultB = await b;
    expect(resultB).toMatchObject({ outcome: { kind: 'done' } });
    expect(forcedFetches()).toBe(2);
  });
});

describe.each([
  ['transient', TRANSIENT],
  ['transient (HTTP)', BAD_GATEWAY],
  ['throttled', THROTTLED],
])('eraseAccount: %s', (_what, outcome) => {
  it.each([
    [0, 160],
    [0.5, 200],
    [0.9999999999999999, 240],
  ])('retries once after the jittered delay (random %d → %d ms), then stops', async (random, delay) => {
    const { chat, calls } = scriptedChat([answered(outcome, 11), answered(outcome, 13)]);
    const { session, forcedFetches } = await sessionWith();
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', {
      chat,
      session,
      latestStartMs: NO_DEADLINE,
      sleep,
      random: () => random,
    });
    expect(delays).toEqual([delay]);
    expect(calls).toHaveLength(2);
    expect(result).toEqual({ started: true, outcome, latenciesMs: [11, 13] });
    expect(forcedFetches()).toBe(0);
  });

  it('the retry can succeed', async () => {
    const { chat } = scriptedChat([answered(outcome, 11), answered(DONE, 9)]);
    const { session } = await sessionWith();
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toEqual({ started: true, outcome: DONE, latenciesMs: [11, 9] });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(160);
    expect(delays[0]).toBeLessThanOrEqual(240);
  });

  it('a retry that cannot start leaves the first outcome', async () => {
    const { chat } = scriptedChat([answered(outcome, 11), NOT_STARTED]);
    const { session } = await sessionWith();
    const { sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toEqual({ started: true, outcome, latenciesMs: [11] });
  });

  describe('deadline', () => {
    // eraseAccount reads performance.now() for the deadline check: pin it.
    const pinClock = (now: number) => vi.spyOn(performance, 'now').mockReturnValue(now);

    it('skips the retry when the delay would pass latestStartMs', async () => {
      pinClock(1000);
      const { chat, calls } = scriptedChat([answered(outcome, 11)]);
      const { session } = await sessionWith();
      const { delays, sleep } = recordingSleep();
      const result = await eraseAccount('user_42', {
        chat,
        session,
        latestStartMs: 1199,
        sleep,
        random: () => 0.5, // 200 ms
      });
      expect(delays).toEqual([]);
      expect(calls).toHaveLength(1);
      expect(result).toEqual({ started: true, outcome, latenciesMs: [11] });
    });

    it('retries when the delay ends exactly at latestStartMs', async () => {
      pinClock(1000);
      const { chat, calls } = scriptedChat([answered(outcome, 11), answered(DONE, 5)]);
      const { session } = await sessionWith();
      const { delays, sleep } = recordingSleep();
      await eraseAccount('user_42', { chat, session, latestStartMs: 1200, sleep, random: () => 0.5 });
      expect(delays).toEqual([200]);
      expect(calls.map((call) => call.latestStartMs)).toEqual([1200, 1200]);
    });
  });
});

describe('eraseAccount: not started', () => {
  it('returns { started: false } when the first call cannot start', async () => {
    const { chat, calls } = scriptedChat([NOT_STARTED]);
    const { session, forcedFetches } = await sessionWith();
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: 10, sleep });
    expect(result).toEqual({ started: false });
    expect(calls).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(forcedFetches()).toBe(0);
  });
});

describe('eraseAccount: combined recoveries', () => {
  it('re-sign, then transient: renews once and retries once more after a delay', async () => {
    const { chat, calls } = scriptedChat([answered(EXPIRED, 1), answered(TRANSIENT, 2), answered(DONE, 3)]);
    const { session, forcedFetches } = await sessionWith([NEW]);
    const { delays, sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toEqual({ started: true, outcome: DONE, latenciesMs: [1, 2, 3] });
    expect(forcedFetches()).toBe(1);
    expect(delays).toHaveLength(1);
    expect(signedWith(calls[2]?.auth as ChatAuth, NEW)).toBe(true);
  });

  it('transient, then re-sign twice: the repeated re-sign is permanent', async () => {
    const { chat } = scriptedChat([answered(TRANSIENT), answered(EXPIRED), answered(EXPIRED)]);
    const { session } = await sessionWith([NEW]);
    const { sleep } = recordingSleep();
    const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
    expect(result).toMatchObject({
      started: true,
      outcome: { kind: 'permanent', errorCode: 70001 },
    });
    expect(result.started && result.latenciesMs).toHaveLength(3);
  });

  it('never makes more than 3 calls, 1 forced fetch and 1 sleep, whatever the answers', async () => {
    const kinds: ChatOutcomeKind[] = ['done', 'absent', 'transient', 'throttled', 're-sign', 'permanent'];
    const outcomeOf = (kind: ChatOutcomeKind): ChatOutcome => ({ kind, detail: kind });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom(...kinds).map((kind) => answered(outcomeOf(kind))),
            fc.constant(NOT_STARTED),
          ),
          {
            minLength: 4,
            maxLength: 4,
          },
        ),
        async (steps) => {
          const { chat, calls } = scriptedChat([...steps]);
          const { session, forcedFetches } = await sessionWith([NEW]);
          const { delays, sleep } = recordingSleep();
          const result = await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE, sleep });
          expect(calls.length).toBeLessThanOrEqual(3);
          expect(forcedFetches()).toBeLessThanOrEqual(1);
          expect(delays.length).toBeLessThanOrEqual(1);
          const started = calls.filter((_call, index) => steps[index]?.started === true).length;
          if (result.started) {
            expect(result.latenciesMs.length).toBe(started);
            expect(result.latenciesMs).toHaveLength(started);
          } else {
            expect(started).toBe(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('RecordChatCalls: the admin is never the subject', () => {
  it('throws AdminSubjectError without sending when the call would be signed as the record’s userId', async () => {
    const { chat, calls } = scriptedChat([answered(DONE)]);
    const { session } = await sessionWith();
    await expect(
      eraseAccount('administrator', { chat, session, latestStartMs: NO_DEADLINE }),
    ).rejects.toBeInstanceOf(AdminSubjectError);
    expect(calls).toHaveLength(0);
  });

  it('checks again after a re-sign: a rotation that renames the admin to the userId stops the retry', async () => {
    const renamed: AdminCredentials = { ...NEW, adminIdentifier: 'user_42' };
    const { chat, calls } = scriptedChat([answered(BAD_SIG), answered(DONE)]);
    const { session, forcedFetches } = await sessionWith([renamed]);
    await expect(
      eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE }),
    ).rejects.toBeInstanceOf(AdminSubjectError);
    expect(forcedFetches()).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.auth.identifier).toBe('administrator');
  });

  it('reads the auth only when the call is sent, so a renewal during the wait is used', async () => {
    const { session } = await sessionWith([NEW]);
    const seen: ChatAuth[] = [];
    const chat: ChatApi = {
      async post({ authorize }) {
        // Another record renews the session while this one waits for its turn.
        await session.renew(0);
        seen.push(authorize());
        return answered(DONE);
      },
    };
    await eraseAccount('user_42', { chat, session, latestStartMs: NO_DEADLINE });
    expect(signedWith(seen[0] as ChatAuth, NEW)).toBe(true);
  });
});

describe('RecordChatCalls: call options', () => {
  const calls = (chat: ChatApi, session: AdminSession, sleep: (ms: number) => Promise<void>) =>
    new RecordChatCalls({ chat, session, userId: 'user_42', latestStartMs: NO_DEADLINE, sleep });

  it('treats an OK answer without the documented fields as transient, with its short retry', async () => {
    const { chat } = scriptedChat([
      { started: true, outcome: DONE, answer: { Other: 1 }, latencyMs: 5 },
      { started: true, outcome: DONE, answer: { FriendNum: 0 }, latencyMs: 5 },
    ]);
    const { session } = await sessionWith();
    const { delays, sleep } = recordingSleep();
    const result = await calls(chat, session, sleep).call(
      'sns',
      'friend_get',
      {},
      {
        documented: (answer) => typeof answer?.FriendNum === 'number',
      },
    );
    expect(result).toMatchObject({ started: true, outcome: DONE, answer: { FriendNum: 0 } });
    expect(delays).toHaveLength(1);
  });

  it('skips the short retry for a code the caller cures by changing the request, but not for a disagreeing answer', async () => {
    const tooLarge: ChatOutcome = { kind: 'transient', errorCode: 10018, detail: 'too large' };
    const { session } = await sessionWith();
    const { sleep } = recordingSleep();
    const first = scriptedChat([answered(tooLarge)]);
    const skipped = await calls(first.chat, session, sleep).call(
      'group_open_http_svc',
      'get_joined_group_list',
      {},
      {
        changeRequestOn: new Set([10018]),
      },
    );
    expect(skipped).toMatchObject({ outcome: { errorCode: 10018 } });
    expect(first.calls).toHaveLength(1);
    const second = scriptedChat([answered({ ...tooLarge, disagreeing: true }), answered(DONE)]);
    const retried = await calls(second.chat, session, sleep).call(
      'group_open_http_svc',
      'get_joined_group_list',
      {},
      {
        changeRequestOn: new Set([10018]),
      },
    );
    expect(retried).toMatchObject({ outcome: DONE });
    expect(second.calls).toHaveLength(2);
  });
});
