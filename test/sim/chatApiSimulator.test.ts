/**
 * The Chat REST API simulator driven over loopback with plain fetch and hand-built URLs, as a real client
 * would reach Tencent: every verification code, the graph semantics through the API, the rate limit,
 * each fault kind, key rotation, the request log and a clean close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatApiSimulator,
  type RequestLogEntry,
  startChatApiSimulator,
} from '../../sim/chat-api/index.ts';
import { signUserSig } from '../../src/chat/userSig.ts';

const SDK_APP_ID = 1400000000;
const SECRET_KEY = 'sim-secret-key-0123456789abcdef';
const ADMIN = 'administrator';
const START_MS = Date.UTC(2026, 10, 25, 10, 0, 0, 250);

let clockMs = START_MS;
let sim: ChatApiSimulator;

beforeEach(async () => {
  clockMs = START_MS;
  sim = await startChatApiSimulator({ sdkAppId: SDK_APP_ID, secretKey: SECRET_KEY, nowMs: () => clockMs });
});

afterEach(async () => {
  await sim.close();
});

interface SigParts {
  sdkAppId?: number;
  secretKey?: string;
  identifier?: string;
  expireSeconds?: number;
  nowSeconds?: number;
}

function userSig(parts: SigParts = {}): string {
  return signUserSig({
    sdkAppId: parts.sdkAppId ?? SDK_APP_ID,
    secretKey: parts.secretKey ?? SECRET_KEY,
    identifier: parts.identifier ?? ADMIN,
    expireSeconds: parts.expireSeconds ?? 3600,
    nowSeconds: parts.nowSeconds ?? Math.floor(clockMs / 1000),
  });
}

/** A query string; a `null` value leaves the parameter out. */
function queryString(overrides: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = {
    sdkappid: String(SDK_APP_ID),
    identifier: ADMIN,
    usersig: userSig(),
    random: '3141592653',
    contenttype: 'json',
    ...overrides,
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null) search.append(name, value);
  return search.toString();
}

interface CallOptions {
  query?: Record<string, string | null>;
  method?: string;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
  signal?: AbortSignal;
}

