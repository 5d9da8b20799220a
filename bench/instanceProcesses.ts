/**
 * Warm Lambda instances, each in its own Node process (instanceWorker.ts), for the poller of
 * sim/aws/eventSourceMapping.ts: each handler forwards its invocation over IPC and resolves with the
 * instance's answer. As in Lambda, the instances share no event loop with each other, with the simulator
 * or with the SQS emulator (those stay in the benchmark's process with the poller).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SqsLambdaHandler } from '../sim/aws/eventSourceMapping.ts';
import {
  type InstanceCommand,
  type InstanceMessage,
  type InstanceParams,
  instanceMessageSchema,
} from './instanceProtocol.ts';

export type InstanceReport = Omit<Extract<InstanceMessage, { type: 'report' }>, 'type'> & {
  importMs: number;
};

export interface InstanceProcesses {
  /** One handler per instance, in order (drainQueue's `handler` array). */
  readonly handlers: SqsLambdaHandler[];
  /** Asks each instance for its figures and lets it exit. */
  finish(): Promise<InstanceReport[]>;
  /** Kills whatever is still running (after a failure). */
  kill(): void;
}

/** Worker stderr kept for an error message. */
const MAX_STDERR_CHARS = 4000;

interface Pending {
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

/**
 * Starts `count` instance processes with `env` (the function's environment) and waits until each has
 * imported the bundle.
 * @example
 * const instances = await startInstanceProcesses({ count: 2, env: world.env, params });
 * await drainQueue({ ..., instances: 2, handler: instances.handlers });
 * const reports = await instances.finish();
 */
export async function startInstanceProcesses(options: {
  count: number;
  env: Readonly<Record<string, string>>;
  params: InstanceParams;
  readyTimeoutMs?: number;
}): Promise<InstanceProcesses> {
  const workerPath = fileURLToPath(new URL('./instanceWorker.ts', import.meta.url));
  const children: { child: ChildProcess; pending: Map<number, Pending>; stderr: string; importMs: number }[] =
    [];
  const reports: Promise<InstanceReport>[] = [];
  let nextId = 0;

  const kill = () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  };

  try {
    for (let index = 0; index < options.count; index++) {
      const child = fork(workerPath, [JSON.stringify(options.params)], {
        execPath: process.execPath,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
      });
      const entry = { child, pending: new Map<number, Pending>(), stderr: '', importMs: 0 };
      children.push(entry);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        entry.stderr = (entry.stderr + chunk).slice(-MAX_STDERR_CHARS);
      });
      let onReport: (report: InstanceReport) => void = () => {};
      let onFailure: (error: Error) => void = () => {};
      reports.push(
        new Promise<InstanceReport>((resolve, reject) => {
          onReport = resolve;
          onFailure = reject;
        }),
      );
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`instance ${index} did not import the bundle in time`)),
          options.readyTimeoutMs ?? 30_000,
        );
        child.on('message', (raw) => {
          const message = instanceMessageSchema.parse(raw);
          switch (message.type) {
            case 'ready':
              clearTimeout(timer);
              entry.importMs = message.importMs;
              resolve();
              return;
            case 'answer':
              entry.pending.get(message.id)?.resolve(message.answer);
              entry.pending.delete(message.id);
              return;
            case 'error':
              entry.pending.get(message.id)?.reject(new Error(message.message));
              entry.pending.delete(message.id);
              return;
            case 'report': {
              const { type: _type, ...figures } = message;
              onReport({ ...figures, importMs: entry.importMs });
              return;
            }
          }
        });
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          const error = new Error(`instance ${index} exited (${signal ?? code}): ${entry.stderr.trim()}`);
          reject(error);
          onFailure(error);
          for (const pending of entry.pending.values()) pending.reject(error);
          entry.pending.clear();
        });
      });
      await ready;
    }
  } catch (error) {
    kill();
    throw error;
  }
  // A report that never comes is caught by finish(); an unobserved rejection must not crash the bench.
  for (const report of reports) report.catch(() => {});

  const handlers = children.map(
    (entry): SqsLambdaHandler =>
      (event, context) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          entry.pending.set(id, { resolve, reject });
          const command: InstanceCommand = {
            type: 'invoke',
            id,
            event,
            deadlineEpochMs: Date.now() + context.getRemainingTimeInMillis(),
            awsRequestId: context.awsRequestId,
          };
          entry.child.send(command, (error) => {
            if (error) {
              entry.pending.delete(id);
              reject(error);
            }
          });
        }),
  );

  return {
    handlers,
    async finish() {
      for (const { child } of children) child.send({ type: 'finish' } satisfies InstanceCommand);
      return Promise.all(reports);
    },
    kill,
  };
}
