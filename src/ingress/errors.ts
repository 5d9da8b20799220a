/**
 * The errors the webhook ingress raises on purpose. Like every chat-erasure error they extend
 * ChatErasureError, and no message holds a signing key, a signature or a body.
 */
import { ChatErasureError } from '../errors.ts';

/**
 * The signing keys could not be read from Secrets Manager, or the secret does not hold
 * `{ "signingKeys": [<non-empty strings>] }`: the ingress answers 503 (the keys are needed to check a
 * signature, and an operator can fix the secret).
 * @example
 * throw new SigningKeysUnavailableError('the secret does not match the contract: check signingKeys');
 */
export class SigningKeysUnavailableError extends ChatErasureError {
  override readonly name = 'SigningKeysUnavailableError';
}
