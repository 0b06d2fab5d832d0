import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Observable, Subject, connectable, filter, groupBy, merge, mergeMap } from 'rxjs';
import {
  EntroscopeError,
  RandomStream,
  canonicalJson,
  expandTasks,
  parseStudyText,
  probeReceives,
  resolveStudy,
  siteTimeKey,
  type BackendHandle,
  type Logger,
  type Measurement,
  type Registries,
  type ResolvedStudy,
  type RunContext,
  type Task,
} from '@entroscope/core';
import { gitCommit, packageVersions } from './provenance';
import { ResultsStore, taskId, writeAtomically, type ResultRecord } from './results-store';
import { displayLookup } from './report/labels';
import { hostInfo, writeReport } from './report/write-report';

/** Reads and validates a study file (nothing is written). */
export function loadStudy(file: string, registries: Registries, overrides: { seed?: number; backend?: string } = {}): ResolvedStudy {
  if (!fs.existsSync(file)) throw new EntroscopeError('STUDY_MISSING', `${file}: no such study file`, { file });
  const source = parseStudyText(fs.readFileSync(file, 'utf8'), file);
  if (source.raw && typeof source.raw === 'object' && !Array.isArray(source.raw)) {
    const raw = source.raw as Record<string, unknown>;
    if (overrides.seed !== undefined) raw['seed'] = overrides.seed;
    if (overrides.backend !== undefined) raw['backend'] = overrides.backend;
  }
  return resolveStudy(source, registries);
}

export interface RunOptions {
  readonly out?: string;
  readonly fresh?: boolean;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Called as tasks progress: completed tasks (fractional within the running one) out of total. */
  readonly onProgress?: (done: number, total: number, message: string) => void;
  /** Chooses the compute backend once for the run. */
  readonly resolveBackend: (requested: string, pinned?: Readonly<Record<string, string>>) => Promise<{ handle: BackendHandle; record: Record<string, unknown> }>;
}

export interface RunSummary {
  readonly outDir: string;
  readonly tasks: number;
  readonly resumed: number;
  readonly records: number;
  readonly files: string[];
  readonly interrupted: boolean;
}

