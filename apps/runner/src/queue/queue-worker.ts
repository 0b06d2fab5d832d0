import * as os from 'node:os';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { canonicalJson, expandTasks, type Registries, type ResolvedStudy } from '@entroscope/core';
import { resolveBackend } from '../backend';
import { createRegistries } from '../container';
import { stringifyRecord } from '../results-store';
import { fingerprintOf } from '../run-study';
import { ThreadTaskExecutor, closeIdleTaskThreads } from '../task-executor';
import { forceClose } from './queue-coordinator';
import { TaskFailedError, describeTasks, type TaskDescription } from '../task-runner';
import {
  QUEUE_NAME,
  QueueUnavailableError,
  connectionOptions,
  envMs,
  pingRedis,
  shownUrl,
  studyKey,
  within,
} from './queue-connection';
import {
  versionMismatch,
  versionStamp,
  type TaskJobData,
  type TaskJobProgress,
  type TaskJobResult,
  type VersionStamp,
} from './queue-jobs';

export interface QueueWorkerOptions {
  readonly url: string;
  /** Jobs run at once, each in its own task thread. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
  /** Aborting stops taking jobs and waits for the running ones to finish. */
  readonly signal: AbortSignal;
  /** The version stamp this worker reproduces (default: this installation's). */
  readonly stamp?: VersionStamp;
  /** The plugins (default: those of plugins.ts; tasks run in threads that load those). */
  readonly registries?: Registries;
  /** Name in logs and in the coordinator's per-worker rates (default host:pid). */
  readonly name?: string;
}

/** A job this worker cannot reproduce: returned to the queue for another worker. */
class CannotReproduce extends Error {}

/**
 * `entroscope worker`: takes task jobs from the queue and runs each in a task thread, so the event loop stays free
 * and BullMQ keeps renewing the job's lock however long the task computes; a worker that dies stops renewing, and
 * its job is found stalled (after ENTROSCOPE_QUEUE_LOCK_MS, default 30 s) and handed to another worker.
 *
 * Before running a job the worker checks that it can reproduce it: the same version stamp, the study stored under
 * the job's fingerprint (and hashing to it here), the same task derived from that study by this worker's plugins
 * (their defaults applied), and the backend the coordinator chose. A job that fails a check goes back to the
 * queue (delayed a few seconds, its attempts untouched) for another worker, and the coordinator is told why.
 * A task that throws fails its job at once (a user error fails the same way anywhere: no retries); a task thread
 * that dies (out of memory, a native crash) is retried, 3 attempts in all.
 */
