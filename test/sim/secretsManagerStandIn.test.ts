import { getSecret, SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STAND_IN_CREDENTIALS } from '../../sim/aws/awsWire.ts';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../../sim/aws/secretsManagerStandIn.ts';

const adminSecret = (secretKey: string) =>
  JSON.stringify({ sdkAppId: 1400000000, adminIdentifier: 'administrator', secretKey });

let secrets: SecretsManagerStandIn;
const extraClients: SecretsManagerClient[] = [];

const clientWith = (maxAttempts: number) => {
  const client = new SecretsManagerClient({
    endpoint: secrets.endpoint,
    region: 'us-east-1',
    credentials: { ...STAND_IN_CREDENTIALS },
    maxAttempts,
  });
  extraClients.push(client);
  return client;
};

const rawCall = (target: string, body: string) =>
  fetch(secrets.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });

beforeAll(async () => {
  secrets = await startSecretsManagerStandIn();
});

afterEach(() => {
  secrets.setOutage(false);
});

afterAll(async () => {
  for (const client of extraClients) {
    client.destroy();
  }
  await secrets.close();
});

describe('GetSecretValue through the real SDK client', () => {
  it('answers by name with the documented fields and a Date CreatedDate', async () => {
    const stored = secrets.setSecret('by-name', adminSecret('k1'));
    const before = Date.now();
    const answer = await secrets.client.send(new GetSecretValueCommand({ SecretId: 'by-name' }));
    expect(answer.Name).toBe('by-name');
    expect(answer.ARN).toBe(stored.arn);
    expect(answer.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:by-name-[A-Za-z]{6}$/);
    expect(answer.VersionId).toBe(stored.versionId);
    expect(answer.SecretString).toBe(adminSecret('k1'));
    expect(answer.VersionStages).toEqual(['AWSCURRENT']);
    expect(answer.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs((answer.CreatedDate?.getTime() ?? 0) - before)).toBeLessThan(5_000);
  });

  it('resolves the full ARN and the partial ARN (without the random suffix) to the same secret', async () => {
    const stored = secrets.setSecret('by-arn', 'v');
    const full = await secrets.client.send(new GetSecretValueCommand({ SecretId: stored.arn }));
    const partial = await secrets.client.send(
      new GetSecretValueCommand({ SecretId: stored.arn.slice(0, -7) }),
    );
    expect(full.Name).toBe('by-arn');
    expect(partial.ARN).toBe(stored.arn);
    expect(secrets.requestCount('by-arn')).toBe(2);
  });

  it('makes a new version on every setSecret and keeps the previous one as AWSPREVIOUS', async () => {
    const first = secrets.setSecret('rotated', adminSecret('old'));
    const second = secrets.setSecret('rotated', adminSecret('new'));
    expect(second.versionId).not.toBe(first.versionId);
    expect(second.arn).toBe(first.arn);
    const current = await secrets.client.send(new GetSecretValueCommand({ SecretId: 'rotated' }));
    expect(current.SecretString).toBe(adminSecret('new'));
    const previous = await secrets.client.send(
      new GetSecretValueCommand({ SecretId: 'rotated', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ VersionId: first.versionId, VersionStages: ['AWSPREVIOUS'] });
    const byId = await secrets.client.send(
      new GetSecretValueCommand({ SecretId: 'rotated', VersionId: first.versionId }),
    );
    expect(byId.SecretString).toBe(adminSecret('old'));
  });

  it('answers ResourceNotFoundException (HTTP 400) for an unknown or deleted secret', async () => {
    await expect(
      secrets.client.send(new GetSecretValueCommand({ SecretId: 'never-set' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    secrets.setSecret('short-lived', 'x');
    expect(secrets.deleteSecret('short-lived')).toBe(true);
    expect(secrets.deleteSecret('short-lived')).toBe(false);
    await expect(
      secrets.client.send(new GetSecretValueCommand({ SecretId: 'short-lived' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('fails with InternalServiceError during an outage (the SDK retries it) and recovers after', async () => {
    secrets.setSecret('outage', 'v');
    const client = clientWith(2);
    secrets.setOutage(true);
    const before = secrets.requestCount('outage');
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'outage' }))).rejects.toMatchObject({
      name: 'InternalServiceError',
      $metadata: { httpStatusCode: 500 },
    });
    expect(secrets.requestCount('outage') - before).toBe(2);
    secrets.setOutage(false);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'outage' }))).resolves.toMatchObject({
      SecretString: 'v',
    });
  });

  it('resets connections in the reset outage mode', async () => {
    secrets.setSecret('reset', 'v');
    const client = clientWith(1);
    secrets.setOutage(true, 'reset');
    const error = await client
      .send(new GetSecretValueCommand({ SecretId: 'reset' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    expect(String((error as Error).message)).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('wire-level refusals', () => {
  it('refuses other operations with UnknownOperationException', async () => {
    const response = await rawCall('secretsmanager.PutSecretValue', '{"SecretId":"x"}');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses a body that is not JSON or lacks SecretId', async () => {
    const notJson = await rawCall('secretsmanager.GetSecretValue', 'nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
    const noId = await rawCall('secretsmanager.GetSecretValue', '{}');
    expect(noId.status).toBe(400);
    expect(await noId.json()).toMatchObject({ __type: 'InvalidParameterException' });
  });

  it('counts every GetSecretValue request, known or not', async () => {
    const total = secrets.requestCount();
    await rawCall('secretsmanager.GetSecretValue', '{"SecretId":"ghost"}');
    await rawCall('secretsmanager.GetSecretValue', '{"SecretId":"ghost"}');
    expect(secrets.requestCount('ghost')).toBe(2);
    expect(secrets.requestCount()).toBe(total + 2);
  });
});

describe('Powertools Parameters against the stand-in', () => {
  it('caches for maxAge, refetches on forceFetch, and transforms JSON', async () => {
    const provider = new SecretsProvider({ awsSdkV3Client: secrets.client });
    secrets.setSecret('powertools', adminSecret('first'));
    const first = await provider.get('powertools', { transform: 'json', maxAge: 300 });
    expect(first).toEqual({ sdkAppId: 1400000000, adminIdentifier: 'administrator', secretKey: 'first' });
    expect(secrets.requestCount('powertools')).toBe(1);

    secrets.setSecret('powertools', adminSecret('rotated'));
    const cached = await provider.get('powertools', { transform: 'json', maxAge: 300 });
    expect(cached).toMatchObject({ secretKey: 'first' });
    expect(secrets.requestCount('powertools')).toBe(1);

    const forced = await provider.get('powertools', { transform: 'json', maxAge: 300, forceFetch: true });
    expect(forced).toMatchObject({ secretKey: 'rotated' });
    expect(secrets.requestCount('powertools')).toBe(2);
  });

  it('refetches once maxAge has passed', async () => {
    const provider = new SecretsProvider({ awsSdkV3Client: secrets.client });
    secrets.setSecret('short-cache', adminSecret('a'));
    await provider.get('short-cache', { transform: 'json', maxAge: 1 });
    await provider.get('short-cache', { transform: 'json', maxAge: 1 });
    expect(secrets.requestCount('short-cache')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await provider.get('short-cache', { transform: 'json', maxAge: 1 });
    expect(secrets.requestCount('short-cache')).toBe(2);
  });

  it('reaches the stand-in through AWS_ENDPOINT_URL_SECRETS_MANAGER with an unmodified getSecret', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', STAND_IN_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', STAND_IN_CREDENTIALS.secretAccessKey);
    try {
      const stored = secrets.setSecret('via-env', adminSecret('env'));
      const value = await getSecret(stored.arn, { transform: 'json' });
      expect(value).toMatchObject({ secretKey: 'env' });
      expect(secrets.requestCount('via-env')).toBe(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
