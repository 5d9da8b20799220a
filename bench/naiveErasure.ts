/**
 * The baseline the design is measured against: the straightforward way to erase accounts. One record at
 * a time, and for each one a fresh Secrets Manager client and GetSecretValue, a freshly signed UserSig and
 * a fresh HTTP connection (an undici Client opened for the record and closed after it), then the same
 * Chat calls the function made for one record of the throughput run (callTemplate.ts: same commands, same
 * order, same bodies), one after the other. It talks to the same simulator as the throughput run and is
 * measured the same way (arrival log). It is generous to the baseline: it reads bodies from memory (no
 * SQS receive/delete, no audit log), so the speedup it yields is a lower bound.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'undici';
import { STAND_IN_CREDENTIALS } from '../sim/aws/awsWire.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';
import { SECRET_NAME } from '../sim/erasureWorld.ts';
import { buildChatRequestUrl, randomUint32 } from '../src/chat/chatRequestUrl.ts';
import { signUserSig } from '../src/chat/userSig.ts';
import { arrivalRatePerSecond } from './arrivalStats.ts';
import { fillBody, type TemplateCall } from './callTemplate.ts';
import { closureWorkload } from './closureEvents.ts';
import { progress } from './progress.ts';

export interface NaiveFigures {
  events: number;
  calls: number;
  /** Same definition as the throughput run: `(calls − 1) / (last arrival − first arrival)`. */
  callsPerSecond: number;
  wallMs: number;
  /** Distinct client ports: one per request when nothing is reused. */
  connections: number;
  secretFetches: number;
  userSigSigns: number;
  /** Records with an answer that was not `ActionStatus: OK` (should be 0). */
  failures: number;
  /** The commands of one record (the throughput run's, replayed). */
  recordCalls: string[];
  /** events / (last arrival − first arrival), as erasures per second. */
  erasuresPerSecond: number;
}

/** The secret as the naive code reads it: no schema, it trusts the JSON (it is the naive version). */
interface NaiveSecret {
  sdkAppId: number;
  adminIdentifier: string;
  secretKey: string;
}

async function eraseNaively(
  body: string,
  template: readonly TemplateCall[],
  world: ErasureWorld,
): Promise<boolean> {
  const { userId } = JSON.parse(body) as { userId: string };
  const secrets = new SecretsManagerClient({
    region: world.secrets.region,
    endpoint: world.secrets.endpoint,
    credentials: { ...STAND_IN_CREDENTIALS },
  });
  let secret: NaiveSecret;
  try {
    const answer = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_NAME }));
    secret = JSON.parse(answer.SecretString ?? '{}') as NaiveSecret;
  } finally {
    secrets.destroy();
  }
  const userSig = signUserSig({
    sdkAppId: Number(secret.sdkAppId),
    secretKey: secret.secretKey,
    identifier: secret.adminIdentifier,
    expireSeconds: 3600,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  const connection = new Client(world.chat.url);
  let ok = true;
  try {
    for (const call of template) {
      const url = new URL(
        buildChatRequestUrl(world.chat.url, call.service, call.command, {
          sdkAppId: Number(secret.sdkAppId),
          identifier: secret.adminIdentifier,
          userSig,
          random: randomUint32(),
        }),
      );
      const response = await connection.request({
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        headers: { 'content-type': 'application/json' },
        body: fillBody(call, userId),
      });
      const answer = (await response.body.json()) as { ActionStatus?: string; ErrorCode?: number };
      ok = ok && answer.ActionStatus === 'OK' && answer.ErrorCode === 0;
    }
  } finally {
    await connection.close();
  }
  return ok;
}

/**
 * @example
 * const naive = await measureNaive(world, { events: 300 });
 * naive.callsPerSecond; // ≈ 1000 / (latency + per-record overhead)
 */
export async function measureNaive(
  world: ErasureWorld,
  options: { events: number; template: readonly TemplateCall[] },
): Promise<NaiveFigures> {
  if (options.template.length === 0) throw new Error('naive: no calls to make per record');
  const work = closureWorkload('nv', options.events);
  world.chat.seed({ accounts: work.accounts, friendships: work.friendships });
  world.chat.clearRequests();
  const secretFetchesBefore = world.secrets.requestCount(SECRET_NAME);
  progress(
    `naive: ${options.events} events one at a time, ${options.template.length} calls each (fresh secret, UserSig and connection each)`,
  );
  let failures = 0;
  const startedAt = performance.now();
  for (const body of work.bodies) {
    if (!(await eraseNaively(body, options.template, world))) failures += 1;
  }
  const wallMs = performance.now() - startedAt;
  const requests = world.chat.requests;
  const arrivals = requests.map((request) => request.receivedAtMs);
  return {
    events: options.events,
    calls: requests.length,
    callsPerSecond: arrivalRatePerSecond(arrivals),
    wallMs,
    connections: new Set(requests.map((request) => request.remotePort)).size,
    secretFetches: world.secrets.requestCount(SECRET_NAME) - secretFetchesBefore,
    userSigSigns: options.events,
    failures,
    recordCalls: options.template.map((call) => `${call.service}/${call.command}`),
    erasuresPerSecond: arrivalRatePerSecond(arrivals) / Math.max(options.template.length, 1),
  };
}
