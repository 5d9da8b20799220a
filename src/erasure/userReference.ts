/**
 * How a userId appears in logs (DESIGN.md `LOG_USER_ID`). The default is a keyed pseudonym: stable enough
 * to follow one account through the logs, useless to anyone without the admin secret key, and it changes
 * when the key rotates (so old logs cannot be joined with new ones after a rotation).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import type { UserIdDisplay } from '../configuration.ts';

// Domain separation: the pseudonym key is derived from, never equal to, the Chat signing key.
const PSEUDONYM_KEY_LABEL = 'chat-erasure/log-user-pseudonym/v1';

const MAX_PLAIN_CHARS = 64;

export type UserReference = (userId: string) => string | undefined;

/**
 * @param secretKey the Chat admin secret key; needed only for `pseudonym`. Without it (the secret could not
 *   be read) a pseudonym cannot be made and the user is left out of the log line.
 * @example
 * const user = userReferenceFor('pseudonym', credentials.secretKey)('user_42'); // e.g. '3f9a0c2d6b1e4a77'
 */
export function userReferenceFor(mode: UserIdDisplay, secretKey: string | undefined): UserReference {
  switch (mode) {
    case 'plain':
      // A refused userId can be as long as the message body; a log line needs only its start.
      return (userId) => (userId.length > MAX_PLAIN_CHARS ? `${userId.slice(0, MAX_PLAIN_CHARS)}…` : userId);
    case 'omit':
      return () => undefined;
    case 'pseudonym': {
      if (secretKey === undefined) return () => undefined;
      // A KeyObject made once is several times cheaper per HMAC than a raw key buffer.
      const key = createSecretKey(createHmac('sha256', secretKey).update(PSEUDONYM_KEY_LABEL).digest());
      return (userId) => createHmac('sha256', key).update(userId, 'utf8').digest('hex').slice(0, 16);
    }
  }
}