/** Calls `/v4/{path}` and returns the HTTP status and the parsed JSON body. */
async function call(
  path: string,
  body: unknown = {},
  options: CallOptions = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const method = options.method ?? 'POST';
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (method !== 'GET' && method !== 'HEAD') init.body = options.rawBody ?? JSON.stringify(body);
  if (options.signal !== undefined) init.signal = options.signal;
  const response = await fetch(`${sim.url}/v4/${path}?${queryString(options.query)}`, init);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function errorCodeOf(path: string, body: unknown = {}, options: CallOptions = {}): Promise<number> {
  const { status, json } = await call(path, body, options);
  expect(status).toBe(200);
  return json.ErrorCode as number;
}

/** The ErrorCode of a JSON answer. */
async function errorCodeIn(answer: Response | Promise<Response>): Promise<unknown> {
  const json = (await (await answer).json()) as Record<string, unknown>;
  return json.ErrorCode;
}

const deleteAll = (account: string, deleteType?: string) =>
  call('sns/friend_delete_all', {
    From_Account: account,
    ...(deleteType === undefined ? {} : { DeleteType: deleteType }),
  });

describe('answers in the documented shapes', () => {
  it('account_import registers an account; its answer has no ErrorDisplay (per its doc)', async () => {
    const { status, json } = await call('im_open_login_svc/account_import', {
      UserID: 'alice',
      Nick: 'Alice',
      FaceUrl: 'https://example.com/a.png',
    });
    expect(status).toBe(200);
    expect(json).toEqual({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    expect(sim.hasAccount('alice')).toBe(true);
    // Importing again is fine: one internal ID per account.
    expect((await call('im_open_login_svc/account_import', { UserID: 'alice' })).json.ErrorCode).toBe(0);
  });

  it('friend_delete_all answers only the four status fields', async () => {
    sim.importAccounts(['alice']);
    const response = await fetch(`${sim.url}/v4/sns/friend_delete_all?${queryString()}`, {
      method: 'POST',
      body: JSON.stringify({ From_Account: 'alice', DeleteType: 'Delete_Type_Both' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    });
  });

  it('account_import refuses a missing, empty, over-long (33 bytes) or non-string UserID', async () => {
    expect(await errorCodeOf('im_open_login_svc/account_import', {})).toBe(70402);
    expect(await errorCodeOf('im_open_login_svc/account_import', { UserID: '' })).toBe(70402);
    expect(await errorCodeOf('im_open_login_svc/account_import', { UserID: 'x'.repeat(33) })).toBe(70402);
    expect(await errorCodeOf('im_open_login_svc/account_import', { UserID: 'é'.repeat(17) })).toBe(70402);
    expect(await errorCodeOf('im_open_login_svc/account_import', { UserID: 'x'.repeat(32) })).toBe(0);
    expect(await errorCodeOf('im_open_login_svc/account_import', { UserID: 42 })).toBe(60015);
  });
});

describe('query and UserSig verification', () => {
  beforeEach(() => sim.importAccounts(['alice']));
  const body = { From_Account: 'alice' };

  it.each([
    ['sdkappid missing', { sdkappid: null }, 60012],
    ['sdkappid empty', { sdkappid: '' }, 60012],
    ['sdkappid not a number', { sdkappid: 'abc' }, 60006],
    ['sdkappid of another app', { sdkappid: '1400000001' }, 70020],
    ['contenttype missing', { contenttype: null }, 60025],
    ['contenttype not json', { contenttype: 'xml' }, 60025],
    ['random missing', { random: null }, 60002],
    ['random negative', { random: '-1' }, 60002],
    ['random above uint32', { random: '4294967296' }, 60002],
    ['random not a number', { random: 'abc' }, 60002],
    ['identifier missing', { identifier: null }, 60025],
    ['identifier not an admin', { identifier: 'alice', usersig: userSig({ identifier: 'alice' }) }, 60010],
    ['usersig missing', { usersig: null }, 70002],
    ['usersig empty', { usersig: '' }, 70002],
    ['usersig not base64/zlib', { usersig: 'not-a-usersig' }, 70003],
    ['usersig of zlib garbage', { usersig: 'eJxLy88HAAKvAV4_' }, 70003],
    ['usersig signed with another key', { usersig: userSig({ secretKey: 'other-key' }) }, 70009],
    ['usersig for another UserID', { usersig: userSig({ identifier: 'ops' }) }, 70013],
    ['usersig for another SDKAppID', { usersig: userSig({ sdkAppId: 1400000001 }) }, 70014],
  ] satisfies [string, Record<string, string | null>, number][])('%s -> %i', async (_name, query, code) => {
    const { status, json } = await call('sns/friend_delete_all', body, { query });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: code });
    expect(json.ErrorInfo).toEqual(expect.any(String));
    expect(json.ErrorInfo).not.toBe('');
  });

  it('accepts the uint32 bounds of random', async () => {
    expect(await errorCodeOf('sns/friend_delete_all', body, { query: { random: '0' } })).toBe(0);
    expect(await errorCodeOf('sns/friend_delete_all', body, { query: { random: '4294967295' } })).toBe(0);
  });

  it('expires a UserSig strictly after time + expire, on the injected clock (70001)', async () => {
    const issued = Math.floor(clockMs / 1000);
    const query = { usersig: userSig({ nowSeconds: issued, expireSeconds: 60 }) };
    clockMs = (issued + 60) * 1000 + 999; // still second issued+60: valid
    expect(await errorCodeOf('sns/friend_delete_all', body, { query })).toBe(0);
    clockMs = (issued + 61) * 1000;
    const { json } = await call('sns/friend_delete_all', body, { query });
    expect(json).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 70001 });
  });

  it('honours configured admins', async () => {
    sim.setAdmins(['ops']);
    expect(await errorCodeOf('sns/friend_delete_all', body)).toBe(60010);
    const asOps = { identifier: 'ops', usersig: userSig({ identifier: 'ops' }) };
    expect(await errorCodeOf('sns/friend_delete_all', body, { query: asOps })).toBe(0);
  });

  it('rotates the secret key at run time: old-key UserSigs get 70009, new ones pass', async () => {
    const oldSig = userSig();
    sim.setSecretKey('rotated-key');
    expect(await errorCodeOf('sns/friend_delete_all', body, { query: { usersig: oldSig } })).toBe(70009);
    const newSig = userSig({ secretKey: 'rotated-key' });
    expect(await errorCodeOf('sns/friend_delete_all', body, { query: { usersig: newSig } })).toBe(0);
  });
});

describe('resource, method and body', () => {
  it.each(['sns/friend_delete_everything', 'nosuchservice/friend_delete_all', 'sns/friend_delete_all/extra'])(
    'an unknown resource %s -> 60009',
    async (path) => {
      expect(await errorCodeOf(path, { From_Account: 'alice' })).toBe(60009);
    },
  );

  it('a wrong version prefix -> 60009', async () => {
    const response = await fetch(`${sim.url}/v3/sns/friend_delete_all?${queryString()}`, {
      method: 'POST',
      body: '{}',
    });
    expect(await response.json()).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 60009 });
  });

  it.each(['GET', 'PUT', 'DELETE'])('%s instead of POST -> HTTP 200 with 60002', async (method) => {
    const { status, json } = await call('sns/friend_delete_all', { From_Account: 'alice' }, { method });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 60002 });
  });

  it.each([
    ['empty', ''],
    ['whitespace', '  \n'],
    ['not JSON', 'From_Account=alice'],
    ['truncated JSON', '{"From_Account":"alice"'],
    ['a JSON array', '[{"From_Account":"alice"}]'],
    ['JSON null', 'null'],
  ])('a body that is %s -> 60003', async (_name, rawBody) => {
    expect(await errorCodeOf('sns/friend_delete_all', undefined, { rawBody })).toBe(60003);
  });

  it('checks the UserSig before the body (bad sig and bad body -> the sig code)', async () => {
    expect(
      await errorCodeOf('sns/friend_delete_all', undefined, { rawBody: '', query: { usersig: 'x' } }),
    ).toBe(70003);
  });
});

