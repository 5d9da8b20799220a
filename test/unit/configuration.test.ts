import { describe, expect, it } from 'vitest';
import { CHAT_REGIONS, chatRegionBaseUrl } from '../../src/chat/chatHosts.ts';
import { loadConfiguration, spacingMs } from '../../src/configuration.ts';
import { ConfigurationError } from '../../src/errors.ts';

const DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq';

/** The smallest valid environment: the two required variables and one way to reach the Chat API. */
const minimal = (): NodeJS.ProcessEnv => ({
  SECRET_ID: 'chat-erasure/admin',
  DLQ_URL,
  CHAT_REGION: 'singapore',
});

const load = (overrides: Record<string, string | undefined>) =>
  loadConfiguration({ ...minimal(), ...overrides });

/** The ConfigurationError thrown for this environment (fails the test if none is thrown). */
function errorFor(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    loadConfiguration(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`expected a ConfigurationError for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('fills every optional variable with DESIGN.md’s default', () => {
    expect(loadConfiguration(minimal())).toEqual({
      secretId: 'chat-erasure/admin',
      dlqUrl: DLQ_URL,
      protectedUserIds: new Set(),
      chatBaseUrl: 'https://adminapisgp.im.qcloud.com',
      callBudgetPerSecond: 200,
      callBudgets: new Map(),
      erasureSteps: ['friends'],
      groupOwnerPolicy: 'transfer',
      profileCustomTags: [],
      maxConcurrency: 2,
      maxReceives: 5,
      chatTimeoutMs: 5000,
      userSigTtlSeconds: 3600,
      secretMaxAgeSeconds: 300,
      logUserId: 'pseudonym',
      receiptEventBus: undefined,
      receiptUserId: 'pseudonym',
    });
  });

  it('reads every optional variable when it is set', () => {
    expect(
      load({
        CALL_BUDGET_PER_SECOND: '150',
        MAX_CONCURRENCY: '3',
        MAX_RECEIVES: '8',
        CHAT_TIMEOUT_MS: '2500',
        USERSIG_TTL_SECONDS: '600',
        SECRET_MAX_AGE_SECONDS: '60',
        LOG_USER_ID: 'omit',
      }),
    ).toMatchObject({
      callBudgetPerSecond: 150,
      maxConcurrency: 3,
      maxReceives: 8,
      chatTimeoutMs: 2500,
      userSigTtlSeconds: 600,
      secretMaxAgeSeconds: 60,
      logUserId: 'omit',
    });
  });

  it.each(['pseudonym', 'plain', 'omit'])('accepts LOG_USER_ID=%s', (mode) => {
    expect(load({ LOG_USER_ID: mode }).logUserId).toBe(mode);
  });

  it('accepts a SECRET_ID that is an ARN and trims the name', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:chat-admin-AbCdEf';
    expect(load({ SECRET_ID: arn }).secretId).toBe(arn);
    expect(load({ SECRET_ID: '  chat-admin \n' }).secretId).toBe('chat-admin');
  });
});

describe('empty variables count as unset', () => {
  it.each([
    ['CALL_BUDGET_PER_SECOND', 'callBudgetPerSecond', 200],
    ['MAX_CONCURRENCY', 'maxConcurrency', 2],
    ['MAX_RECEIVES', 'maxReceives', 5],
    ['CHAT_TIMEOUT_MS', 'chatTimeoutMs', 5000],
    ['USERSIG_TTL_SECONDS', 'userSigTtlSeconds', 3600],
    ['SECRET_MAX_AGE_SECONDS', 'secretMaxAgeSeconds', 300],
    ['LOG_USER_ID', 'logUserId', 'pseudonym'],
  ] as const)('%s="" takes the default', (name, key, fallback) => {
    expect(load({ [name]: '' })[key]).toBe(fallback);
    expect(load({ [name]: '   ' })[key]).toBe(fallback);
  });

  it.each(['SECRET_ID', 'DLQ_URL'])('%s="" is reported as required', (name) => {
    expect(errorFor({ ...minimal(), [name]: '' }).message).toBe(
      `chat-erasure configuration: ${name} is required`,
    );
  });

  it.each(['SECRET_ID', 'DLQ_URL'])('%s missing is reported as required', (name) => {
    const env = minimal();
    delete env[name];
    expect(errorFor(env).message).toBe(`chat-erasure configuration: ${name} is required`);
  });

  it('a whitespace-only required variable is refused, naming it', () => {
    expect(errorFor({ ...minimal(), SECRET_ID: '   ' }).message).toMatch(
      /^chat-erasure configuration: SECRET_ID /,
    );
  });

  it('an empty CHAT_API_ENDPOINT next to CHAT_REGION is unset, not "both set"', () => {
    expect(load({ CHAT_API_ENDPOINT: '' }).chatBaseUrl).toBe('https://adminapisgp.im.qcloud.com');
  });

  it('an empty CHAT_REGION next to CHAT_API_ENDPOINT is unset, not "both set"', () => {
    expect(load({ CHAT_REGION: '', CHAT_API_ENDPOINT: 'http://127.0.0.1:9000' }).chatBaseUrl).toBe(
      'http://127.0.0.1:9000',
    );
  });
});

describe('invalid values name the variable', () => {
  it.each([
    ['DLQ_URL', 'not a url'],
    ['DLQ_URL', 'ftp://sqs.eu-central-1.amazonaws.com/123456789012/dlq'],
    ['CALL_BUDGET_PER_SECOND', '0'],
    ['CALL_BUDGET_PER_SECOND', '-5'],
    ['CALL_BUDGET_PER_SECOND', '-0.5'],
    ['CALL_BUDGET_PER_SECOND', 'abc'],
    ['CALL_BUDGET_PER_SECOND', 'Infinity'],
    ['CALL_BUDGET_PER_SECOND', '1e400'],
    ['MAX_CONCURRENCY', '0'],
    ['MAX_CONCURRENCY', '-1'],
    ['MAX_CONCURRENCY', '1.5'],
    ['MAX_CONCURRENCY', 'two'],
    ['MAX_RECEIVES', '0'],
    ['MAX_RECEIVES', '-3'],
    ['MAX_RECEIVES', '2.5'],
    ['MAX_RECEIVES', 'many'],
    ['CHAT_TIMEOUT_MS', '0'],
    ['CHAT_TIMEOUT_MS', '999'],
    ['CHAT_TIMEOUT_MS', '30001'],
    ['CHAT_TIMEOUT_MS', '900000'],
    ['DLQ_URL', 'https://example.com/not-a-queue'],
    ['DLQ_URL', 'https://sqs.eu-central-1.amazonaws.com/12345678901/dlq'],
    ['DLQ_URL', 'https://sqs.eu-central-1.amazonaws.com/123456789012/dlq/extra'],
    ['DLQ_URL', 'https://sqs.eu-central-1.amazonaws.com/123456789012/dl q'],
    ['DLQ_URL', `https://sqs.eu-central-1.amazonaws.com/123456789012/${'q'.repeat(81)}`],
    ['DLQ_URL', 'https://sqs.eu-central-1.amazonaws.com/123456789012/dlq?x=1'],
    ['PROTECTED_USER_IDS', 'admin2,'],
    ['PROTECTED_USER_IDS', 'ok,bad\u0007id'],
    ['PROTECTED_USER_IDS', `ok,${'x'.repeat(33)}`],
    ['CHAT_TIMEOUT_MS', '-100'],
    ['CHAT_TIMEOUT_MS', '1.5'],
    ['CHAT_TIMEOUT_MS', '5s'],
    ['USERSIG_TTL_SECONDS', '0'],
    ['USERSIG_TTL_SECONDS', '-3600'],
    ['USERSIG_TTL_SECONDS', '3600.5'],
    ['USERSIG_TTL_SECONDS', '1h'],
    ['SECRET_MAX_AGE_SECONDS', '-1'],
    ['SECRET_MAX_AGE_SECONDS', '0.5'],
    ['SECRET_MAX_AGE_SECONDS', 'forever'],
    ['LOG_USER_ID', 'hash'],
    ['LOG_USER_ID', 'PLAIN'],
    ['CHAT_REGION', 'China'],
    ['CHAT_REGION', 'mumbai'],
    ['CHAT_REGION', 'console.tim.qq.com'],
  ])('%s=%j', (name, value) => {
    const error = errorFor({ ...minimal(), [name]: value });
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toMatch(new RegExp(`^chat-erasure configuration: ${name} is invalid`));
  });

  it('SECRET_MAX_AGE_SECONDS=0 is allowed (no caching)', () => {
    expect(load({ SECRET_MAX_AGE_SECONDS: '0' }).secretMaxAgeSeconds).toBe(0);
  });
});

