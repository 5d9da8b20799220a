import {
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  type SFNClientConfig,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STAND_IN_CREDENTIALS } from '../../sim/aws/awsWire.ts';
import {
  type StepFunctionsStandIn,
  startStepFunctionsStandIn,
  TASK_CAUSE_MAX_LENGTH,
  TASK_ERROR_MAX_LENGTH,
  TASK_OUTPUT_MAX_BYTES,
  TASK_TOKEN_MAX_LENGTH,
} from '../../sim/aws/stepFunctionsStandIn.ts';
import { failure, withoutBackoff } from '../support/sdkCalls.ts';

let stepFunctions: StepFunctionsStandIn;
const extraClients: SFNClient[] = [];

const clientWith = (config: Partial<SFNClientConfig>) => {
  const client = new SFNClient({
    endpoint: stepFunctions.endpoint,
    region: 'us-east-1',
    credentials: { ...STAND_IN_CREDENTIALS },
    ...config,
  });
  extraClients.push(client);
  return client;
};

const detail = JSON.stringify({ version: '1', erasureId: 'e-1', outcome: 'erased' });

const succeed = (taskToken: string, output = detail, client = stepFunctions.client) =>
  client.send(new SendTaskSuccessCommand({ taskToken, output }));
const fail = (taskToken: string, error?: string, cause?: string, client = stepFunctions.client) =>
  client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
const heartbeat = (taskToken: string, client = stepFunctions.client) =>
  client.send(new SendTaskHeartbeatCommand({ taskToken }));

const rawCall = (target: string, body: string) =>
  fetch(stepFunctions.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body,
  });

beforeAll(async () => {
  stepFunctions = await startStepFunctionsStandIn();
});

afterEach(() => {
  vi.restoreAllMocks();
  stepFunctions.clearFaults();
  stepFunctions.clearCalls();
});

afterAll(async () => {
  for (const client of extraClients) {
    client.destroy();
  }
  await stepFunctions.close();
});

