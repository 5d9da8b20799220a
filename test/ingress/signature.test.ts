/**
 * The webhook signature scheme (DESIGN.md "Ingress: signed webhook"), as a client would implement it:
 * HMAC-SHA256 of `"<timestamp>.<body bytes>"` under a key's UTF-8 bytes, sent as `v1=<64 hex>` items.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseSignatureHeader,
  type SignedRequest,
  signatureFor,
  signatureHeaders,
  verifySignature,
} from '../../src/ingress/signature.ts';

const KEY = 'current-key';
const OLD_KEY = 'previous-key';
const NOW_S = 1_780_000_000;
const BODY = Buffer.from('{"userId":"user_42","requestId":"dsr-1"}\n');
const rules = { keys: [KEY, OLD_KEY], maxSkewSeconds: 300, nowMs: NOW_S * 1000 };

function signed(overrides: Partial<SignedRequest> = {}, key = KEY, timestamp = String(NOW_S)): SignedRequest {
  return { timestamp, signature: `v1=${signatureFor(key, timestamp, BODY)}`, body: BODY, ...overrides };
}

describe('signatureFor', () => {
  it('is the lower-case hex HMAC-SHA256 of "<timestamp>.<body bytes>" under the key (as openssl computes it)', () => {
    // printf '%s.' 1780000000 | cat - body.json | openssl dgst -sha256 -hmac current-key
    const expected = createHmac('sha256', KEY)
      .update(Buffer.concat([Buffer.from(`${NOW_S}.`), BODY]))
      .digest('hex');
    expect(signatureFor(KEY, String(NOW_S), BODY)).toBe(expected);
    expect(signatureFor(KEY, String(NOW_S), BODY.toString('utf8'))).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the key as UTF-8 bytes and the body bytes as they are', () => {
    const key = 'clé-🔑';
    const body = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]); // BOM + {}
    const expected = createHmac('sha256', Buffer.from(key, 'utf8'))
      .update(Buffer.concat([Buffer.from('12.'), body]))
      .digest('hex');
    expect(signatureFor(key, '12', body)).toBe(expected);
  });

  it('signatureHeaders gives both headers, the timestamp in Unix seconds', () => {
    const headers = signatureHeaders(KEY, BODY, String(NOW_S));
    expect(headers).toEqual({
      'x-chat-erasure-timestamp': String(NOW_S),
      'x-chat-erasure-signature': `v1=${signatureFor(KEY, String(NOW_S), BODY)}`,
    });
    const now = Math.floor(Date.now() / 1000);
    expect(Number(signatureHeaders(KEY, BODY)['x-chat-erasure-timestamp'])).toBeGreaterThanOrEqual(now);
  });
});

describe('parseSignatureHeader', () => {
  const hex = 'ab'.repeat(32);
  it('reads v1 items, spaces and tabs around items ignored, hex in any case, other schemes skipped', () => {
    expect(parseSignatureHeader(`v1=${hex}`)).toEqual([Buffer.from(hex, 'hex')]);
    expect(
      parseSignatureHeader(` v1=${hex.toUpperCase()} ,\tv0=whatever, v2=Zm9vYmFy==, v1=${'0'.repeat(64)} `),
    ).toEqual([Buffer.from(hex, 'hex'), Buffer.alloc(32)]);
    expect(parseSignatureHeader('v0=legacy')).toEqual([]);
  });

  it('refuses a malformed header', () => {
    for (const header of [
      '',
      ',',
      `v1=${hex},`,
      `v1=${hex},,v1=${hex}`,
      'v1=',
      `v1=${hex.slice(2)}`,
      `v1=${hex}00`,
      `v1=${'g'.repeat(64)}`,
      `v1 = ${hex}`,
      `=${hex}`,
      hex,
      `v1:${hex}`,
      `v1=${hex} v1=${hex}`,
      `sch eme=x, v1=${hex}`,
    ]) {
      expect(parseSignatureHeader(header), JSON.stringify(header)).toBeUndefined();
    }
  });
});

describe('verifySignature', () => {
  it('accepts a signature made with any of the keys (rotation), also among other values', () => {
    expect(verifySignature(signed(), rules)).toEqual({ ok: true });
    expect(verifySignature(signed({}, OLD_KEY), rules)).toEqual({ ok: true });
    const both = `v1=${signatureFor('unknown', String(NOW_S), BODY)}, v1=${signatureFor(OLD_KEY, String(NOW_S), BODY)}`;
    expect(verifySignature(signed({ signature: both }), rules)).toEqual({ ok: true });
    expect(
      verifySignature(signed({ signature: signed().signature?.toUpperCase().replace('V1=', 'v1=') }), rules),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses a signature under another key, over other bytes or another timestamp', () => {
    expect(verifySignature(signed({}, 'other-key'), rules)).toEqual({ ok: false, failure: 'no-match' });
    expect(verifySignature(signed({ body: Buffer.from(`${BODY.toString()} `) }), rules)).toEqual({
      ok: false,
      failure: 'no-match',
    });
    const timestamp = String(NOW_S + 1);
    expect(verifySignature({ ...signed(), timestamp }, rules)).toEqual({ ok: false, failure: 'no-match' });
    expect(
      verifySignature(signed({ signature: `v0=${signatureFor(KEY, String(NOW_S), BODY)}` }), rules),
    ).toEqual({
      ok: false,
      failure: 'no-match',
    });
  });

  it('refuses missing headers, a malformed or repeated (comma-joined) timestamp, and a malformed signature', () => {
    expect(verifySignature(signed({ timestamp: undefined }), rules)).toEqual({
      ok: false,
      failure: 'missing-header',
    });
    expect(verifySignature(signed({ signature: undefined }), rules)).toEqual({
      ok: false,
      failure: 'missing-header',
    });
    for (const timestamp of [
      '',
      ' 1780000000',
      '1780000000.5',
      '-1780000000',
      '+1780000000',
      '1e9',
      `${NOW_S},${NOW_S}`,
    ]) {
      expect(verifySignature(signed({}, KEY, timestamp), rules), timestamp).toEqual({
        ok: false,
        failure: 'malformed-timestamp',
      });
    }
    expect(verifySignature(signed({ signature: 'v1=nothex' }), rules)).toEqual({
      ok: false,
      failure: 'malformed-signature',
    });
  });

  it('allows a skew of exactly INGRESS_MAX_SKEW_SECONDS either way, not a second more', () => {
    for (const offset of [-300, -1, 0, 1, 300]) {
      expect(verifySignature(signed({}, KEY, String(NOW_S + offset)), rules), String(offset)).toEqual({
        ok: true,
      });
    }
    for (const offset of [-301, 301, -NOW_S, 10 ** 12]) {
      expect(verifySignature(signed({}, KEY, String(NOW_S + offset)), rules), String(offset)).toEqual({
        ok: false,
        failure: 'stale-timestamp',
      });
    }
    expect(verifySignature(signed({}, KEY, '9'.repeat(400)), rules)).toEqual({
      ok: false,
      failure: 'stale-timestamp',
    });
    expect(verifySignature(signed({}, KEY, `000${NOW_S}`), rules)).toEqual({ ok: true });
  });
});
