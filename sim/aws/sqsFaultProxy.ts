/**
 * A loopback HTTP proxy in front of the SQS emulator, for two test needs the emulator cannot serve:
 * failing chosen calls (e.g. the DLQ being unreachable) and compressing time (the function's retry
 * backoff asks for visibility timeouts of up to 900 s). It logs every call for assertions, and it rewrites
 * the emulator's queue URLs in answers into the real `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` form.
 * It speaks what the installed SDK speaks: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`).
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import {
  closeHttpServer,
  listenOnLoopback,
  loopbackEndpoint,
  RequestTooLargeError,
  readRequestBody,
  sendAwsJson,
} from './awsWire.ts';

/** A request as the client sent it: the action and its JSON input. */
export interface SqsRequest {
  action: string;
  input: Record<string, unknown>;
}

/** One call through the proxy, in arrival order. */
export interface SqsCall extends SqsRequest {
  /** HTTP status answered to the client; 0 when the connection was reset on purpose. */
  status: number;
  /** True when an injected failure answered instead of the emulator. */
  injected: boolean;
  /** The input as forwarded, when the proxy rewrote it (visibility scaling). */
  forwarded?: Record<string, unknown>;
}

export type SqsFailurePredicate = (request: SqsRequest) => boolean;

export interface InjectedFailureOptions {
  /**
   * `error` (default): an AWS error answer; `reset`: the connection is cut before any answer; `hang`: the
   * request is accepted and never answered (until the client gives up or the proxy closes).
   */
  mode?: 'error' | 'reset' | 'hang';
  /** HTTP status of the error answer (default 500). */
  status?: number;
  /** AWS error code (default `InternalError`); the SDK error's `name`. */
  code?: string;
  message?: string;
  /** Fail this many matching calls, then stop matching (default: no limit). */
  times?: number;
}

/** A registered failure: how often it fired, and a way to withdraw it. */
export interface InjectedFailure {
  readonly hits: number;
  remove(): void;
}

export interface SqsFaultProxy {
  readonly endpoint: string;
  /** Factor applied to `VisibilityTimeout` of ChangeMessageVisibility(Batch) before forwarding. */
  visibilityTimeScale: number;
  /** The most recent calls (the oldest are dropped past the call log limit, 50 000 by default). */
  readonly calls: readonly SqsCall[];
  injectFailure(predicate: SqsFailurePredicate, options?: InjectedFailureOptions): InjectedFailure;
  clearFailures(): void;
  clearCalls(): void;
  close(): Promise<void>;
}

const JSON_1_0 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
/** SQS's own bounds for a visibility timeout; values outside are forwarded untouched so SQS refuses them. */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** Long runs (`npm start`, chaos) must not grow the call log without bound. */
const DEFAULT_CALL_LOG_LIMIT = 50_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

interface FailureRule {
  predicate: SqsFailurePredicate;
  options: InjectedFailureOptions;
  hits: number;
}

/** Reads the action and input of a JSON 1.0 request (a query-protocol form is understood for the log). */
function describeRequest(headers: IncomingHttpHeaders, body: Buffer): SqsRequest | undefined {
  const target = headers['x-amz-target'];
  const contentType = headers['content-type'] ?? '';
  try {
    if (typeof target === 'string' && target.startsWith(TARGET_PREFIX)) {
      const input: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        return { action: target.slice(TARGET_PREFIX.length), input: input as Record<string, unknown> };
      }
    } else if (contentType.includes('x-www-form-urlencoded')) {
      const input = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      return { action: String(input.Action ?? 'Unknown'), input };
    }
  } catch {
    // Not JSON: the emulator answers it (with an error), the log calls it Unknown.
  }
  return undefined;
}

/** Scales a requested visibility timeout: round down, never below 0; out-of-range values untouched. */
export function scaleVisibilityTimeout(seconds: unknown, scale: number): unknown {
  if (typeof seconds !== 'number' || seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    return seconds;
  }
  // The epsilon keeps 0.29 × 100 at 29 rather than 28.999… → 28.
  return Math.max(0, Math.floor(seconds * scale + 1e-9));
}

/** The input to forward, or undefined when it goes through unchanged. */
function rewriteInput(call: SqsRequest, scale: number): Record<string, unknown> | undefined {
  if (scale === 1) {
    return undefined;
  }
  if (call.action === 'ChangeMessageVisibility') {
    return {
      ...call.input,
      VisibilityTimeout: scaleVisibilityTimeout(call.input.VisibilityTimeout, scale),
    };
  }
  if (call.action === 'ChangeMessageVisibilityBatch' && Array.isArray(call.input.Entries)) {
    return {
      ...call.input,
      Entries: call.input.Entries.map((entry: unknown) =>
        entry !== null && typeof entry === 'object'
          ? {
              ...entry,
              VisibilityTimeout: scaleVisibilityTimeout(
                (entry as { VisibilityTimeout?: unknown }).VisibilityTimeout,
                scale,
              ),
            }
          : entry,
      ),
    };
  }
  return undefined;
}

