import { Observable, Subject, connectable, filter, groupBy, merge, mergeMap } from 'rxjs';
import {
  EntroscopeError,
  RandomStream,
  canonicalJson,
  probeReceives,
  siteTimeKey,
  type BackendHandle,
  type Logger,
  type Measurement,
  type Registries,
  type ResolvedStudy,
  type RunContext,
  type Task,
} from '@entroscope/core';
import { taskId, type ResultRecord } from './results-store';

/**
 * Everything needed to run one task, as plain data (it crosses thread boundaries, and queues): the study seed
 * (every random stream of the task is split from it) and the expanded task. `label` names the task in messages
 * by its system and swept parameters (e.g. `lattice systems.lattice.params.steps=13`).
 */
export interface TaskDescription {
  readonly seed: number;
  readonly task: Task;
  readonly label: string;
  /** Number of tasks in the study, for messages (`task 5/12`). */
  readonly of: number;
}

/** A task threw: the message names the task, its swept parameters and the cause; the other tasks go on. */
export class TaskFailedError extends EntroscopeError {
  constructor(
    description: Pick<TaskDescription, 'task' | 'label' | 'of'>,
    cause: { message: string; code?: string; name?: string },
  ) {
    super(
      'TASK_FAILED',
      `task ${description.task.index + 1}/${description.of} (${description.label}) failed: ${cause.message}`,
      {
        task: taskId(description.task.key),
        index: description.task.index,
        label: description.label,
        cause: {
          message: cause.message,
          ...(cause.code !== undefined && { code: cause.code }),
          ...(cause.name !== undefined && { name: cause.name }),
        },
      },
    );
  }
}

/** Names a task by its system instance and the swept values that produced it (`chain systems.chain.params.K=0.5`). */
export function describeTask(task: Task, study: Pick<ResolvedStudy, 'sweep' | 'replicates'>): string {
  const swept = study.sweep.filter((a) => a.target.kind === 'system' && a.target.name === task.system.name);
  const parts = swept.map(
    (a) =>
      `${a.path}=${JSON.stringify(a.target.paramPath.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k as string], task.system.params))}`,
  );
  if (study.replicates > 1) parts.push(`replicate ${task.replicate}`);
  return [task.system.name, ...parts].join(' ');
}

export function describeTasks(tasks: readonly Task[], study: ResolvedStudy): TaskDescription[] {
  return tasks.map((task) => ({ seed: study.seed, task, label: describeTask(task, study), of: tasks.length }));
}

/** Streams of one task: the system runs once, multicast to every probe attached to it. */
export function observeTask(
  task: Task,
  seed: number,
  registries: Registries,
  backend: BackendHandle,
  signal: AbortSignal,
  logger: Logger,
  progress: (fraction: number, message?: string) => void,
): Observable<{ probeIndex: number; measurement: Measurement }> {
  const root = RandomStream.fromSeed(seed);
  const systemDescriptor = registries.systems.get(task.system.use);
  const systemKey = canonicalJson(task.system.params);
  const systemContext: RunContext = {
    name: task.system.name,
    random: root.split(`system:${task.system.name}`).split(systemKey).split(`replicate:${task.replicate}`),
    backend,
    logger,
    signal,
    progress,
  };
  const system = systemDescriptor.create(task.system.params, systemContext);
  const shared = connectable(system.observe(), { connector: () => new Subject(), resetOnDisconnect: false });
  const streams = task.probes.map((probe, probeIndex) => {
    const descriptor = registries.probes.get(probe.use);
    const context: RunContext = {
      name: probe.name,
      random: root
        .split(`probe:${probe.name}`)
        .split(canonicalJson(probe.params))
        .split(`system:${task.system.name}`)
        .split(systemKey)
        .split(`replicate:${task.replicate}`),
      backend,
      logger,
      signal,
    };
    const requirements = descriptor.requires(probe.params);
    // Each training time of a trained system is one sweep of its sites: it gets its own probe instance (fresh
    // reference layer, own random stream split by the time); observations without a time form one group, with
    // the probe's context unchanged. Metrics observations reach only probes that ask for them.
    const measurements = shared.pipe(
      filter((o) => probeReceives(requirements, o)),
      groupBy((o) => siteTimeKey(o.site)),
      mergeMap((group) =>
        descriptor
          .create(
            probe.params,
            group.key === '' ? context : { ...context, random: context.random.split(`time:${group.key}`) },
          )
          .apply(group),
      ),
    );
    return new Observable<{ probeIndex: number; measurement: Measurement }>((subscriber) =>
      measurements.subscribe({
        next: (measurement) => subscriber.next({ probeIndex, measurement }),
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
  });
  return new Observable((subscriber) => {
    const subscription = merge(...streams).subscribe(subscriber);
    subscription.add(shared.connect());
    return subscription;
  });
}

/** The line of results.jsonl for one measurement of a task. */
export function toRecord(task: Task, probeIndex: number, m: Measurement): ResultRecord {
  const probe = task.probes[probeIndex]!;
  return {
    task: taskId(task.key),
    taskIndex: task.index,
    replicate: task.replicate,
    system: task.system.name,
    systemId: task.system.use,
    probe: probe.name,
    probeId: m.probe,
    estimator: m.estimator,
    site: {
      axis: m.site.axis,
      index: m.site.index,
      ...(m.site.label !== undefined && { label: m.site.label }),
      ...(m.site.position !== undefined && { position: m.site.position }),
      ...(m.site.time !== undefined && { time: { ...m.site.time } }),
    },
    value: m.value,
    unit: m.unit,
    uncertainty: m.uncertainty ?? null,
    n: m.n,
    sweep: Object.assign({}, ...probe.points.slice(0, 1)),
    params: { system: task.system.params, probe: probe.params },
    meta: { ...m.meta },
  };
}

/** What executeTask needs besides the description: the plugins, the run's backend, and where to send events. */
export interface TaskEnvironment {
  readonly registries: Registries;
  readonly backend: BackendHandle;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Each record as it is measured (the runner appends it to results.jsonl at once). */
  readonly onRecord?: (record: ResultRecord) => void;
  /** Progress within the task (fraction in [0, 1]). */
  readonly onProgress?: (fraction: number, message?: string) => void;
}

/**
 * Runs one task and resolves to its records (in the order measured). This is the unit of work of every executor:
 * in the runner's process, in its task thread, or in a queue worker. A failure rejects with TaskFailedError.
 */
export function executeTask(description: TaskDescription, environment: TaskEnvironment): Promise<ResultRecord[]> {
  const { task } = description;
  const records: ResultRecord[] = [];
  const signal = environment.signal ?? new AbortController().signal;
  const logger = environment.logger ?? { info: () => undefined, warn: () => undefined };
  return new Promise<ResultRecord[]>((resolve, reject) => {
    const fail = (error: unknown) =>
      reject(
        error instanceof EntroscopeError && error.code === 'INTERRUPTED'
          ? error
          : new TaskFailedError(
              description,
              error instanceof Error
                ? {
                    message: error.message,
                    name: error.name,
                    ...(error instanceof EntroscopeError && { code: error.code }),
                  }
                : { message: String(error) },
            ),
      );
    try {
      observeTask(task, description.seed, environment.registries, environment.backend, signal, logger, (f, m) =>
        environment.onProgress?.(f, m),
      ).subscribe({
        next: ({ probeIndex, measurement }) => {
          const record = toRecord(task, probeIndex, measurement);
          records.push(record);
          environment.onRecord?.(record);
        },
        error: fail,
        complete: () => resolve(records),
      });
    } catch (error) {
      fail(error);
    }
  });
}
