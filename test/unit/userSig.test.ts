import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeUserSig,
  hmacContent,
  MalformedUserSigError,
  signUserSig,
  verifyUserSig,
} from '../../src/chat/userSig.ts';
import vectors from '../fixtures/usersig-vectors.json' with { type: 'json' };

const tencentEncode = (bytes: Buffer) =>
  bytes.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
const rawInflate = (userSig: string) =>
  JSON.parse(
    inflateSync(
      Buffer.from(userSig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64'),
    ).toString(),
  );

describe.each(vectors.cases)('official vector $identifier@$sdkAppId', (vector) => {
  const expected = {
    sdkAppId: vector.sdkAppId,
    secretKey: vector.secretKey,
    identifier: vector.identifier,
  };

  it('decodes the official string to the documented fields', () => {
    expect(decodeUserSig(vector.userSig)).toEqual(vector.decoded);
  });

  it('decodes the Python library encoding (other JSON layout and zlib build) to the same fields', () => {
    for (const alternate of Object.values(vector.alternateValidEncodings)) {
      expect(decodeUserSig(alternate)).toEqual(vector.decoded);
      expect(verifyUserSig(alternate, { ...expected, nowSeconds: vector.nowSeconds }).ok).toBe(true);
    }
  });

  it('builds the HMAC content string exactly', () => {
    expect(
      hmacContent({
        identifier: vector.identifier,
        sdkAppId: vector.sdkAppId,
        time: vector.nowSeconds,
        expire: vector.expireSeconds,
      }),
    ).toBe(vector.hmacContent);
    const hmac = createHmac('sha256', vector.secretKey).update(vector.hmacContent).digest('base64');
    expect(hmac).toBe(vector.decoded['TLS.sig']);
  });

  it('signs a string that decodes to the same fields and HMAC, as a zlib stream', () => {
    const produced = signUserSig({
      ...expected,
      expireSeconds: vector.expireSeconds,
      nowSeconds: vector.nowSeconds,
    });
    expect(rawInflate(produced)).toEqual(vector.decoded);
    expect(decodeUserSig(produced)).toEqual(vector.decoded);
    const zlibHeader = Buffer.from(
      produced.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='),
      'base64',
    )
      .subarray(0, 2)
      .toString('hex');
    expect(zlibHeader).toBe(vector.zlibHeaderHex);
  });

  it('verifies at issue time and at exactly time+expire, and is expired one second later', () => {
    expect(verifyUserSig(vector.userSig, { ...expected, nowSeconds: vector.nowSeconds })).toEqual({
      ok: true,
      decoded: vector.decoded,
    });
    const end = vector.nowSeconds + vector.expireSeconds;
    expect(verifyUserSig(vector.userSig, { ...expected, nowSeconds: end }).ok).toBe(true);
    expect(verifyUserSig(vector.userSig, { ...expected, nowSeconds: end + 1 })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('rejects the wrong app id, identifier and key', () => {
    const at = { nowSeconds: vector.nowSeconds };
    expect(verifyUserSig(vector.userSig, { ...expected, ...at, sdkAppId: vector.sdkAppId + 1 })).toEqual({
      ok: false,
      reason: 'sdkappid-mismatch',
    });
    expect(
      verifyUserSig(vector.userSig, { ...expected, ...at, identifier: `${vector.identifier}x` }),
    ).toEqual({
      ok: false,
      reason: 'identifier-mismatch',
    });
    expect(verifyUserSig(vector.userSig, { ...expected, ...at, secretKey: `${vector.secretKey}x` })).toEqual({
      ok: false,
      reason: 'sig-mismatch',
    });
  });
});

describe('UserSig details', () => {
  const base = { sdkAppId: 1400000000, secretKey: 'k'.repeat(64), identifier: 'administrator' };

  it('floors a fractional issue time as the official library does', () => {
    const produced = signUserSig({ ...base, expireSeconds: 60, nowSeconds: 1700000000.999 });
    expect(decodeUserSig(produced)['TLS.time']).toBe(1700000000);
  });

  it('uses the key string bytes, not a hex decoding of it', () => {
    const hexLookingKey = 'ab'.repeat(32);
    const produced = signUserSig({ ...base, secretKey: hexLookingKey, expireSeconds: 60, nowSeconds: 1 });
    const content = hmacContent({
      identifier: base.identifier,
      sdkAppId: base.sdkAppId,
      time: 1,
      expire: 60,
    });
    const hexDecoded = createHmac('sha256', Buffer.from(hexLookingKey, 'hex'))
      .update(content)
      .digest('base64');
    expect(decodeUserSig(produced)['TLS.sig']).not.toBe(hexDecoded);
    expect(verifyUserSig(produced, { ...base, secretKey: hexLookingKey, nowSeconds: 1 }).ok).toBe(true);
  });

  it('round-trips identifiers with non-ASCII characters', () => {
    const identifier = 'Ünïcødé_用户';
    const produced = signUserSig({ ...base, identifier, expireSeconds: 60, nowSeconds: 10 });
    expect(verifyUserSig(produced, { ...base, identifier, nowSeconds: 10 }).ok).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['outside the alphabet', 'eJy+abc/def='],
    ['not zlib', tencentEncode(Buffer.from('plain text'))],
    ['zlib but not JSON', tencentEncode(deflateSync(Buffer.from('not json')))],
    ['JSON without TLS fields', tencentEncode(deflateSync(Buffer.from('{"TLS.ver":"2.0"}')))],
    ['truncated', vectors.cases[0]?.userSig.slice(0, 40) ?? ''],
  ])('treats a %s UserSig as malformed without echoing it', (_label, corrupt) => {
    expect(() => decodeUserSig(corrupt)).toThrow(MalformedUserSigError);
    try {
      decodeUserSig(corrupt);
    } catch (error) {
      if (corrupt.length > 0) expect((error as Error).message).not.toContain(corrupt);
    }
    expect(verifyUserSig(corrupt, { ...base, nowSeconds: 1 })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a document whose HMAC was altered', () => {
    const document = { ...rawInflate(signUserSig({ ...base, expireSeconds: 60, nowSeconds: 10 })) };
    document['TLS.expire'] = 999999;
    const forged = tencentEncode(deflateSync(Buffer.from(JSON.stringify(document))));
    expect(verifyUserSig(forged, { ...base, nowSeconds: 10 })).toEqual({ ok: false, reason: 'sig-mismatch' });
  });
});