/** Streams of one task: the system runs once, multicast to every probe attached to it. */
function runTask(task: Task, study: ResolvedStudy, registries: Registries, backend: BackendHandle, signal: AbortSignal, logger: Logger, progress: (f: number, m?: string) => void): Observable<{ probeIndex: number; measurement: Measurement }> {
  const root = RandomStream.fromSeed(study.seed);
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
      random: root.split(`probe:${probe.name}`).split(canonicalJson(probe.params)).split(`system:${task.system.name}`).split(systemKey).split(`replicate:${task.replicate}`),
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
      mergeMap((group) => descriptor.create(probe.params, group.key === '' ? context : { ...context, random: context.random.split(`time:${group.key}`) }).apply(group)),
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

/**
 * Fingerprint of everything that determines the numbers (resume only continues an identical run). It holds the
 * requested backend; a resumed `auto` run reuses the per-family choice recorded by the run it continues.
 */
export function fingerprintOf(study: ResolvedStudy): string {
  const { file: _file, output: _output, description: _description, report: _report, ...rest } = study;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/**
 * Runs a validated study: chooses the backend, expands tasks, runs them (resuming a previous partial run),
 * appends results as they arrive, then writes results.jsonl/csv, study.resolved.json, plots and report.html.
 */
export async function runStudy(study: ResolvedStudy, registries: Registries, options: RunOptions): Promise<RunSummary> {
  const logger = options.logger ?? { info: () => undefined, warn: () => undefined };
  const signal = options.signal ?? new AbortController().signal;
  const tasks = expandTasks(study, registries);
  const outDir = options.out ?? study.output ?? path.join('results', study.name);
  const fingerprint = fingerprintOf(study);
  const pinned = options.fresh ? undefined : ResultsStore.previousBackendFamilies(outDir, fingerprint);
  const backend = await options.resolveBackend(study.backend, pinned);
  const families = backend.record['families'] as Record<string, string> | undefined;
  const store = ResultsStore.open(outDir, fingerprint, options.fresh ?? false, families);
  const started = new Date().toISOString();
  const resumed = tasks.filter((t) => store.completed.has(taskId(t.key))).length;
  let interrupted = false;
  let failure: unknown;

  for (const task of tasks) {
    const id = taskId(task.key);
    if (store.completed.has(id)) continue;
    // Let the event loop run between tasks: a Ctrl-C (SIGINT handler) is only delivered when it does.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal.aborted) {
      interrupted = true;
      break;
    }
    const label = [task.system.name, describeParams(task, study)].filter(Boolean).join(" ");
    options.onProgress?.(task.index, tasks.length, label);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new EntroscopeError('INTERRUPTED', 'interrupted'));
        signal.addEventListener('abort', onAbort, { once: true });
        runTask(task, study, registries, backend.handle, signal, logger, (f, m) => options.onProgress?.(task.index + Math.min(Math.max(f, 0), 0.999), tasks.length, m ? `${label} · ${m}` : label)).subscribe({
          next: ({ probeIndex, measurement }) => store.append(toRecord(task, id, probeIndex, measurement)),
          error: (e) => {
            signal.removeEventListener('abort', onAbort);
            reject(e);
          },
          complete: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        });
      });
      store.markComplete(id);
    } catch (error) {
      if (signal.aborted) interrupted = true;
      else failure = error;
      break;
    }
  }
  options.onProgress?.(tasks.length, tasks.length, 'writing report');

  // Whatever happened, write everything computed so far.
  const records = store.finalise(study.probes.map((p) => p.name));
  const complete = tasks.filter((t) => store.completed.has(taskId(t.key))).length;
  const resolvedFile = path.join(outDir, 'study.resolved.json');
  writeAtomically(
    resolvedFile,
    JSON.stringify(
      {
        study: { ...study },
        status: failure ? 'failed' : interrupted ? 'interrupted' : 'complete',
        ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
        tasks: { total: tasks.length, complete, resumedFromPreviousRun: resumed },
        seeds: { root: study.seed, derivation: 'RandomStream.fromSeed(seed).split(`system:<name>`).split(<canonical params>).split(`replicate:<r>`); probes: .split(`probe:<name>`).split(<canonical probe params>).split(`system:<name>`)...' },
        taskList: tasks.map((t) => ({ id: taskId(t.key), index: t.index, system: t.system, replicate: t.replicate, probes: t.probes.map((p) => ({ name: p.name, use: p.use, params: p.params })) })),
        backend: backend.record,
        versions: packageVersions(),
        gitCommit: gitCommit(),
        host: hostInfo(),
        startedAt: started,
        finishedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  const reportFiles = await writeReport(outDir, study, records, study.report.figures, { display: displayLookup(registries), backend: backend.record, status: failure ? 'failed' : interrupted ? 'interrupted' : 'complete', tasks: tasks.length, complete });
  if (failure) throw failure;
  return {
    outDir,
    tasks: tasks.length,
    resumed,
    records: records.length,
    files: ['results.jsonl', 'results.csv', 'study.resolved.json', ...reportFiles].map((f) => path.join(outDir, f)),
    interrupted,
  };
}

function describeParams(task: Task, study: ResolvedStudy): string {
  const swept = study.sweep.filter((a) => a.target.kind === 'system' && a.target.name === task.system.name);
  const parts = swept.map((a) => `${a.target.paramPath.join('.')}=${JSON.stringify(a.target.paramPath.reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k as string], task.system.params))}`);
  if (study.replicates > 1) parts.push(`replicate ${task.replicate}`);
  return parts.join(' ');
}

function toRecord(task: Task, id: string, probeIndex: number, m: Measurement): ResultRecord {
  const probe = task.probes[probeIndex]!;
  return {
    task: id,
    taskIndex: task.index,
    replicate: task.replicate,
    system: task.system.name,
    systemId: task.system.use,
    probe: probe.name,
    probeId: m.probe,
    estimator: m.estimator,
    site: { axis: m.site.axis, index: m.site.index, ...(m.site.label !== undefined && { label: m.site.label }), ...(m.site.time !== undefined && { time: { ...m.site.time } }) },
    value: m.value,
    unit: m.unit,
    uncertainty: m.uncertainty ?? null,
    n: m.n,
    sweep: Object.assign({}, ...probe.points.slice(0, 1)),
    params: { system: task.system.params, probe: probe.params },
    meta: { ...m.meta },
  };
}