describe('CALL_BUDGET_PER_SECOND', () => {
  it.each([
    ['0.5', 0.5],
    ['12.75', 12.75],
    ['0.25', 0.25],
    ['200', 200],
  ])('accepts %s', (raw, value) => {
    expect(load({ CALL_BUDGET_PER_SECOND: raw }).callBudgetPerSecond).toBe(value);
  });
});

describe('CHAT_REGION and CHAT_API_ENDPOINT', () => {
  it.each(CHAT_REGIONS)('CHAT_REGION=%s picks the official host', (region) => {
    expect(load({ CHAT_REGION: region }).chatBaseUrl).toBe(chatRegionBaseUrl(region));
  });

  it('spells out the official hosts (not only the lookup the module uses)', () => {
    expect(load({ CHAT_REGION: 'china' }).chatBaseUrl).toBe('https://console.tim.qq.com');
    expect(load({ CHAT_REGION: 'frankfurt' }).chatBaseUrl).toBe('https://adminapiger.im.qcloud.com');
  });

  it('both set is an error that names both', () => {
    const message = errorFor({ ...minimal(), CHAT_API_ENDPOINT: 'https://chat.example.com' }).message;
    expect(message).toMatch(/^chat-erasure configuration: /);
    expect(message).toContain('CHAT_REGION');
    expect(message).toContain('CHAT_API_ENDPOINT');
  });

  it('neither set is an error that names CHAT_REGION', () => {
    const env = minimal();
    delete env.CHAT_REGION;
    expect(errorFor(env).message).toMatch(/^chat-erasure configuration: CHAT_REGION is required/);
  });

  it('CHAT_API_ENDPOINT alone is validated and normalised by parseChatApiEndpoint', () => {
    const env = { ...minimal(), CHAT_REGION: undefined };
    expect(loadConfiguration({ ...env, CHAT_API_ENDPOINT: 'http://127.0.0.1:8080/' }).chatBaseUrl).toBe(
      'http://127.0.0.1:8080',
    );
    expect(loadConfiguration({ ...env, CHAT_API_ENDPOINT: 'https://Chat.Example.com' }).chatBaseUrl).toBe(
      'https://chat.example.com',
    );
  });

  it.each(['http://chat.example.com', 'https://chat.example.com/v4', 'chat.example.com'])(
    'a refused CHAT_API_ENDPOINT (%s) names the variable',
    (endpoint) => {
      const message = errorFor({ ...minimal(), CHAT_REGION: undefined, CHAT_API_ENDPOINT: endpoint }).message;
      expect(message).toMatch(/^chat-erasure configuration: CHAT_API_ENDPOINT /);
    },
  );

  it('does not repeat a CHAT_API_ENDPOINT that may hold a password', () => {
    const message = errorFor({
      ...minimal(),
      CHAT_REGION: undefined,
      CHAT_API_ENDPOINT: 'https://user:hunter2-PASSWORD@chat.example.com',
    }).message;
    expect(message).toMatch(/^chat-erasure configuration: CHAT_API_ENDPOINT /);
    expect(message).not.toContain('hunter2-PASSWORD');
  });
});

