import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentError,
  EntroscopeError,
  backendIdPattern,
  canonicalJson,
  expandTasks,
  parseStudyText,
  applyStudyProfile,
  studyProfiles,
  resolveStudy,
  type BackendHandle,
  type Logger,
  type Registries,
  type ResolvedStudy,
} from '@entroscope/core';
import { checkFolderIsOurs, checkOutputPath, lockOutputFolder } from './output-folder';
import { gitState, packageVersions } from './provenance';
import { ResultsStore, taskId, writeAtomically, type ResultRecord } from './results-store';
import { QUEUE_NAME, shownUrl } from './queue/queue-connection';
import { QueueCoordinator } from './queue/queue-coordinator';
import { InlineTaskExecutor, ThreadTaskExecutor, type TaskExecutor } from './task-executor';
import { TaskFailedError, describeTasks } from './task-runner';
import { displayLookup } from './report/labels';
import { hostInfo, writeReport } from './report/write-report';

/** Reads and validates a study file (nothing is written). */
export function loadStudy(
  file: string,
  registries: Registries,
  overrides: { seed?: number; backend?: string; profile?: string } = {},
): ResolvedStudy {
  if (overrides.backend !== undefined && !backendIdPattern.test(overrides.backend)) {
    throw new ArgumentError(
      '--backend (command line)',
      'one of auto, cpu, gpujs:cpu, gpujs:webasm, gpujs:headlessgl, gpujs:webgpu',
      overrides.backend,
    );
  }
  if (!fs.existsSync(file)) throw new EntroscopeError('STUDY_MISSING', `${file}: no such study file`, { file });
  if (!fs.statSync(file).isFile()) throw new EntroscopeError('STUDY_MISSING', `${file}: not a file`, { file });
  const parsed = parseStudyText(fs.readFileSync(file, 'utf8'), file);
  const source = overrides.profile !== undefined ? applyStudyProfile(parsed, overrides.profile) : parsed;
  if (source.raw && typeof source.raw === 'object' && !Array.isArray(source.raw)) {
    const raw = source.raw as Record<string, unknown>;
    if (overrides.seed !== undefined) raw['seed'] = overrides.seed;
    if (overrides.backend !== undefined) raw['backend'] = overrides.backend;
  }
  return resolveStudy(source, registries);
}

/** Names of the profiles a study file declares (none when it cannot be read; loadStudy reports that). */
export function profilesOf(file: string): string[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return [];
  return studyProfiles(parseStudyText(fs.readFileSync(file, 'utf8'), file));
}

export interface RunOptions {
  readonly out?: string;
  readonly fresh?: boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Called as tasks progress: completed tasks (fractional within the running one) out of total. */
  readonly onProgress?: (done: number, total: number, message: string) => void;
  /** Chooses the compute backend once for the run. */
  readonly resolveBackend: (
    requested: string,
    pinned?: Readonly<Record<string, string>>,
  ) => Promise<{ handle: BackendHandle; record: Record<string, unknown> }>;
  /**
   * Where tasks run: 'thread' in a worker thread, so that Ctrl-C stops a long task at once (the thread loads the
   * plugins of plugins.ts and resolves the backend itself: only for the default registries); 'inline' (default) in
   * the calling thread, with the given registries and backend (an abort is seen between tasks only).
   */
  readonly isolation?: 'thread' | 'inline';
  /**
   * A Redis URL (`redis://HOST:PORT`): the tasks run as jobs of a BullMQ queue there, executed by `entroscope
   * worker` processes on any machine (docs/distributed.md); the results are collected into the same folder, in the
   * same order, with the same report. Without it the tasks run in this process (`isolation`).
   */
  readonly queue?: string;
}

/** A measured value or uncertainty that is NaN or ±Infinity, with where it was measured. */
export interface NonFiniteValue {
  readonly task: string;
  readonly taskIndex: number;
  readonly system: string;
  readonly probe: string;
  readonly estimator: string;
  readonly site: ResultRecord['site'];
  readonly field: 'value' | 'uncertainty';
  readonly value: 'NaN' | 'Infinity' | '-Infinity';
  /** The swept parameters of this measurement (path → value), and the replicate. */
  readonly sweep: Record<string, unknown>;
  readonly replicate: number;
}

/** A task that threw; the others ran. */
export interface TaskFailure {
  readonly task: string;
  readonly index: number;
  readonly label: string;
  readonly message: string;
}

