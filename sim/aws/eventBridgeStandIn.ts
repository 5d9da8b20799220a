/**
 * A loopback EventBridge that answers `PutEvents` in the AWS JSON 1.1 protocol (`X-Amz-Target:
 * AWSEvents.PutEvents`), so the real `@aws-sdk/client-eventbridge` client sends receipts unmodified in
 * tests, the chaos run and `npm start`. It validates a request as EventBridge does, records each accepted
 * event on its bus for assertions, and fails on demand: scripted faults, served first in first out.
 *
 * What EventBridge does, and this stand-in copies (sources in the comments below):
 * - 1 to 10 entries per request, else the whole request fails with `ValidationException`;
 * - the entries' total size, counted as EventBridge documents it, must stay under 256 KiB, else the whole
 *   request fails with `ValidationException: Total size of the entries in the request is over the limit.`;
 * - an entry without Source, DetailType or Detail fails alone (`InvalidArgument`), and so does a Detail that
 *   is not a JSON object (`MalformedDetail`); the others go through, and `Entries` answers in request order;
 * - an entry for a bus that does not exist is accepted (an EventId, no failure) and dropped.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
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

/** The bus an entry without EventBusName goes to; every account has it. */
export const DEFAULT_EVENT_BUS = 'default';
/** PutEvents API reference: `Entries`, 1 to 10 items. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/**
 * "The total entry size must be less than 256KB" (EventBridge User Guide, "Calculating PutEvents event
 * entry size"): a request whose entries add up to this many bytes or more is refused whole.
 */
export const PUT_EVENTS_ENTRY_SIZE_LIMIT = 262_144;
/** The same guide counts a given `Time` as 14 bytes, whatever its value. */
const TIME_ENTRY_BYTES = 14;

/**
 * The per-entry `ErrorCode` values EventBridge documents (API reference, PutEventsResultEntry): the first
 * two are retryable, the others are not.
 */
export type PutEventsEntryErrorCode =
  | 'InternalFailure'
  | 'ThrottlingException'
  | 'AccessDeniedException'
  | 'InvalidAccountIdException'
  | 'InvalidArgument'
  | 'MalformedDetail'
  | 'RedactionFailure'
  | 'NotAuthorizedForSourceException'
  | 'NotAuthorizedForDetailTypeException';

const ENTRY_ERROR_MESSAGES: Record<PutEventsEntryErrorCode, string> = {
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  ThrottlingException: 'The request was denied due to request throttling.',
  AccessDeniedException: 'You do not have sufficient access to perform this action.',
  InvalidAccountIdException: 'The account ID provided is not valid.',
  InvalidArgument: 'A specified parameter is not valid.',
  MalformedDetail: 'Detail is malformed.',
  RedactionFailure: 'Redacting the CloudTrail event failed.',
  NotAuthorizedForSourceException:
    'You do not have permissions to publish events with this source onto this event bus.',
  NotAuthorizedForDetailTypeException:
    'You do not have permissions to publish events with this detail type onto this event bus.',
};

const JSON_1_1 = 'application/x-amz-json-1.1';
const PUT_EVENTS_TARGET = 'AWSEvents.PutEvents';
/** Ten entries under 256 KiB, even with every character JSON-escaped, fit well below this. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Long runs (`npm start`, chaos) must not grow the logs without bound. */
const DEFAULT_LOG_LIMIT = 50_000;
/** PutEventsRequestEntry.EventBusName: 1 to 256 characters, a bus name or a bus ARN. */
const EVENT_BUS_NAME_PATTERN =
  /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;
const BUS_NAME_PATTERN = /^[/.\-_A-Za-z0-9]{1,256}$/;

const entrySchema = z.object({
  // The SDK sends a Date as epoch seconds (the JSON protocols' default timestamp format).
  Time: z.number().optional(),
  Source: z.string().optional(),
  Resources: z.array(z.string()).optional(),
  DetailType: z.string().optional(),
  Detail: z.string().optional(),
  EventBusName: z.string().optional(),
  TraceHeader: z.string().optional(),
});

/** One entry of a PutEvents request, as it arrived (what a partial fault's predicate is given). */
export type PutEventsWireEntry = z.infer<typeof entrySchema>;

const putEventsRequestSchema = z.object({
  Entries: z.array(entrySchema).optional(),
  EndpointId: z.string().optional(),
});

