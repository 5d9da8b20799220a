/**
 * A loopback Secrets Manager that answers `GetSecretValue` in the AWS JSON 1.1 protocol, so the real
 * `@aws-sdk/client-secrets-manager` client (and Powertools Parameters on top of it) can run unmodified in
 * tests, the chaos run and `npm start`. It also simulates an outage, and counts requests so tests can
 * prove what was cached. No emulator for Secrets Manager installs here (TOOLCHAIN.md).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import {
  AwsJsonError,
  closeHttpServer,
  listenOnLoopback,
  loopbackEndpoint,
  RequestTooLargeError,
  readRequestBody,
  STAND_IN_ACCOUNT_ID,
  STAND_IN_CREDENTIALS,
  sendAwsJson,
} from './awsWire.ts';

/**
 * How an outage looks to the client: an AWS 500 answer, a connection reset before any answer, or a
 * request accepted and never answered (`hang`, until the client gives up or the stand-in closes).
 */
export type SecretsOutageMode = 'error' | 'reset' | 'hang';

export interface SecretsManagerStandInOptions {
  /** Region in the secrets' ARNs and of `client` (default `us-east-1`). */
  region?: string;
}

/** What `setSecret` stored: the ARN is stable for the secret's life, the version id is new each time. */
export interface StoredSecret {
  name: string;
  arn: string;
  versionId: string;
}

export interface SecretsManagerStandIn {
  /** `http://127.0.0.1:PORT`: the `endpoint` option or `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  readonly region: string;
  /** A real SDK client pointed at the stand-in (fake static credentials); destroyed by `close()`. */
  readonly client: SecretsManagerClient;
  /** Creates the secret or puts a new current version (the old one becomes AWSPREVIOUS). */
  setSecret(name: string, secretString: string): StoredSecret;
  /** Removes the secret at once (like ForceDeleteWithoutRecovery); false when there was none. */
  deleteSecret(name: string): boolean;
  /** While on, every request fails like an unavailable service (`error`: HTTP 500, `reset`/`hang`: no answer). */
  setOutage(on: boolean, mode?: SecretsOutageMode): void;
  /** GetSecretValue requests received (outage and not-found included), for one secret or in total. */
  requestCount(name?: string): number;
  close(): Promise<void>;
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const GET_SECRET_VALUE_TARGET = 'secretsmanager.GetSecretValue';

const getSecretValueRequestSchema = z.object({
  SecretId: z.string().min(1).max(2048),
  VersionId: z.string().min(32).max(64).optional(),
  VersionStage: z.string().min(1).max(256).optional(),
});

type GetSecretValueRequest = z.infer<typeof getSecretValueRequestSchema>;

interface SecretVersion {
  versionId: string;
  secretString: string;
  createdDate: number;
}

interface SecretRecord {
  name: string;
  arn: string;
  /** Oldest first; the last one is AWSCURRENT, the one before it AWSPREVIOUS. */
  versions: SecretVersion[];
}

const secretNotFound = () =>
  new AwsJsonError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

/** The request, or the refusal AWS would answer for it (returned, so that an outage still wins). */
function parseGetSecretValueRequest(body: Buffer): GetSecretValueRequest | AwsJsonError {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return new AwsJsonError('SerializationException', 'The request body is not JSON.');
  }
  const parsed = getSecretValueRequestSchema.safeParse(json);
  return parsed.success
    ? parsed.data
    : new AwsJsonError('InvalidParameterException', `Invalid request: ${z.prettifyError(parsed.error)}`);
}

/** The random 6-character suffix AWS appends to a secret's name in its ARN. */
function arnSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * Starts the stand-in on 127.0.0.1 (port 0).
 *
 * @example
 * const secrets = await startSecretsManagerStandIn();
 * secrets.setSecret('chat-admin', JSON.stringify({ sdkAppId: 1400000000, adminIdentifier: 'administrator', secretKey: 'k' }));
 * process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
 * // … run the code under test …
 * await secrets.close();
 */
