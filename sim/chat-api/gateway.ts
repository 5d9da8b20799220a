/**
 * What the REST gateway checks before a command runs: the resource path and the query string
 * (`sdkappid`, `contenttype`, `random`, `identifier`, `usersig`), with Tencent's public error codes.
 * Pure: the caller passes the clock reading and the app's current credentials.
 *
 * Code choices where the docs leave room (see the report for the reasoning):
 * - missing `sdkappid` -> 60012; not a decimal number -> 60006 ("invalid SDKAppID"); a well-formed number
 *   that is not this app -> 70020 ("SDKAppID does not exist, UserSig verification failed"): the server
 *   looks the app up to find its key, and an unknown app is reported by the UserSig layer.
 * - `contenttype` missing or not `json`, or `identifier` missing -> 60025 (the newer error table's
 *   "SDKAppID, Identifier, UserSig or ContentType error, check URL parameter").
 * - `random` missing or not a uint32 -> 60002 ("HTTP parse error, check the URL format").
 * - `identifier` not an app admin -> 60010, the public code ("requires App administrator permissions");
 *   70403 and 30004 are the same condition reported by individual services.
 * - empty `usersig` -> 70002; then the verifier's verdicts: malformed 70003, other SDKAppID inside the
 *   UserSig 70014, other UserID inside 70013, expired 70001, HMAC mismatch 70009.
 */
import { verifyUserSig } from '../../src/chat/userSig.ts';
import { KNOWN_COMMANDS } from './catalog.ts';

export { KNOWN_COMMANDS };

export interface Route {
  service: string;
  command: string;
}

/** Splits `/v4/{service}/{command}`; anything else has no route (service and command empty). */
export function parseRoute(pathname: string): Route & { known: boolean } {
  const match = /^\/v4\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (match === null) return { service: '', command: '', known: false };
  const service = match[1] ?? '';
  const command = match[2] ?? '';
  return { service, command, known: KNOWN_COMMANDS[service]?.includes(command) ?? false };
}

export interface AppCredentials {
  sdkAppId: number;
  secretKey: string;
  admins: readonly string[];
}

export interface GatewayRejection {
  code: number;
  detail?: string;
}

const UINT32_MAX = 4294967295;

/**
 * Checks the query string of a REST call; returns undefined when the call may proceed.
 * @example
 * checkQuery(new URLSearchParams('sdkappid=1400000000'), app, nowSeconds); // { code: 60025, ... }
 */
export function checkQuery(
  query: URLSearchParams,
  app: AppCredentials,
  nowSeconds: number,
): GatewayRejection | undefined {
  const sdkAppIdText = query.get('sdkappid');
  if (sdkAppIdText === null || sdkAppIdText === '') return { code: 60012 };
  if (!/^\d{1,20}$/.test(sdkAppIdText)) return { code: 60006 };
  if (Number(sdkAppIdText) !== app.sdkAppId) return { code: 70020 };

  if (query.get('contenttype') !== 'json') return { code: 60025, detail: 'contenttype must be json' };

  const random = query.get('random');
  if (random === null || !/^\d{1,10}$/.test(random) || Number(random) > UINT32_MAX) {
    return { code: 60002, detail: 'random must be an unsigned 32-bit integer' };
  }

  const identifier = query.get('identifier');
  if (identifier === null || identifier === '') return { code: 60025, detail: 'identifier is required' };
  if (!app.admins.includes(identifier)) return { code: 60010, detail: `identifier: ${identifier}` };

  const userSig = query.get('usersig');
  if (userSig === null || userSig === '') return { code: 70002 };
  const verdict = verifyUserSig(userSig, {
    sdkAppId: app.sdkAppId,
    secretKey: app.secretKey,
    identifier,
    nowSeconds,
  });
  if (verdict.ok) return undefined;
  switch (verdict.reason) {
    case 'malformed':
      return { code: 70003 };
    case 'sdkappid-mismatch':
      return { code: 70014 };
    case 'identifier-mismatch':
      return { code: 70013, detail: `identifier: ${identifier}` };
    case 'expired':
      return { code: 70001 };
    case 'sig-mismatch':
      return { code: 70009 };
  }
}
