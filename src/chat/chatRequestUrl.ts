/**
 * How a Chat REST request URL is spelled (API.md §2): `{base}/v4/{service}/{command}` with the admin's
 * signature in the query string, and the fresh crypto-random `random` every request carries.
 */
import { randomInt } from 'node:crypto';
import { ChatRequestUrlError } from '../errors.ts';

export interface ChatRequestAuth {
  sdkAppId: number;
  /** The App admin UserID. */
  identifier: string;
  userSig: string;
  /** A fresh uint32 per request ({@link randomUint32}). */
  random: number;
}

const PATH_SEGMENT = /^[A-Za-z0-9_]+$/;

/** True for an integer in 0..4294967295, the range of Tencent's `random` query parameter. */
export function isUint32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

/**
 * The signed request URL `{base}/v4/{service}/{command}?sdkappid&identifier&usersig&random&contenttype=json`.
 * The result holds the UserSig: it is a credential and must never be logged.
 *
 * Values are form-encoded by URLSearchParams, except that a space becomes `%20` rather than `+`: a decoder
 * that follows RFC 3986 instead of HTML forms would read `+` as a literal plus, while `%20` means a space to
 * both.
 * The UserSig alphabet (`A-Z a-z 0-9 * - _`) passes through unescaped, as API.md §1.1 notes.
 * @example
 * buildChatRequestUrl('https://console.tim.qq.com', 'sns', 'friend_delete_all',
 *   { sdkAppId: 1400000000, identifier: 'administrator', userSig, random: randomUint32() });
 */
export function buildChatRequestUrl(
  baseUrl: string,
  service: string,
  command: string,
  auth: ChatRequestAuth,
): string {
  const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  return `${base}${buildChatRequestPath(service, command, auth)}`;
}

/**
 * The path and query of a signed request (`/v4/{service}/{command}?…`), what a dispatcher bound to the
 * origin sends. Holds the UserSig: a credential, never logged.
 * @example
 * buildChatRequestPath('sns', 'friend_get', { sdkAppId: 1400000000, identifier: 'administrator', userSig, random: 7 });
 */
export function buildChatRequestPath(service: string, command: string, auth: ChatRequestAuth): string {
  if (!PATH_SEGMENT.test(service) || !PATH_SEGMENT.test(command)) {
    throw new ChatRequestUrlError('Chat service and command must be plain path segments ([A-Za-z0-9_]+)');
  }
  if (!Number.isSafeInteger(auth.sdkAppId) || auth.sdkAppId <= 0) {
    throw new ChatRequestUrlError('sdkAppId must be a positive integer');
  }
  if (!isUint32(auth.random)) throw new ChatRequestUrlError('random must be an unsigned 32-bit integer');
  const query = new URLSearchParams({
    sdkappid: String(auth.sdkAppId),
    identifier: auth.identifier,
    usersig: auth.userSig,
    random: String(auth.random),
    contenttype: 'json',
  });
  // URLSearchParams writes a literal '+' as %2B, so every '+' left in its output stands for a space.
  const encodedQuery = query.toString().replaceAll('+', '%20');
  return `/v4/${service}/${command}?${encodedQuery}`;
}

/**
 * A crypto-random uint32 (0..4294967295 inclusive) for the `random` query parameter. `randomInt`'s upper
 * bound is exclusive and its range may span up to 2^48 - 1, so `randomInt(0, 2 ** 32)` covers the full range.
 * @example
 * const random = randomUint32();
 */
export function randomUint32(): number {
  return randomInt(0, 2 ** 32);
}