export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions = {},
): Promise<SecretsManagerStandIn> {
  const region = options.region ?? 'us-east-1';
  const secrets = new Map<string, SecretRecord>();
  const requestsBySecret = new Map<string, number>();
  let totalRequests = 0;
  let outage: SecretsOutageMode | undefined;

  const findSecret = (secretId: string): SecretRecord | undefined => {
    if (!secretId.startsWith('arn:')) {
      return secrets.get(secretId);
    }
    // A full ARN, or a partial one without the random suffix (both accepted by AWS).
    for (const secret of secrets.values()) {
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) {
        return secret;
      }
    }
    return undefined;
  };

  const getSecretValue = (input: GetSecretValueRequest) => {
    const secret = findSecret(input.SecretId);
    if (!secret) {
      throw secretNotFound();
    }
    const current = secret.versions.length - 1;
    const index =
      input.VersionId !== undefined
        ? secret.versions.findIndex((version) => version.versionId === input.VersionId)
        : input.VersionStage === undefined || input.VersionStage === 'AWSCURRENT'
          ? current
          : input.VersionStage === 'AWSPREVIOUS'
            ? current - 1
            : -1;
    const version = secret.versions[index];
    const stages = index === current ? ['AWSCURRENT'] : index === current - 1 ? ['AWSPREVIOUS'] : [];
    if (!version || (input.VersionStage !== undefined && !stages.includes(input.VersionStage))) {
      throw secretNotFound();
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: stages,
      CreatedDate: version.createdDate,
    };
  };

  const countRequest = (input: GetSecretValueRequest | AwsJsonError) => {
    totalRequests += 1;
    if (!(input instanceof AwsJsonError)) {
      const key = findSecret(input.SecretId)?.name ?? input.SecretId;
      requestsBySecret.set(key, (requestsBySecret.get(key) ?? 0) + 1);
    }
  };

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readRequestBody(req);
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== GET_SECRET_VALUE_TARGET) {
      throw new AwsJsonError(
        'UnknownOperationException',
        `The stand-in answers only ${GET_SECRET_VALUE_TARGET}, not ${String(target ?? req.method)}`,
      );
    }
    const input = parseGetSecretValueRequest(body);
    countRequest(input);
    if (outage === 'reset') {
      req.socket.destroy();
      return;
    }
    if (outage === 'hang') return;
    if (outage === 'error') {
      throw new AwsJsonError('InternalServiceError', 'An error occurred on the server side.', 500);
    }
    if (input instanceof AwsJsonError) {
      throw input;
    }
    sendAwsJson(res, 200, JSON_1_1, getSecretValue(input));
  };

  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        return;
      }
      const failure =
        error instanceof AwsJsonError
          ? error
          : error instanceof RequestTooLargeError
            ? new AwsJsonError('InvalidRequestException', error.message)
            : new AwsJsonError('InternalServiceError', 'An error occurred on the server side.', 500);
      sendAwsJson(res, failure.status, JSON_1_1, { __type: failure.code, message: failure.message });
    });
  });
  await listenOnLoopback(server);
  const endpoint = loopbackEndpoint(server);
  const client = new SecretsManagerClient({ endpoint, region, credentials: { ...STAND_IN_CREDENTIALS } });

  return {
    endpoint,
    region,
    client,
    setSecret(name, secretString) {
      const existing = secrets.get(name);
      const secret = existing ?? {
        name,
        arn: `arn:aws:secretsmanager:${region}:${STAND_IN_ACCOUNT_ID}:secret:${name}-${arnSuffix()}`,
        versions: [],
      };
      const version = { versionId: randomUUID(), secretString, createdDate: Date.now() / 1000 };
      secret.versions.push(version);
      secrets.set(name, secret);
      return { name, arn: secret.arn, versionId: version.versionId };
    },
    deleteSecret(name) {
      return secrets.delete(name);
    },
    setOutage(on, mode = 'error') {
      outage = on ? mode : undefined;
    },
    requestCount(name) {
      return name === undefined ? totalRequests : (requestsBySecret.get(name) ?? 0);
    },
    async close() {
      client.destroy();
      await closeHttpServer(server);
    },
  };
}