describe('sns account checks: 30001, 60015, 30003', () => {
  it.each([
    ['friend_add', { AddFriendItem: [{ To_Account: 'bob', AddSource: 'AddSource_Type_Sim' }] }],
    ['friend_import', { AddFriendItem: [{ To_Account: 'bob', AddSource: 'AddSource_Type_Sim' }] }],
    ['friend_get', { StartIndex: 0 }],
    ['friend_check', { To_Account: ['bob'], CheckType: 'CheckResult_Type_Both' }],
    ['friend_delete_all', { DeleteType: 'Delete_Type_Both' }],
  ])('%s: missing From_Account -> 30001, numeric -> 60015, unknown -> 30003', async (command, rest) => {
    sim.importAccounts(['bob']);
    const path = `sns/${command}`;
    expect(await errorCodeOf(path, rest)).toBe(30001);
    expect(await errorCodeOf(path, { ...rest, From_Account: '' })).toBe(30001);
    expect(await errorCodeOf(path, { ...rest, From_Account: 42 })).toBe(60015);
    const { json } = await call(path, { ...rest, From_Account: 'ghost' });
    expect(json).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 30003, ErrorDisplay: '' });
    // Like Tencent's, the text names the account: a reason for clients never to log ErrorInfo verbatim.
    expect(json.ErrorInfo).toContain('ghost');
  });

  it.each([
    ['friend_delete_all', { DeleteType: 'Delete_Type_All' }],
    ['friend_get', {}],
    ['friend_get', { StartIndex: -1 }],
    ['friend_check', { To_Account: ['bob'] }],
    ['friend_check', { To_Account: [], CheckType: 'CheckResult_Type_Both' }],
    ['friend_add', { AddFriendItem: [] }],
    ['friend_add', { AddFriendItem: [{ To_Account: 'bob' }] }],
    ['friend_add', { AddFriendItem: [{ To_Account: 'bob', AddSource: 'Android' }] }],
    [
      'friend_add',
      { AddFriendItem: [{ To_Account: 'bob', AddSource: 'AddSource_Type_A' }], AddType: 'Both' },
    ],
  ])('%s with invalid fields %j -> 30001', async (command, rest) => {
    sim.importAccounts(['alice', 'bob']);
    expect(await errorCodeOf(`sns/${command}`, { From_Account: 'alice', ...rest })).toBe(30001);
  });
});

