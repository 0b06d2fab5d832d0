import { Job, Queue, QueueEvents } from 'bullmq';
import { EntroscopeError, type ResolvedStudy } from '@entroscope/core';
import { parseRecord, type ResultRecord } from '../results-store';
import { TaskFailedError, type TaskDescription } from '../task-runner';
import {
  QUEUE_NAME,
  QueueUnavailableError,
  connectionOptions,
  envMs,
  pingRedis,
  studyKey,
  within,
} from './queue-connection';
import {
  jobIdFor,
  runKey,
  versionStamp,
  type BackendRequest,
  type TaskJobData,
  type TaskJobProgress,
  type TaskJobResult,
  type VersionStamp,
} from './queue-jobs';

/** Where a coordinator sends what happens to the tasks of its run. */
export interface QueueRunHandlers {
  /** A task's job completed: all its records, in the order measured (the runner appends them, then acknowledges). */
  readonly completed: (description: TaskDescription, records: ResultRecord[]) => void;
  /** A task's job failed for good (a user error, or retries exhausted). */
  readonly failed: (description: TaskDescription, error: TaskFailedError) => void;
  /** Something changed (a job started, progressed, finished): time to redraw the progress line. */
  readonly changed: () => void;
  readonly warn: (message: string) => void;
}

interface Entry {
  readonly description: TaskDescription;
  state: 'unknown' | 'waiting' | 'active';
  fraction: number;
  /** Being collected or failed (its records are on their way to the folder). */
  settling: boolean;
}

/** Jobs kept in Redis at most this long when nobody collects them (seconds). */
const KEEP_S = 14 * 24 * 3600;

/**
 * The coordinator side of `entroscope run --queue`: puts one BullMQ job per pending task on the queue (its
 * plain-data description and derived seed, the study fingerprint, backend request and version stamp; the resolved
 * study is stored once in Redis), and collects each job's records as it completes. Workers (`entroscope worker`)
 * on any machine run the jobs.
 *
 * Job ids are derived from the run (fingerprint, version stamp, results folder) and the task: a coordinator that
 * runs again after Ctrl-C or a crash finds the jobs of the run it continues, collects those that completed
 * meanwhile, waits for those still queued or running, retries those that failed, and re-enqueues those Redis
 * lost. A job is removed from Redis only after the runner has recorded its task in the results folder.
 *
 * Redis is watched with a ping every second: no answer for ENTROSCOPE_QUEUE_LOST_MS (default 10 s) ends the run
 * with QueueUnavailableError; what was collected stays in the folder.
 */
export class QueueCoordinator {
  private readonly entries = new Map<string, Entry>();
  private readonly perWorker = new Map<string, { tasks: number; first: number; last: number }>();
  private readonly refusals = new Set<string>();
  private done = 0;
  private failedCount = 0;
  private lostError: QueueUnavailableError | undefined;
  private onLost: ((error: QueueUnavailableError) => void) | undefined;
  private readonly lost: Promise<never>;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private reconcileTimer: ReturnType<typeof setInterval> | undefined;
  private cursor = 0;

  private constructor(
    url: string,
    private readonly queue: Queue<TaskJobData, TaskJobResult>,
    private readonly events: QueueEvents,
    private readonly run: string,
    private readonly job: Omit<TaskJobData, 'description'>,
  ) {
    this.lost = new Promise<never>((_, reject) => {
      this.onLost = reject;
    });
    this.lost.catch(() => undefined);
    const lostAfter = envMs('ENTROSCOPE_QUEUE_LOST_MS', 10_000);
    let failingSince: number | undefined;
    let pinging = false;
    this.watchdog = setInterval(() => {
      if (pinging || this.lostError) return;
      pinging = true;
      void within(
        queue.client.then((c) => pingRedis(c)),
        1000,
        () => new Error('no answer'),
      )
        .then(() => (failingSince = undefined))
        .catch(() => {
          failingSince ??= Date.now();
          if (Date.now() - failingSince >= lostAfter) {
            this.lostError = new QueueUnavailableError(
              url,
              `the connection to Redis was lost during the run (no answer for ${(lostAfter / 1000).toFixed(0)} s). ` +
                `Every task collected so far is in the results folder; run the same command again once Redis is back ` +
                `(tasks whose jobs Redis lost are enqueued again).`,
            );
            this.onLost?.(this.lostError);
          }
        })
        .finally(() => (pinging = false));
    }, 1000);
    this.watchdog.unref?.();
  }

