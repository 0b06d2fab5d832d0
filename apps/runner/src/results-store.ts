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
  return JSON.stringify(record, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
}

export function parseRecord(line: string): ResultRecord {
  const record = JSON.parse(line) as ResultRecord & { value: number | string };
  return typeof record.value === 'string' ? { ...record, value: Number(record.value) } : record;
}

const STATE_DIR = '.entroscope';

/**
 * Results on disk, crash-safe: every measurement is appended to results.jsonl as it arrives, and a task
 * is marked complete in .entroscope/progress.jsonl when it ends. A re-run with the same fingerprint keeps
 * complete tasks, drops lines of incomplete ones and runs only what is missing. `finalise` rewrites
 * results.jsonl in task order, so a resumed run and an uninterrupted run give byte-identical files.
 */
export class ResultsStore {
  readonly resultsFile: string;
  private readonly progressFile: string;
  readonly completed: Set<string>;

  private constructor(
    readonly outDir: string,
    completed: Set<string>,
  ) {
    this.resultsFile = path.join(outDir, 'results.jsonl');
    this.progressFile = path.join(outDir, STATE_DIR, 'progress.jsonl');
    this.completed = completed;
  }

  /**
   * Opens `outDir` for a run with `fingerprint`. An existing run with another fingerprint is an error
   * unless `fresh` is set (then its results are removed).
   */
  /** The per-family backend choice recorded by an earlier run with the same fingerprint (to resume with it). */
  static previousBackendFamilies(outDir: string, fingerprint: string): Record<string, string> | undefined {
    const stateFile = path.join(outDir, STATE_DIR, 'state.json');
    if (!fs.existsSync(stateFile)) return undefined;
    const previous = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { fingerprint: string; backendFamilies?: Record<string, string> };
    return previous.fingerprint === fingerprint ? previous.backendFamilies : undefined;
  }

  static open(outDir: string, fingerprint: string, fresh: boolean, backendFamilies?: Record<string, string>): ResultsStore {
    const stateDir = path.join(outDir, STATE_DIR);
    const stateFile = path.join(stateDir, 'state.json');
    fs.mkdirSync(stateDir, { recursive: true });
    let completed = new Set<string>();
    if (fs.existsSync(stateFile) && !fresh) {
      const previous = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { fingerprint: string };
      if (previous.fingerprint !== fingerprint) {
        throw new EntroscopeError(
          'OUTPUT_CONFLICT',
          `${outDir} holds results of a different study configuration (or seed or requested backend). Use --fresh to replace them, or --out to write elsewhere.`,
          { outDir },
        );
      }
      const progress = path.join(stateDir, 'progress.jsonl');
      if (fs.existsSync(progress)) {
        completed = new Set(fs.readFileSync(progress, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { task: string }).task));
      }
    } else {
      for (const file of ['results.jsonl', path.join(STATE_DIR, 'progress.jsonl')]) fs.rmSync(path.join(outDir, file), { force: true });
    }
    fs.writeFileSync(stateFile, JSON.stringify({ fingerprint, ...(backendFamilies && { backendFamilies }) }, null, 2) + '\n');
    const store = new ResultsStore(outDir, completed);
    // Drop lines of tasks that never completed (a crash or Ctrl-C in the middle of a task).
    const kept = store.readAll().filter((r) => completed.has(r.task));
    fs.writeFileSync(store.resultsFile, kept.map((r) => stringifyRecord(r) + '\n').join(''));
    return store;
  }

  append(record: ResultRecord): void {
    fs.appendFileSync(this.resultsFile, stringifyRecord(record) + '\n');
  }

  markComplete(task: string): void {
    this.completed.add(task);
    fs.appendFileSync(this.progressFile, JSON.stringify({ task }) + '\n');
  }

  readAll(): ResultRecord[] {
    if (!fs.existsSync(this.resultsFile)) return [];
    return fs.readFileSync(this.resultsFile, 'utf8').split('\n').filter(Boolean).map(parseRecord);
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

export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, text);
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
  const fixed = ['task', 'replicate', 'system', 'systemId', 'probe', 'probeId', 'estimator', 'axis', 'index', 'label', 'value', 'unit', 'uncertainty', 'n'];
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
