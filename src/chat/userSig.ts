/**
 * Tencent Cloud Chat UserSig, version 2 (HMAC-SHA256), exactly as the official tls-sig-api-v2 libraries
 * produce and verify it. No userbuf support: the REST API never uses one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import * as z from 'zod';

export interface UserSigInput {
  sdkAppId: number;
  /** The app's secret key string as shown in the console; its UTF-8 bytes are the HMAC key (never hex-decoded). */
  secretKey: string;
  identifier: string;
  /** Validity in seconds, relative to `nowSeconds`. */
  expireSeconds: number;
  /** Issue time in whole Unix seconds. */
  nowSeconds: number;
}

/** The fields inside a UserSig, named as Tencent names them. */
export interface DecodedUserSig {
  'TLS.ver': string;
  'TLS.identifier': string;
  'TLS.sdkappid': number;
  'TLS.time': number;
  'TLS.expire': number;
  'TLS.sig': string;
  'TLS.userbuf'?: string;
}

const decodedUserSigSchema = z.object({
  'TLS.ver': z.string(),
  'TLS.identifier': z.string(),
  'TLS.sdkappid': z.number().int(),
  'TLS.time': z.number().int(),
  'TLS.expire': z.number().int(),
  'TLS.sig': z.string(),
  'TLS.userbuf': z.string().optional(),
});

/** Thrown by {@link decodeUserSig}; the message never echoes the input (it is a credential). */
export class MalformedUserSigError extends Error {
  override readonly name = 'MalformedUserSigError';
}

/** The four-line content string that the HMAC covers (each line LF-terminated, the last one included). */
export function hmacContent(fields: {
  identifier: string;
  sdkAppId: number;
  time: number;
  expire: number;
}): string {
  return (
    `TLS.identifier:${fields.identifier}\n` +
    `TLS.sdkappid:${fields.sdkAppId}\n` +
    `TLS.time:${fields.time}\n` +
    `TLS.expire:${fields.expire}\n`
  );
}

function hmacBase64(secretKey: string, content: string): string {
  return createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(content, 'utf8').digest('base64');
}

// Tencent's URL-safe alphabet is its own: '+' -> '*', '/' -> '-', '=' -> '_' (not RFC 4648 base64url).
function toTencentBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function fromTencentBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9*_-]+$/.test(text))
    throw new MalformedUserSigError('UserSig has characters outside its alphabet');
  return Buffer.from(text.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '='), 'base64');
}

/**
 * Signs a UserSig.
 * @example
 * const userSig = signUserSig({ sdkAppId: 1400000000, secretKey, identifier: 'administrator',
 *   expireSeconds: 3600, nowSeconds: Math.floor(Date.now() / 1000) });
 */
export function signUserSig(input: UserSigInput): string {
  const { sdkAppId, secretKey, identifier, expireSeconds, nowSeconds } = input;
  const time = Math.floor(nowSeconds);
  const document: DecodedUserSig = {
    'TLS.ver': '2.0',
    'TLS.identifier': identifier,
    'TLS.sdkappid': sdkAppId,
    'TLS.time': time,
    'TLS.expire': expireSeconds,
    'TLS.sig': hmacBase64(secretKey, hmacContent({ identifier, sdkAppId, time, expire: expireSeconds })),
  };
  return toTencentBase64(deflateSync(Buffer.from(JSON.stringify(document), 'utf8')));
}

/** Decodes a UserSig into its fields without checking the signature. Throws {@link MalformedUserSigError}. */
export function decodeUserSig(userSig: string): DecodedUserSig {
  let json: unknown;
  try {
    const inflated = inflateSync(fromTencentBase64(userSig));
    json = JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    if (error instanceof MalformedUserSigError) throw error;
    throw new MalformedUserSigError('UserSig is not a zlib-compressed JSON document');
  }
  const parsed = decodedUserSigSchema.safeParse(json);
  if (!parsed.success) throw new MalformedUserSigError('UserSig document lacks a required TLS field');
  return parsed.data;
}

export type UserSigVerdict =
  | { ok: true; decoded: DecodedUserSig }
  | {
      ok: false;
      reason: 'malformed' | 'sdkappid-mismatch' | 'identifier-mismatch' | 'expired' | 'sig-mismatch';
    };

/**
 * Verifies a UserSig as Tencent's Go verifier does: app id, identifier, expiry (`now > time + expire`),
 * then the HMAC recomputed from the decoded time and expire.
 * @example
 * const verdict = verifyUserSig(userSig, { sdkAppId, secretKey, identifier: 'administrator', nowSeconds });
 * if (!verdict.ok) console.log(verdict.reason);
 */
export function verifyUserSig(
  userSig: string,
  expected: { sdkAppId: number; secretKey: string; identifier: string; nowSeconds: number },
): UserSigVerdict {
  let decoded: DecodedUserSig;
  try {
    decoded = decodeUserSig(userSig);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (decoded['TLS.sdkappid'] !== expected.sdkAppId) return { ok: false, reason: 'sdkappid-mismatch' };
  if (decoded['TLS.identifier'] !== expected.identifier) return { ok: false, reason: 'identifier-mismatch' };
  if (expected.nowSeconds > decoded['TLS.time'] + decoded['TLS.expire'])
    return { ok: false, reason: 'expired' };
  let content = hmacContent({
    identifier: decoded['TLS.identifier'],
    sdkAppId: decoded['TLS.sdkappid'],
    time: decoded['TLS.time'],
    expire: decoded['TLS.expire'],
  });
  if (decoded['TLS.userbuf'] !== undefined) content += `TLS.userbuf:${decoded['TLS.userbuf']}\n`;
  const expectedSig = Buffer.from(hmacBase64(expected.secretKey, content));
  const actualSig = Buffer.from(decoded['TLS.sig']);
  if (expectedSig.length !== actualSig.length || !timingSafeEqual(expectedSig, actualSig)) {
    return { ok: false, reason: 'sig-mismatch' };
  }
  return { ok: true, decoded };
}
