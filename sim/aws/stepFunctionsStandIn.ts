/**
 * A loopback Step Functions that answers the callback-pattern calls `SendTaskSuccess`, `SendTaskFailure`
 * and `SendTaskHeartbeat` in the AWS JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Action>`), so the
 * real `@aws-sdk/client-sfn` client reports receipts unmodified in tests, the chaos run and `npm start`.
 * A test makes a waiting task (`createTaskToken`), lets the code under test call back, and reads the
 * task's state; every call is logged, and faults are served on demand, first in first out.
 *
 * What Step Functions does, and this stand-in copies (API reference, SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat, unless a comment says otherwise):
 * - `taskToken` 1 to 2,048 characters, `output` at most 262,144 UTF-8 bytes, `error` at most 256 and
 *   `cause` at most 32,768 characters: else `ValidationException` (AWS's generic answer to a modelled
 *   length constraint);
 * - `output` that is not JSON: `InvalidOutput`;
 * - a token of a task that already succeeded, failed or timed out: `TaskTimedOut` ("The task token has
 *   either expired or the task associated with the token has already been closed"), with the message AWS
 *   gives, `Task Timed Out: 'Provided task does not exist anymore'`;
 * - a token Step Functions never issued: `TaskDoesNotExist` when it could be one, `InvalidToken` when it
 *   cannot (here: a character outside the base64 alphabet real tokens are written in).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import {
  AwsJsonError,
  closeHttpServer,
  listenOnLoopback,
  loopbackEndpoint,
  pushBounded,
  readAwsJsonBody,
  ScriptedFaults,
  STAND_IN_ACCOUNT_ID,
  STAND_IN_CREDENTIALS,
  sendAwsJson,
} from './awsWire.ts';

/** The operations the stand-in answers. */
export type TaskCallbackOperation = 'SendTaskSuccess' | 'SendTaskFailure' | 'SendTaskHeartbeat';

export const TASK_TOKEN_MAX_LENGTH = 2_048;
export const TASK_OUTPUT_MAX_BYTES = 262_144;
export const TASK_ERROR_MAX_LENGTH = 256;
export const TASK_CAUSE_MAX_LENGTH = 32_768;

const JSON_1_0 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';
const OPERATIONS: readonly TaskCallbackOperation[] = [
  'SendTaskSuccess',
  'SendTaskFailure',
  'SendTaskHeartbeat',
];
/** The largest valid call (256 KiB output, JSON-escaped) fits well below this. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/** Long runs (`npm start`, chaos) must not grow the call log without bound. */
const DEFAULT_LOG_LIMIT = 50_000;
/** Real task tokens are base64 text; one with any other character cannot be one. */
const TOKEN_FORMAT = /^[A-Za-z0-9+/=]+$/;

const taskTimedOutMessage = "Task Timed Out: 'Provided task does not exist anymore'";

const timesSchema = z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional();
const matchShape = {
  /** Only calls of this operation (default: any of the three). */
  operation: z.enum(OPERATIONS as [TaskCallbackOperation, ...TaskCallbackOperation[]]).optional(),
  /** How many matching calls this fault serves (default 1; `Infinity` for all). */
  times: timesSchema,
};

const faultSchema = z.discriminatedUnion('type', [
  /** `ThrottlingException`, HTTP 400: the SDK retries it (a throttling error code). */
  z.object({ type: z.literal('throttle'), ...matchShape }),
  /** `ServiceUnavailable`, HTTP 503: the SDK retries it (a transient status). */
  z.object({ type: z.literal('service-unavailable'), ...matchShape }),
  /** `InternalFailure`, HTTP 500: the SDK retries it. */
  z.object({ type: z.literal('internal'), ...matchShape }),
  /** `AccessDeniedException`, HTTP 400: not retried. */
  z.object({ type: z.literal('access-denied'), ...matchShape }),
  /** The token errors, forced whatever the task's state (which the call then leaves unchanged). */
  z.object({ type: z.literal('task-does-not-exist'), ...matchShape }),
  z.object({ type: z.literal('task-timed-out'), ...matchShape }),
  z.object({ type: z.literal('invalid-token'), ...matchShape }),
  z.object({ type: z.literal('invalid-output'), ...matchShape }),
  /** Any other AWS error answer. */
  z.object({
    type: z.literal('error'),
    code: z.string().min(1),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    ...matchShape,
  }),
  /** Takes the call and never answers (until `close()`): the client's timeout or abort must end it. */
  z.object({ type: z.literal('hang'), ...matchShape }),
  /** Destroys the connection without an answer (the SDK sees ECONNRESET / socket hang up, and retries). */
  z.object({ type: z.literal('reset'), ...matchShape }),
]);