describe('reads only what it is given', () => {
  it('does not read process.env', () => {
    const before = process.env.SECRET_ID;
    process.env.SECRET_ID = 'from-process-env';
    try {
      const env = minimal();
      delete env.SECRET_ID;
      expect(errorFor(env).message).toBe('chat-erasure configuration: SECRET_ID is required');
    } finally {
      if (before === undefined) delete process.env.SECRET_ID;
      else process.env.SECRET_ID = before;
    }
  });
});

describe('DLQ_URL', () => {
  it.each([
    'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq',
    'https://sqs.eu-central-1.amazonaws.com/123456789012/chat-erasure-dlq.fifo',
    'http://127.0.0.1:4566/000000000000/dlq',
    `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(80)}`,
  ])('accepts %s', (url) => {
    expect(load({ DLQ_URL: url }).dlqUrl).toBe(url);
  });

  it('refuses a FIFO queue name over 80 characters with its suffix', () => {
    const url = `https://sqs.us-east-1.amazonaws.com/123456789012/${'q'.repeat(76)}.fifo`;
    expect(errorFor({ ...minimal(), DLQ_URL: url }).message).toContain('longer than 80 characters');
    expect(load({ DLQ_URL: url.replace('q.fifo', '.fifo') }).dlqUrl).toContain('.fifo');
  });
});

