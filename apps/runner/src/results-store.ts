import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EntroscopeError, type Site, type Unit } from '@entroscope/core';

/** One line of results.jsonl: a measurement with everything needed to trace it. */
export interface ResultRecord {
  /** Short stable id of the task (system configuration × replicate). */
  readonly task: string;
  readonly taskIndex: number;
  readonly replicate: number;
  readonly system: string;
  readonly systemId: string;
  readonly probe: string;
  readonly probeId: string;
  readonly estimator: string;
  readonly site: Site;
  readonly value: number;
  readonly unit: Unit;
  readonly uncertainty: number | null;
  readonly n: number | null;
  /** Sweep values (path → value) that produced this configuration. */
  readonly sweep: Record<string, unknown>;
  /** Resolved parameters (defaults applied). */
  readonly params: { readonly system: Record<string, unknown>; readonly probe: Record<string, unknown> };
  readonly meta: Record<string, unknown>;
}

export function taskId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** JSON with non-finite numbers written as the strings "Infinity", "-Infinity", "NaN" (never silently null). */
export function stringifyRecord(record: ResultRecord): string {
  return JSON.stringify(record, (_key, value) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

export function parseRecord(line: string): ResultRecord {
  const record = JSON.parse(line) as ResultRecord & { value: number | string };
  return typeof record.value === 'string' ? { ...record, value: Number(record.value) } : record;
}

export const STATE_DIR = '.entroscope';

/** The results folder cannot be resumed as it is: a file was damaged, removed or edited since the run wrote it. */
export class OutputDamagedError extends EntroscopeError {
  constructor(outDir: string, problems: readonly string[]) {
    const listed = problems.slice(0, 5).map((p) => `  - ${p}`);
    if (problems.length > 5) listed.push(`  - … and ${problems.length - 5} more`);
    super(
      'OUTPUT_DAMAGED',
      `${outDir} cannot be resumed: its files do not match the record of the run that wrote them:\n${listed.join('\n')}\n` +
        `Restore the files, or re-run with --fresh to recompute everything (it replaces only the files Entroscope wrote there).`,
      { outDir, problems: [...problems] },
    );
  }
}

/** What .entroscope/state.json holds. */
export interface RunState {
  readonly fingerprint: string;
  readonly backendFamilies?: Record<string, string>;
  /** Output files (relative to the folder) written by runs with this state, so that --fresh removes only those. */
  readonly files?: readonly string[];
}

/** One line of .entroscope/progress.jsonl: a completed task, with the count and digest of its result lines. */
interface ProgressEntry {
  readonly task: string;
  readonly records?: number;
  readonly sha256?: string;
}

/** Order-independent digest of a task's result lines (finalise re-sorts lines within a task). */
export function digestLines(lines: readonly string[]): string {
  return createHash('sha256')
    .update([...lines].sort().join('\n'))
    .digest('hex');
}

/** Outputs every run writes, removed by --fresh in a folder whose state predates the `files` list. */
const STANDARD_OUTPUTS = ['results.jsonl', 'results.csv', 'study.resolved.json', 'report.html'];

/** Reads state.json; a damaged one is an OutputDamagedError, a missing one `undefined`. */
export function readRunState(outDir: string): RunState | undefined {
  const stateFile = path.join(outDir, STATE_DIR, 'state.json');
  if (!fs.existsSync(stateFile)) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch (error) {
    throw new OutputDamagedError(outDir, [
      `${STATE_DIR}/state.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
  if (state === null || typeof state !== 'object' || typeof (state as RunState).fingerprint !== 'string') {
    throw new OutputDamagedError(outDir, [`${STATE_DIR}/state.json has no study fingerprint`]);
  }
  return state as RunState;
}

/** Splits a JSON-lines text into complete lines and a torn last line (text after the last newline), if any. */
function splitLines(text: string): { lines: string[]; torn?: string } {
  const parts = text.split('\n');
  const last = parts.pop()!;
  return { lines: parts, ...(last !== '' && { torn: last }) };
}

/**
 * Results on disk, crash-safe: every measurement is appended to results.jsonl as it arrives, and a task is
 * marked complete in .entroscope/progress.jsonl when it ends, with the count and digest of its lines. A re-run
 * with the same fingerprint checks the folder against that record (a torn last line, left by a crash in the
 * middle of a write, is repaired; any other difference is refused with OutputDamagedError), keeps complete
 * tasks, drops lines of incomplete ones and runs only what is missing. `finalise` rewrites results.jsonl in
 * task order, so a resumed run and an uninterrupted run give byte-identical files. Every rewrite is atomic.
 */
export class ResultsStore {
  readonly resultsFile: string;
  private readonly progressFile: string;
  readonly completed: Set<string>;
  /** Result lines of the running tasks (task id → lines), for their digest when they complete. */
  private readonly pending = new Map<string, string[]>();
  /** What open() repaired (a torn last line), for the run's log. */
  readonly repairs: string[];

  private constructor(
    readonly outDir: string,
    completed: Set<string>,
    repairs: string[],
    private readonly state: RunState,
  ) {
    this.resultsFile = path.join(outDir, 'results.jsonl');
    this.progressFile = path.join(outDir, STATE_DIR, 'progress.jsonl');
    this.completed = completed;
    this.repairs = repairs;
  }

  /** The per-family backend choice recorded by an earlier run with the same fingerprint (to resume with it). */
  static previousBackendFamilies(outDir: string, fingerprint: string): Record<string, string> | undefined {
    const previous = readRunState(outDir);
    return previous?.fingerprint === fingerprint ? previous.backendFamilies : undefined;
  }

  /**
   * Opens `outDir` (already checked and locked by the caller) for a run with `fingerprint`. An earlier run with
   * another fingerprint is an error unless `fresh` is set: then the files it wrote (and only those) are removed.
   */
  static open(
    outDir: string,
    fingerprint: string,
    fresh: boolean,
    backendFamilies?: Record<string, string>,
  ): ResultsStore {
    const stateDir = path.join(outDir, STATE_DIR);
    const stateFile = path.join(stateDir, 'state.json');
    const progressFile = path.join(stateDir, 'progress.jsonl');
    const resultsFile = path.join(outDir, 'results.jsonl');
    fs.mkdirSync(stateDir, { recursive: true });
    let previous: RunState | undefined;
    try {
      previous = readRunState(outDir);
    } catch (error) {
      if (!fresh) throw error;
    }
    let completed = new Set<string>();
    let kept: string[] = [];
    const repairs: string[] = [];
    if (previous && !fresh) {
      if (previous.fingerprint !== fingerprint) {
        throw new EntroscopeError(
          'OUTPUT_CONFLICT',
          `${outDir} holds results of a different study configuration (or seed or requested backend). Use --fresh to replace them, or --out to write elsewhere.`,
          { outDir },
        );
      }
      const checked = ResultsStore.verify(outDir);
      completed = checked.completed;
      kept = checked.kept;
      repairs.push(...checked.repairs);
      if (checked.progressRewrite !== undefined) writeAtomically(progressFile, checked.progressRewrite);
    } else {
      // A fresh start: remove what earlier runs wrote here (listed in their state), nothing else.
      const written = previous?.files ?? STANDARD_OUTPUTS;
      for (const file of new Set([...written, ...STANDARD_OUTPUTS])) {
        const target = path.resolve(outDir, file);
        if (target.startsWith(path.resolve(outDir) + path.sep)) fs.rmSync(target, { force: true });
      }
      fs.rmSync(progressFile, { force: true });
    }
    const state: RunState = {
      fingerprint,
      ...(backendFamilies && { backendFamilies }),
      files: fresh ? [] : (previous?.files ?? []),
    };
    writeAtomically(stateFile, JSON.stringify(state, null, 2) + '\n');
    // Keep only lines of complete tasks (a crash or Ctrl-C in the middle of a task leaves some of its lines).
    writeAtomically(resultsFile, kept.map((line) => line + '\n').join(''));
    return new ResultsStore(outDir, completed, repairs, state);
  }

  /** Checks results.jsonl against progress.jsonl: counts and digests of every completed task. */
  private static verify(outDir: string): {
    completed: Set<string>;
    kept: string[];
    repairs: string[];
    progressRewrite?: string;
  } {
    const problems: string[] = [];
    const repairs: string[] = [];
    const progressFile = path.join(outDir, STATE_DIR, 'progress.jsonl');
    const resultsFile = path.join(outDir, 'results.jsonl');
    const entries = new Map<string, ProgressEntry>();
    let progressRewrite: string | undefined;
    if (fs.existsSync(progressFile)) {
      const { lines, torn } = splitLines(fs.readFileSync(progressFile, 'utf8'));
      const parsed: string[] = [];
      lines.forEach((line, i) => {
        let entry: ProgressEntry | undefined;
        try {
          entry = JSON.parse(line) as ProgressEntry;
        } catch {
          entry = undefined;
        }
        if (!entry || typeof entry.task !== 'string') {
          problems.push(`${STATE_DIR}/progress.jsonl line ${i + 1} is not a task record`);
          return;
        }
        if (entries.has(entry.task)) problems.push(`${STATE_DIR}/progress.jsonl records task ${entry.task} twice`);
        entries.set(entry.task, entry);
        parsed.push(line);
      });
      if (torn !== undefined) {
        repairs.push(`${STATE_DIR}/progress.jsonl: dropped a torn last line (that task runs again)`);
        progressRewrite = parsed.map((line) => line + '\n').join('');
      }
    }
    const byTask = new Map<string, string[]>();
    if (fs.existsSync(resultsFile)) {
      const { lines, torn } = splitLines(fs.readFileSync(resultsFile, 'utf8'));
      if (torn !== undefined) repairs.push('results.jsonl: dropped a torn last line (a write cut short by a crash)');
      lines.forEach((line, i) => {
        let task: unknown;
        try {
          task = (JSON.parse(line) as { task?: unknown }).task;
        } catch {
          task = undefined;
        }
        if (typeof task !== 'string') {
          problems.push(`results.jsonl line ${i + 1} is not a measurement record`);
          return;
        }
        const list = byTask.get(task) ?? [];
        list.push(line);
        byTask.set(task, list);
      });
    } else if (entries.size > 0) {
      problems.push(`results.jsonl is missing, but ${entries.size} task(s) are recorded complete`);
    }
    if (fs.existsSync(resultsFile)) {
      for (const [task, entry] of entries) {
        const lines = byTask.get(task) ?? [];
        if (entry.records === undefined) continue; // written before counts were recorded: nothing to check against
        if (lines.length !== entry.records)
          problems.push(
            `task ${task} has ${lines.length} measurement line(s) in results.jsonl; the run wrote ${entry.records}`,
          );
        else if (entry.sha256 !== undefined && digestLines(lines) !== entry.sha256)
          problems.push(
            `task ${task}: its ${lines.length} line(s) in results.jsonl were changed since the run wrote them`,
          );
      }
    }
    if (problems.length > 0) throw new OutputDamagedError(outDir, problems);
    const completed = new Set(entries.keys());
    const kept = [...byTask.entries()].filter(([task]) => completed.has(task)).flatMap(([, lines]) => lines);
    return { completed, kept, repairs, ...(progressRewrite !== undefined && { progressRewrite }) };
  }

  append(record: ResultRecord): void {
    const line = stringifyRecord(record);
    fs.appendFileSync(this.resultsFile, line + '\n');
    const lines = this.pending.get(record.task) ?? [];
    lines.push(line);
    this.pending.set(record.task, lines);
  }

  markComplete(task: string): void {
    const lines = this.pending.get(task) ?? [];
    this.pending.delete(task);
    this.completed.add(task);
    fs.appendFileSync(
      this.progressFile,
      JSON.stringify({ task, records: lines.length, sha256: digestLines(lines) }) + '\n',
    );
  }

  /** Forgets the lines of a task that did not complete (they stay in results.jsonl until finalise drops them). */
  abandon(task: string): void {
    this.pending.delete(task);
  }

  readAll(): ResultRecord[] {
    if (!fs.existsSync(this.resultsFile)) return [];
    return splitLines(fs.readFileSync(this.resultsFile, 'utf8')).lines.filter(Boolean).map(parseRecord);
  }

  /** Records the output files a run wrote (relative paths), so that --fresh can remove exactly those later. */
  recordOutputs(files: readonly string[]): void {
    const merged = [...new Set([...(this.state.files ?? []), ...files])].sort();
    const state: RunState = { ...this.state, files: merged };
    writeAtomically(path.join(this.outDir, STATE_DIR, 'state.json'), JSON.stringify(state, null, 2) + '\n');
  }

  /** Rewrites results.jsonl in canonical order and writes results.csv. Returns the records. */
  finalise(probeOrder: readonly string[]): ResultRecord[] {
    const records = this.readAll().filter((r) => this.completed.has(r.task));
    const probeRank = (r: ResultRecord) => probeOrder.indexOf(r.probe);
    records.sort(
      (a, b) =>
        a.taskIndex - b.taskIndex ||
        probeRank(a) - probeRank(b) ||
        compareText(JSON.stringify(a.params.probe), JSON.stringify(b.params.probe)) ||
        compareText(a.site.axis, b.site.axis) ||
        compareText(a.site.time?.axis ?? '', b.site.time?.axis ?? '') ||
        (a.site.time?.index ?? 0) - (b.site.time?.index ?? 0) ||
        a.site.index - b.site.index,
    );
    writeAtomically(this.resultsFile, records.map((r) => stringifyRecord(r) + '\n').join(''));
    writeAtomically(path.join(this.outDir, 'results.csv'), toCsv(records));
    return records;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes through a temporary file, flushed to disk, then renamed over `file`: readers see the old or the new text. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

function flatten(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out[prefix] = value;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** results.csv: fixed columns, then one column per (flattened) system and probe parameter. */
export function toCsv(records: readonly ResultRecord[]): string {
  const fixed = [
    'task',
    'replicate',
    'system',
    'systemId',
    'probe',
    'probeId',
    'estimator',
    'axis',
    'index',
    'label',
    'value',
    'unit',
    'uncertainty',
    'n',
  ];
  const rows = records.map((r) => {
    const row: Record<string, unknown> = {
      task: r.task,
      replicate: r.replicate,
      system: r.system,
      systemId: r.systemId,
      probe: r.probe,
      probeId: r.probeId,
      estimator: r.estimator,
      axis: r.site.axis,
      index: r.site.index,
      label: r.site.label,
      value: r.value,
      unit: r.unit,
      uncertainty: r.uncertainty,
      n: r.n,
    };
    if (r.site.time) flatten('time', r.site.time, row);
    flatten('system', r.params.system, row);
    flatten('probe', r.params.probe, row);
    return row;
  });
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)).filter((k) => !fixed.includes(k)))].sort();
  const columns = [...fixed, ...extra];
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
}
