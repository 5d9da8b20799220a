/**
 * The HTTP side of the simulator: one request's way from arrival to answer.
 *
 *   arrival -> the command's rate window (60007) -> scripted / random faults -> POST only (60002)
 *   -> route (60009) -> query and UserSig (gateway.ts) -> body JSON (60003) -> command (commands.ts,
 *   carrying a quiet fault if one was drawn) -> answer after latency
 *
 * The rate window of the requested path is checked first, at arrival, before the body is read, as a
 * gateway would. Every answer is HTTP 200 with a JSON body, as Tencent documents, unless a fault says
 * otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnswerBody,
  commandAnswer,
  errorInfo,
  gatewayErrorPage,
  gatewayFailure,
  TRUNCATED_JSON_BODY,
} from './answers.ts';
import type { ChatData } from './chatData.ts';
import { type CommandConfig, runCommand } from './commands.ts';
import {
  type CommandFault,
  describeFault,
  type Fault,
  type FaultQueue,
  type FaultTarget,
  type RandomFaultSource,
} from './faults.ts';
import { type AppCredentials, checkQuery, parseRoute } from './gateway.ts';
import type { PerCommandRateLimits } from './rateLimits.ts';
import type { RequestLog } from './requestLog.ts';

/** Larger bodies are refused (60002); real requests here are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;
/** The rate window shared by requests to paths that are no command (so their number stays bounded). */
const UNKNOWN_ROUTE_KEY = '(unknown)';

/** The simulator's mutable state, shared by the HTTP handler and the public controls. */
export interface SimulatorState {
  app: AppCredentials;
  nowMs: () => number;
  latencyMs: number;
  config: CommandConfig;
  rateLimits: PerCommandRateLimits;
  faults: FaultQueue;
  randomFaults: RandomFaultSource | undefined;
  data: ChatData;
  log: RequestLog;
}

/** Timers of answers not yet sent, so close() can cancel them. */
export class PendingAnswers {
  readonly #timers = new Set<NodeJS.Timeout>();

  after(ms: number, send: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, ms);
    this.#timers.add(timer);
  }

  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

type ParsedBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; text: string };

function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid', text };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (!(name in query)) query[name] = value;
  return query;
}

function readBody(request: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    );
    request.on('error', reject);
  });
}

/**
 * Builds the `request` listener for node:http.
 * @example
 * const server = createServer(createRequestHandler(state, new PendingAnswers()));
 */
export function createRequestHandler(
  state: SimulatorState,
  pending: PendingAnswers,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const receivedAtMs = state.nowMs();
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://127.0.0.1');
    } catch {
      url = new URL('http://127.0.0.1/');
    }
    const route = parseRoute(url.pathname);
    // One window per command (Tencent limits each REST command separately); every unknown path shares one.
    const admitted = state.rateLimits.admit(
      route.known ? `${route.service}/${route.command}` : UNKNOWN_ROUTE_KEY,
      receivedAtMs,
    );
    const entry = state.log.open({
      receivedAtMs,
      remotePort: request.socket.remotePort ?? 0,
      method: request.method ?? '',
      service: route.service,
      command: route.command,
      query: firstValues(url.searchParams),
      body: undefined,
      httpStatus: null,
    });

    const send = (
      status: number,
      contentType: string,
      text: string,
      extraDelayMs: number,
      errorCode?: number,
    ) => {
      const write = () => {
        state.log.complete(entry, status, errorCode);
        if (response.destroyed || response.writableEnded) return;
        response.writeHead(status, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
      };
      const delayMs = state.latencyMs + extraDelayMs;
      if (delayMs > 0) pending.after(delayMs, write);
      else write();
    };
    const sendJson = (answer: AnswerBody, extraDelayMs = 0) =>
      send(200, 'application/json; charset=utf-8', JSON.stringify(answer), extraDelayMs, answer.ErrorCode);

    readBody(request).then(
      ({ text, tooLarge }) => {
        const body = parseBody(text);
        entry.body = body.kind === 'json' ? body.value : body.kind === 'invalid' ? body.text : undefined;

        if (!admitted) {
          state.log.noteThrottled();
          sendJson(gatewayFailure(60007));
          return;
        }

        const fromAccount =
          body.kind === 'json' && isObject(body.value) && typeof body.value.From_Account === 'string'
            ? body.value.From_Account
            : undefined;
        const target: FaultTarget = { service: route.service, command: route.command, fromAccount };
        const fault: Fault | undefined = state.faults.take(target) ?? state.randomFaults?.draw(target);
        let extraDelayMs = 0;
        let commandFault: CommandFault | undefined;
        if (fault !== undefined) {
          state.log.noteFault(entry, describeFault(fault));
          switch (fault.type) {
            case 'reset':
              response.destroy();
              request.socket.destroy();
              return;
            case 'http-status':
              send(fault.status, 'text/html', fault.body ?? gatewayErrorPage(fault.status), 0);
              return;
            case 'malformed-body':
              send(200, 'application/json; charset=utf-8', fault.body ?? TRUNCATED_JSON_BODY, 0);
              return;
            case 'error-code':
              sendJson(
                commandAnswer(
                  route,
                  {},
                  {
                    code: fault.code,
                    info: errorInfo(fault.code),
                    actionStatus: fault.actionStatus ?? 'FAIL',
                  },
                ),
              );
              return;
            case 'delay':
              extraDelayMs = fault.ms;
              break;
            case 'ignore':
            case 'stale-cursor':
            case 'item-error':
              // Quiet faults: the request goes through every check; the command carries them out.
              commandFault = fault;
              break;
          }
        }

        sendJson(
          decide(state, request.method, url, route, body, tooLarge, receivedAtMs, commandFault),
          extraDelayMs,
        );
      },
      () => request.socket.destroy(),
    );
  };
}

/** The answer to a request that got no fault. */
function decide(
  state: SimulatorState,
  method: string | undefined,
  url: URL,
  route: ReturnType<typeof parseRoute>,
  body: ParsedBody,
  tooLarge: boolean,
  receivedAtMs: number,
  fault: CommandFault | undefined,
): AnswerBody {
  if (method !== 'POST') return gatewayFailure(60002, 'only POST is supported');
  if (!route.known) return gatewayFailure(60009);
  const rejection = checkQuery(url.searchParams, state.app, Math.floor(receivedAtMs / 1000));
  if (rejection !== undefined) return gatewayFailure(rejection.code, rejection.detail);
  if (tooLarge) return gatewayFailure(60002, 'request body too large');
  if (body.kind !== 'json' || !isObject(body.value)) return gatewayFailure(60003);
  try {
    return runCommand(route, body.value, {
      data: state.data,
      config: state.config,
      nowSeconds: Math.floor(receivedAtMs / 1000),
      fault,
    });
  } catch (error) {
    process.emitWarning(`chat-api simulator: ${route.service}/${route.command} failed: ${String(error)}`);
    return gatewayFailure(70500);
  }
}