describe('CHAT_TIMEOUT_MS', () => {
  it.each([
    ['1000', 1000],
    ['30000', 30_000],
  ])('accepts the bounds (%s)', (raw, value) => {
    expect(load({ CHAT_TIMEOUT_MS: raw }).chatTimeoutMs).toBe(value);
  });
});

describe('PROTECTED_USER_IDS', () => {
  it('reads comma-separated UserIDs, trimming the spaces around them', () => {
    expect(load({ PROTECTED_USER_IDS: ' admin2 , service-bot,管理员 ' }).protectedUserIds).toEqual(
      new Set(['admin2', 'service-bot', '管理员']),
    );
  });

  it('names the entry at fault without repeating it', () => {
    const message = errorFor({ ...minimal(), PROTECTED_USER_IDS: 'fine, ,other' }).message;
    expect(message).toBe(
      'chat-erasure configuration: PROTECTED_USER_IDS is invalid (entry 2: userId is empty)',
    );
  });
});

describe('the pacing spacing', () => {
  it('is 1/⌊r⌋ for shares of one call per second or more, 1/r below', () => {
    expect(spacingMs(100)).toBe(10);
    expect(spacingMs(66.67)).toBeCloseTo(1000 / 66, 9);
    expect(spacingMs(1.9)).toBe(1000);
    expect(spacingMs(0.5)).toBe(2000);
  });

  it('refuses a budget whose per-instance spacing would exceed 10 s, naming the variable', () => {
    expect(load({ CALL_BUDGET_PER_SECOND: '0.2', MAX_CONCURRENCY: '2' }).callBudgetPerSecond).toBe(0.2);
    expect(errorFor({ ...minimal(), CALL_BUDGET_PER_SECOND: '0.19', MAX_CONCURRENCY: '2' }).message).toMatch(
      /^chat-erasure configuration: CALL_BUDGET_PER_SECOND is invalid/,
    );
  });
});

describe('ERASURE_STEPS', () => {
  it('defaults to friends, and always runs the steps in the plan’s order', () => {
    expect(load({}).erasureSteps).toEqual(['friends']);
    expect(load({ ERASURE_STEPS: ' account , friends,kick' }).erasureSteps).toEqual([
      'kick',
      'friends',
      'account',
    ]);
    expect(
      load({ ERASURE_STEPS: 'profile,groups,conversations,follows,blocklist,friends,kick,account' })
        .erasureSteps,
    ).toEqual(['kick', 'friends', 'blocklist', 'follows', 'conversations', 'groups', 'profile', 'account']);
  });

  it.each([
    ['an unknown step', 'friends,messages', /unknown step "messages"/],
    ['upper case', 'Friends', /unknown step "Friends"/],
    ['a repeated step', 'friends, friends', /listed twice/],
    ['an empty plan', ' , ', /the plan is empty/],
  ])('refuses %s', (_label, value, problem) => {
    const message = errorFor({ ...minimal(), ERASURE_STEPS: value }).message;
    expect(message).toMatch(/^chat-erasure configuration: ERASURE_STEPS is invalid/);
    expect(message).toMatch(problem);
  });
});