describe('the friend graph through the API', () => {
  const item = (to: string) => ({ To_Account: to, AddSource: 'AddSource_Type_Test' });

  it('friend_add defaults to Add_Type_Both; Add_Type_Single adds only From -> To', async () => {
    sim.importAccounts(['alice', 'bob', 'carol']);
    const both = await call('sns/friend_add', { From_Account: 'alice', AddFriendItem: [item('bob')] });
    expect(both.json).toEqual({
      ResultItem: [{ To_Account: 'bob', ResultCode: 0, ResultInfo: '' }],
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    });
    await call('sns/friend_add', {
      From_Account: 'alice',
      AddFriendItem: [item('carol')],
      AddType: 'Add_Type_Single',
    });
    expect(sim.friendsOf('alice')).toEqual(['bob', 'carol']);
    expect(sim.friendsOf('bob')).toEqual(['alice']);
    expect(sim.friendsOf('carol')).toEqual([]);
  });

  it('friend_add reports per-item failures with ActionStatus OK and Fail_Account', async () => {
    sim.seed({ accounts: ['alice', 'bob', 'carol'], friendships: [['alice', 'bob', 'single']] });
    const { json } = await call('sns/friend_add', {
      From_Account: 'alice',
      AddFriendItem: [item('bob'), item('ghost'), item('carol'), item('alice')],
    });
    expect(json).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, Fail_Account: ['bob', 'ghost', 'alice'] });
    expect(json.ResultItem).toEqual([
      { To_Account: 'bob', ResultCode: 30001, ResultInfo: 'Err_SNS_FriendAdd_Friend_Exist' },
      { To_Account: 'ghost', ResultCode: 30003, ResultInfo: expect.any(String) },
      { To_Account: 'carol', ResultCode: 0, ResultInfo: '' },
      { To_Account: 'alice', ResultCode: 30001, ResultInfo: expect.any(String) },
    ]);
    expect(sim.friendsOf('carol')).toEqual(['alice']);
  });

  it('friend_import is a one-way import into From_Account list', async () => {
    sim.importAccounts(['alice', 'bob']);
    const { json } = await call('sns/friend_import', {
      From_Account: 'alice',
      AddFriendItem: [{ ...item('bob'), Remark: 'Bobby', GroupName: ['Friends'], AddTime: 1420000001 }],
    });
    expect(json).toMatchObject({ ActionStatus: 'OK', ResultItem: [{ To_Account: 'bob', ResultCode: 0 }] });
    expect(sim.friendsOf('alice')).toEqual(['bob']);
    expect(sim.friendsOf('bob')).toEqual([]);
    const page = await call('sns/friend_get', { From_Account: 'alice', StartIndex: 0 });
    expect(page.json.UserDataItem).toEqual([
      {
        To_Account: 'bob',
        ValueItem: [
          { Tag: 'Tag_SNS_IM_AddSource', Value: 'AddSource_Type_Test' },
          { Tag: 'Tag_SNS_IM_Remark', Value: 'Bobby' },
          { Tag: 'Tag_SNS_IM_Group', Value: ['Friends'] },
          { Tag: 'Tag_SNS_IM_AddTime', Value: 1420000001 },
        ],
      },
    ]);
  });

  it('friend_get pages by 100 with NextStartIndex and CompleteFlag until the list ends', async () => {
    const friends = Array.from({ length: 250 }, (_, index) => `friend_${String(index).padStart(3, '0')}`);
    sim.importAccounts(['alice', ...friends]);
    const imported = await call('sns/friend_import', {
      From_Account: 'alice',
      AddFriendItem: friends.map(item),
    });
    expect(imported.json.Fail_Account).toBeUndefined();

    const seen: string[] = [];
    const pages: { next: unknown; complete: unknown; num: unknown; size: number }[] = [];
    let startIndex = 0;
    for (let guard = 0; guard < 10; guard += 1) {
      const { json } = await call('sns/friend_get', { From_Account: 'alice', StartIndex: startIndex });
      const items = json.UserDataItem as { To_Account: string }[];
      seen.push(...items.map((entry) => entry.To_Account));
      pages.push({
        next: json.NextStartIndex,
        complete: json.CompleteFlag,
        num: json.FriendNum,
        size: items.length,
      });
      if (json.CompleteFlag !== 0) break;
      startIndex = json.NextStartIndex as number;
    }
    expect(pages).toEqual([
      { next: 100, complete: 0, num: 250, size: 100 },
      { next: 200, complete: 0, num: 250, size: 100 },
      { next: 0, complete: 1, num: 250, size: 50 },
    ]);
    expect(seen).toEqual(friends);
  });

  it('friend_get omits standard data when the sent StandardSequence equals the server one', async () => {
    sim.seed({ accounts: ['alice', 'bob'], friendships: [['alice', 'bob', 'both']] });
    const first = await call('sns/friend_get', { From_Account: 'alice', StartIndex: 0, StandardSequence: 0 });
    const sequence = first.json.StandardSequence as number;
    expect(sequence).toBeGreaterThan(0);
    const cached = await call('sns/friend_get', {
      From_Account: 'alice',
      StartIndex: 0,
      StandardSequence: sequence,
    });
    expect(cached.json).toMatchObject({ FriendNum: 1, UserDataItem: [{ To_Account: 'bob', ValueItem: [] }] });
    await deleteAll('alice');
    const changed = await call('sns/friend_get', {
      From_Account: 'alice',
      StartIndex: 0,
      StandardSequence: sequence,
    });
    expect(changed.json).toMatchObject({ FriendNum: 0, CompleteFlag: 1 });
    expect(changed.json.StandardSequence).not.toBe(sequence);
  });

  it('friend_get of an empty list: FriendNum 0, CompleteFlag 1, no UserDataItem', async () => {
    sim.importAccounts(['alice']);
    const { json } = await call('sns/friend_get', {
      From_Account: 'alice',
      StartIndex: 0,
      StandardSequence: 0,
    });
    expect(json).toMatchObject({
      ActionStatus: 'OK',
      ErrorCode: 0,
      FriendNum: 0,
      CompleteFlag: 1,
      NextStartIndex: 0,
    });
    expect(json).not.toHaveProperty('UserDataItem');
  });

  it('friend_check gives the documented relations for Single and Both', async () => {
    sim.seed({
      accounts: ['a', 'both', 'mine', 'theirs', 'none'],
      friendships: [
        ['a', 'both', 'both'],
        ['a', 'mine', 'single'],
        ['theirs', 'a', 'single'],
      ],
    });
    const targets = ['both', 'mine', 'theirs', 'none', 'ghost'];
    const relations = async (checkType: string) => {
      const { json } = await call('sns/friend_check', {
        From_Account: 'a',
        To_Account: targets,
        CheckType: checkType,
      });
      expect(json).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, Fail_Account: ['ghost'] });
      return (json.InfoItem as { To_Account: string; Relation: string; ResultCode: number }[]).map(
        (info) => `${info.To_Account}:${info.Relation}:${info.ResultCode}`,
      );
    };
    expect(await relations('CheckResult_Type_Both')).toEqual([
      'both:CheckResult_Type_BothWay:0',
      'mine:CheckResult_Type_AWithB:0',
      'theirs:CheckResult_Type_BWithA:0',
      'none:CheckResult_Type_NoRelation:0',
      'ghost:CheckResult_Type_NoRelation:30003',
    ]);
    expect(await relations('CheckResult_Type_Single')).toEqual([
      'both:CheckResult_Type_AWithB:0',
      'mine:CheckResult_Type_AWithB:0',
      'theirs:CheckResult_Type_NoRelation:0',
      'none:CheckResult_Type_NoRelation:0',
      'ghost:CheckResult_Type_NoRelation:30003',
    ]);
  });

  describe('friend_delete_all', () => {
    beforeEach(() => {
      // a <-> b two-way, a -> c one-way (a's side), d -> a one-way (d's side, a's list lacks d).
      sim.seed({
        accounts: ['a', 'b', 'c', 'd'],
        friendships: [
          ['a', 'b', 'both'],
          ['a', 'c', 'single'],
          ['d', 'a', 'single'],
          ['b', 'c', 'both'],
        ],
      });
    });

    it('without DeleteType deletes one-way only (the documented default)', async () => {
      expect((await deleteAll('a')).json.ErrorCode).toBe(0);
      expect(sim.friendsOf('a')).toEqual([]);
      expect(sim.holdersOf('a').sort()).toEqual(['b', 'd']);
    });

    it('Delete_Type_Single removes only From_Account outgoing entries', async () => {
      await deleteAll('a', 'Delete_Type_Single');
      expect(sim.friendsOf('a')).toEqual([]);
      expect(sim.friendsOf('b')).toEqual(['a', 'c']);
    });

    it('Delete_Type_Both also clears the reverse entries of users on From_Account list, but not one-way holders', async () => {
      await deleteAll('a', 'Delete_Type_Both');
      expect(sim.friendsOf('a')).toEqual([]);
      expect(sim.friendsOf('b')).toEqual(['c']);
      expect(sim.friendsOf('c')).toEqual(['b']);
      // The documented caveat: d held a one-way while a's list lacked d, so d keeps it.
      expect(sim.friendsOf('d')).toEqual(['a']);
      expect(sim.holdersOf('a')).toEqual(['d']);
      const { json } = await call('sns/friend_check', {
        From_Account: 'a',
        To_Account: ['b', 'd'],
        CheckType: 'CheckResult_Type_Both',
      });
      expect((json.InfoItem as { Relation: string }[]).map((info) => info.Relation)).toEqual([
        'CheckResult_Type_NoRelation',
        'CheckResult_Type_BWithA',
      ]);
    });

    it('is idempotent: a second call on an empty list is OK', async () => {
      await deleteAll('a', 'Delete_Type_Both');
      expect((await deleteAll('a', 'Delete_Type_Both')).json).toMatchObject({
        ActionStatus: 'OK',
        ErrorCode: 0,
      });
    });
  });
});

