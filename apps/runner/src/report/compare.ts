import * as fs from 'node:fs';
import * as path from 'node:path';
import { EntroscopeError, canonicalJson, type ReportFigure, type ResolvedStudy } from '@entroscope/core';
import { writeAtomically, type ResultRecord } from '../results-store';
import { buildFigureSpecs, type FigureSpec, type RunRecord } from './figure-spec';
import { escapeHtml, reportPage, type Provenance } from './html';
import { formatNumber, noDisplay, type DisplayLookup } from './labels';
import { writeFigures, writeReport } from './write-report';

/**
 * `entroscope compare DIR...`: several result folders in one report. Measurements are matched by probe id,
 * estimator, site (axis, index, training time), system id and the full parameters of system and probe (instance
 * names and folder layout do not matter); replicates are averaged first. Each later run is compared with the first:
 * Δ = v − v₀ in units of its uncertainty, z = Δ / √(u² + u₀²), u the standard error (of the replicate mean, or the
 * estimator's own); two exact values (no uncertainty) either agree exactly or are listed as differing.
 */

export interface LoadedRun {
  readonly label: string;
  readonly dir: string;
  readonly study: ResolvedStudy;
  readonly provenance: Provenance;
  readonly records: ResultRecord[];
}

const revive = (v: unknown) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v);

/** Reads a result folder written by `entroscope run` (results.jsonl and study.resolved.json). */
export function loadRun(dir: string, label?: string): LoadedRun {
  const resolvedFile = path.join(dir, 'study.resolved.json');
  const resultsFile = path.join(dir, 'results.jsonl');
  for (const file of [resolvedFile, resultsFile]) {
    if (!fs.existsSync(file))
      throw new EntroscopeError(
        'STUDY_MISSING',
        `${file}: no such file (expected a folder written by 'entroscope run')`,
        { file },
      );
  }
  let resolved: Record<string, unknown>;
  try {
    resolved = JSON.parse(fs.readFileSync(resolvedFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new EntroscopeError('STUDY_MISSING', `${resolvedFile}: not valid JSON (${(e as Error).message})`, {
      file: resolvedFile,
    });
  }
  const records = fs
    .readFileSync(resultsFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        const r = JSON.parse(line) as ResultRecord & Record<string, unknown>;
        return { ...r, value: revive(r.value) as number, uncertainty: revive(r.uncertainty) as number | null };
      } catch (e) {
        throw new EntroscopeError(
          'STUDY_MISSING',
          `${resultsFile}:${i + 1}: not a JSON line (${(e as Error).message})`,
          { file: resultsFile },
        );
      }
    });
  return {
    label: label ?? path.basename(path.resolve(dir)),
    dir,
    study: resolved['study'] as ResolvedStudy,
    provenance: resolved as Provenance,
    records,
  };
}

/** Key of a measurement for matching across runs. */
export function matchKey(r: ResultRecord): string {
  const time = (r.site as { time?: { axis: string; index: number } }).time;
  return canonicalJson({
    probe: r.probeId,
    estimator: r.estimator,
    axis: r.site.axis,
    site: r.site.index,
    time: time ? [time.axis, time.index] : null,
    system: r.systemId,
    params: r.params,
  });
}

interface Summary {
  readonly record: ResultRecord;
  readonly value: number;
  /** Standard error (null: exact). */
  readonly error: number | null;
  readonly replicates: number;
}

function summarise(records: readonly ResultRecord[]): Map<string, Summary> {
  const groups = new Map<string, ResultRecord[]>();
  for (const r of records) groups.set(matchKey(r), [...(groups.get(matchKey(r)) ?? []), r]);
  const out = new Map<string, Summary>();
  for (const [key, rs] of groups) {
    if (rs.length === 1)
      out.set(key, { record: rs[0]!, value: rs[0]!.value, error: rs[0]!.uncertainty, replicates: 1 });
    else {
      const mean = rs.reduce((a, r) => a + r.value, 0) / rs.length;
      const sd = Math.sqrt(rs.reduce((a, r) => a + (r.value - mean) ** 2, 0) / (rs.length - 1));
      out.set(key, { record: rs[0]!, value: mean, error: sd / Math.sqrt(rs.length), replicates: rs.length });
    }
  }
  return out;
}

export interface Difference {
  readonly run: string;
  readonly key: string;
  readonly record: ResultRecord;
  readonly base: number;
  readonly value: number;
  readonly delta: number;
  /** √(u² + u₀²), 0 when both are exact. */
  readonly sigma: number;
  /** Δ/σ; 0 for equal exact values, ±Infinity for different exact values, NaN when a value is not finite. */
  readonly z: number;
}

export interface Comparison {
  readonly runs: readonly LoadedRun[];
  readonly differences: Difference[];
  /** Per later run: measurements only in the first run, only in that run. */
  readonly unmatched: { run: string; onlyInFirst: number; onlyInThis: number }[];
}