describe('GROUP_OWNER_POLICY and PROFILE_CUSTOM_TAGS', () => {
  it('reads the owner policy (default transfer)', () => {
    expect(load({}).groupOwnerPolicy).toBe('transfer');
    expect(load({ GROUP_OWNER_POLICY: 'destroy' }).groupOwnerPolicy).toBe('destroy');
    expect(errorFor({ ...minimal(), GROUP_OWNER_POLICY: 'keep' }).message).toMatch(
      /^chat-erasure configuration: GROUP_OWNER_POLICY is invalid/,
    );
  });

  it('reads custom tags with their :int marks', () => {
    expect(
      load({ PROFILE_CUSTOM_TAGS: ' Tag_Profile_Custom_Hobby , Tag_Profile_Custom_Score:int' })
        .profileCustomTags,
    ).toEqual([
      { tag: 'Tag_Profile_Custom_Hobby', integer: false },
      { tag: 'Tag_Profile_Custom_Score', integer: true },
    ]);
  });

  it.each([
    'Tag_Profile_Custom_',
    'Tag_Profile_Custom_TooLongName',
    'Tag_Profile_Custom_Ab1',
    'Tag_Profile_IM_Nick',
    'Tag_Profile_Custom_Ab:float',
    'Tag_Profile_Custom_Ab,Tag_Profile_Custom_Ab:int',
    'Tag_Profile_Custom_Ab,',
  ])('refuses %j', (value) => {
    expect(errorFor({ ...minimal(), PROFILE_CUSTOM_TAGS: value }).message).toMatch(
      /^chat-erasure configuration: PROFILE_CUSTOM_TAGS is invalid/,
    );
  });
});

describe('CALL_BUDGETS', () => {
  it('reads overrides by full path or unique last segment', () => {
    const { callBudgets } = load({
      CALL_BUDGETS: 'account_delete=300, follow/follow_delete = 50,get_list=0.5',
    });
    expect(callBudgets).toEqual(
      new Map([
        ['im_open_login_svc/account_delete', 300],
        ['follow/follow_delete', 50],
        ['recentcontact/get_list', 0.5],
      ]),
    );
  });

  it.each([
    ['an unknown command', 'friend_add=10', /unknown command "friend_add"/],
    ['a repeated command', 'kick=10,im_open_login_svc/kick=20', /listed twice/],
    ['a bad rate', 'kick=fast', /not command=rate/],
    ['a zero rate', 'kick=0', /must be positive/],
    ['a missing rate', 'kick', /not command=rate/],
  ])('refuses %s', (_label, value, problem) => {
    const message = errorFor({ ...minimal(), CALL_BUDGETS: value }).message;
    expect(message).toMatch(/^chat-erasure configuration: CALL_BUDGETS is invalid/);
    expect(message).toMatch(problem);
  });

  it('refuses an override whose per-instance spacing would exceed 10 s, naming CALL_BUDGETS', () => {
    expect(errorFor({ ...minimal(), CALL_BUDGETS: 'kick=0.1' }).message).toMatch(
      /^chat-erasure configuration: CALL_BUDGETS is invalid \(.*im_open_login_svc\/kick/,
    );
  });
});

describe('RECEIPT_EVENT_BUS and RECEIPT_USER_ID', () => {
  it.each([
    'erasure-receipts',
    'arn:aws:events:eu-central-1:123456789012:event-bus/erasure-receipts',
    'default',
  ])('accepts the bus %s', (bus) => {
    expect(load({ RECEIPT_EVENT_BUS: bus }).receiptEventBus).toBe(bus);
  });

  it('refuses a bus that is neither a name nor an ARN, and an unknown user mode', () => {
    expect(errorFor({ ...minimal(), RECEIPT_EVENT_BUS: 'bad bus!' }).message).toMatch(
      /^chat-erasure configuration: RECEIPT_EVENT_BUS is invalid/,
    );
    expect(errorFor({ ...minimal(), RECEIPT_USER_ID: 'hash' }).message).toMatch(
      /^chat-erasure configuration: RECEIPT_USER_ID is invalid/,
    );
    expect(load({ RECEIPT_USER_ID: 'omit' }).receiptUserId).toBe('omit');
  });
});