describe('per-command call limit', () => {
  it('admits exactly the default 200 of a command in one window, answers 60007 past it, and checks it first', async () => {
    sim.importAccounts(['alice']);
    const results = await Promise.all(
      Array.from({ length: 210 }, () => errorCodeOf('sns/friend_delete_all', { From_Account: 'alice' })),
    );
    expect(results.filter((code) => code === 0)).toHaveLength(200);
    expect(results.filter((code) => code === 60007)).toHaveLength(10);
    // Before everything else: even a request with a broken UserSig and body gets 60007.
    const { json } = await call('sns/friend_delete_all', undefined, { rawBody: 'x', query: { usersig: '' } });
    expect(json).toEqual({ ActionStatus: 'FAIL', ErrorInfo: expect.any(String), ErrorCode: 60007 });
    expect(sim.counters.throttled).toBe(11);
    // The limit is per command: another command in the same second is not throttled.
    expect(await errorCodeOf('sns/friend_get', { From_Account: 'alice', StartIndex: 0 })).toBe(0);
  });

  it('slides over any one-second window and counts rejected arrivals too', async () => {
    sim.setCallsPerSecond(3);
    sim.importAccounts(['alice']);
    const attempt = () => errorCodeOf('sns/friend_delete_all', { From_Account: 'alice' });
    const at = async (ms: number) => {
      clockMs = START_MS + ms;
      return attempt();
    };
    expect([await at(0), await at(400), await at(900), await at(950)]).toEqual([0, 0, 0, 60007]);
    // (0, 1000] holds 400, 900, 950 and this one: still over.
    expect(await at(1000)).toBe(60007);
    // (951, 1951] holds only the rejected arrival at 1000 and this one: admitted.
    expect(await at(1951)).toBe(0);
    expect(await at(1952)).toBe(0);
    expect(await at(1953)).toBe(60007);
  });

  it('Infinity disables the limit', async () => {
    sim.setCallsPerSecond(Number.POSITIVE_INFINITY);
    sim.importAccounts(['alice']);
    const results = await Promise.all(
      Array.from({ length: 205 }, () => errorCodeOf('sns/friend_delete_all', { From_Account: 'alice' })),
    );
    expect(new Set(results)).toEqual(new Set([0]));
  });
});

