import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { describe, expect, it } from 'vitest';
import { parseAdminSecret, secretsManagerCredentials } from '../../src/aws/adminCredentials.ts';
import { AdminCredentialsUnavailableError } from '../../src/errors.ts';

/** Distinctive enough that finding it in any message can only mean a leak. */
const SECRET_KEY = 'TOP-SECRET-KEY-5f1c9e7a2b4d8c6e0a3f';

const secret = (fields: Record<string, unknown>) =>
  JSON.stringify({
    sdkAppId: 1400000000,
    adminIdentifier: 'administrator',
    secretKey: SECRET_KEY,
    ...fields,
  });

/** The AdminCredentialsUnavailableError thrown by `run` (fails the test if none is thrown). */
async function unavailable(run: () => unknown): Promise<AdminCredentialsUnavailableError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(AdminCredentialsUnavailableError);
    const typed = error as AdminCredentialsUnavailableError;
    expect(typed.name).toBe('AdminCredentialsUnavailableError');
    expect(typed.message).not.toContain(SECRET_KEY);
    expect(String(typed.stack)).not.toContain(SECRET_KEY);
    return typed;
  }
  throw new Error('expected AdminCredentialsUnavailableError');
}

describe('parseAdminSecret: accepted', () => {
  it('reads the contract fields', () => {
    expect(parseAdminSecret(secret({}))).toEqual({
      sdkAppId: 1400000000,
      adminIdentifier: 'administrator',
      secretKey: SECRET_KEY,
    });
  });

  it.each([
    ['1400000000', 1400000000],
    ['1', 1],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('turns the numeric string sdkAppId %j into the number %d', (raw, value) => {
    const parsed = parseAdminSecret(secret({ sdkAppId: raw }));
    expect(parsed.sdkAppId).toBe(value);
    expect(typeof parsed.sdkAppId).toBe('number');
  });

  it.each([1, 1400000000, Number.MAX_SAFE_INTEGER])('accepts the number sdkAppId %d', (sdkAppId) => {
    expect(parseAdminSecret(secret({ sdkAppId })).sdkAppId).toBe(sdkAppId);
  });

  it('ignores extra fields and does not return them', () => {
    const parsed = parseAdminSecret(
      secret({ note: 'rotated 2026-11', previousSecretKey: 'old', nested: { a: 1 } }),
    );
    expect(parsed).toEqual({ sdkAppId: 1400000000, adminIdentifier: 'administrator', secretKey: SECRET_KEY });
  });

  it('keeps the secret key exactly (no trimming, no decoding)', () => {
    const key = '  ab+/=cd  ';
    expect(parseAdminSecret(secret({ secretKey: key })).secretKey).toBe(key);
  });
});

describe('parseAdminSecret: refused, naming the field and never the key', () => {
  it.each([
    ['zero', 0],
    ['negative', -1400000000],
    ['a fraction', 1400000000.5],
    ['above MAX_SAFE_INTEGER', 2 ** 53],
    ['zero as a string', '0'],
    ['negative as a string', '-1400000000'],
    ['a fraction as a string', '1400000000.5'],
    ['letters after digits', '12a'],
    ['hex', '0x1'],
    ['an exponent', '1e9'],
    ['leading zeros', '01400000000'],
    ['surrounding spaces', ' 1400000000 '],
    ['the empty string', ''],
    ['17 digits', '14000000000000000'],
    ['a boolean', true],
    ['null', null],
    ['an array', [1400000000]],
  ])('sdkAppId %s', async (_what, sdkAppId) => {
    const error = await unavailable(() => parseAdminSecret(secret({ sdkAppId })));
    expect(error.message).toContain('sdkAppId');
  });

  // A string path must not be looser than the number path: the number 2^53 + 1 cannot even be written in
  // JSON without rounding, so a string that names it must be refused too rather than silently rounded.
  it('sdkAppId as a numeric string above MAX_SAFE_INTEGER is refused, not rounded', async () => {
    for (const sdkAppId of ['9007199254740992', '9007199254740993', '9999999999999999']) {
      const error = await unavailable(() => parseAdminSecret(secret({ sdkAppId })));
      expect(error.message).toContain('sdkAppId');
    }
  });

  it.each([
    ['sdkAppId', { sdkAppId: undefined }],
    ['adminIdentifier', { adminIdentifier: undefined }],
    ['adminIdentifier', { adminIdentifier: '' }],
    ['adminIdentifier', { adminIdentifier: 42 }],
    ['secretKey', { secretKey: undefined }],
    ['secretKey', { secretKey: '' }],
    ['secretKey', { secretKey: 12345 }],
  ])('%s missing or wrong (%j)', async (field, fields) => {
    const error = await unavailable(() => parseAdminSecret(secret(fields)));
    expect(error.message).toContain(field);
  });

  it('names every field at fault, and only those', async () => {
    const error = await unavailable(() =>
      parseAdminSecret(JSON.stringify({ sdkAppId: '12a', secretKey: SECRET_KEY })),
    );
    expect(error.message).toContain('sdkAppId');
    expect(error.message).toContain('adminIdentifier');
    expect(error.message).not.toContain('secretKey');
  });

  it('does not echo a wrong value either, even when it sits next to the key', async () => {
    const error = await unavailable(() =>
      parseAdminSecret(secret({ sdkAppId: `${SECRET_KEY}-as-app-id`, adminIdentifier: ['x', SECRET_KEY] })),
    );
    expect(error.message).toContain('sdkAppId');
  });

  it.each([
    ['not JSON', `sdkAppId=1400000000;secretKey=${SECRET_KEY}`],
    ['truncated JSON', secret({}).slice(0, -5)],
    ['a JSON array', JSON.stringify([1400000000, 'administrator', SECRET_KEY])],
    ['a JSON string', JSON.stringify(SECRET_KEY)],
    ['JSON null', 'null'],
    ['the empty string', ''],
  ])('a SecretString that is %s', async (_what, secretString) => {
    await unavailable(() => parseAdminSecret(secretString));
  });

  it.each([
    ['undefined', undefined],
    ['a Uint8Array (SecretBinary)', new TextEncoder().encode(secret({}))],
    [
      'an already-parsed object',
      { sdkAppId: 1400000000, adminIdentifier: 'administrator', secretKey: SECRET_KEY },
    ],
    ['a number', 1400000000],
  ])('a secret value that is %s, not a string', async (_what, value) => {
    const error = await unavailable(() => parseAdminSecret(value));
    expect(error.message).toContain('SecretString');
  });
});

interface ProviderCall {
  name: string;
  options: unknown;
}

/** A stand-in for Powertools' SecretsProvider that records its calls and answers from a script. */
function fakeProvider(answer: (call: ProviderCall) => Promise<unknown>) {
  const calls: ProviderCall[] = [];
  const provider = {
    async get(name: string, options?: unknown) {
      const call = { name, options };
      calls.push(call);
      return answer(call);
    },
  } as unknown as SecretsProvider;
  return { provider, calls };
}

describe('secretsManagerCredentials', () => {
  it('reads the named secret with the configured max age and no forced fetch by default', async () => {
    const { provider, calls } = fakeProvider(async () => secret({}));
    const source = secretsManagerCredentials({
      secretId: 'chat-erasure/admin',
      maxAgeSeconds: 300,
      provider,
    });
    await expect(source.get()).resolves.toEqual({
      sdkAppId: 1400000000,
      adminIdentifier: 'administrator',
      secretKey: SECRET_KEY,
    });
    expect(calls).toEqual([{ name: 'chat-erasure/admin', options: { maxAge: 300, forceFetch: false } }]);
  });

  it('passes forceFetch through', async () => {
    const { provider, calls } = fakeProvider(async () => secret({ sdkAppId: '1400000001' }));
    const source = secretsManagerCredentials({ secretId: 'arn:secret', maxAgeSeconds: 42, provider });
    await expect(source.get({ forceFetch: true })).resolves.toMatchObject({ sdkAppId: 1400000001 });
    await source.get({ forceFetch: false });
    await source.get({});
    expect(calls.map((call) => call.options)).toEqual([
      { maxAge: 42, forceFetch: true },
      { maxAge: 42, forceFetch: false },
      { maxAge: 42, forceFetch: false },
    ]);
  });

  it('turns a provider error into AdminCredentialsUnavailableError that names its kind', async () => {
    const { provider } = fakeProvider(async () => {
      const error = new Error('Secrets Manager can’t find the specified secret.');
      error.name = 'ResourceNotFoundException';
      throw error;
    });
    const source = secretsManagerCredentials({ secretId: 'missing', maxAgeSeconds: 300, provider });
    const error = await unavailable(() => source.get());
    expect(error.message).toContain('ResourceNotFoundException');
  });

  it('never carries a provider error message that holds the secret value', async () => {
    const { provider } = fakeProvider(async () => {
      throw new Error(`Unable to transform value ${secret({})}`);
    });
    const source = secretsManagerCredentials({ secretId: 'chat', maxAgeSeconds: 300, provider });
    const error = await unavailable(() => source.get({ forceFetch: true }));
    expect(error.message).not.toContain('administrator');
    expect(error.cause).toBeUndefined();
  });

  it('handles a thrown non-Error', async () => {
    const { provider } = fakeProvider(async () => {
      throw SECRET_KEY;
    });
    const source = secretsManagerCredentials({ secretId: 'chat', maxAgeSeconds: 300, provider });
    await unavailable(() => source.get());
  });

  it('validates what the provider returns', async () => {
    const { provider } = fakeProvider(async () => secret({ adminIdentifier: undefined }));
    const source = secretsManagerCredentials({ secretId: 'chat', maxAgeSeconds: 300, provider });
    const error = await unavailable(() => source.get());
    expect(error.message).toContain('adminIdentifier');
  });

  it('refuses a binary secret', async () => {
    const { provider } = fakeProvider(async () => new TextEncoder().encode(secret({})));
    const source = secretsManagerCredentials({ secretId: 'chat', maxAgeSeconds: 300, provider });
    await unavailable(() => source.get());
  });
});