  /**
   * Connects to the queue and stores the resolved study in Redis. Redis not answering within
   * ENTROSCOPE_QUEUE_CONNECT_MS (default 5 s) is a QueueUnavailableError; nothing is enqueued then.
   */
  static async open(
    url: string,
    run: { study: ResolvedStudy; fingerprint: string; backend: BackendRequest; outDir: string; version?: VersionStamp },
  ): Promise<QueueCoordinator> {
    const connection = connectionOptions(url);
    const connectMs = envMs('ENTROSCOPE_QUEUE_CONNECT_MS', 5000);
    const unreachable = () =>
      new QueueUnavailableError(
        url,
        `Redis does not answer there within ${(connectMs / 1000).toFixed(0)} s (start redis-server, or check host and port); nothing was enqueued`,
      );
    const queue = new Queue<TaskJobData, TaskJobResult>(QUEUE_NAME, { connection });
    queue.on('error', () => undefined); // reported by the watchdog and the waits
    let events: QueueEvents | undefined;
    try {
      const client = await within(queue.client, connectMs, unreachable);
      await within(pingRedis(client), connectMs, unreachable);
      await client.set(studyKey(run.fingerprint), JSON.stringify(run.study), { EX: KEEP_S });
      events = new QueueEvents(QUEUE_NAME, { connection });
      events.on('error', () => undefined);
      await within(events.waitUntilReady(), connectMs, unreachable);
    } catch (error) {
      await forceClose(queue, events);
      throw error instanceof EntroscopeError ? error : unreachable();
    }
    const version = run.version ?? versionStamp();
    return new QueueCoordinator(url, queue, events, runKey(run.fingerprint, version, run.outDir), {
      fingerprint: run.fingerprint,
      backend: run.backend,
      version,
    });
  }