describe('the task lifecycle through the real SDK client', () => {
  it('makes waiting tasks with base64 tokens of a realistic length', () => {
    const token = stepFunctions.createTaskToken();
    expect(token).toMatch(/^AQ[A-Za-z0-9+/=]+$/);
    expect(token.length).toBeGreaterThan(500);
    expect(token.length).toBeLessThanOrEqual(TASK_TOKEN_MAX_LENGTH);
    expect(stepFunctions.task(token)).toEqual({ token, status: 'waiting', heartbeats: 0 });
    expect(stepFunctions.createTaskToken()).not.toBe(token);
  });

  it('SendTaskSuccess closes the task with its output (HTTP 200, empty output)', async () => {
    const token = stepFunctions.createTaskToken();
    const answer = await succeed(token);
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(Object.keys(answer)).toEqual(['$metadata']);
    expect(stepFunctions.task(token)).toMatchObject({ status: 'succeeded', output: detail, heartbeats: 0 });
    expect(JSON.parse(stepFunctions.task(token)?.output ?? '')).toMatchObject({ erasureId: 'e-1' });
  });

  it('receives what the SDK actually sends: JSON 1.0, AWSStepFunctions.<Action>, camelCase members', async () => {
    const token = stepFunctions.createTaskToken();
    await heartbeat(token);
    await fail(token, 'ChatErasure.chat-error', detail);
    expect(stepFunctions.calls()).toEqual([
      {
        operation: 'SendTaskHeartbeat',
        target: 'AWSStepFunctions.SendTaskHeartbeat',
        contentType: 'application/x-amz-json-1.0',
        input: { taskToken: token },
        status: 200,
      },
      {
        operation: 'SendTaskFailure',
        target: 'AWSStepFunctions.SendTaskFailure',
        contentType: 'application/x-amz-json-1.0',
        input: { taskToken: token, error: 'ChatErasure.chat-error', cause: detail },
        status: 200,
      },
    ]);
  });

  it('SendTaskFailure closes the task with error and cause (both optional)', async () => {
    const token = stepFunctions.createTaskToken();
    await fail(token, 'ChatErasure.dead-lettered', 'why');
    expect(stepFunctions.task(token)).toMatchObject({
      status: 'failed',
      error: 'ChatErasure.dead-lettered',
      cause: 'why',
    });
    const bare = stepFunctions.createTaskToken();
    await fail(bare);
    expect(stepFunctions.task(bare)).toEqual({ token: bare, status: 'failed', heartbeats: 0 });
  });

  it('SendTaskHeartbeat counts on a waiting task and leaves it waiting', async () => {
    const token = stepFunctions.createTaskToken();
    await heartbeat(token);
    await heartbeat(token);
    expect(stepFunctions.task(token)).toMatchObject({ status: 'waiting', heartbeats: 2 });
  });

  it('answers TaskTimedOut for every call on a task already closed (HTTP 400, not retried)', async () => {
    withoutBackoff();
    const client = clientWith({});
    const token = stepFunctions.createTaskToken();
    await succeed(token, '{"first":true}', client);
    for (const call of [
      succeed(token, detail, client),
      fail(token, 'x', 'y', client),
      heartbeat(token, client),
    ]) {
      const error = await failure(call);
      expect(error).toBeInstanceOf(TaskTimedOut);
      expect(error).toMatchObject({
        name: 'TaskTimedOut',
        message: "Task Timed Out: 'Provided task does not exist anymore'",
        $metadata: { httpStatusCode: 400, attempts: 1 },
      });
    }
    expect(stepFunctions.task(token)).toMatchObject({ status: 'succeeded', output: '{"first":true}' });
    expect(stepFunctions.calls()).toHaveLength(4);
  });

  it('answers TaskTimedOut once a task was expired', async () => {
    const token = stepFunctions.createTaskToken();
    expect(stepFunctions.expireTask(token)).toBe(true);
    expect(stepFunctions.expireTask(token)).toBe(false);
    expect(stepFunctions.expireTask('never-issued')).toBe(false);
    await expect(heartbeat(token)).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(succeed(token)).rejects.toBeInstanceOf(TaskTimedOut);
    expect(stepFunctions.task(token)).toMatchObject({ status: 'timed-out' });
  });

  it('answers TaskDoesNotExist for a token it never issued, InvalidToken for one that cannot be a token', async () => {
    const unknown = await failure(succeed('AQ3Vubm93bi10b2tlbg=='));
    expect(unknown).toBeInstanceOf(TaskDoesNotExist);
    expect(unknown.$metadata?.httpStatusCode).toBe(400);
    const malformed = await failure(heartbeat('not a token!'));
    expect(malformed).toBeInstanceOf(InvalidToken);
    expect(malformed).toMatchObject({
      name: 'InvalidToken',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
  });

  it('registers a token of any form, once', async () => {
    stepFunctions.registerTaskToken('token-from-a-test-event');
    await succeed('token-from-a-test-event');
    expect(stepFunctions.task('token-from-a-test-event')?.status).toBe('succeeded');
    expect(() => stepFunctions.registerTaskToken('token-from-a-test-event')).toThrow(/already registered/);
    expect(() => stepFunctions.registerTaskToken('')).toThrow(/1 to 2048/);
    expect(() => stepFunctions.registerTaskToken('x'.repeat(TASK_TOKEN_MAX_LENGTH + 1))).toThrow(/1 to 2048/);
  });
});

describe('validation as Step Functions does it', () => {
  it('refuses a token longer than 2,048 characters (ValidationException)', async () => {
    const error = await failure(heartbeat('A'.repeat(TASK_TOKEN_MAX_LENGTH + 1)));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({
      message:
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('accepts output of 262,144 UTF-8 bytes and refuses one byte more (ValidationException)', async () => {
    // 'é' is 2 bytes: a string under the limit in characters can be over it in bytes.
    const atLimit = `"${'é'.repeat((TASK_OUTPUT_MAX_BYTES - 2) / 2)}"`;
    expect(Buffer.byteLength(atLimit)).toBe(TASK_OUTPUT_MAX_BYTES);
    const token = stepFunctions.createTaskToken();
    const over = await failure(succeed(token, `"${'é'.repeat((TASK_OUTPUT_MAX_BYTES - 2) / 2)}x"`));
    expect(over).toBeInstanceOf(ValidationException);
    expect(over.message).toContain(
      "Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144",
    );
    expect(stepFunctions.task(token)?.status).toBe('waiting');
    await succeed(token, atLimit);
    expect(stepFunctions.task(token)?.status).toBe('succeeded');
  });

  it('refuses output that is not JSON (InvalidOutput) and leaves the task waiting', async () => {
    const token = stepFunctions.createTaskToken();
    const error = await failure(succeed(token, '{"unterminated"'));
    expect(error).toBeInstanceOf(InvalidOutput);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(stepFunctions.task(token)?.status).toBe('waiting');
    await succeed(token, '42');
    expect(stepFunctions.task(token)).toMatchObject({ status: 'succeeded', output: '42' });
  });

  it('bounds error to 256 and cause to 32,768 characters, counted in code points', async () => {
    const token = stepFunctions.createTaskToken();
    const both = await failure(
      fail(token, 'e'.repeat(TASK_ERROR_MAX_LENGTH + 1), 'c'.repeat(TASK_CAUSE_MAX_LENGTH + 1)),
    );
    expect(both).toBeInstanceOf(ValidationException);
    expect(both.message).toMatch(/^2 validation errors detected: Value at 'error' .*; Value at 'cause' /);
    expect(stepFunctions.task(token)?.status).toBe('waiting');
    // 256 emoji are 512 UTF-16 units but 256 code points: accepted.
    await fail(token, '🧹'.repeat(TASK_ERROR_MAX_LENGTH), 'c'.repeat(TASK_CAUSE_MAX_LENGTH));
    expect(stepFunctions.task(token)?.status).toBe('failed');
  });

  it('refuses a call without its required members, or with members of the wrong type', async () => {
    const noOutput = await rawCall('AWSStepFunctions.SendTaskSuccess', '{"taskToken":"abc"}');
    expect(noOutput.status).toBe(400);
    expect(await noOutput.json()).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
    });
    const noToken = await rawCall('AWSStepFunctions.SendTaskHeartbeat', '{}');
    expect(await noToken.json()).toMatchObject({ __type: 'ValidationException' });
    const wrongType = await rawCall('AWSStepFunctions.SendTaskHeartbeat', '{"taskToken":1}');
    expect(await wrongType.json()).toMatchObject({ __type: 'SerializationException' });
    const notJson = await rawCall('AWSStepFunctions.SendTaskHeartbeat', 'nope');
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('refuses other operations with UnknownOperationException', async () => {
    for (const target of ['AWSStepFunctions.StartExecution', 'SendTaskSuccess', 'AWSEvents.PutEvents']) {
      const response = await rawCall(target, '{}');
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    }
  });
});

describe('faults, and what the SDK retries', () => {
  it('throttles (ThrottlingException, HTTP 400): the default strategy tries 3 times, maxAttempts 1 once', async () => {
    withoutBackoff();
    const token = stepFunctions.createTaskToken();
    stepFunctions.injectFault({ type: 'throttle', times: 4 });
    const error = await failure(succeed(token, detail, clientWith({})));
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(stepFunctions.calls()).toHaveLength(3);
    await expect(succeed(token, detail, clientWith({ maxAttempts: 1 }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(stepFunctions.calls()).toHaveLength(4);
    expect(stepFunctions.task(token)?.status).toBe('waiting');
    await succeed(token);
    expect(stepFunctions.task(token)?.status).toBe('succeeded');
  });

  it('answers ServiceUnavailable (503) and InternalFailure (500), both retried; a retry that gets through succeeds', async () => {
    withoutBackoff();
    const client = clientWith({});
    const token = stepFunctions.createTaskToken();
    stepFunctions.injectFault({ type: 'service-unavailable' });
    stepFunctions.injectFault({ type: 'internal' });
    const answer = await succeed(token, detail, client);
    expect(answer.$metadata.attempts).toBe(3);
    expect(stepFunctions.calls().map((call) => [call.status, call.errorCode])).toEqual([
      [503, 'ServiceUnavailable'],
      [500, 'InternalFailure'],
      [200, undefined],
    ]);
    stepFunctions.injectFault({ type: 'internal', times: 3 });
    await expect(heartbeat(stepFunctions.createTaskToken(), client)).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
  });

  it('denies access with AccessDeniedException (HTTP 400), not retried', async () => {
    withoutBackoff();
    stepFunctions.injectFault({ type: 'access-denied', times: 3 });
    const error = await failure(heartbeat(stepFunctions.createTaskToken(), clientWith({})));
    expect(error).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(error.message).toContain('states:SendTaskHeartbeat');
  });

  it('forces the token errors without changing the task, for the chosen operation only', async () => {
    const token = stepFunctions.createTaskToken();
    stepFunctions.injectFault({ type: 'task-timed-out', operation: 'SendTaskSuccess' });
    stepFunctions.injectFault({ type: 'task-does-not-exist', operation: 'SendTaskFailure' });
    stepFunctions.injectFault({ type: 'invalid-token', operation: 'SendTaskHeartbeat' });
    stepFunctions.injectFault({ type: 'invalid-output' });
    await expect(heartbeat(token)).rejects.toBeInstanceOf(InvalidToken);
    await expect(fail(token, 'e')).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(succeed(token)).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(succeed(token)).rejects.toBeInstanceOf(InvalidOutput);
    expect(stepFunctions.task(token)).toEqual({ token, status: 'waiting', heartbeats: 0 });
    expect(stepFunctions.calls().map((call) => call.fault)).toEqual([
      'invalid-token',
      'task-does-not-exist',
      'task-timed-out',
      'invalid-output',
    ]);
    await succeed(token);
    expect(stepFunctions.task(token)?.status).toBe('succeeded');
  });

  it('answers any other AWS error on demand', async () => {
    stepFunctions.injectFault({ type: 'error', code: 'KmsThrottlingException', status: 400, message: 'kms' });
    await expect(succeed(stepFunctions.createTaskToken())).rejects.toMatchObject({
      name: 'KmsThrottlingException',
      message: 'kms',
    });
  });

  it('resets the connection: a network error, retried by the SDK', async () => {
    withoutBackoff();
    stepFunctions.injectFault({ type: 'reset', times: 2 });
    const token = stepFunctions.createTaskToken();
    const answer = await succeed(token, detail, clientWith({}));
    expect(answer.$metadata.attempts).toBe(3);
    expect(stepFunctions.calls().map((call) => call.status)).toEqual([0, 0, 200]);

    stepFunctions.injectFault({ type: 'reset' });
    const error = await failure(heartbeat(stepFunctions.createTaskToken(), clientWith({ maxAttempts: 1 })));
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('hangs until the request timeout (throwOnRequestTimeout) or an abort signal ends the call', async () => {
    stepFunctions.injectFault({ type: 'hang', times: 2 });
    const token = stepFunctions.createTaskToken();
    const client = clientWith({
      maxAttempts: 1,
      requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
    });
    await expect(heartbeat(token, client)).rejects.toMatchObject({ name: 'TimeoutError' });
    const aborted = await failure(
      stepFunctions.client.send(new SendTaskHeartbeatCommand({ taskToken: token }), {
        abortSignal: AbortSignal.timeout(100),
      }),
    );
    expect(aborted.name).toBe('AbortError');
    expect(stepFunctions.calls().map((call) => [call.fault, call.status])).toEqual([
      ['hang', 0],
      ['hang', 0],
    ]);
    expect(stepFunctions.task(token)?.heartbeats).toBe(0);
  });

  it('refuses a malformed fault', () => {
    expect(() =>
      stepFunctions.injectFault({ type: 'throttle', operation: 'StartExecution' } as never),
    ).toThrow();
    expect(() => stepFunctions.injectFault({ type: 'hang', times: -1 })).toThrow();
    expect(stepFunctions.pendingFaults()).toEqual([]);
  });
});

describe('wiring and shutdown', () => {
  it('is reached through AWS_ENDPOINT_URL_SFN by a client built without an endpoint', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SFN', stepFunctions.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', STAND_IN_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', STAND_IN_CREDENTIALS.secretAccessKey);
    const client = new SFNClient({});
    try {
      const token = stepFunctions.createTaskToken();
      await succeed(token, detail, client);
      expect(stepFunctions.task(token)?.status).toBe('succeeded');
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('close() releases a hanging call and resolves promptly', async () => {
    const own = await startStepFunctionsStandIn({ region: 'eu-west-1' });
    own.injectFault({ type: 'hang' });
    const pending = failure(
      own.client.send(new SendTaskHeartbeatCommand({ taskToken: own.createTaskToken() })),
    );
    await vi.waitFor(() => expect(own.calls()).toHaveLength(1));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