/** `http://sqs.us-east-1.localhost:4566/000000000000/q` → `https://sqs.us-east-1.amazonaws.com/000000000000/q`. */
export function toAmazonawsQueueUrl(url: string, region: string): string {
  const match = /^https?:\/\/(?:sqs\.([a-z0-9-]+)\.)?[^/]+\/(\d{12})\/([^/?#]+)$/.exec(url);
  if (!match) {
    return url;
  }
  const [, urlRegion, account, name] = match;
  return `https://sqs.${urlRegion ?? region}.amazonaws.com/${account}/${name}`;
}

/** Answers that carry queue URLs get them in the amazonaws form the tests and the function use. */
function rewriteAnswer(action: string, body: Buffer, region: string): Buffer {
  if (action !== 'CreateQueue' && action !== 'GetQueueUrl' && action !== 'ListQueues') {
    return body;
  }
  try {
    const answer = JSON.parse(body.toString('utf8')) as { QueueUrl?: unknown; QueueUrls?: unknown };
    if (typeof answer.QueueUrl === 'string') {
      answer.QueueUrl = toAmazonawsQueueUrl(answer.QueueUrl, region);
    }
    if (Array.isArray(answer.QueueUrls)) {
      answer.QueueUrls = answer.QueueUrls.map((url) =>
        typeof url === 'string' ? toAmazonawsQueueUrl(url, region) : url,
      );
    }
    return Buffer.from(JSON.stringify(answer));
  } catch {
    return body;
  }
}

interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Starts the proxy on 127.0.0.1 (port 0) in front of `upstream` (`http://127.0.0.1:PORT`).
 *
 * @example
 * const proxy = await startSqsFaultProxy(fauxqsEndpoint, { region: 'us-east-1' });
 * proxy.injectFailure(({ action, input }) => action === 'SendMessage' && input.QueueUrl === dlqUrl);
 */
export async function startSqsFaultProxy(
  upstream: string,
  options: { region: string; visibilityTimeScale?: number; callLogLimit?: number },
): Promise<SqsFaultProxy> {
  const callLogLimit = options.callLogLimit ?? DEFAULT_CALL_LOG_LIMIT;
  const upstreamUrl = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const rules: FailureRule[] = [];
  const calls: SqsCall[] = [];

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<UpstreamAnswer>((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) {
          headers[name] = value;
        }
      }
      headers.host = upstreamUrl.host;
      headers['content-length'] = String(body.length);
      const upstreamRequest = request(
        {
          host: upstreamUrl.hostname,
          port: upstreamUrl.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (answer) => {
          readRequestBody(answer).then(
            (answerBody) =>
              resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
            reject,
          );
        },
      );
      upstreamRequest.once('error', reject);
      upstreamRequest.end(body);
    });

  const matchingRule = (call: SqsCall): FailureRule | undefined =>
    rules.find(
      (rule) =>
        (rule.options.times === undefined || rule.hits < rule.options.times) &&
        rule.predicate({ action: call.action, input: call.input }),
    );

  const answerInjected = (req: IncomingMessage, res: ServerResponse, call: SqsCall, rule: FailureRule) => {
    rule.hits += 1;
    call.injected = true;
    if (rule.options.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (rule.options.mode === 'hang') return;
    const code = rule.options.code ?? 'InternalError';
    call.status = rule.options.status ?? 500;
    sendAwsJson(
      res,
      call.status,
      JSON_1_0,
      {
        __type: `com.amazonaws.sqs#${code}`,
        message: rule.options.message ?? `injected failure of ${call.action}`,
      },
      { 'x-amzn-query-error': `${code};${call.status >= 500 ? 'Receiver' : 'Sender'}` },
    );
  };

  const answerFromUpstream = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: SqsCall,
    body: Buffer,
  ) => {
    const rewritten = rewriteInput(call, proxy.visibilityTimeScale);
    if (rewritten) {
      call.forwarded = rewritten;
    }
    const answer = await forward(req, rewritten ? Buffer.from(JSON.stringify(rewritten)) : body);
    const answerBody =
      answer.status === 200 ? rewriteAnswer(call.action, answer.body, options.region) : answer.body;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) {
        headers[name] = value;
      }
    }
    headers['content-length'] = String(answerBody.length);
    call.status = answer.status;
    res.writeHead(answer.status, headers);
    res.end(answerBody);
  };

  /** A proxy-side failure (an upstream error, a throwing predicate) answers as an AWS 500. */
  const answerProxyFailure = (res: ServerResponse, error: unknown, call?: SqsCall) => {
    const tooLarge = error instanceof RequestTooLargeError;
    const status = tooLarge ? 413 : 500;
    if (call) {
      call.status = status;
    }
    if (!res.headersSent && !res.destroyed) {
      sendAwsJson(res, status, JSON_1_0, {
        __type: `com.amazonaws.sqs#${tooLarge ? 'RequestTooLarge' : 'InternalError'}`,
        message: `stand-in proxy: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let body: Buffer;
    try {
      body = await readRequestBody(req);
    } catch (error) {
      answerProxyFailure(res, error);
      return;
    }
    const call: SqsCall = {
      ...(describeRequest(req.headers, body) ?? { action: 'Unknown', input: {} }),
      status: 0,
      injected: false,
    };
    if (calls.length >= callLogLimit) {
      // Drop the older half at once: amortised O(1) per call, unlike shifting one at a time.
      calls.splice(0, Math.ceil(callLogLimit / 2));
    }
    calls.push(call);
    try {
      const rule = matchingRule(call);
      if (rule) {
        answerInjected(req, res, call, rule);
      } else {
        await answerFromUpstream(req, res, call, body);
      }
    } catch (error) {
      answerProxyFailure(res, error, call);
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await listenOnLoopback(server);

  const proxy: SqsFaultProxy = {
    endpoint: loopbackEndpoint(server),
    visibilityTimeScale: options.visibilityTimeScale ?? 1,
    calls,
    injectFailure(predicate, failureOptions = {}) {
      const rule: FailureRule = { predicate, options: failureOptions, hits: 0 };
      rules.push(rule);
      return {
        get hits() {
          return rule.hits;
        },
        remove() {
          const index = rules.indexOf(rule);
          if (index >= 0) {
            rules.splice(index, 1);
          }
        },
      };
    },
    clearFailures() {
      rules.length = 0;
    },
    clearCalls() {
      calls.length = 0;
    },
    async close() {
      await closeHttpServer(server);
      agent.destroy();
    },
  };
  return proxy;
}
