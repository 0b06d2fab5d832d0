import { parentPort, workerData } from 'node:worker_threads';
import { EntroscopeError, type BackendHandle } from '@entroscope/core';
import { resolveBackend } from './backend';
import { createRegistries } from './container';
import { executeTask, type TaskDescription } from './task-runner';
import type { ThreadMessage, ThreadRequest } from './task-executor';

/**
 * Entry of the runner's task thread: runs the tasks the main thread sends, one at a time, and posts back each
 * record, progress and log line as it happens. The main thread stays free for signals (Ctrl-C terminates this
 * thread at once) and for progress output.
 */
const port = parentPort!;
const { backend: request } = workerData as { backend: { requested: string; families?: Record<string, string> } };
const registries = createRegistries();
let backend: Promise<BackendHandle> | undefined;
const post = (message: ThreadMessage) => port.postMessage(message);
const logger = {
  info: (text: string) => post({ type: 'log', level: 'info', text }),
  warn: (text: string) => post({ type: 'log', level: 'warn', text }),
};

port.on('message', (message: ThreadRequest) => {
  if (message.type !== 'run') return;
  const description: TaskDescription = message.description;
  backend ??= resolveBackend(request.requested, request.families).then((b) => b.handle);
  backend
    .then((handle) =>
      executeTask(description, {
        registries,
        backend: handle,
        logger,
        onRecord: (record) => post({ type: 'record', record }),
        onProgress: (fraction, text) => post({ type: 'progress', fraction, ...(text !== undefined && { text }) }),
      }),
    )
    .then(
      () => post({ type: 'done' }),
      (error: unknown) =>
        post({
          type: 'error',
          error: {
            name: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
            ...(error instanceof EntroscopeError && {
              code: error.code,
              details: JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>,
            }),
          },
        }),
    );
});
