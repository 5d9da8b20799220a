/**
 * Profiles and accounts over loopback: portrait_get / portrait_set (standard and configured custom
 * fields, value checks, clearing), account_import's profile fields, account_check, account_delete
 * (per-item 70107, the 71000 switch, what stays inspectable afterwards) and kick.
 */
import { describe, expect, it } from 'vitest';
import { itemCodes, type Json, useSimulator } from './chatApiTestClient.ts';

const HOBBY = 'Tag_Profile_Custom_Hobby';
const SCORE = 'Tag_Profile_Custom_Score';
const h = useSimulator({ customProfileTags: [HOBBY, { tag: SCORE, type: 'integer' }] });

const set = (from: string, fields: Record<string, unknown>) =>
  h.call('profile/portrait_set', {
    From_Account: from,
    ProfileItem: Object.entries(fields).map(([Tag, Value]) => ({ Tag, Value })),
  });
const get = (accounts: string[], tags: string[]) =>
  h.call('profile/portrait_get', { To_Account: accounts, TagList: tags });

const PERSONAL = [
  'Tag_Profile_IM_Nick',
  'Tag_Profile_IM_Gender',
  'Tag_Profile_IM_BirthDay',
  'Tag_Profile_IM_Location',
  'Tag_Profile_IM_SelfSignature',
  'Tag_Profile_IM_Language',
  'Tag_Profile_IM_Image',
  'Tag_Profile_IM_Level',
  'Tag_Profile_IM_Role',
  HOBBY,
  SCORE,
];

