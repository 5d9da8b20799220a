/**
 * The webhook signing keys: the Secrets Manager secret `INGRESS_SECRET_ID`, a SecretString
 * `{ "signingKeys": ["<current>", "<previous>"] }` (a non-empty array of non-empty strings), read through
 * Powertools Parameters, which caches it for SECRET_MAX_AGE_SECONDS (as the erasure function reads its
 * Chat secret).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { awsClientOptions } from '../aws/awsClientOptions.ts';
import { SigningKeysUnavailableError } from './errors.ts';

/** Where the keys come from (the ingress core depends on this, tests pass their own). */
export interface SigningKeysSource {
  /** The keys, first the current one; rejects with SigningKeysUnavailableError. */
  get(): Promise<readonly string[]>;
}

const signingSecretSchema = z.object({
  signingKeys: z.array(z.string().min(1)).min(1),
});

/**
 * Parses a SecretString; errors name the field at fault, never a value.
 * @example
 * parseSigningKeys('{"signingKeys":["k2","k1"]}'); // ['k2', 'k1']
 */
export function parseSigningKeys(secretString: unknown): readonly string[] {
  if (typeof secretString !== 'string') {
    throw new SigningKeysUnavailableError('the signing secret has no SecretString');
  }
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new SigningKeysUnavailableError('the signing secret is not JSON');
  }
  const parsed = signingSecretSchema.safeParse(json);
  if (!parsed.success) {
    throw new SigningKeysUnavailableError(
      'the signing secret does not match the contract: check signingKeys',
    );
  }
  return parsed.data.signingKeys;
}

/**
 * @example
 * const keys = secretsManagerSigningKeys({ secretId: 'chat-erasure/ingress', maxAgeSeconds: 300 });
 * const [current] = await keys.get();
 */
export function secretsManagerSigningKeys(options: {
  secretId: string;
  maxAgeSeconds: number;
  provider?: SecretsProvider;
}): SigningKeysSource {
  const provider = options.provider ?? new SecretsProvider({ clientConfig: awsClientOptions() });
  let lastText: string | undefined;
  let lastKeys: readonly string[] | undefined;
  return {
    async get() {
      let secretString: unknown;
      try {
        secretString = await provider.get(options.secretId, { maxAge: options.maxAgeSeconds });
      } catch (error) {
        // SDK errors carry the secret's name and the service's words, never the value.
        const why = error instanceof Error ? error.name : 'unknown error';
        throw new SigningKeysUnavailableError(`Secrets Manager could not be read (${why})`);
      }
      // The cache hands back the same text until it expires: parse it once.
      if (typeof secretString === 'string' && secretString === lastText && lastKeys !== undefined)
        return lastKeys;
      const keys = parseSigningKeys(secretString);
      lastText = secretString as string;
      lastKeys = keys;
      return keys;
    },
  };
}