  /** Races a Redis operation against the loss of Redis. */
  private guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.lost]);
  }

  /**
   * Runs the tasks on the queue; resolves when every one has completed or failed. Rejects with an `INTERRUPTED`
   * EntroscopeError when `signal` aborts (the jobs stay queued: workers go on, and a re-run collects them), or
   * with QueueUnavailableError when Redis is lost.
   */
  runAll(pending: readonly TaskDescription[], handlers: QueueRunHandlers, signal: AbortSignal): Promise<void> {
    for (const description of pending)
      this.entries.set(jobIdFor(this.run, description), {
        description,
        state: 'unknown',
        fraction: 0,
        settling: false,
      });
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let over = false;
      const end = (error?: unknown) => {
        if (over) return;
        over = true;
        this.events.removeAllListeners('completed');
        this.events.removeAllListeners('failed');
        this.events.removeAllListeners('active');
        this.events.removeAllListeners('progress');
        this.events.removeAllListeners('waiting');
        this.events.removeAllListeners('stalled');
        if (this.reconcileTimer) clearInterval(this.reconcileTimer);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => end(new EntroscopeError('INTERRUPTED', 'interrupted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.lost.catch((error: unknown) => end(error));
      const settled = () => {
        handlers.changed();
        if (this.entries.size === 0) end();
      };
      const fail = (error: unknown) => end(error);

      const collect = async (id: string) => {
        const entry = this.entries.get(id);
        if (!entry || entry.settling) return;
        entry.settling = true;
        const job = await this.guard(Job.fromId<TaskJobData, TaskJobResult>(this.queue, id));
        const result = job?.returnvalue;
        if (over) return;
        if (!job || !result || !Array.isArray(result.lines)) {
          entry.settling = false; // not readable yet (or vanished): the next reconciliation looks again
          return;
        }
        this.entries.delete(id);
        handlers.completed(entry.description, result.lines.map(parseRecord));
        this.done++;
        const stats = this.perWorker.get(result.worker) ?? {
          tasks: 0,
          first: job.processedOn ?? Date.now(),
          last: job.finishedOn ?? Date.now(),
        };
        stats.tasks++;
        stats.first = Math.min(stats.first, job.processedOn ?? stats.first);
        stats.last = Math.max(stats.last, job.finishedOn ?? stats.last);
        this.perWorker.set(result.worker, stats);
        settled();
      };
      const failed = async (id: string) => {
        const entry = this.entries.get(id);
        if (!entry || entry.settling) return;
        entry.settling = true;
        const job = await this.guard(Job.fromId<TaskJobData, TaskJobResult>(this.queue, id));
        if (over) return;
        if (!job || (await this.guard(job.getState())) !== 'failed') {
          entry.settling = false; // retried meanwhile
          return;
        }
        this.entries.delete(id);
        this.failedCount++;
        handlers.failed(
          entry.description,
          new TaskFailedError(entry.description, { message: job.failedReason || 'the job failed (no reason given)' }),
        );
        settled();
      };
      const add = (descriptions: readonly TaskDescription[]) =>
        this.guard(
          this.queue.addBulk(
            descriptions.map((description) => ({
              name: 'task',
              data: { ...this.job, description },
              opts: {
                jobId: jobIdFor(this.run, description),
                attempts: 3,
                backoff: { type: 'fixed', delay: 1000 },
                removeOnComplete: { age: KEEP_S },
                removeOnFail: { age: KEEP_S },
              },
            })),
          ),
        );
      /** Looks at the state of `ids` in Redis and acts on it (collect, fail, retry, re-enqueue). */
      const look = async (ids: readonly string[], first: boolean) => {
        const states = await this.guard(Promise.all(ids.map((id) => this.queue.getJobState(id))));
        const missing: TaskDescription[] = [];
        const work: Promise<void>[] = [];
        ids.forEach((id, i) => {
          const entry = this.entries.get(id);
          if (!entry || entry.settling) return;
          const state = states[i];
          if (state === 'completed') work.push(collect(id));
          else if (state === 'failed') {
            if (first)
              work.push(
                this.guard(this.queue.getJob(id)).then(async (job) => {
                  await job?.retry('failed', { resetAttemptsMade: true });
                }),
              );
            else work.push(failed(id));
          } else if (state === 'unknown') missing.push(entry.description);
          else if (state === 'active') entry.state = 'active';
          else {
            entry.state = 'waiting';
            entry.fraction = 0;
          }
        });
        if (missing.length > 0) {
          if (!first)
            handlers.warn(
              `${missing.length} job(s) of this run were no longer in Redis (restarted without its data?): enqueued again`,
            );
          await add(missing);
        }
        await Promise.all(work);
      };

      this.events.on('completed', ({ jobId }: { jobId: string }) => {
        if (this.entries.has(jobId)) collect(jobId).catch(fail);
      });
      this.events.on('failed', ({ jobId }) => {
        if (this.entries.has(jobId)) failed(jobId).catch(fail);
      });
      this.events.on('active', ({ jobId }) => {
        const entry = this.entries.get(jobId);
        if (!entry) return;
        entry.state = 'active';
        entry.fraction = 0;
        handlers.changed();
      });
      for (const name of ['waiting', 'stalled'] as const)
        this.events.on(name, ({ jobId }: { jobId: string }) => {
          const entry = this.entries.get(jobId);
          if (!entry) return;
          entry.state = 'waiting';
          entry.fraction = 0;
          handlers.changed();
        });
      this.events.on('progress', ({ jobId, data }) => {
        const entry = this.entries.get(jobId);
        if (!entry) return;
        const progress = data as TaskJobProgress;
        if (typeof progress === 'number') {
          entry.fraction = Math.min(Math.max(progress, 0), 0.999);
          handlers.changed();
        } else if (progress && typeof progress === 'object' && typeof progress.refused === 'string') {
          const key = `${progress.worker}\n${progress.refused}`;
          if (!this.refusals.has(key)) {
            this.refusals.add(key);
            handlers.warn(
              `worker ${progress.worker} returned task ${entry.description.task.index + 1}/${entry.description.of} (${entry.description.label}) to the queue: ${progress.refused} (further refusals of this kind by this worker are not repeated; the job waits for a worker that can reproduce it)`,
            );
          }
        }
      });

      // Enqueue (in chunks: one round trip per job state, one per chunk of new jobs), then reconcile regularly:
      // events can be missed (a reconnect, a coordinator that started after the job finished).
      const enqueue = async () => {
        const ids = [...this.entries.keys()];
        for (let i = 0; i < ids.length && !over; i += 500) await look(ids.slice(i, i + 500), true);
        if (over) return;
        handlers.changed();
        const pollMs = envMs('ENTROSCOPE_QUEUE_POLL_MS', 2000);
        let busy = false;
        this.reconcileTimer = setInterval(() => {
          if (busy || over) return;
          busy = true;
          const ids = [...this.entries.keys()];
          if (this.cursor >= ids.length) this.cursor = 0;
          const slice = ids.slice(this.cursor, this.cursor + 1000);
          this.cursor += slice.length;
          look(slice, false)
            .catch(fail)
            .finally(() => (busy = false));
        }, pollMs);
      };
      enqueue().catch(fail);
    });
  }

  /** The runner has recorded the task in the results folder: its job can go. */
  acknowledge(description: TaskDescription): void {
    if (this.lostError) return;
    void this.guard(this.queue.remove(jobIdFor(this.run, description))).catch(() => undefined);
  }

  /** Tasks of this run still on the queue: fraction done of the running ones (for the progress count). */
  runningFraction(): number {
    let sum = 0;
    for (const e of this.entries.values()) if (e.state === 'active') sum += e.fraction;
    return sum;
  }

  /** `queue: 4 done, 2 running, 0 failed, 6 waiting · workers: host:123 3 tasks (2.5 tasks/min), …` */
  describe(): string {
    let running = 0;
    for (const e of this.entries.values()) if (e.state === 'active') running++;
    const waiting = this.entries.size - running;
    const rates = [...this.perWorker].map(([worker, s]) => {
      const perMinute = (60_000 * s.tasks) / Math.max(s.last - s.first, 1);
      return `${worker} ${s.tasks} task${s.tasks === 1 ? '' : 's'} (${perMinute >= 100 ? perMinute.toFixed(0) : perMinute.toPrecision(3)} tasks/min)`;
    });
    return `queue: ${this.done} done, ${running} running, ${this.failedCount} failed, ${waiting} waiting${rates.length ? ` · workers: ${rates.join(', ')}` : ''}`;
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await forceClose(this.queue, this.events);
  }
}

/** Closes BullMQ clients (exported for the worker); one that does not close within a second (Redis gone) is disconnected. */
export async function forceClose(queue: Queue, events?: QueueEvents): Promise<void> {
  await Promise.all(
    [queue, events].map(async (client) => {
      if (!client) return;
      try {
        await within(client.close(), 1000, () => new Error('close timed out'));
      } catch {
        // disconnect() waits for a client that may never have connected: bounded too.
        await within(client.disconnect(), 1000, () => new Error('disconnect timed out')).catch(() => undefined);
      }
    }),
  );
}