export interface RunSummary {
  readonly outDir: string;
  readonly tasks: number;
  readonly resumed: number;
  readonly records: number;
  readonly files: string[];
  readonly interrupted: boolean;
  /** Tasks that failed this run (their error names the task and its swept parameters). */
  readonly failures: readonly TaskFailure[];
  /** Every non-finite value or uncertainty among the records. */
  readonly nonFinite: readonly NonFiniteValue[];
  /** What opening the folder repaired (a torn last line left by a crash). */
  readonly repairs: readonly string[];
}

/** Non-finite values and uncertainties of the records, with site and parameters. */
export function nonFiniteValues(records: readonly ResultRecord[]): NonFiniteValue[] {
  const found: NonFiniteValue[] = [];
  for (const r of records) {
    for (const field of ['value', 'uncertainty'] as const) {
      const v = r[field];
      if (typeof v === 'number' && !Number.isFinite(v)) {
        found.push({
          task: r.task,
          taskIndex: r.taskIndex,
          system: r.system,
          probe: r.probe,
          estimator: r.estimator,
          site: r.site,
          field,
          value: String(v) as NonFiniteValue['value'],
          sweep: r.sweep,
          replicate: r.replicate,
        });
      }
    }
  }
  return found;
}

/**
 * Fingerprint of everything that determines the numbers (resume only continues an identical run). It holds the
 * requested backend; a resumed `auto` run reuses the per-family choice recorded by the run it continues.
 */