/** A fault to inject, optionally for one operation; `times` (default 1) is how many calls it serves. */
export type StepFunctionsFault = z.input<typeof faultSchema>;

export type TaskStatus = 'waiting' | 'succeeded' | 'failed' | 'timed-out';

/** A task waiting for its token, or what ended it. */
export interface TaskView {
  token: string;
  status: TaskStatus;
  /** SendTaskSuccess `output`, as sent (JSON text). */
  output?: string;
  /** SendTaskFailure `error` and `cause`, as sent. */
  error?: string;
  cause?: string;
  /** Accepted SendTaskHeartbeat calls. */
  heartbeats: number;
}

/** One call, in arrival order. */
export interface TaskCall {
  /** The action named by `X-Amz-Target` (`SendTaskSuccess`, …). */
  operation: string;
  /** `X-Amz-Target` as sent (`AWSStepFunctions.SendTaskSuccess`, …). */
  target: string;
  /** `Content-Type` as sent. */
  contentType: string;
  /** The JSON body as sent (undefined when it was not a JSON object). */
  input: Record<string, unknown> | undefined;
  /** HTTP status answered; 0 when the connection was reset or never answered. */
  status: number;
  /** The AWS error code answered, if any. */
  errorCode?: string;
  /** The injected fault's type, when a fault served this call. */
  fault?: StepFunctionsFault['type'];
}

export interface StepFunctionsStandInOptions {
  /** Region of `client` (default `us-east-1`). */
  region?: string;
  /** How many calls are kept (the oldest half is dropped past it; default 50 000). */
  logLimit?: number;
}

export interface StepFunctionsStandIn {
  /** `http://127.0.0.1:PORT`: the `endpoint` option or `AWS_ENDPOINT_URL_SFN`. */
  readonly endpoint: string;
  readonly region: string;
  /** A real SDK client pointed at the stand-in (fake static credentials); destroyed by `close()`. */
  readonly client: SFNClient;
  /** A new waiting task; returns its token (base64 text, about the length of a real one). */
  createTaskToken(): string;
  /** Makes `token` (any 1 to 2,048 characters) a waiting task, e.g. one a test event carries. */
  registerTaskToken(token: string): void;
  /** The task of a token the stand-in issued or registered. */
  task(token: string): TaskView | undefined;
  /** Times the task out: every later call with its token answers `TaskTimedOut`. False if not waiting. */
  expireTask(token: string): boolean;
  /** Calls received (faults and refusals included), oldest first. */
  calls(): TaskCall[];
  clearCalls(): void;
  /** Queues a fault; the first queued fault that fits a call serves it. Throws on a malformed fault. */
  injectFault(fault: StepFunctionsFault): void;
  /** Faults not used up yet, with their remaining uses. */
  pendingFaults(): { fault: StepFunctionsFault; remaining: number }[];
  clearFaults(): void;
  /** Closes the server (hanging calls and keep-alive sockets are cut) and destroys `client`. */
  close(): Promise<void>;
}

