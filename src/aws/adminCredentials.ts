/**
 * The Chat admin credentials, read from Secrets Manager through Powertools Parameters (which caches them
 * for SECRET_MAX_AGE_SECONDS) and validated against the secret contract of DESIGN.md.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import type { AdminCredentials } from '../erasure/ports.ts';
import { AdminCredentialsUnavailableError } from '../errors.ts';
import { awsClientOptions } from './awsClientOptions.ts';

/** Where credentials come from; `forceFetch` bypasses any cache (after a re-sign class answer). */
export interface AdminCredentialsSource {
  get(options?: { forceFetch?: boolean }): Promise<AdminCredentials>;
}

const sdkAppIdSchema = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .transform(Number)
    .refine(Number.isSafeInteger),
]);

const adminSecretSchema = z.object({
  sdkAppId: sdkAppIdSchema,
  adminIdentifier: z.string().min(1),
  secretKey: z.string().min(1),
});

/** Parses a SecretString; errors name the field at fault, never a value. */
export function parseAdminSecret(secretString: unknown): AdminCredentials {
  if (typeof secretString !== 'string') {
    throw new AdminCredentialsUnavailableError('the secret has no SecretString');
  }
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new AdminCredentialsUnavailableError('the SecretString is not JSON');
  }
  const parsed = adminSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new AdminCredentialsUnavailableError(
      `the secret does not match the contract: check ${fields.join(', ')}`,
    );
  }
  return parsed.data;
}

/**
 * @example
 * const credentials = secretsManagerCredentials({ secretId: 'chat-admin', maxAgeSeconds: 300 });
 * const { sdkAppId, adminIdentifier, secretKey } = await credentials.get();
 */
export function secretsManagerCredentials(options: {
  secretId: string;
  maxAgeSeconds: number;
  provider?: SecretsProvider;
}): AdminCredentialsSource {
  const provider = options.provider ?? new SecretsProvider({ clientConfig: awsClientOptions() });
  return {
    async get({ forceFetch = false } = {}) {
      let secretString: unknown;
      try {
        secretString = await provider.get(options.secretId, { maxAge: options.maxAgeSeconds, forceFetch });
      } catch (error) {
        // SDK errors carry the secret's name and the service's words, never the value.
        const why = error instanceof Error ? error.name : 'unknown error';
        throw new AdminCredentialsUnavailableError(`Secrets Manager could not be read (${why})`);
      }
      return parseAdminSecret(secretString);
    },
  };
}
