import { describe, expect, it } from 'vitest';
import type { AdminCredentialsSource } from '../../src/aws/adminCredentials.ts';
import { SignedAdminSession as AdminSession } from '../../src/chat/adminSession.ts';
import { AdminUserSigCache } from '../../src/chat/adminUserSig.ts';
import { verifyUserSig } from '../../src/chat/userSig.ts';
import type { AdminCredentials } from '../../src/erasure/ports.ts';

const NOW = 1_800_000_000;

const OLD: AdminCredentials = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'old-key-1',
};
const NEW: AdminCredentials = {
  sdkAppId: 1400000000,
  adminIdentifier: 'administrator',
  secretKey: 'new-key-2',
};

type Answer = AdminCredentials | Error | Promise<AdminCredentials>;

// The session passes the source's errors through untouched, whatever their class; a plain Error keeps the
// Secrets Manager SDK (imported by adminCredentials.ts at run time) out of this fast unit test.
const secretsDown = (message = 'Secrets Manager could not be read (TimeoutError)') => new Error(message);

/**
 * A credentials source that records each call's options and answers from two scripts: one for cached reads,
 * one for forced fetches (the last answer of a script repeats).
 */
function scriptedSource(script: { cached: Answer[]; forced?: Answer[] }) {
  const calls: Array<{ forceFetch?: boolean } | undefined> = [];
  const next = (answers: Answer[]): Answer => {
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer === undefined) throw new Error('script exhausted');
    return answer;
  };
  const source: AdminCredentialsSource = {
    async get(options) {
      calls.push(options);
      const answer = next(options?.forceFetch ? (script.forced ?? script.cached) : script.cached);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { source, calls, forcedFetches: () => calls.filter((call) => call?.forceFetch === true).length };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const signedWith = (userSig: string, credentials: AdminCredentials) =>
  verifyUserSig(userSig, {
    sdkAppId: credentials.sdkAppId,
    secretKey: credentials.secretKey,
    identifier: credentials.adminIdentifier,
    nowSeconds: NOW,
  }).ok;

function newSession(script: { cached: Answer[]; forced?: Answer[] }) {
  const fake = scriptedSource(script);
  const userSigs = new AdminUserSigCache(3600, () => NOW);
  return { ...fake, userSigs, session: new AdminSession(fake.source, userSigs) };
}

describe('AdminSession: load and current', () => {
  it('refuses to hand out auth before load()', () => {
    const { session } = newSession({ cached: [OLD] });
    expect(() => session.current()).toThrow(/load\(\) must run first/);
    expect(() => session.credentials).toThrow(/load\(\) must run first/);
  });

  it('loads through the cache (no forced fetch) and signs for the loaded admin', async () => {
    const { session, calls } = newSession({ cached: [OLD] });
    await expect(session.load()).resolves.toEqual(OLD);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.forceFetch).not.toBe(true);
    const { auth, generation } = session.current();
    expect(generation).toBe(0);
    expect(auth.sdkAppId).toBe(1400000000);
    expect(auth.identifier).toBe('administrator');
    expect(signedWith(auth.userSig, OLD)).toBe(true);
    expect(session.credentials).toEqual(OLD);
  });

  it('reuses one UserSig across current() calls', async () => {
    const { session, userSigs } = newSession({ cached: [OLD] });
    await session.load();
    expect(session.current().auth.userSig).toBe(session.current().auth.userSig);
    expect(userSigs.signatures).toBe(1);
  });

  it('a later load() that brings rotated credentials signs for them', async () => {
    const { session } = newSession({ cached: [OLD, NEW] });
    await session.load();
    expect(signedWith(session.current().auth.userSig, OLD)).toBe(true);
    await session.load();
    expect(signedWith(session.current().auth.userSig, NEW)).toBe(true);
    expect(session.current().generation).toBe(0);
  });

  it('load() passes the source’s error through', async () => {
    const failure = secretsDown();
    const { session } = newSession({ cached: [failure] });
    await expect(session.load()).rejects.toBe(failure);
  });
});

describe('AdminSession: renew', () => {
  it('fetches bypassing the cache, bumps the generation and signs for the new credentials', async () => {
    const { session, calls } = newSession({ cached: [OLD], forced: [NEW] });
    await session.load();
    const before = session.current();
    await session.renew(before.generation);
    expect(calls.at(-1)).toEqual({ forceFetch: true });
    const after = session.current();
    expect(after.generation).toBe(before.generation + 1);
    expect(signedWith(after.auth.userSig, NEW)).toBe(true);
    expect(signedWith(after.auth.userSig, OLD)).toBe(false);
    expect(session.credentials).toEqual(NEW);
  });

  it('signs afresh even when the fetched credentials did not change', async () => {
    const { session, userSigs } = newSession({ cached: [OLD], forced: [OLD] });
    await session.load();
    session.current();
    await session.renew(0);
    session.current();
    expect(userSigs.signatures).toBe(2);
  });

  it('10 concurrent renewals of one generation make exactly one forced fetch', async () => {
    const gate = deferred<AdminCredentials>();
    const { session, forcedFetches } = newSession({ cached: [OLD], forced: [gate.promise] });
    await session.load();
    const { generation } = session.current();
    const renewals = Array.from({ length: 10 }, () => session.renew(generation));
    await Promise.resolve();
    // Latecomers that arrive while the fetch is in flight join it too.
    renewals.push(session.renew(generation), session.renew(generation));
    gate.resolve(NEW);
    await Promise.all(renewals);
    expect(forcedFetches()).toBe(1);
    expect(session.current().generation).toBe(generation + 1);
    expect(signedWith(session.current().auth.userSig, NEW)).toBe(true);
  });

  it('a stale generation does not fetch again', async () => {
    const { session, forcedFetches } = newSession({ cached: [OLD], forced: [NEW] });
    await session.load();
    await session.renew(0);
    await session.renew(0);
    await session.renew(0);
    expect(forcedFetches()).toBe(1);
    await session.renew(1); // a caller that saw the renewed auth and was refused again
    expect(forcedFetches()).toBe(2);
    expect(session.current().generation).toBe(2);
  });

  it('a failed renewal rejects for every waiter, with the source’s error', async () => {
    const gate = deferred<AdminCredentials>();
    const { session, forcedFetches } = newSession({ cached: [OLD], forced: [gate.promise] });
    await session.load();
    const renewals = Array.from({ length: 10 }, () => session.renew(0));
    const failure = secretsDown();
    gate.reject(failure);
    const settled = await Promise.allSettled(renewals);
    expect(settled.every((result) => result.status === 'rejected' && result.reason === failure)).toBe(true);
    expect(forcedFetches()).toBe(1);
    // The session keeps working with what it had.
    expect(session.credentials).toEqual(OLD);
    expect(signedWith(session.current().auth.userSig, OLD)).toBe(true);
  });

  it('after a failed renewal, a caller holding the current generation can try again', async () => {
    const { session, forcedFetches } = newSession({
      cached: [OLD],
      forced: [secretsDown('down'), NEW],
    });
    await session.load();
    await expect(session.renew(session.current().generation)).rejects.toThrow('down');
    await session.renew(session.current().generation);
    expect(forcedFetches()).toBe(2);
    expect(signedWith(session.current().auth.userSig, NEW)).toBe(true);
  });

  // A failed fetch brings no new credentials, so it must not make the generation that callers saw before it
  // look renewed: a record whose re-sign answer arrives after the failure would skip the fetch and retry with
  // the very key that was just refused (see eraseAccount.test.ts for the consequence).
  it('after a failed renewal, the generation seen before it still triggers a fetch', async () => {
    const { session, forcedFetches } = newSession({
      cached: [OLD],
      forced: [secretsDown('down'), NEW],
    });
    await session.load();
    const seen = session.current().generation;
    await expect(session.renew(seen)).rejects.toThrow('down');
    await session.renew(seen);
    expect(forcedFetches()).toBe(2);
    expect(session.credentials).toEqual(NEW);
  });
});