type PutEventsRequest = { Entries: PutEventsWireEntry[] };

/** Picks the entries a partial failure fails: `all`, the first n, or those the predicate picks. */
export type PartialFailureEntries = 'all' | number | ((entry: PutEventsWireEntry, index: number) => boolean);

const timesSchema = z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).optional();

const faultSchema = z.discriminatedUnion('type', [
  /** `ThrottlingException`, HTTP 400: the SDK retries it (a throttling error code). */
  z.object({ type: z.literal('throttle'), times: timesSchema }),
  /** `InternalException`, HTTP 500: the SDK retries it (a transient status). */
  z.object({ type: z.literal('internal'), times: timesSchema }),
  /** `AccessDeniedException`, HTTP 400: not retried. */
  z.object({ type: z.literal('access-denied'), times: timesSchema }),
  /** `ValidationException`, HTTP 400: not retried. */
  z.object({ type: z.literal('validation'), message: z.string().optional(), times: timesSchema }),
  /** Any other AWS error answer. */
  z.object({
    type: z.literal('error'),
    code: z.string().min(1),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
    times: timesSchema,
  }),
  /**
   * HTTP 200 with `FailedEntryCount` > 0: the chosen entries (default `all`) fail with `errorCode` (default
   * `ThrottlingException`) and are not recorded; the others are processed as usual. It fits only a request
   * that passed validation, since a refused request has no entries to fail one by one.
   */
  z.object({
    type: z.literal('partial'),
    entries: z
      .union([
        z.literal('all'),
        z.number().int().positive(),
        z.custom<(entry: PutEventsWireEntry, index: number) => boolean>(
          (value) => typeof value === 'function',
        ),
      ])
      .optional(),
    errorCode: z
      .enum(Object.keys(ENTRY_ERROR_MESSAGES) as [PutEventsEntryErrorCode, ...PutEventsEntryErrorCode[]])
      .optional(),
    errorMessage: z.string().optional(),
    times: timesSchema,
  }),
  /** Takes the request and never answers (until `close()`): the client's timeout or abort must end it. */
  z.object({ type: z.literal('hang'), times: timesSchema }),
  /** Destroys the connection without an answer (the SDK sees ECONNRESET / socket hang up, and retries). */
  z.object({ type: z.literal('reset'), times: timesSchema }),
]);

/** A fault to inject; `times` (default 1, `Infinity` for all) is how many requests it serves. */
export type EventBridgeFault = z.input<typeof faultSchema>;

/** An event EventBridge accepted: on an existing bus (`events()`), or dropped (`droppedEvents()`). */
export interface RecordedEvent {
  eventId: string;
  /** The bus name (a bus ARN in the request is resolved to the name; kept as sent when it names no bus). */
  bus: string;
  source: string;
  detailType: string;
  /** `Detail`, parsed. */
  detail: Record<string, unknown>;
  /** `Detail` exactly as sent (JSON text). */
  detailText: string;
  resources: string[];
  /** The event's `time`: the entry's `Time`, else the time of the call; ISO 8601 in whole seconds. */
  time: string;
  traceHeader?: string;
}

/** One request, in arrival order. */
export interface PutEventsCall {
  /** `X-Amz-Target` as sent. */
  target: string;
  /** `Content-Type` as sent. */
  contentType: string;
  /** The JSON body as sent (undefined when it was not JSON). */
  input: unknown;
  /** HTTP status answered; 0 when the connection was reset or never answered. */
  status: number;
  /** The AWS error code answered, if any. */
  errorCode?: string;
  /** `FailedEntryCount` answered, for an HTTP 200. */
  failedEntryCount?: number;
  /** The injected fault's type, when a fault served this request. */
  fault?: EventBridgeFault['type'];
}

export interface EventBridgeStandInOptions {
  /** Region of the bus ARNs and of `client` (default `us-east-1`). */
  region?: string;
  /** How many events and calls are kept (the oldest half is dropped past it; default 50 000). */
  logLimit?: number;
}