export function fingerprintOf(study: ResolvedStudy): string {
  const { file: _file, output: _output, description: _description, report: _report, ...rest } = study;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/**
 * Runs a validated study: checks and locks the output folder, chooses the backend, expands tasks, runs them
 * (resuming a previous partial run; a task that throws is recorded and the others go on), appends results as they
 * arrive, then writes results.jsonl/csv, study.resolved.json, plots and report.html.
 */
export async function runStudy(study: ResolvedStudy, registries: Registries, options: RunOptions): Promise<RunSummary> {
  const logger = options.logger ?? { info: () => undefined, warn: () => undefined };
  const signal = options.signal ?? new AbortController().signal;
  const tasks = expandTasks(study, registries);
  const origin =
    options.out !== undefined
      ? '--out'
      : study.output !== undefined
        ? `output: (${study.file})`
        : 'the default output folder';
  const outDir = checkOutputPath(options.out ?? study.output ?? path.join('results', study.name), origin);
  checkFolderIsOurs(outDir, origin);
  const release = lockOutputFolder(outDir, (holder) =>
    logger.warn(
      `taking over a stale lock of ${outDir}: process ${holder.pid} (started ${holder.startedAt}) no longer runs`,
    ),
  );
  try {
    return await runLocked(study, registries, options, tasks, outDir, logger, signal);
  } finally {
    release();
  }
}

async function runLocked(
  study: ResolvedStudy,
  registries: Registries,
  options: RunOptions,
  tasks: ReturnType<typeof expandTasks>,
  outDir: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<RunSummary> {
  const fingerprint = fingerprintOf(study);
  const pinned = options.fresh ? undefined : ResultsStore.previousBackendFamilies(outDir, fingerprint);
  const backend = await options.resolveBackend(study.backend, pinned);
  const families = backend.record['families'] as Record<string, string> | undefined;
  // The queue before the folder: an unreachable Redis is reported before anything is written.
  const queue =
    options.queue !== undefined
      ? await QueueCoordinator.open(options.queue, {
          study,
          fingerprint,
          backend: { requested: study.backend, ...(families && { families }) },
          outDir,
        })
      : undefined;
  let store: ResultsStore;
  try {
    store = ResultsStore.open(outDir, fingerprint, options.fresh ?? false, families);
  } catch (error) {
    await queue?.close();
    throw error;
  }
  for (const repair of store.repairs) logger.warn(`${outDir}: ${repair}`);
  const started = new Date().toISOString();
  const resumed = tasks.filter((t) => store.completed.has(taskId(t.key))).length;
  const descriptions = describeTasks(tasks, study);
  let interrupted = false;
  let lost: EntroscopeError | undefined;
  const failures: TaskFailure[] = [];

  if (queue) {
    // Every pending task at once on the queue; records are appended as each job completes.
    const pending = descriptions.filter((d) => !store.completed.has(taskId(d.task.key)));
    let done = resumed;
    const progress = () =>
      options.onProgress?.(Math.min(done + queue.runningFraction(), tasks.length), tasks.length, queue.describe());
    try {
      await queue.runAll(
        pending,
        {
          completed: (description, records) => {
            const id = taskId(description.task.key);
            for (const record of records) store.append(record);
            store.markComplete(id);
            queue.acknowledge(description);
            done++;
          },
          failed: (description, error) => {
            failures.push({
              task: taskId(description.task.key),
              index: description.task.index,
              label: description.label,
              message: error.message,
            });
            logger.warn(error.message);
          },
          changed: progress,
          warn: (message) => logger.warn(message),
        },
        signal,
      );
    } catch (error) {
      if (error instanceof EntroscopeError && error.code === 'QUEUE_UNAVAILABLE') lost = error;
      else if (signal.aborted || (error instanceof EntroscopeError && error.code === 'INTERRUPTED')) interrupted = true;
      else throw error;
    } finally {
      // The queue's final state, with each worker's task count and rate.
      logger.info(queue.describe());
      await queue.close();
    }
    failures.sort((a, b) => a.index - b.index);
  }

  const executor: TaskExecutor | undefined = queue
    ? undefined
    : options.isolation === 'thread'
      ? new ThreadTaskExecutor({ requested: study.backend, ...(families && { families }) })
      : new InlineTaskExecutor(registries, backend.handle);
  try {
    for (const description of executor ? descriptions : []) {
      const { task, label } = description;
      const id = taskId(task.key);
      if (store.completed.has(id)) continue;
      // Let the event loop run between tasks (signals, timers, progress output).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) {
        interrupted = true;
        break;
      }
      options.onProgress?.(task.index, tasks.length, label);
      try {
        await executor!.run(
          description,
          {
            onRecord: (record) => store.append(record),
            onProgress: (f, m) =>
              options.onProgress?.(
                task.index + Math.min(Math.max(f, 0), 0.999),
                tasks.length,
                m ? `${label} · ${m}` : label,
              ),
            logger,
          },
          signal,
        );
        store.markComplete(id);
      } catch (error) {
        store.abandon(id);
        if (signal.aborted || (error instanceof EntroscopeError && error.code === 'INTERRUPTED')) {
          interrupted = true;
          break;
        }
        const failed =
          error instanceof TaskFailedError
            ? error
            : new TaskFailedError(description, { message: error instanceof Error ? error.message : String(error) });
        failures.push({ task: id, index: task.index, label, message: failed.message });
        logger.warn(failed.message);
      }
    }
  } finally {
    await executor?.close();
  }
  options.onProgress?.(tasks.length, tasks.length, 'writing report');

  // Whatever happened, write everything computed so far.
  const records = store.finalise(study.probes.map((p) => p.name));
  const complete = tasks.filter((t) => store.completed.has(taskId(t.key))).length;
  const status = failures.length > 0 ? 'failed' : interrupted || lost ? 'interrupted' : 'complete';
  const nonFinite = nonFiniteValues(records);
  const git = gitState();
  const resolvedFile = path.join(outDir, 'study.resolved.json');
  writeAtomically(
    resolvedFile,
    JSON.stringify(
      {
        study: { ...study },
        status,
        ...(failures.length > 0 && { error: failures.map((f) => f.message).join('\n'), failures }),
        ...(lost && { error: lost.message }),
        ...(options.queue !== undefined && { queue: { url: shownUrl(options.queue), name: QUEUE_NAME } }),
        tasks: { total: tasks.length, complete, resumedFromPreviousRun: resumed },
        nonFinite: { count: nonFinite.length, values: nonFinite },
        seeds: {
          root: study.seed,
          derivation:
            'RandomStream.fromSeed(seed).split(`system:<name>`).split(<canonical params>).split(`replicate:<r>`); probes: .split(`probe:<name>`).split(<canonical probe params>).split(`system:<name>`)...',
        },
        taskList: tasks.map((t) => ({
          id: taskId(t.key),
          index: t.index,
          system: t.system,
          replicate: t.replicate,
          probes: t.probes.map((p) => ({ name: p.name, use: p.use, params: p.params })),
        })),
        backend: backend.record,
        versions: packageVersions(),
        gitCommit: git.commit,
        gitDirty: git.dirty,
        host: hostInfo(),
        startedAt: started,
        finishedAt: new Date().toISOString(),
      },
      (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value),
      2,
    ) + '\n',
  );
  const reportFiles = await writeReport(outDir, study, records, study.report.figures, {
    display: displayLookup(registries),
    backend: backend.record,
    status,
    tasks: tasks.length,
    complete,
    nonFinite,
    failures,
  });
  const files = ['results.jsonl', 'results.csv', 'study.resolved.json', ...reportFiles];
  store.recordOutputs(files);
  // Redis lost mid-run: everything collected is written above; the run ends with the error (a re-run continues).
  if (lost) throw lost;
  return {
    outDir,
    tasks: tasks.length,
    resumed,
    records: records.length,
    files: files.map((f) => path.join(outDir, f)),
    interrupted,
    failures,
    nonFinite,
    repairs: store.repairs,
  };
}
