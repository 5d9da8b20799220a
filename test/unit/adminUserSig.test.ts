import { describe, expect, it } from 'vitest';
import { AdminUserSigCache } from '../../src/chat/adminUserSig.ts';
import { decodeUserSig, verifyUserSig } from '../../src/chat/userSig.ts';
import type { AdminCredentials } from '../../src/erasure/ports.ts';

const T0 = 1_800_000_000;

const credentials: AdminCredentials = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'key-one-5f1c9e7a2b4d8c6e',
};

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return {
    now: () => now,
    set: (seconds: number) => {
      now = seconds;
    },
  };
}

describe('AdminUserSigCache', () => {
  it('signs once and reuses the UserSig', () => {
    const clock = manualClock();
    const cache = new AdminUserSigCache(3600, clock.now);
    expect(cache.signatures).toBe(0);
    const first = cache.get(credentials);
    clock.set(T0 + 1000);
    expect(cache.get(credentials)).toBe(first);
    expect(cache.get({ ...credentials })).toBe(first); // equal credentials, another object
    expect(cache.signatures).toBe(1);
  });

  it('produces a UserSig that verifies with the right time, expiry, app and admin', () => {
    const clock = manualClock(T0 + 0.75);
    const cache = new AdminUserSigCache(3600, clock.now);
    const userSig = cache.get(credentials);
    const verdict = verifyUserSig(userSig, {
      sdkAppId: credentials.sdkAppId,
      secretKey: credentials.secretKey,
      identifier: credentials.adminIdentifier,
      nowSeconds: T0 + 10,
    });
    expect(verdict.ok).toBe(true);
    expect(decodeUserSig(userSig)).toMatchObject({
      'TLS.ver': '2.0',
      'TLS.identifier': 'administrator',
      'TLS.sdkappid': 1400000000,
      'TLS.time': T0, // whole seconds: the fraction is dropped
      'TLS.expire': 3600,
    });
    expect(
      verifyUserSig(userSig, {
        sdkAppId: credentials.sdkAppId,
        secretKey: 'another-key',
        identifier: credentials.adminIdentifier,
        nowSeconds: T0 + 10,
      }),
    ).toEqual({ ok: false, reason: 'sig-mismatch' });
  });

  describe.each([
    // TTL, renew margin = min(300, TTL / 10)
    [3600, 300],
    [86_400, 300],
    [3000, 300],
    [600, 60],
    [100, 10],
  ])('TTL %d s (margin %d s)', (ttl, margin) => {
    const signedAt = T0;
    const expiresAt = signedAt + ttl;

    it('reuses while more than the margin remains', () => {
      const clock = manualClock(signedAt);
      const cache = new AdminUserSigCache(ttl, clock.now);
      const first = cache.get(credentials);
      clock.set(expiresAt - margin - 0.001);
      expect(cache.get(credentials)).toBe(first);
      expect(cache.signatures).toBe(1);
    });

    it('re-signs once less than the margin remains, with a fresh TLS.time', () => {
      const clock = manualClock(signedAt);
      const cache = new AdminUserSigCache(ttl, clock.now);
      const first = cache.get(credentials);
      clock.set(expiresAt - margin + 0.001);
      const second = cache.get(credentials);
      expect(second).not.toBe(first);
      expect(cache.signatures).toBe(2);
      expect(decodeUserSig(second)['TLS.time']).toBe(Math.floor(expiresAt - margin + 0.001));
      expect(decodeUserSig(second)['TLS.expire']).toBe(ttl);
      // … and the new one is reused in turn.
      expect(cache.get(credentials)).toBe(second);
      expect(cache.signatures).toBe(2);
    });
  });

  // DESIGN.md: "re-signed once less than min(300 s, TTL/10) remains": with exactly the margin left, not less.
  it('still reuses with exactly the margin remaining', () => {
    const clock = manualClock(T0);
    const cache = new AdminUserSigCache(3600, clock.now);
    const first = cache.get(credentials);
    clock.set(T0 + 3600 - 300);
    expect(cache.get(credentials)).toBe(first);
    expect(cache.signatures).toBe(1);
  });

  it('counts the remaining time from the whole second written into the UserSig', () => {
    // Signed at T0 + 0.9: TLS.time is T0, so the UserSig expires at T0 + 3600, not T0 + 3600.9.
    const clock = manualClock(T0 + 0.9);
    const cache = new AdminUserSigCache(3600, clock.now);
    const first = cache.get(credentials);
    clock.set(T0 + 3300.5);
    expect(cache.get(credentials)).not.toBe(first);
  });

  it('re-signs after the UserSig has expired', () => {
    const clock = manualClock();
    const cache = new AdminUserSigCache(3600, clock.now);
    const first = cache.get(credentials);
    clock.set(T0 + 10_000);
    const second = cache.get(credentials);
    expect(second).not.toBe(first);
    expect(decodeUserSig(second)['TLS.time']).toBe(T0 + 10_000);
  });

  it.each([
    ['the secret key', { secretKey: 'key-two-0a3f9b8c7d6e' }],
    ['the app id', { sdkAppId: 1400000001 }],
    ['the admin identifier', { adminIdentifier: 'admin2' }],
  ])('re-signs when %s changes, for the new credentials', (_what, change) => {
    const clock = manualClock();
    const cache = new AdminUserSigCache(3600, clock.now);
    const first = cache.get(credentials);
    const changed = { ...credentials, ...change };
    const second = cache.get(changed);
    expect(second).not.toBe(first);
    expect(cache.signatures).toBe(2);
    expect(
      verifyUserSig(second, {
        sdkAppId: changed.sdkAppId,
        secretKey: changed.secretKey,
        identifier: changed.adminIdentifier,
        nowSeconds: T0,
      }).ok,
    ).toBe(true);
    // Going back to the first credentials signs again: one cached UserSig, for the latest credentials.
    const again = cache.get(credentials);
    expect(again).toBe(first); // same second, same inputs: the same deterministic signature
    expect(decodeUserSig(again)['TLS.identifier']).toBe('administrator');
    expect(cache.signatures).toBe(3);
  });

  it('invalidate() makes the next get sign afresh, once', () => {
    const clock = manualClock();
    const cache = new AdminUserSigCache(3600, clock.now);
    cache.get(credentials);
    cache.invalidate();
    cache.get(credentials);
    cache.get(credentials);
    expect(cache.signatures).toBe(2);
    cache.invalidate();
    cache.invalidate();
    cache.get(credentials);
    expect(cache.signatures).toBe(3);
  });

  it('reads the wall clock by default', () => {
    const cache = new AdminUserSigCache(3600);
    const before = Math.floor(Date.now() / 1000);
    const time = decodeUserSig(cache.get(credentials))['TLS.time'];
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