export interface EventBridgeStandIn {
  /** `http://127.0.0.1:PORT`: the `endpoint` option or `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  readonly region: string;
  /** A real SDK client pointed at the stand-in (fake static credentials); destroyed by `close()`. */
  readonly client: EventBridgeClient;
  /** Creates a bus (idempotent) and returns its ARN. The `default` bus always exists. */
  createBus(name: string): string;
  /** Deletes a bus; later events for it are dropped, as AWS drops them. The `default` bus stays. */
  deleteBus(name: string): boolean;
  /** The ARN a bus has, or would have, in this stand-in's account and region. */
  busArn(name: string): string;
  /** Accepted events on existing buses, oldest first; only those of `bus` when given. */
  events(filter?: { bus?: string }): RecordedEvent[];
  /** Events accepted for a bus that does not exist (AWS answers an EventId and drops them). */
  droppedEvents(): RecordedEvent[];
  /** Requests received (faults, refusals and other operations included), oldest first. */
  calls(): PutEventsCall[];
  requestCount(): number;
  /** Forgets recorded events and calls (faults and buses stay). */
  clear(): void;
  /** Queues a fault; the first queued fault that fits a request serves it. Throws on a malformed fault. */
  injectFault(fault: EventBridgeFault): void;
  /** Faults not used up yet, with their remaining uses. */
  pendingFaults(): { fault: EventBridgeFault; remaining: number }[];
  clearFaults(): void;
  /** Closes the server (hanging requests and keep-alive sockets are cut) and destroys `client`. */
  close(): Promise<void>;
}

/**
 * The size EventBridge counts for an entry (User Guide, "Calculating PutEvents event entry size"); takes a
 * wire entry or the SDK's `PutEventsRequestEntry` (a `Time` of any value counts 14 bytes).
 * @example
 * putEventsEntrySize({ Source: 'chat-erasure', DetailType: 'Chat Erasure Completed', Detail: '{}' }); // 36
 */
export function putEventsEntrySize(entry: {
  Time?: unknown;
  Source?: string | undefined;
  DetailType?: string | undefined;
  Detail?: string | undefined;
  Resources?: string[] | undefined;
}): number {
  let size = entry.Time === undefined || entry.Time === null ? 0 : TIME_ENTRY_BYTES;
  size += Buffer.byteLength(entry.Source ?? '', 'utf8');
  size += Buffer.byteLength(entry.DetailType ?? '', 'utf8');
  size += Buffer.byteLength(entry.Detail ?? '', 'utf8');
  for (const resource of entry.Resources ?? []) {
    size += Buffer.byteLength(resource, 'utf8');
  }
  return size;
}

/** AWS's (Coral) wording for constraint violations, e.g. `1 validation error detected: Value …`. */
function validationError(violations: string[]): AwsJsonError {
  const count = violations.length;
  return new AwsJsonError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

/** The request, or the refusal AWS would answer for it (returned, so that a fault can still win). */
function parsePutEventsRequest(body: Buffer): PutEventsRequest | AwsJsonError {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return new AwsJsonError('SerializationException', 'The request body is not JSON.');
  }
  const parsed = putEventsRequestSchema.safeParse(json);
  if (!parsed.success) {
    return new AwsJsonError('SerializationException', z.prettifyError(parsed.error));
  }
  const entries = parsed.data.Entries;
  if (entries === undefined) {
    return validationError(["Value null at 'entries' failed to satisfy constraint: Member must not be null"]);
  }
  const violations: string[] = [];
  if (entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
    // AWS prints the whole list here; its element type is enough to read the message.
    violations.push(
      `Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length ${
        entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`
      }`,
    );
  }
  entries.forEach((entry, index) => {
    const at = `entries.${index + 1}.member`;
    const bus = entry.EventBusName;
    if (bus !== undefined && (bus.length < 1 || bus.length > 256)) {
      violations.push(
        `Value '${bus}' at '${at}.eventBusName' failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    } else if (bus !== undefined && !EVENT_BUS_NAME_PATTERN.test(bus)) {
      violations.push(
        `Value '${bus}' at '${at}.eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${EVENT_BUS_NAME_PATTERN.source.slice(1, -1)}`,
      );
    }
    const trace = entry.TraceHeader;
    if (trace !== undefined && (trace.length < 1 || trace.length > 500)) {
      violations.push(
        `Value '${trace}' at '${at}.traceHeader' failed to satisfy constraint: Member must have length between 1 and 500`,
      );
    }
  });
  if (violations.length > 0) {
    return validationError(violations);
  }
  const total = entries.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
  if (total >= PUT_EVENTS_ENTRY_SIZE_LIMIT) {
    return new AwsJsonError(
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  }
  return { Entries: entries };
}