describe('faults', () => {
  beforeEach(() => sim.seed({ accounts: ['alice', 'bob'], friendships: [['alice', 'bob', 'both']] }));
  const erase = (account = 'alice', options: CallOptions = {}) =>
    fetch(`${sim.url}/v4/sns/friend_delete_all?${queryString(options.query)}`, {
      method: 'POST',
      body: JSON.stringify({ From_Account: account, DeleteType: 'Delete_Type_Both' }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });

  it('error-code answers HTTP 200 with the code and leaves the graph alone', async () => {
    sim.injectFault({ type: 'error-code', code: 30006 });
    const response = await erase();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ActionStatus: 'FAIL',
      ErrorCode: 30006,
      ErrorInfo: expect.any(String),
      ErrorDisplay: '',
    });
    expect(sim.friendsOf('alice')).toEqual(['bob']);
    expect(await errorCodeIn(erase())).toBe(0);
  });

  it('error-code with actionStatus OK models a disagreeing answer', async () => {
    sim.injectFault({ type: 'error-code', code: 70169, actionStatus: 'OK' });
    expect(await (await erase()).json()).toMatchObject({ ActionStatus: 'OK', ErrorCode: 70169 });
  });

  it('http-status answers e.g. 502 with an HTML page', async () => {
    sim.injectFault({ type: 'http-status', status: 502 });
    const response = await erase();
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('502 Bad Gateway');
  });

  it('malformed-body answers 200 with a body that is not the documented JSON', async () => {
    sim.injectFault({ type: 'malformed-body' });
    const response = await erase();
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('reset destroys the socket: fetch rejects, and the log shows no HTTP status', async () => {
    sim.injectFault({ type: 'reset' });
    await expect(erase()).rejects.toThrow(TypeError);
    expect(sim.requests.at(-1)).toMatchObject({ fault: 'reset', httpStatus: null });
    expect(sim.friendsOf('alice')).toEqual(['bob']);
    expect((await erase()).status).toBe(200);
  });

  it('delay answers correctly, only later: past a client timeout, yet the command took effect', async () => {
    sim.injectFault({ type: 'delay', ms: 1500 });
    // The client's own timeout fires first (a TimeoutError, not an answer) ...
    await expect(erase('alice', { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    // ... while the erasure itself was done on arrival.
    await vi.waitFor(() => expect(sim.friendsOf('alice')).toEqual([]));

    sim.injectFault({ type: 'delay', ms: 150 });
    const waited = performance.now();
    const response = await erase('bob');
    expect(performance.now() - waited).toBeGreaterThanOrEqual(140);
    expect(await response.json()).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0 });
  });

  it('matches command and From_Account, serves `times` uses, first in first out, before verification', async () => {
    sim.injectFault({ type: 'error-code', code: 30007, command: 'friend_get' });
    sim.injectFault({ type: 'error-code', code: 30008, fromAccount: 'bob', times: 2 });
    sim.injectFault({ type: 'error-code', code: 30006, command: 'sns/friend_delete_all' });
    sim.injectFault({ type: 'error-code', code: 70500 });

    // alice / friend_delete_all skips the friend_get and bob faults; the bad UserSig is never checked.
    expect(await errorCodeIn(erase('alice', { query: { usersig: '' } }))).toBe(30006);
    expect(await errorCodeIn(erase('bob'))).toBe(30008);
    expect(await errorCodeIn(erase('bob'))).toBe(30008);
    expect(await errorCodeIn(erase('bob'))).toBe(70500);
    expect(await errorCodeIn(erase('bob'))).toBe(0);
    expect(sim.pendingFaults().map(({ fault, remaining }) => [fault.type, remaining])).toEqual([
      ['error-code', 1],
    ]);
    expect(await errorCodeOf('sns/friend_get', { From_Account: 'alice', StartIndex: 0 })).toBe(30007);
    expect(sim.counters.faultsInjected).toBe(5);
  });

  it('random faults are reproducible for a seed', async () => {
    const run = async () => {
      sim.setRandomFaults({
        seed: 1234,
        probability: 0.5,
        faults: [
          { type: 'error-code', code: 30006 },
          { type: 'http-status', status: 503 },
          { type: 'error-code', code: 60007 },
        ],
      });
      const outcomes: string[] = [];
      for (let index = 0; index < 24; index += 1) {
        const response = await erase('bob');
        outcomes.push(
          response.status === 200 ? String(await errorCodeIn(response)) : `http${response.status}`,
        );
      }
      return outcomes;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThanOrEqual(3);
    expect(first.filter((outcome) => outcome === '0').length).toBeGreaterThan(4);

    sim.setRandomFaults(null);
    expect((await erase('bob')).status).toBe(200);
  });

  it('rejects a fault that is not well-formed', () => {
    expect(() => sim.injectFault({ type: 'http-status', status: 42 })).toThrow();
    expect(() => sim.injectFault({ type: 'delay', ms: -1 })).toThrow();
  });
});

describe('latency, request log and close', () => {
  it('adds latencyMs to every answer, changeable at run time', async () => {
    sim.importAccounts(['alice']);
    sim.setLatencyMs(120);
    const started = performance.now();
    expect(await errorCodeOf('sns/friend_delete_all', { From_Account: 'alice' })).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    sim.setLatencyMs(0);
  });

  it('logs each request with what it carried and how it was answered', async () => {
    sim.importAccounts(['alice']);
    await call('sns/friend_delete_all', { From_Account: 'alice' }, { query: { random: '7' } });
    clockMs += 5;
    await call('sns/friend_get', undefined, { rawBody: 'not json' });
    sim.injectFault({ type: 'http-status', status: 503 });
    await fetch(`${sim.url}/v4/sns/friend_delete_all?${queryString()}`, { method: 'POST', body: '{}' });

    const entries: RequestLogEntry[] = sim.requests;
    expect(entries).toHaveLength(3);
    expect(entries[0]).toEqual({
      receivedAtMs: START_MS,
      remotePort: expect.any(Number),
      method: 'POST',
      service: 'sns',
      command: 'friend_delete_all',
      query: {
        sdkappid: String(SDK_APP_ID),
        identifier: ADMIN,
        usersig: expect.any(String),
        random: '7',
        contenttype: 'json',
      },
      body: { From_Account: 'alice' },
      httpStatus: 200,
      errorCode: 0,
    });
    expect(entries[1]).toMatchObject({ receivedAtMs: START_MS + 5, body: 'not json', errorCode: 60003 });
    expect(entries[2]).toMatchObject({ httpStatus: 503, fault: 'http-status:503' });
    expect(entries[2]).not.toHaveProperty('errorCode');
    expect(sim.counters).toEqual({
      received: 3,
      throttled: 0,
      faultsInjected: 1,
      byErrorCode: { 0: 1, 60003: 1 },
    });

    sim.clearRequests();
    expect(sim.requests).toEqual([]);
    expect(sim.counters.received).toBe(0);
  });

  it('closes promptly with an idle keep-alive connection and a delayed answer pending', async () => {
    const own = await startChatApiSimulator({ sdkAppId: SDK_APP_ID, secretKey: SECRET_KEY });
    own.importAccounts(['alice']);
    const url = `${own.url}/v4/sns/friend_delete_all?${queryString()}`;
    const body = JSON.stringify({ From_Account: 'alice' });
    expect((await fetch(url, { method: 'POST', body })).status).toBe(200); // leaves a keep-alive socket
    own.injectFault({ type: 'delay', ms: 30_000 });
    const stuck = fetch(url, { method: 'POST', body });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(stuck).rejects.toThrow(TypeError);
    await expect(fetch(url, { method: 'POST', body })).rejects.toThrow(TypeError);
    await own.close(); // idempotent
  });

  it('binds 127.0.0.1 on a free port by default', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.port).toBeGreaterThan(0);
  });
});