/** Matches every later run's measurements with the first run's. */
export function compareRuns(runs: readonly LoadedRun[]): Comparison {
  const [first, ...rest] = runs;
  if (!first || rest.length === 0)
    throw new EntroscopeError('STUDY_MISSING', 'compare: give at least two result folders', {});
  const base = summarise(first.records);
  const differences: Difference[] = [];
  const unmatched: Comparison['unmatched'] = [];
  for (const run of rest) {
    const mine = summarise(run.records);
    let onlyInThis = 0;
    for (const [key, s] of mine) {
      const b = base.get(key);
      if (!b) {
        onlyInThis++;
        continue;
      }
      const delta = s.value - b.value;
      const sigma = Math.hypot(s.error ?? 0, b.error ?? 0);
      const z = !Number.isFinite(delta)
        ? s.value === b.value
          ? 0
          : NaN
        : sigma > 0
          ? delta / sigma
          : delta === 0
            ? 0
            : Math.sign(delta) * Infinity;
      differences.push({ run: run.label, key, record: s.record, base: b.value, value: s.value, delta, sigma, z });
    }
    unmatched.push({ run: run.label, onlyInFirst: [...base.keys()].filter((k) => !mine.has(k)).length, onlyInThis });
  }
  return { runs, differences, unmatched };
}