const callSchema = z.object({
  taskToken: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

type CallInput = z.infer<typeof callSchema> & { taskToken: string };

/**
 * A constraint violation in AWS's (Coral) wording. All four members are sensitive in the Step Functions
 * model, so AWS leaves the value out (`Value at 'cause' …`); a missing member reads `Value null at …`.
 */
function constraintViolation(member: string, constraint: string, missing = false): string {
  return `Value ${missing ? 'null ' : ''}at '${member}' failed to satisfy constraint: Member must ${constraint}`;
}

/** The call's input, or the ValidationException / SerializationException AWS would answer for it. */
function parseCall(operation: TaskCallbackOperation, json: unknown): CallInput | AwsJsonError {
  const parsed = callSchema.safeParse(json);
  if (!parsed.success) {
    return new AwsJsonError('SerializationException', z.prettifyError(parsed.error));
  }
  const { taskToken, output, error, cause } = parsed.data;
  const violations: string[] = [];
  if (taskToken === undefined) {
    violations.push(constraintViolation('taskToken', 'not be null', true));
  } else if (taskToken.length < 1 || taskToken.length > TASK_TOKEN_MAX_LENGTH) {
    violations.push(constraintViolation('taskToken', `have length between 1 and ${TASK_TOKEN_MAX_LENGTH}`));
  }
  if (operation === 'SendTaskSuccess') {
    if (output === undefined) {
      violations.push(constraintViolation('output', 'not be null', true));
    } else if (Buffer.byteLength(output, 'utf8') > TASK_OUTPUT_MAX_BYTES) {
      violations.push(
        constraintViolation('output', `have length less than or equal to ${TASK_OUTPUT_MAX_BYTES}`),
      );
    }
  }
  if (operation === 'SendTaskFailure') {
    // Smithy lengths count Unicode code points, not UTF-16 units.
    if (error !== undefined && [...error].length > TASK_ERROR_MAX_LENGTH) {
      violations.push(
        constraintViolation('error', `have length less than or equal to ${TASK_ERROR_MAX_LENGTH}`),
      );
    }
    if (cause !== undefined && [...cause].length > TASK_CAUSE_MAX_LENGTH) {
      violations.push(
        constraintViolation('cause', `have length less than or equal to ${TASK_CAUSE_MAX_LENGTH}`),
      );
    }
  }
  if (violations.length > 0 || taskToken === undefined) {
    const count = violations.length;
    return new AwsJsonError(
      'ValidationException',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
    );
  }
  return { ...parsed.data, taskToken };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const forcedFailures = {
  throttle: () => new AwsJsonError('ThrottlingException', 'Rate exceeded'),
  'service-unavailable': () => new AwsJsonError('ServiceUnavailable', 'Service Unavailable', 503),
  internal: () => new AwsJsonError('InternalFailure', 'An internal error occurred.', 500),
  'task-does-not-exist': () => new AwsJsonError('TaskDoesNotExist', 'Task does not exist'),
  'task-timed-out': () => new AwsJsonError('TaskTimedOut', taskTimedOutMessage),
  'invalid-token': () => new AwsJsonError('InvalidToken', "Invalid Token: 'Invalid token'"),
  'invalid-output': () => new AwsJsonError('InvalidOutput', "Invalid Output: 'Invalid JSON'"),
} as const;

/**
 * Starts the stand-in on 127.0.0.1 (port 0).
 *
 * @example
 * const stepFunctions = await startStepFunctionsStandIn();
 * const taskToken = stepFunctions.createTaskToken();
 * process.env.AWS_ENDPOINT_URL_SFN = stepFunctions.endpoint;
 * // … run the code under test with an event carrying taskToken …
 * stepFunctions.task(taskToken); // { status: 'succeeded', output: '{"version":"1",…}', heartbeats: 0, … }
 * await stepFunctions.close();
 */
export async function startStepFunctionsStandIn(
  options: StepFunctionsStandInOptions = {},
): Promise<StepFunctionsStandIn> {
  const region = options.region ?? 'us-east-1';
  const logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  const tasks = new Map<string, TaskView>();
  const calls: TaskCall[] = [];
  const faults = new ScriptedFaults<StepFunctionsFault>();

  /** The call's effect on its task, or the token error AWS would answer. */
  const callBack = (operation: TaskCallbackOperation, input: CallInput): AwsJsonError | undefined => {
    const task = tasks.get(input.taskToken);
    if (task === undefined) {
      return TOKEN_FORMAT.test(input.taskToken)
        ? forcedFailures['task-does-not-exist']()
        : forcedFailures['invalid-token']();
    }
    if (task.status !== 'waiting') {
      return forcedFailures['task-timed-out']();
    }
    switch (operation) {
      case 'SendTaskSuccess':
        if (!isJson(input.output ?? '')) {
          return forcedFailures['invalid-output']();
        }
        task.status = 'succeeded';
        task.output = input.output;
        return undefined;
      case 'SendTaskFailure':
        task.status = 'failed';
        if (input.error !== undefined) task.error = input.error;
        if (input.cause !== undefined) task.cause = input.cause;
        return undefined;
      case 'SendTaskHeartbeat':
        task.heartbeats += 1;
        return undefined;
    }
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, call: TaskCall) => {
    const refuse = (failure: AwsJsonError) => {
      call.status = failure.status;
      call.errorCode = failure.code;
      sendAwsJson(res, failure.status, JSON_1_0, { __type: failure.code, message: failure.message });
    };
    const body = await readAwsJsonBody(req, refuse, MAX_REQUEST_BYTES);
    if (body === undefined) return;
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = new AwsJsonError('SerializationException', 'The request body is not JSON.');
    }
    if (
      json !== null &&
      typeof json === 'object' &&
      !Array.isArray(json) &&
      !(json instanceof AwsJsonError)
    ) {
      call.input = json as Record<string, unknown>;
    }
    const operation = OPERATIONS.find((name) => call.target === `${TARGET_PREFIX}${name}`);
    if (req.method !== 'POST' || operation === undefined) {
      refuse(
        new AwsJsonError(
          'UnknownOperationException',
          `The stand-in answers only ${OPERATIONS.join(', ')}, not ${call.target || req.method}`,
        ),
      );
      return;
    }
    // A fault wins over validation, as an outage or a throttle at the service's front door would.
    const fault = faults.take(
      (candidate) => candidate.operation === undefined || candidate.operation === operation,
    );
    if (fault !== undefined) {
      call.fault = fault.type;
      switch (fault.type) {
        case 'hang':
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'access-denied':
          refuse(
            new AwsJsonError(
              'AccessDeniedException',
              `User: arn:aws:sts::${STAND_IN_ACCOUNT_ID}:assumed-role/stand-in/chat-erasure is not authorized to perform: states:${operation} because no identity-based policy allows the states:${operation} action`,
            ),
          );
          return;
        case 'error':
          refuse(new AwsJsonError(fault.code, fault.message ?? `Injected ${fault.code}.`, fault.status));
          return;
        default:
          refuse(forcedFailures[fault.type]());
          return;
      }
    }
    const input = json instanceof AwsJsonError ? json : parseCall(operation, json);
    const failure = input instanceof AwsJsonError ? input : callBack(operation, input);
    if (failure !== undefined) {
      refuse(failure);
      return;
    }
    call.status = 200;
    // "If the action is successful, the service sends back an HTTP 200 response with an empty HTTP body";
    // JSON services answer an empty output as `{}`, which the SDK parses the same way.
    sendAwsJson(res, 200, JSON_1_0, {});
  };

  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const call: TaskCall = {
      operation: target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target,
      target,
      contentType: String(req.headers['content-type'] ?? ''),
      input: undefined,
      status: 0,
    };
    pushBounded(calls, call, logLimit);
    answer(req, res, call).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        call.status = 500;
        call.errorCode = 'InternalFailure';
        sendAwsJson(res, 500, JSON_1_0, { __type: 'InternalFailure', message: 'Stand-in failure.' });
      }
    });
  });
  await listenOnLoopback(server);
  const endpoint = loopbackEndpoint(server);
  const client = new SFNClient({ endpoint, region, credentials: { ...STAND_IN_CREDENTIALS } });

  const register = (token: string) => {
    if (token.length < 1 || token.length > TASK_TOKEN_MAX_LENGTH) {
      throw new Error(`a task token has 1 to ${TASK_TOKEN_MAX_LENGTH} characters, not ${token.length}`);
    }
    if (tasks.has(token)) {
      throw new Error('that task token is already registered');
    }
    tasks.set(token, { token, status: 'waiting', heartbeats: 0 });
  };

  return {
    endpoint,
    region,
    client,
    createTaskToken() {
      // Real tokens are base64 of an opaque, encrypted blob, several hundred characters long (AQ… prefix).
      const token = `AQ${randomBytes(480).toString('base64')}`;
      register(token);
      return token;
    },
    registerTaskToken(token) {
      register(token);
    },
    task(token) {
      const task = tasks.get(token);
      return task === undefined ? undefined : { ...task };
    },
    expireTask(token) {
      const task = tasks.get(token);
      if (task?.status !== 'waiting') {
        return false;
      }
      task.status = 'timed-out';
      return true;
    },
    calls() {
      return calls.map((call) => ({ ...call }));
    },
    clearCalls() {
      calls.length = 0;
    },
    injectFault(fault) {
      faults.push(faultSchema.parse(fault));
    },
    pendingFaults() {
      return faults.pending();
    },
    clearFaults() {
      faults.clear();
    },
    async close() {
      client.destroy();
      await closeHttpServer(server);
    },
  };
}