export async function runQueueWorker(
  options: QueueWorkerOptions,
): Promise<{ processed: number; failed: number; refused: number }> {
  const connection = connectionOptions(options.url);
  const connectMs = envMs('ENTROSCOPE_QUEUE_CONNECT_MS', 5000);
  const store = new Queue(QUEUE_NAME, { connection });
  store.on('error', () => undefined);
  const unreachable = () =>
    new QueueUnavailableError(
      options.url,
      `Redis does not answer there within ${(connectMs / 1000).toFixed(0)} s (start redis-server, or check host and port)`,
    );
  let client: Awaited<typeof store.client>;
  try {
    client = await within(store.client, connectMs, unreachable);
    await within(pingRedis(client), connectMs, unreachable);
  } catch (error) {
    await forceClose(store);
    throw error instanceof QueueUnavailableError ? error : unreachable();
  }
  const registries = options.registries ?? createRegistries();
  const mine = options.stamp ?? versionStamp();
  const me = options.name ?? `${os.hostname()}:${process.pid}`;
  const lockMs = envMs('ENTROSCOPE_QUEUE_LOCK_MS', 30_000);
  const refuseDelayMs = envMs('ENTROSCOPE_QUEUE_REFUSE_DELAY_MS', 3000);
  let processed = 0;
  let failed = 0;
  let refused = 0;

  /** Per study fingerprint: the task descriptions this worker derives from the study, or why it cannot. */
  const studies = new Map<string, Map<string, TaskDescription> | string>();
  const derive = async (fingerprint: string): Promise<Map<string, TaskDescription>> => {
    let known = studies.get(fingerprint);
    if (known === undefined) {
      const text = await client.get(studyKey(fingerprint));
      if (text === null) throw new CannotReproduce(`its study is not in Redis (${studyKey(fingerprint)} is missing)`);
      try {
        const study = JSON.parse(text) as ResolvedStudy;
        if (fingerprintOf(study) !== fingerprint)
          known = 'its study does not hash to its fingerprint here (another Entroscope version?)';
        else known = new Map(describeTasks(expandTasks(study, registries), study).map((d) => [d.task.key, d] as const));
      } catch (error) {
        known = `its study cannot be expanded here: ${error instanceof Error ? error.message : String(error)}`;
      }
      studies.set(fingerprint, known);
    }
    if (typeof known === 'string') throw new CannotReproduce(known);
    return known;
  };
  const backends = new Map<string, Promise<string | undefined>>();
  const checkBackend = async (request: TaskJobData['backend']) => {
    const key = canonicalJson(request);
    let check = backends.get(key);
    if (!check) {
      check = resolveBackend(request.requested, request.families).then(
        () => undefined,
        (error: unknown) =>
          `the backend it asks for is not available here: ${error instanceof Error ? error.message : String(error)}`,
      );
      backends.set(key, check);
    }
    const problem = await check;
    if (problem) throw new CannotReproduce(problem);
  };

  const processJob = async (job: Job<TaskJobData, TaskJobResult>, token?: string): Promise<TaskJobResult> => {
    const data = job.data;
    const label = `task ${data.description.task.index + 1}/${data.description.of} (${data.description.label})`;
    let description: TaskDescription;
    try {
      const version = versionMismatch(data.version, mine);
      if (version) throw new CannotReproduce(version);
      const own = (await derive(data.fingerprint)).get(data.description.task.key);
      if (!own || canonicalJson(own) !== canonicalJson(data.description))
        throw new CannotReproduce(
          'this worker derives another task from its study (other plugin defaults or sweep expansion)',
        );
      await checkBackend(data.backend);
      description = own;
    } catch (error) {
      if (!(error instanceof CannotReproduce)) throw error;
      refused++;
      options.log(`returned ${label} to the queue: cannot reproduce it here: ${error.message}`);
      await job.updateProgress({ refused: error.message, worker: me } satisfies TaskJobProgress).catch(() => undefined);
      await job.moveToDelayed(Date.now() + refuseDelayMs, token);
      throw new DelayedError();
    }
    options.log(`started ${label} (job ${job.id}, attempt ${job.attemptsMade + 1})`);
    const started = Date.now();
    const lines: string[] = [];
    const executor = new ThreadTaskExecutor(data.backend);
    let lastProgress = 0;
    try {
      await executor.run(
        description,
        {
          onRecord: (record) => lines.push(stringifyRecord(record)),
          onProgress: (fraction) => {
            const now = Date.now();
            if (now - lastProgress < 1000) return;
            lastProgress = now;
            void job.updateProgress(fraction satisfies TaskJobProgress).catch(() => undefined);
          },
          logger: { info: (m) => options.log(m), warn: (m) => options.log(`warning: ${m}`) },
        },
        new AbortController().signal,
      );
    } catch (error) {
      const cause =
        error instanceof TaskFailedError ? (error.details['cause'] as { message: string; code?: string }) : undefined;
      if (cause && cause.code !== 'TASK_THREAD_LOST') {
        failed++;
        options.log(`failed ${label}: ${cause.message}`);
        // A user error: the same task fails the same way anywhere, so it is not retried.
        throw new UnrecoverableError(cause.message);
      }
      options.log(`lost ${label} (it is retried): ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      await executor.close();
    }
    processed++;
    const ms = Date.now() - started;
    options.log(`done ${label}: ${lines.length} measurements in ${(ms / 1000).toFixed(1)} s`);
    return { lines, worker: me, ms };
  };

  const worker = new Worker<TaskJobData, TaskJobResult>(QUEUE_NAME, processJob, {
    connection,
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    maxStalledCount: 3,
    autorun: false,
  });
  let lastError = '';
  let lastErrorAt = 0;
  worker.on('error', (error) => {
    // Redis going away repeats the same error on every reconnect attempt: say it once every 10 s.
    const now = Date.now();
    if (error.message === lastError && now - lastErrorAt < 10_000) return;
    lastError = error.message;
    lastErrorAt = now;
    options.log(`queue error (retrying): ${error.message}`);
  });
  options.log(
    `worker ${me} waiting for jobs on ${shownUrl(options.url)} (queue ${QUEUE_NAME}, concurrency ${options.concurrency})`,
  );
  const running = worker.run();
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  options.log('stopping: finishing the running jobs first');
  // Running jobs finish first (Redis gone: they cannot be reported; give up after a lock period, they stall).
  await within(worker.close(), lockMs + 5000, () => new Error('close timed out')).catch(async () => {
    options.log('Redis does not answer: stopping without reporting the running jobs (they are retried elsewhere)');
    await within(worker.disconnect(), 1000, () => new Error('disconnect timed out')).catch(() => undefined);
  });
  await within(running, 1000, () => new Error('not stopped')).catch(() => undefined);
  await forceClose(store);
  await closeIdleTaskThreads();
  return { processed, failed, refused };
}
