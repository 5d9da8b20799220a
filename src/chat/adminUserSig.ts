/**
 * The admin UserSig, signed once and reused until shortly before it expires (DESIGN.md: re-signed once
 * less than min(300 s, TTL/10) remains). Signing per request would cost CPU on the hot path for nothing.
 */
import type { AdminCredentials } from '../erasure/ports.ts';
import { signUserSig } from './userSig.ts';

interface CachedUserSig {
  credentials: AdminCredentials;
  userSig: string;
  expiresAtSeconds: number;
}

export class AdminUserSigCache {
  readonly #ttlSeconds: number;
  readonly #renewMarginSeconds: number;
  readonly #nowSeconds: () => number;
  #cached: CachedUserSig | undefined;
  #signatures = 0;

  /**
   * @example
   * const userSigs = new AdminUserSigCache(3600);
   * const userSig = userSigs.get(credentials);
   */
  constructor(ttlSeconds: number, nowSeconds: () => number = () => Date.now() / 1000) {
    this.#ttlSeconds = ttlSeconds;
    this.#renewMarginSeconds = Math.min(300, ttlSeconds / 10);
    this.#nowSeconds = nowSeconds;
  }

  /** How many UserSigs this cache has signed (the benchmark reports it). */
  get signatures(): number {
    return this.#signatures;
  }

  /** A valid UserSig for these credentials; a different app, admin or key gets its own signature. */
  get(credentials: AdminCredentials): string {
    const now = this.#nowSeconds();
    const cached = this.#cached;
    if (
      cached !== undefined &&
      cached.credentials.sdkAppId === credentials.sdkAppId &&
      cached.credentials.adminIdentifier === credentials.adminIdentifier &&
      cached.credentials.secretKey === credentials.secretKey &&
      cached.expiresAtSeconds - now >= this.#renewMarginSeconds
    ) {
      return cached.userSig;
    }
    const nowSeconds = Math.floor(now);
    const userSig = signUserSig({
      sdkAppId: credentials.sdkAppId,
      secretKey: credentials.secretKey,
      identifier: credentials.adminIdentifier,
      expireSeconds: this.#ttlSeconds,
      nowSeconds,
    });
    this.#signatures++;
    this.#cached = { credentials, userSig, expiresAtSeconds: nowSeconds + this.#ttlSeconds };
    return userSig;
  }

  /** Drops the cached UserSig (after a re-sign class answer), so the next call signs afresh. */
  invalidate(): void {
    this.#cached = undefined;
  }
}