describe('profiles', () => {
  it('portrait_set writes standard and custom fields; portrait_get answers them per account', async () => {
    h.sim.seed({ accounts: ['alice', 'bob'] });
    const fields = {
      Tag_Profile_IM_Nick: 'Alice',
      Tag_Profile_IM_Gender: 'Gender_Type_Female',
      Tag_Profile_IM_BirthDay: 19900101,
      Tag_Profile_IM_Location: '86-44-3',
      Tag_Profile_IM_SelfSignature: 'hi',
      Tag_Profile_IM_Language: 2,
      Tag_Profile_IM_Image: 'https://example.com/a.png',
      Tag_Profile_IM_Level: 3,
      Tag_Profile_IM_Role: 1,
      Tag_Profile_IM_AllowType: 'AllowType_Type_NeedConfirm',
      [HOBBY]: 'chess',
      [SCORE]: 42,
    };
    expect(await set('alice', fields)).toEqual({
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    });
    const answer = await get(['alice', 'bob', 'ghost'], [...PERSONAL, 'Tag_Profile_IM_AllowType']);
    expect(answer).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0, Fail_Account: ['ghost'] });
    const [alice, bob, ghost] = answer.UserProfileItem as Json[];
    expect(alice).toEqual({
      To_Account: 'alice',
      ProfileItem: [...PERSONAL, 'Tag_Profile_IM_AllowType'].map((Tag) => ({
        Tag,
        Value: fields[Tag as keyof typeof fields],
      })),
      ResultCode: 0,
      ResultInfo: '',
    });
    expect(bob).toEqual({ To_Account: 'bob', ProfileItem: [], ResultCode: 0, ResultInfo: '' });
    expect(ghost).toMatchObject({ To_Account: 'ghost', ResultCode: 40003 });
    expect(h.sim.personalDataOf('alice').profile).toEqual(fields);
  });

  it('clearing: "" for strings, 0 for integers, Gender_Type_Unknown; cleared tags are left out of portrait_get', async () => {
    h.sim.seed({
      accounts: ['alice'],
      profiles: [
        {
          account: 'alice',
          fields: {
            Tag_Profile_IM_Nick: 'Alice',
            Tag_Profile_IM_Gender: 'Gender_Type_Male',
            Tag_Profile_IM_Level: 9,
            [HOBBY]: 'go',
            [SCORE]: 7,
          },
        },
      ],
    });
    const cleared = {
      Tag_Profile_IM_Nick: '',
      Tag_Profile_IM_Gender: 'Gender_Type_Unknown',
      Tag_Profile_IM_Level: 0,
      [HOBBY]: '',
      [SCORE]: 0,
    };
    expect((await set('alice', cleared)).ErrorCode).toBe(0);
    const answer = await get(['alice'], PERSONAL);
    expect((answer.UserProfileItem as Json[])[0]?.ProfileItem).toEqual([]);
    expect(h.sim.personalDataOf('alice').profile).toEqual({});
  });

  it.each([
    ['Nick over 500 bytes', { Tag_Profile_IM_Nick: 'é'.repeat(251) }, 40601],
    ['Location over 16 bytes', { Tag_Profile_IM_Location: 'x'.repeat(17) }, 40601],
    ['a Gender that is not one of the three', { Tag_Profile_IM_Gender: 'Gender_Type_Robot' }, 40605],
    ['a negative Level', { Tag_Profile_IM_Level: -1 }, 40605],
    ['a fractional BirthDay', { Tag_Profile_IM_BirthDay: 1.5 }, 40605],
    ['a BirthDay given as a string', { Tag_Profile_IM_BirthDay: '19900101' }, 40610],
    ['a Nick given as a number', { Tag_Profile_IM_Nick: 7 }, 40610],
    ['an integer custom field given a string', { [SCORE]: 'many' }, 40610],
    ['a string custom field over 500 bytes', { [HOBBY]: 'x'.repeat(501) }, 40601],
    ['a custom tag the app did not configure', { Tag_Profile_Custom_Pet: 'cat' }, 40009],
    ['an unknown standard-looking tag', { Tag_Profile_IM_Shoe: '42' }, 40009],
  ])('portrait_set refuses %s (%j -> %i) and writes nothing', async (_name, bad, code) => {
    h.sim.seed({ accounts: ['alice'] });
    const answer = await set('alice', { Tag_Profile_IM_SelfSignature: 'kept?', ...bad });
    expect(answer).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: code });
    expect(h.sim.personalDataOf('alice').profile).toEqual({});
  });

  it('request checks: unknown tag in TagList 40009, more than 100 accounts 40001, From_Account 40001 / 40003', async () => {
    h.sim.seed({ accounts: ['alice'] });
    expect((await get(['alice'], ['Tag_Profile_Custom_Pet'])).ErrorCode).toBe(40009);
    const many = Array.from({ length: 101 }, (_, index) => `u${index}`);
    expect((await get(many, ['Tag_Profile_IM_Nick'])).ErrorCode).toBe(40001);
    expect((await get(many.slice(0, 100), ['Tag_Profile_IM_Nick'])).ErrorCode).toBe(0);
    expect((await get(['alice'], [])).ErrorCode).toBe(40001);
    expect(
      (await h.call('profile/portrait_set', { ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: 'x' }] }))
        .ErrorCode,
    ).toBe(40001);
    expect((await set('ghost', { Tag_Profile_IM_Nick: 'x' })).ErrorCode).toBe(40003);
    expect((await h.call('profile/portrait_set', { From_Account: 'alice', ProfileItem: [] })).ErrorCode).toBe(
      40001,
    );
  });

  it('account_import Nick and FaceUrl are the Nick and Image fields; a seed breaking a rule throws', async () => {
    await h.call('im_open_login_svc/account_import', {
      UserID: 'alice',
      Nick: 'Al',
      FaceUrl: 'https://x/a.png',
    });
    expect(h.sim.personalDataOf('alice').profile).toEqual({
      Tag_Profile_IM_Nick: 'Al',
      Tag_Profile_IM_Image: 'https://x/a.png',
    });
    expect(() =>
      h.sim.seed({ profiles: [{ account: 'alice', fields: { Tag_Profile_Custom_Pet: 'x' } }] }),
    ).toThrow(/Tag_Profile_Custom_Pet/);
  });
});