/**
 * Why EventBridge fails this entry on its own, if it does. Missing fields: "If you include event entries in
 * a request that do not include each of those properties, EventBridge fails that entry" (API reference,
 * PutEventsRequestEntry); codes and messages as AWS answers them (observed in moto #7532 and LocalStack's
 * AWS-validated snapshots). An empty string counts as missing.
 */
function entryRefusal(entry: PutEventsWireEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (!entry[field]) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  return parseDetail(entry.Detail ?? '') === undefined
    ? { ErrorCode: 'MalformedDetail', ErrorMessage: ENTRY_ERROR_MESSAGES.MalformedDetail }
    : undefined;
}

/** "A valid JSON object" (PutEventsRequestEntry.Detail): arrays and scalars are malformed too. */
function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isChosen(entries: PartialFailureEntries, entry: PutEventsWireEntry, index: number): boolean {
  if (entries === 'all') return true;
  if (typeof entries === 'number') return index < entries;
  return entries(entry, index);
}

/** EventBridge event `time`: ISO 8601 in whole seconds (`2026-11-25T10:00:00Z`). */
function eventTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const wholeRequestFailures = {
  throttle: () => new AwsJsonError('ThrottlingException', 'Rate exceeded'),
  internal: () => new AwsJsonError('InternalException', 'An internal error occurred.', 500),
} as const;

/**
 * Starts the stand-in on 127.0.0.1 (port 0), with the `default` bus.
 *
 * @example
 * const eventBridge = await startEventBridgeStandIn();
 * eventBridge.createBus('erasure-receipts');
 * process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;
 * eventBridge.injectFault({ type: 'partial', entries: 1, errorCode: 'ThrottlingException' });
 * // … run the code under test …
 * eventBridge.events({ bus: 'erasure-receipts' }); // [{ source: 'chat-erasure', detailType: …, detail: … }]
 * await eventBridge.close();
 */
