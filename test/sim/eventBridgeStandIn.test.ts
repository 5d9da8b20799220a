import {
  EventBridgeClient,
  type EventBridgeClientConfig,
  InternalException,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STAND_IN_CREDENTIALS } from '../../sim/aws/awsWire.ts';
import {
  type EventBridgeStandIn,
  PUT_EVENTS_ENTRY_SIZE_LIMIT,
  putEventsEntrySize,
  startEventBridgeStandIn,
} from '../../sim/aws/eventBridgeStandIn.ts';
import { failure, withoutBackoff } from '../support/sdkCalls.ts';

let eventBridge: EventBridgeStandIn;
const extraClients: EventBridgeClient[] = [];

const clientWith = (config: Partial<EventBridgeClientConfig>) => {
  const client = new EventBridgeClient({
    endpoint: eventBridge.endpoint,
    region: 'us-east-1',
    credentials: { ...STAND_IN_CREDENTIALS },
    ...config,
  });
  extraClients.push(client);
  return client;
};

const receipt = (n: number, extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'chat-erasure',
  DetailType: 'Chat Erasure Completed',
  Detail: JSON.stringify({ version: '1', erasureId: `e-${n}`, outcome: 'erased' }),
  ...extra,
});

const put = (entries: PutEventsRequestEntry[], client = eventBridge.client) =>
  client.send(new PutEventsCommand({ Entries: entries }));

const rawCall = (target: string, body: string) =>
  fetch(eventBridge.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });

beforeAll(async () => {
  eventBridge = await startEventBridgeStandIn();
  eventBridge.createBus('erasure-receipts');
});

afterEach(() => {
  vi.restoreAllMocks();
  eventBridge.clearFaults();
  eventBridge.clear();
});

afterAll(async () => {
  for (const client of extraClients) {
    client.destroy();
  }
  await eventBridge.close();
});