describe('accounts', () => {
  const check = (ids: string[]) =>
    h.call('im_open_login_svc/account_check', { CheckItem: ids.map((UserID) => ({ UserID })) });
  const remove = (ids: string[]) =>
    h.call('im_open_login_svc/account_delete', { DeleteItem: ids.map((UserID) => ({ UserID })) });

  it('account_check says Imported / NotImported per item (no ErrorDisplay); 101 items 70206; none 70402', async () => {
    h.sim.seed({ accounts: ['alice'] });
    expect(await check(['alice', 'ghost'])).toEqual({
      ResultItem: [
        { UserID: 'alice', ResultCode: 0, ResultInfo: '', AccountStatus: 'Imported' },
        { UserID: 'ghost', ResultCode: 0, ResultInfo: '', AccountStatus: 'NotImported' },
      ],
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
    const many = Array.from({ length: 101 }, (_, index) => `u${index}`);
    expect((await check(many)).ErrorCode).toBe(70206);
    expect((await check([])).ErrorCode).toBe(70402);
  });

  it('account_delete: per-item 70107 for unknown UserIDs; afterwards every command says the account does not exist, yet its data stays inspectable', async () => {
    h.sim.seed({
      accounts: ['alice', 'bob'],
      friendships: [['alice', 'bob', 'both']],
      follows: [{ follower: 'bob', followee: 'alice' }],
      conversations: [{ owner: 'alice', peer: 'bob', peerMessages: 2 }],
      groups: [{ groupId: 'g', type: 'Public', owner: 'bob', members: [{ account: 'alice' }] }],
      profiles: [{ account: 'alice', fields: { Tag_Profile_IM_Nick: 'Alice' } }],
    });
    const answer = await remove(['alice', 'ghost']);
    expect(answer).toEqual({
      ResultItem: [
        { UserID: 'alice', ResultCode: 0, ResultInfo: '' },
        { UserID: 'ghost', ResultCode: 70107, ResultInfo: expect.any(String) },
      ],
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
    expect((await check(['alice'])).ResultItem).toEqual([
      expect.objectContaining({ AccountStatus: 'NotImported' }),
    ]);
    const codes = await Promise.all([
      h.call('sns/friend_get', { From_Account: 'alice', StartIndex: 0 }),
      h.call('sns/black_list_get', { From_Account: 'alice', StartIndex: 0, MaxLimited: 10, LastSequence: 0 }),
      h.call('follow/follow_get', { From_Account: 'alice', FollowType: 1 }),
      h.call('recentcontact/get_list', {
        From_Account: 'alice',
        TimeStamp: 0,
        StartIndex: 0,
        TopTimeStamp: 0,
        TopStartIndex: 0,
        AssistFlags: 7,
      }),
      h.call('group_open_http_svc/get_joined_group_list', { Member_Account: 'alice' }),
      h.call('profile/portrait_set', {
        From_Account: 'alice',
        ProfileItem: [{ Tag: 'Tag_Profile_IM_Nick', Value: '' }],
      }),
      h.call('im_open_login_svc/kick', { UserID: 'alice' }),
    ]);
    expect(codes.map((code) => code.ErrorCode)).toEqual([30003, 30003, 30003, 50001, 10019, 40003, 70107]);
    const portrait = await h.call('profile/portrait_get', {
      To_Account: ['alice'],
      TagList: ['Tag_Profile_IM_Nick'],
    });
    expect(portrait).toMatchObject({ Fail_Account: ['alice'] });
    expect(itemCodes(await remove(['alice']), 'UserID')).toEqual(['alice:70107']);

    const left = h.sim.personalDataOf('alice');
    expect(left).toMatchObject({
      accountExists: false,
      friends: ['bob'],
      followers: ['bob'],
      profile: { Tag_Profile_IM_Nick: 'Alice' },
      groups: [{ groupId: 'g', role: 'Member' }],
      heldByOthers: { friendOf: ['bob'], conversations: [{ owner: 'bob', messages: 2, listed: true }] },
    });
  });

  it('the plan forbids deleting accounts: 71000 (nothing deleted); 101 items 70206', async () => {
    h.sim.seed({ accounts: ['alice'] });
    h.sim.setFeatures({ accountDelete: false });
    expect(await remove(['alice'])).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 71000 });
    expect(h.sim.hasAccount('alice')).toBe(true);
    h.sim.setFeatures({ accountDelete: true });
    expect((await remove(Array.from({ length: 101 }, (_, index) => `u${index}`))).ErrorCode).toBe(70206);
    expect((await h.call('im_open_login_svc/account_delete', {})).ErrorCode).toBe(70402);
  });

  it('kick invalidates sessions (counted), 70107 for an unknown UserID, 70402 without one', async () => {
    h.sim.seed({ accounts: ['alice'] });
    expect(await h.call('im_open_login_svc/kick', { UserID: 'alice' })).toEqual({
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
    });
    await h.call('im_open_login_svc/kick', { UserID: 'alice' });
    expect(h.sim.personalDataOf('alice').kicks).toBe(2);
    expect((await h.call('im_open_login_svc/kick', { UserID: 'ghost' })).ErrorCode).toBe(70107);
    expect((await h.call('im_open_login_svc/kick', {})).ErrorCode).toBe(70402);
    expect((await h.call('im_open_login_svc/kick', { UserID: 7 })).ErrorCode).toBe(60015);
  });
});
