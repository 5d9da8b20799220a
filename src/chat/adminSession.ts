/**
 * The admin's standing with the Chat API: the current credentials and the UserSig signed from them.
 * A re-sign class answer renews both once for everyone: concurrent records that hit the same expired or
 * rotated key share one forced secret fetch instead of stampeding Secrets Manager.
 */
import type { AdminCredentialsSource } from '../aws/adminCredentials.ts';
import type { AdminCredentials, AdminSession, SessionAuth } from '../erasure/ports.ts';
import type { AdminUserSigCache } from './adminUserSig.ts';

export class SignedAdminSession implements AdminSession {
  readonly #source: AdminCredentialsSource;
  readonly #userSigs: AdminUserSigCache;
  #credentials: AdminCredentials | undefined;
  #generation = 0;
  #renewal: Promise<void> | undefined;

  /**
   * @example
   * const session = new SignedAdminSession(secretsManagerCredentials({ secretId, maxAgeSeconds: 300 }),
   *   new AdminUserSigCache(3600));
   * await session.load(); // once per batch; cached by the source
   */
  constructor(source: AdminCredentialsSource, userSigs: AdminUserSigCache) {
    this.#source = source;
    this.#userSigs = userSigs;
  }

  /** Reads the (cached) credentials; throws AdminCredentialsUnavailableError. */
  async load(): Promise<AdminCredentials> {
    this.#credentials = await this.#source.get();
    return this.#credentials;
  }

  get credentials(): AdminCredentials {
    if (this.#credentials === undefined) throw new Error('SignedAdminSession.load() must run first');
    return this.#credentials;
  }

  current(): SessionAuth {
    const { sdkAppId, adminIdentifier } = this.credentials;
    return {
      auth: { sdkAppId, identifier: adminIdentifier, userSig: this.#userSigs.get(this.credentials) },
      generation: this.#generation,
    };
  }

  /**
   * Re-fetches the secret bypassing the cache and drops the UserSig, unless a renewal newer than
   * `seenGeneration` already happened (or is under way), in which case it just waits for that one.
   */
  async renew(seenGeneration: number): Promise<void> {
    if (seenGeneration < this.#generation) return;
    this.#renewal ??= (async () => {
      try {
        this.#userSigs.invalidate();
        this.#credentials = await this.#source.get({ forceFetch: true });
        // Only a renewal that got fresh credentials counts: after a failed one, any holder of the old
        // generation must still be able to try again.
        this.#generation++;
      } finally {
        this.#renewal = undefined;
      }
    })();
    await this.#renewal;
  }
}