describe('PutEvents through the real SDK client', () => {
  it('accepts entries, answers an EventId per entry in order, and records them per bus', async () => {
    const time = new Date('2026-11-25T10:00:07.120Z');
    const before = Date.now();
    const answer = await put([
      receipt(1),
      receipt(2, { EventBusName: 'erasure-receipts', Time: time, Resources: ['arn:aws:sqs:us-east-1:1:q'] }),
      receipt(3, { EventBusName: eventBridge.busArn('erasure-receipts'), TraceHeader: 'Root=1-abc' }),
    ]);
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toHaveLength(3);
    for (const entry of answer.Entries ?? []) {
      expect(entry.EventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(entry.ErrorCode).toBeUndefined();
    }
    expect(answer.$metadata.httpStatusCode).toBe(200);

    const onDefault = eventBridge.events({ bus: 'default' });
    expect(onDefault).toHaveLength(1);
    expect(onDefault[0]).toMatchObject({
      eventId: answer.Entries?.[0]?.EventId,
      source: 'chat-erasure',
      detailType: 'Chat Erasure Completed',
      detail: { version: '1', erasureId: 'e-1', outcome: 'erased' },
      resources: [],
    });
    expect(Date.parse(onDefault[0]?.time ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(onDefault[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const onReceipts = eventBridge.events({ bus: 'erasure-receipts' });
    expect(onReceipts.map((event) => event.detail.erasureId)).toEqual(['e-2', 'e-3']);
    expect(onReceipts[0]).toMatchObject({
      eventId: answer.Entries?.[1]?.EventId,
      time: '2026-11-25T10:00:07Z',
      resources: ['arn:aws:sqs:us-east-1:1:q'],
    });
    expect(onReceipts[1]).toMatchObject({ bus: 'erasure-receipts', traceHeader: 'Root=1-abc' });
    expect(eventBridge.events()).toHaveLength(3);
  });

  it('receives what the SDK actually sends: JSON 1.1, AWSEvents.PutEvents, PascalCase fields, Time in epoch seconds', async () => {
    await put([receipt(1, { EventBusName: 'erasure-receipts', Time: new Date('2026-11-25T10:00:00Z') })]);
    const [call] = eventBridge.calls();
    expect(call).toMatchObject({
      target: 'AWSEvents.PutEvents',
      contentType: 'application/x-amz-json-1.1',
      status: 200,
      failedEntryCount: 0,
    });
    expect(call?.input).toEqual({
      Entries: [
        {
          Source: 'chat-erasure',
          DetailType: 'Chat Erasure Completed',
          Detail: receipt(1).Detail,
          EventBusName: 'erasure-receipts',
          Time: Date.parse('2026-11-25T10:00:00Z') / 1000,
        },
      ],
    });
  });

  it('is reached through AWS_ENDPOINT_URL_EVENTBRIDGE by a client built without an endpoint', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', eventBridge.endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', STAND_IN_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', STAND_IN_CREDENTIALS.secretAccessKey);
    const client = new EventBridgeClient({});
    try {
      const answer = await put([receipt(1)], client);
      expect(answer.FailedEntryCount).toBe(0);
      expect(eventBridge.requestCount()).toBe(1);
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
    }
  });
});

describe('validation as EventBridge does it', () => {
  it('refuses no entries and more than 10 entries whole (ValidationException, HTTP 400, not retried)', async () => {
    const none = await failure(put([]));
    expect(none).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(none.message).toContain('Member must have length greater than or equal to 1');
    const eleven = await failure(put(Array.from({ length: 11 }, (_, n) => receipt(n))));
    expect(eleven).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(eleven.message).toBe(
      "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
    expect(eventBridge.requestCount()).toBe(2);
    expect(eventBridge.events()).toEqual([]);
    await expect(put(Array.from({ length: 10 }, (_, n) => receipt(n)))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
  });

  it('counts entry size as documented (Time 14 bytes, UTF-8 bytes of Source, DetailType, Detail, Resources)', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}' })).toBe(2 + 2 + 8);
    expect(putEventsEntrySize({ Time: 0, Source: 's', Resources: ['r1', 'r22'] })).toBe(14 + 1 + 2 + 3);
    expect(putEventsEntrySize({})).toBe(0);
    expect(
      putEventsEntrySize({ Source: 'chat-erasure', DetailType: 'Chat Erasure Completed', Detail: '{}' }),
    ).toBe(36);
  });

  it('refuses a request whose entries total 256 KiB or more, and accepts one byte less', async () => {
    const fixed = putEventsEntrySize(receipt(0, { Detail: '{"p":""}', Time: new Date(0) }));
    const sized = (total: number) =>
      receipt(0, {
        Detail: `{"p":"${'é'.repeat((total - fixed) / 2)}${'x'.repeat((total - fixed) % 2)}"}`,
        Time: new Date(0),
      });
    const justUnder = sized(PUT_EVENTS_ENTRY_SIZE_LIMIT - 1);
    expect(putEventsEntrySize(justUnder)).toBe(PUT_EVENTS_ENTRY_SIZE_LIMIT - 1);
    await expect(put([justUnder])).resolves.toMatchObject({ FailedEntryCount: 0 });

    const atLimit = sized(PUT_EVENTS_ENTRY_SIZE_LIMIT);
    const error = await failure(put([atLimit]));
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
      $metadata: { httpStatusCode: 400 },
    });
    // The limit is on the request: two entries of half the size each fail together.
    const half = sized(PUT_EVENTS_ENTRY_SIZE_LIMIT / 2);
    await expect(put([half, half])).rejects.toMatchObject({ name: 'ValidationException' });
    expect(eventBridge.events()).toHaveLength(1);
  });

  it('refuses an EventBusName that is neither a bus name nor a bus ARN', async () => {
    const error = await failure(put([receipt(1, { EventBusName: 'no spaces allowed' })]));
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toContain("at 'entries.1.member.eventBusName' failed to satisfy constraint");
  });

  it('fails an entry without Source, DetailType or Detail, or with a Detail that is not a JSON object, alone and in order', async () => {
    const answer = await put([
      receipt(1),
      receipt(2, { Source: undefined }),
      receipt(3, { DetailType: '' }),
      receipt(4, { Detail: undefined }),
      receipt(5, { Detail: 'not json' }),
      receipt(6, { Detail: '[1,2]' }),
      receipt(7),
    ]);
    expect(answer.FailedEntryCount).toBe(5);
    expect(answer.Entries?.map((entry) => entry.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ok',
    ]);
    expect(answer.Entries?.[1]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(answer.Entries?.[3]?.ErrorMessage).toBe(
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
    expect(answer.Entries?.[4]?.ErrorMessage).toBe('Detail is malformed.');
    expect(eventBridge.events().map((event) => event.detail.erasureId)).toEqual(['e-1', 'e-7']);
  });
});

describe('event buses', () => {
  it('accepts and drops an entry for a bus that does not exist, as AWS does', async () => {
    const answer = await put([
      receipt(1, { EventBusName: 'no-such-bus' }),
      receipt(2, { EventBusName: 'arn:aws:events:eu-west-1:000000000000:event-bus/erasure-receipts' }),
    ]);
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.every((entry) => entry.EventId !== undefined)).toBe(true);
    expect(eventBridge.events()).toEqual([]);
    expect(eventBridge.droppedEvents().map((event) => event.bus)).toEqual([
      'no-such-bus',
      'arn:aws:events:eu-west-1:000000000000:event-bus/erasure-receipts',
    ]);
  });

  it('creates and deletes buses; the default bus stays', async () => {
    expect(eventBridge.createBus('short-lived')).toBe(
      'arn:aws:events:us-east-1:000000000000:event-bus/short-lived',
    );
    await put([receipt(1, { EventBusName: 'short-lived' })]);
    expect(eventBridge.events({ bus: 'short-lived' })).toHaveLength(1);
    expect(eventBridge.deleteBus('short-lived')).toBe(true);
    expect(eventBridge.deleteBus('default')).toBe(false);
    await put([receipt(2, { EventBusName: 'short-lived' })]);
    expect(eventBridge.events({ bus: 'short-lived' })).toHaveLength(1);
    expect(eventBridge.droppedEvents()).toHaveLength(1);
    expect(() => eventBridge.createBus('bad name')).toThrow(/not an event bus name/);
  });
});

describe('whole-request faults, and what the SDK retries', () => {
  it('throttles with ThrottlingException (HTTP 400): the default strategy tries 3 times, maxAttempts 1 once', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'throttle', times: Number.POSITIVE_INFINITY });
    const error = await failure(put([receipt(1)], clientWith({})));
    expect(error).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(eventBridge.requestCount()).toBe(3);

    eventBridge.clear();
    await expect(put([receipt(1)], clientWith({ maxAttempts: 1 }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(eventBridge.requestCount()).toBe(1);
    expect(eventBridge.events()).toEqual([]);
  });

  it('serves a fault `times` requests, then answers normally (a retry gets through)', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'throttle', times: 2 });
    const answer = await put([receipt(1)], clientWith({}));
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.$metadata.attempts).toBe(3);
    expect(eventBridge.calls().map((call) => call.fault ?? call.status)).toEqual([
      'throttle',
      'throttle',
      200,
    ]);
    expect(eventBridge.pendingFaults()).toEqual([]);
  });

  it('fails with InternalException (HTTP 500), which the SDK retries', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'internal', times: 3 });
    const error = await failure(put([receipt(1)], clientWith({})));
    expect(error).toBeInstanceOf(InternalException);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
    expect(eventBridge.requestCount()).toBe(3);
  });

  it('denies access and refuses validation with HTTP 400, neither retried', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'access-denied' });
    eventBridge.injectFault({ type: 'validation', message: 'nope' });
    const client = clientWith({});
    const denied = await failure(put([receipt(1)], client));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect(denied.message).toContain('is not authorized to perform: events:PutEvents');
    await expect(put([receipt(1)], client)).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'nope',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(eventBridge.requestCount()).toBe(2);
  });

  it('answers any other AWS error on demand', async () => {
    eventBridge.injectFault({ type: 'error', code: 'ServiceUnavailable', status: 503, message: 'down' });
    await expect(put([receipt(1)], clientWith({ maxAttempts: 1 }))).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      message: 'down',
      $metadata: { httpStatusCode: 503 },
    });
  });

  it('resets the connection: the SDK sees a network error and retries it', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'reset', times: 3 });
    const error = await failure(put([receipt(1)], clientWith({})));
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(eventBridge.requestCount()).toBe(3);
    expect(eventBridge.calls().every((call) => call.status === 0)).toBe(true);
  });

  it('hangs until the client request timeout fires (TimeoutError; retried by default, once with maxAttempts 1)', async () => {
    withoutBackoff();
    eventBridge.injectFault({ type: 'hang', times: 4 });
    const requestHandler = { requestTimeout: 100, throwOnRequestTimeout: true };
    const started = Date.now();
    const once = await failure(put([receipt(1)], clientWith({ maxAttempts: 1, requestHandler })));
    expect(once).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(eventBridge.requestCount()).toBe(1);
    expect(eventBridge.calls()[0]).toMatchObject({ fault: 'hang', status: 0 });

    await expect(put([receipt(1)], clientWith({ requestHandler }))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(eventBridge.requestCount()).toBe(4);
    expect(eventBridge.events()).toEqual([]);
  });

  it('keeps hanging past requestTimeout unless throwOnRequestTimeout is set (the SDK only warns)', async () => {
    const warn = vi.fn();
    eventBridge.injectFault({ type: 'hang' });
    const client = clientWith({
      maxAttempts: 1,
      requestHandler: { requestTimeout: 50 },
      logger: { debug: () => {}, info: () => {}, warn, error: () => {} },
    });
    const started = Date.now();
    const error = await failure(
      client.send(new PutEventsCommand({ Entries: [receipt(1)] }), { abortSignal: AbortSignal.timeout(300) }),
    );
    expect(error.name).toBe('AbortError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('throwOnRequestTimeout=true'));
  });

  it('hangs until the caller aborts (AbortError, not retried)', async () => {
    eventBridge.injectFault({ type: 'hang', times: 2 });
    const error = await failure(
      eventBridge.client.send(new PutEventsCommand({ Entries: [receipt(1)] }), {
        abortSignal: AbortSignal.timeout(100),
      }),
    );
    expect(error.name).toBe('AbortError');
    expect(eventBridge.requestCount()).toBe(1);
  });

  it('refuses a malformed fault', () => {
    expect(() => eventBridge.injectFault({ type: 'throttle', times: 0 })).toThrow();
    expect(() => eventBridge.injectFault({ type: 'nope' } as never)).toThrow();
  });
});

