import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { userReferenceFor } from '../../src/erasure/userReference.ts';

const KEY = 'admin-secret-key-5f1c9e7a2b4d';
const OTHER_KEY = 'admin-secret-key-rotated-0a3f';

describe('userReferenceFor', () => {
  it('plain shows the userId as it is, with or without a key', () => {
    expect(userReferenceFor('plain', KEY)('user_42')).toBe('user_42');
    expect(userReferenceFor('plain', undefined)('José 🙂')).toBe('José 🙂');
  });

  it('omit leaves the user out, with or without a key', () => {
    expect(userReferenceFor('omit', KEY)('user_42')).toBeUndefined();
    expect(userReferenceFor('omit', undefined)('user_42')).toBeUndefined();
  });

  it('pseudonym is 16 lowercase hex characters, not the userId', () => {
    const pseudonym = userReferenceFor('pseudonym', KEY);
    for (const userId of ['user_42', 'a', 'José 🙂', 'x'.repeat(32), '0123456789abcdef']) {
      const reference = pseudonym(userId);
      expect(reference).toMatch(/^[0-9a-f]{16}$/);
      expect(reference).not.toBe(userId);
    }
  });

  it('pseudonym is stable for one key, also across instances', () => {
    const first = userReferenceFor('pseudonym', KEY)('user_42');
    expect(userReferenceFor('pseudonym', KEY)('user_42')).toBe(first);
    expect(userReferenceFor('pseudonym', `${KEY}`)('user_42')).toBe(first);
  });

  it('pseudonym differs across users and across keys', () => {
    const pseudonym = userReferenceFor('pseudonym', KEY);
    const rotated = userReferenceFor('pseudonym', OTHER_KEY);
    const users = ['user_42', 'user_43', 'User_42', 'user_42 ', 'user_4', ''];
    expect(new Set(users.map(pseudonym)).size).toBe(users.length);
    for (const userId of users) expect(rotated(userId)).not.toBe(pseudonym(userId));
  });

  it('hashes the userId as UTF-8 (NFC and NFD spellings are different users)', () => {
    const pseudonym = userReferenceFor('pseudonym', KEY);
    expect(pseudonym('Jos\u00e9')).not.toBe(pseudonym('Jose\u0301'));
  });

  it('uses a key derived from the secret key, never the secret key itself', () => {
    const reference = userReferenceFor('pseudonym', KEY)('user_42');
    const direct = createHmac('sha256', KEY).update('user_42', 'utf8').digest('hex');
    expect(reference).not.toBe(direct.slice(0, 16));
    expect(direct).not.toContain(reference);
    // Nor a plain hash of the userId or of key and userId together.
    for (const guess of [
      createHmac('sha256', 'user_42').update(KEY).digest('hex'),
      createHmac('sha256', '').update('user_42').digest('hex'),
    ]) {
      expect(guess.slice(0, 16)).not.toBe(reference);
    }
  });

  // Pins the derivation: a silent change would break the correlation of log lines across a deployment.
  it('is HMAC-SHA256 of the UTF-8 userId under HMAC-SHA256(secretKey, label)', () => {
    const derived = createHmac('sha256', KEY).update('chat-erasure/log-user-pseudonym/v1').digest();
    const expected = createHmac('sha256', derived).update('user_42', 'utf8').digest('hex').slice(0, 16);
    expect(userReferenceFor('pseudonym', KEY)('user_42')).toBe(expected);
  });

  it('pseudonym without a key (the secret could not be read) leaves the user out', () => {
    const pseudonym = userReferenceFor('pseudonym', undefined);
    expect(pseudonym('user_42')).toBeUndefined();
  });
});