function differencesSection(c: Comparison): string {
  const first = c.runs[0]!.label;
  const perRun = c.runs.slice(1).map((run) => {
    const mine = c.differences.filter((d) => d.run === run.label);
    const finite = mine.filter((d) => Number.isFinite(d.z));
    const maxZ = finite.reduce((m, d) => Math.max(m, Math.abs(d.z)), 0);
    const u = c.unmatched.find((x) => x.run === run.label)!;
    return `<tr><td>${escapeHtml(run.label)}</td><td class="n">${mine.length}</td><td class="n">${mine.filter((d) => d.z === 0 && d.delta === 0).length}</td><td class="n">${finite.filter((d) => Math.abs(d.z) > 2).length}</td><td class="n">${finite.filter((d) => Math.abs(d.z) > 3).length}</td><td class="n">${mine.filter((d) => !Number.isFinite(d.z)).length}</td><td class="n">${formatNumber(maxZ)}</td><td class="n">${u.onlyInFirst}</td><td class="n">${u.onlyInThis}</td></tr>`;
  });
  const worst = [...c.differences]
    .sort((a, b) => (Number.isNaN(b.z) ? 0 : Math.abs(b.z)) - (Number.isNaN(a.z) ? 0 : Math.abs(a.z)))
    .slice(0, 40);
  const rows = worst.map((d) => {
    const r = d.record;
    const sweep = Object.entries(r.sweep)
      .map(([k, v]) => `${k.split('.').slice(-1)[0]} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
    return `<tr><td>${escapeHtml(d.run)}</td><td>${escapeHtml(r.probe)}</td><td>${escapeHtml(r.estimator)}</td><td>${escapeHtml(`${r.site.axis} ${r.site.index}`)}</td><td>${escapeHtml(sweep)}</td><td class="n">${formatNumber(d.base)}</td><td class="n">${formatNumber(d.value)}</td><td class="n">${formatNumber(d.delta)}</td><td class="n">${d.sigma > 0 ? formatNumber(d.sigma) : 'exact'}</td><td class="n">${Number.isFinite(d.z) ? formatNumber(d.z) : d.sigma === 0 && Number.isFinite(d.delta) ? 'exact values differ' : 'not finite'}</td></tr>`;
  });
  return `<h2>Differences from ${escapeHtml(first)}</h2>
<p>Matched by probe, estimator, site, system and parameters (replicates averaged). z = Δ / √(u² + u₀²), u one standard error; |z| &gt; 3 is unlikely by chance for independent runs.</p>
<div class="scroll"><table><thead><tr><th>run</th><th>matched</th><th>identical</th><th>|z| &gt; 2</th><th>|z| &gt; 3</th><th>exact values differ / not finite</th><th>max |z|</th><th>only in ${escapeHtml(first)}</th><th>only in this run</th></tr></thead><tbody>${perRun.join('\n')}</tbody></table></div>
<h3>Largest differences</h3>
<div class="scroll"><table><thead><tr><th>run</th><th>probe</th><th>estimator</th><th>site</th><th>parameters</th><th>${escapeHtml(first)}</th><th>this run</th><th>Δ</th><th>σ</th><th>z = Δ/σ</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

/** A strip plot of z per probe and run (one point per matched measurement with an uncertainty). */
function zFigure(c: Comparison): FigureSpec | undefined {
  const rows = c.differences
    .filter((d) => Number.isFinite(d.z) && d.sigma > 0)
    .map((d) => ({
      probe: d.record.probe,
      run: d.run,
      z: d.z,
      site: `${d.record.site.axis} ${d.record.site.index}`,
      delta: formatNumber(d.delta),
      sigma: formatNumber(d.sigma),
    }));
  if (rows.length === 0) return undefined;
  return {
    file: 'figure-0-differences-in-units-of-uncertainty',
    title: `Differences from ${c.runs[0]!.label} in units of their uncertainty`,
    caption:
      'One point per matched measurement with an uncertainty: z = Δ/σ by probe, colour by run; dashed lines at z = ±2.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: [`Differences from ${c.runs[0]!.label} in units of their uncertainty`], anchor: 'start' },
      config: {
        font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
        legend: { labelLimit: 0 },
        axis: { labelLimit: 0, titleFontWeight: 'normal' },
      },
      width: 460,
      height: 260,
      data: { values: rows },
      layer: [
        {
          mark: { type: 'point', filled: true, size: 24, opacity: 0.7 },
          encoding: {
            x: { field: 'probe', type: 'nominal', title: 'probe', axis: { labelAngle: -30 } },
            xOffset: { field: 'run', type: 'nominal' },
            y: { field: 'z', type: 'quantitative', title: 'z = Δ / σ' },
            color: { field: 'run', type: 'nominal', title: 'run' },
            tooltip: [
              { field: 'run' },
              { field: 'probe' },
              { field: 'site' },
              { field: 'z', format: '.3~g' },
              { field: 'delta', title: 'Δ' },
              { field: 'sigma', title: 'σ' },
            ],
          },
        },
        {
          data: { values: [{ y: -2 }, { y: 2 }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#666' },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
      ],
    },
  };
}

/** Writes the comparison report (report.html, plots/, differences.csv) into `outDir`; returns the written files. */
export async function writeComparison(
  dirs: readonly string[],
  outDir: string,
  display: DisplayLookup = noDisplay,
): Promise<{ files: string[]; comparison: Comparison }> {
  const labels = dirs.map((d) => path.basename(path.resolve(d)));
  const runs = dirs.map((d, i) =>
    loadRun(d, labels.filter((l) => l === labels[i]).length > 1 ? `${labels[i]} (${i + 1})` : labels[i]),
  );
  const comparison = compareRuns(runs);
  const first = runs[0]!;
  const records: RunRecord[] = runs.flatMap((run) => run.records.map((r) => ({ ...r, run: run.label })));
  const figures: ReportFigure[] | undefined = first.study.report?.figures as ReportFigure[] | undefined;
  const specs = buildFigureSpecs(first.study, records, figures, { display, runs: runs.map((r) => r.label) });
  const z = zFigure(comparison);
  fs.mkdirSync(outDir, { recursive: true });
  const rendered = await writeFigures(path.join(outDir, 'plots'), z ? [z, ...specs] : specs);
  const html = reportPage({
    title: `Comparison: ${runs.map((r) => r.label).join(' vs ')}`,
    description: `${runs.length} runs of ${[...new Set(runs.map((r) => r.study.name))].join(', ')} overlaid (markers by run), with the differences of matched measurements in units of their uncertainty.`,
    records,
    figures: rendered,
    provenance: {},
    display,
    sections: [differencesSection(comparison)],
    runs: runs.map((r) => ({ label: r.label, dir: r.dir, provenance: r.provenance })),
  });
  writeAtomically(path.join(outDir, 'report.html'), html);
  const csv = ['run,probe,estimator,axis,site,parameters,first,value,delta,sigma,z']
    .concat(
      comparison.differences.map((d) =>
        [
          d.run,
          d.record.probe,
          d.record.estimator,
          d.record.site.axis,
          d.record.site.index,
          `"${canonicalJson(d.record.sweep).replace(/"/g, '""')}"`,
          d.base,
          d.value,
          d.delta,
          d.sigma,
          d.z,
        ]
          .map((v) => String(v))
          .join(','),
      ),
    )
    .join('\n');
  writeAtomically(path.join(outDir, 'differences.csv'), csv + '\n');
  return {
    files: [
      'report.html',
      'differences.csv',
      ...rendered.flatMap((f) => ['.vl.json', '.svg', '.png'].map((e) => path.join('plots', f.file + e))),
    ],
    comparison,
  };
}

/**
 * Re-draws the figures and report.html of a result folder from its results.jsonl and study.resolved.json (after a
 * change of figures or of the report code; nothing is recomputed). Returns the written files and the time taken.
 */
export async function rewriteReport(
  dir: string,
  display: DisplayLookup = noDisplay,
): Promise<{ files: string[]; seconds: number }> {
  const started = performance.now();
  const run = loadRun(dir);
  const resolved = run.provenance as Provenance & {
    status?: string;
    tasks?: { total: number; complete: number };
    nonFinite?: { values?: unknown[] };
  };
  const files = await writeReport(
    dir,
    run.study,
    run.records,
    run.study.report?.figures as ReportFigure[] | undefined,
    {
      display,
      backend: resolved.backend ?? {},
      status: (resolved.status as 'complete' | 'interrupted' | 'failed' | undefined) ?? 'complete',
      tasks: resolved.tasks?.total ?? 0,
      complete: resolved.tasks?.complete ?? 0,
      ...(Array.isArray(resolved.nonFinite?.values) && { nonFinite: resolved.nonFinite.values as never }),
    },
  );
  return { files, seconds: (performance.now() - started) / 1000 };
}