describe('partial failures (HTTP 200, FailedEntryCount > 0)', () => {
  it('fails every entry with ThrottlingException by default, records none', async () => {
    eventBridge.injectFault({ type: 'partial' });
    const answer = await put([receipt(1), receipt(2)]);
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries).toEqual([
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'The request was denied due to request throttling.' },
      { ErrorCode: 'ThrottlingException', ErrorMessage: 'The request was denied due to request throttling.' },
    ]);
    expect(answer.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    expect(eventBridge.events()).toEqual([]);
  });

  it('fails the first n entries, or those a predicate picks, with the chosen per-entry code, in order', async () => {
    eventBridge.injectFault({ type: 'partial', entries: 2, errorCode: 'InternalFailure' });
    eventBridge.injectFault({
      type: 'partial',
      entries: (entry) => entry.EventBusName === 'erasure-receipts',
      errorCode: 'AccessDeniedException',
      errorMessage: 'denied for this bus',
    });
    const first = await put([receipt(1), receipt(2), receipt(3)]);
    expect(first.FailedEntryCount).toBe(2);
    expect(first.Entries?.map((entry) => entry.ErrorCode ?? entry.EventId?.length)).toEqual([
      'InternalFailure',
      'InternalFailure',
      36,
    ]);
    const second = await put([receipt(4), receipt(5, { EventBusName: 'erasure-receipts' }), receipt(6)]);
    expect(second.FailedEntryCount).toBe(1);
    expect(second.Entries?.[1]).toEqual({
      ErrorCode: 'AccessDeniedException',
      ErrorMessage: 'denied for this bus',
    });
    expect(eventBridge.events().map((event) => event.detail.erasureId)).toEqual(['e-3', 'e-4', 'e-6']);
    expect(eventBridge.calls().map((call) => call.failedEntryCount)).toEqual([2, 1]);
  });

  it('does not spend a partial fault on a request refused whole', async () => {
    eventBridge.injectFault({ type: 'partial' });
    await expect(put([])).rejects.toMatchObject({ name: 'ValidationException' });
    expect(eventBridge.pendingFaults()).toHaveLength(1);
    await expect(put([receipt(1)])).resolves.toMatchObject({ FailedEntryCount: 1 });
  });
});

describe('wire-level refusals', () => {
  it('refuses other operations with UnknownOperationException', async () => {
    const response = await rawCall('AWSEvents.PutRule', '{"Name":"x"}');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses a body that is not JSON, of the wrong types, or without Entries', async () => {
    const notJson = await rawCall('AWSEvents.PutEvents', 'nope');
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' });
    const wrongType = await rawCall('AWSEvents.PutEvents', '{"Entries":[{"Source":1}]}');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ __type: 'SerializationException' });
    const noEntries = await rawCall('AWSEvents.PutEvents', '{}');
    expect(await noEntries.json()).toMatchObject({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    });
    expect(eventBridge.calls().map((call) => call.errorCode)).toEqual([
      'SerializationException',
      'SerializationException',
      'ValidationException',
    ]);
  });
});

describe('close', () => {
  it('releases a hanging request and resolves promptly', async () => {
    const own = await startEventBridgeStandIn({ region: 'eu-west-1' });
    own.injectFault({ type: 'hang' });
    const pending = failure(own.client.send(new PutEventsCommand({ Entries: [receipt(1)] })));
    await vi.waitFor(() => expect(own.requestCount()).toBe(1));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    const error = await pending;
    expect(error).toBeInstanceOf(Error);
  });
});
