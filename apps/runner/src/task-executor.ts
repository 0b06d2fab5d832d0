import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EntroscopeError, type BackendHandle, type Logger, type Registries } from '@entroscope/core';
import type { ResultRecord } from './results-store';
import { TaskFailedError, executeTask, type TaskDescription } from './task-runner';

/** Main thread → task thread. */
export type ThreadRequest = { readonly type: 'run'; readonly description: TaskDescription };
/** Task thread → main thread. */
export type ThreadMessage =
  | { readonly type: 'record'; readonly record: ResultRecord }
  | { readonly type: 'progress'; readonly fraction: number; readonly text?: string }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly text: string }
  | { readonly type: 'done' }
  | {
      readonly type: 'error';
      readonly error: { name: string; message: string; code?: string; details?: Record<string, unknown> };
    };

export interface TaskHandlers {
  readonly onRecord: (record: ResultRecord) => void;
  readonly onProgress: (fraction: number, message?: string) => void;
  readonly logger: Logger;
}

/**
 * Runs tasks one at a time. `run` resolves when the task completed (every record delivered to `onRecord`), and
 * rejects with TaskFailedError when it threw, or with an `INTERRUPTED` EntroscopeError when `signal` aborted it.
 */
export interface TaskExecutor {
  run(description: TaskDescription, handlers: TaskHandlers, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const interrupted = () => new EntroscopeError('INTERRUPTED', 'interrupted');

/**
 * Runs each task in the calling thread. Simple and fast to start, but compute blocks the event loop: an abort is
 * seen only between tasks. For library use and tests; the CLI uses ThreadTaskExecutor.
 */
export class InlineTaskExecutor implements TaskExecutor {
  constructor(
    private readonly registries: Registries,
    private readonly backend: BackendHandle,
  ) {}

  async run(description: TaskDescription, handlers: TaskHandlers, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw interrupted();
    await executeTask(description, {
      registries: this.registries,
      backend: this.backend,
      signal,
      logger: handlers.logger,
      onRecord: handlers.onRecord,
      onProgress: handlers.onProgress,
    });
    if (signal.aborted) throw interrupted();
  }

  async close(): Promise<void> {}
}

/**
 * Runs tasks in a worker thread (one at a time, the thread reused across tasks). The calling thread stays
 * responsive: an abort terminates the thread at once (the running task is dropped and runs again on resume),
 * and a thread that dies (out of memory, a native crash) fails only its task; the next task gets a new thread.
 */
export class ThreadTaskExecutor implements TaskExecutor {
  private worker: Worker | undefined;
  private readonly key: string;

  constructor(private readonly backend: { readonly requested: string; readonly families?: Record<string, string> }) {
    this.key = JSON.stringify([backend.requested, Object.entries(backend.families ?? {}).sort()]);
  }

  run(description: TaskDescription, handlers: TaskHandlers, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(interrupted());
    const worker = (this.worker ??= idleWorkers.get(this.key)?.pop() ?? createTaskWorker({ backend: this.backend }));
    worker.ref();
    return new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
      };
      const onMessage = (message: ThreadMessage) => {
        switch (message.type) {
          case 'record':
            handlers.onRecord(message.record);
            break;
          case 'progress':
            handlers.onProgress(message.fraction, message.text);
            break;
          case 'log':
            handlers.logger[message.level](message.text);
            break;
          case 'done':
            cleanup();
            resolve();
            break;
          case 'error':
            cleanup();
            reject(
              new TaskFailedError(
                description,
                message.error.code === 'TASK_FAILED'
                  ? (message.error.details?.['cause'] as { message: string })
                  : message.error,
              ),
            );
            break;
        }
      };
      const lost = (why: string) => {
        cleanup();
        this.worker = undefined;
        // Not the task's fault: a queue worker retries such a task (code TASK_THREAD_LOST), a user error it does not.
        reject(new TaskFailedError(description, { message: why, code: 'TASK_THREAD_LOST' }));
      };
      const onError = (error: Error) => {
        void worker.terminate();
        lost(`its thread crashed: ${error.message}`);
      };
      const onExit = (code: number) => lost(`its thread exited unexpectedly (exit code ${code})`);
      const onAbort = () => {
        cleanup();
        this.worker = undefined;
        void worker.terminate();
        reject(interrupted());
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ type: 'run', description } satisfies ThreadRequest);
    });
  }

  /** Hands the thread back for the next run in this process (it does not keep the process alive). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.unref();
    const list = idleWorkers.get(this.key) ?? [];
    list.push(worker);
    idleWorkers.set(this.key, list);
  }
}

/**
 * Task threads between runs, by backend request: a second run in the same process (tests, a queue worker) skips
 * the thread's start-up (loading every plugin). Idle threads are unreferenced, so they never keep a process alive.
 */
const idleWorkers = new Map<string, Worker[]>();

/** Ends every idle task thread (for tests and tools that want a clean exit at once). */
export async function closeIdleTaskThreads(): Promise<void> {
  const all = [...idleWorkers.values()].flat();
  idleWorkers.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

/**
 * Starts the task thread. From the build (dist/*.js) it runs task-thread.js; from TypeScript sources (jest, ts
 * tooling) it compiles the sources on load with swc, mapping each `@entroscope/<name>` to its package's
 * src/index.ts as the jest preset does.
 */
function createTaskWorker(workerData: Record<string, unknown>): Worker {
  const compiled = path.join(__dirname, 'task-thread.js');
  if (__filename.endsWith('.js') && fs.existsSync(compiled)) return new Worker(compiled, { workerData });
  const root = path.resolve(__dirname, '..', '..', '..');
  const sources: Record<string, string> = {};
  for (const group of ['packages', 'apps']) {
    for (const entry of fs.readdirSync(path.join(root, group))) {
      const manifest = path.join(root, group, entry, 'package.json');
      if (fs.existsSync(manifest))
        sources[(JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name: string }).name] = path.join(
          root,
          group,
          entry,
          'src',
          'index.ts',
        );
    }
  }
  const bootstrap = `
const fs = require('node:fs');
const Module = require('node:module');
const { workerData } = require('node:worker_threads');
const swc = require(${JSON.stringify(require.resolve('@swc/core', { paths: [root] }))});
const sources = workerData.sources;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return resolve.call(this, sources[request] ?? request, ...rest); };
Module._extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { filename, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' }, module: { type: 'commonjs' } });
  module._compile(code, filename);
};
require(workerData.entry);
`;
  return new Worker(bootstrap, {
    eval: true,
    workerData: { ...workerData, sources, entry: path.join(__dirname, 'task-thread.ts') },
  });
}