export async function startEventBridgeStandIn(
  options: EventBridgeStandInOptions = {},
): Promise<EventBridgeStandIn> {
  const region = options.region ?? 'us-east-1';
  const logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  const busArn = (name: string) => `arn:aws:events:${region}:${STAND_IN_ACCOUNT_ID}:event-bus/${name}`;
  const buses = new Set<string>([DEFAULT_EVENT_BUS]);
  const events: RecordedEvent[] = [];
  const dropped: RecordedEvent[] = [];
  const calls: PutEventsCall[] = [];
  const faults = new ScriptedFaults<EventBridgeFault>();

  /** The bus an entry names, and whether it exists here (another account's or region's bus does not). */
  const resolveBus = (nameOrArn: string | undefined): { name: string; exists: boolean } => {
    if (nameOrArn === undefined) return { name: DEFAULT_EVENT_BUS, exists: true };
    const arn = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):event-bus\/(.+)$/.exec(nameOrArn);
    if (arn === null) return { name: nameOrArn, exists: buses.has(nameOrArn) };
    const name = arn[3] ?? '';
    return arn[1] === region && arn[2] === STAND_IN_ACCOUNT_ID
      ? { name, exists: buses.has(name) }
      : { name: nameOrArn, exists: false };
  };

  const putEvents = (
    request: PutEventsRequest,
    partial: Extract<EventBridgeFault, { type: 'partial' }> | undefined,
  ) => {
    const now = Date.now();
    const results = request.Entries.map((entry, index) => {
      if (partial && isChosen(partial.entries ?? 'all', entry, index)) {
        const code = partial.errorCode ?? 'ThrottlingException';
        return { ErrorCode: code, ErrorMessage: partial.errorMessage ?? ENTRY_ERROR_MESSAGES[code] };
      }
      const refusal = entryRefusal(entry);
      if (refusal) return refusal;
      const bus = resolveBus(entry.EventBusName);
      const event: RecordedEvent = {
        eventId: randomUUID(),
        bus: bus.name,
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail: parseDetail(entry.Detail ?? '') ?? {},
        detailText: entry.Detail ?? '',
        resources: [...(entry.Resources ?? [])],
        time: eventTime(entry.Time === undefined ? now : entry.Time * 1000),
        ...(entry.TraceHeader === undefined ? {} : { traceHeader: entry.TraceHeader }),
      };
      // AWS accepts an entry for a bus that does not exist and drops it (aws/aws-cli#9186, 2025; LocalStack
      // #8264 "AWS allows publishing an Event to a nonexistent custom EventBus").
      pushBounded(bus.exists ? events : dropped, event, logLimit);
      return { EventId: event.eventId };
    });
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, call: PutEventsCall) => {
    const reply = (status: number, document: unknown) => {
      call.status = status;
      sendAwsJson(res, status, JSON_1_1, document);
    };
    const refuse = (failure: AwsJsonError) => {
      call.errorCode = failure.code;
      reply(failure.status, { __type: failure.code, message: failure.message });
    };
    const body = await readAwsJsonBody(req, refuse, MAX_REQUEST_BYTES);
    if (body === undefined) return;
    try {
      call.input = JSON.parse(body.toString('utf8'));
    } catch {
      // Not JSON: logged as undefined, refused below.
    }
    if (req.method !== 'POST' || call.target !== PUT_EVENTS_TARGET) {
      refuse(
        new AwsJsonError(
          'UnknownOperationException',
          `The stand-in answers only ${PUT_EVENTS_TARGET}, not ${call.target || req.method}`,
        ),
      );
      return;
    }
    const request = parsePutEventsRequest(body);
    const fault = faults.take(
      (candidate) => candidate.type !== 'partial' || !(request instanceof AwsJsonError),
    );
    if (fault !== undefined) {
      call.fault = fault.type;
    }
    switch (fault?.type) {
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'throttle':
      case 'internal':
        refuse(wholeRequestFailures[fault.type]());
        return;
      case 'access-denied':
        refuse(
          new AwsJsonError(
            'AccessDeniedException',
            `User: arn:aws:sts::${STAND_IN_ACCOUNT_ID}:assumed-role/stand-in/chat-erasure is not authorized to perform: events:PutEvents on resource: ${busArn(DEFAULT_EVENT_BUS)} because no identity-based policy allows the events:PutEvents action`,
          ),
        );
        return;
      case 'validation':
        refuse(new AwsJsonError('ValidationException', fault.message ?? 'Injected validation failure.'));
        return;
      case 'error':
        refuse(new AwsJsonError(fault.code, fault.message ?? `Injected ${fault.code}.`, fault.status));
        return;
    }
    if (request instanceof AwsJsonError) {
      refuse(request);
      return;
    }
    const result = putEvents(request, fault?.type === 'partial' ? fault : undefined);
    call.failedEntryCount = result.FailedEntryCount;
    reply(200, result);
  };

  const server = createServer((req, res) => {
    const call: PutEventsCall = {
      target: String(req.headers['x-amz-target'] ?? ''),
      contentType: String(req.headers['content-type'] ?? ''),
      input: undefined,
      status: 0,
    };
    pushBounded(calls, call, logLimit);
    answer(req, res, call).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        call.status = 500;
        call.errorCode = 'InternalException';
        sendAwsJson(res, 500, JSON_1_1, { __type: 'InternalException', message: 'Stand-in failure.' });
      }
    });
  });
  await listenOnLoopback(server);
  const endpoint = loopbackEndpoint(server);
  const client = new EventBridgeClient({ endpoint, region, credentials: { ...STAND_IN_CREDENTIALS } });

  return {
    endpoint,
    region,
    client,
    createBus(name) {
      if (!BUS_NAME_PATTERN.test(name)) {
        throw new Error(`not an event bus name: ${name}`);
      }
      buses.add(name);
      return busArn(name);
    },
    deleteBus(name) {
      return name !== DEFAULT_EVENT_BUS && buses.delete(name);
    },
    busArn,
    events(filter = {}) {
      return events.filter((event) => filter.bus === undefined || event.bus === filter.bus).map(copyEvent);
    },
    droppedEvents() {
      return dropped.map(copyEvent);
    },
    calls() {
      return calls.map((call) => ({ ...call }));
    },
    requestCount() {
      return calls.length;
    },
    clear() {
      events.length = 0;
      dropped.length = 0;
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

function copyEvent(event: RecordedEvent): RecordedEvent {
  return { ...event, resources: [...event.resources] };
}
