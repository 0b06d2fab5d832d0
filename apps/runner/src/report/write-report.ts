import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReportFigure, ResolvedStudy } from '@entroscope/core';
import { writeAtomically, type ResultRecord } from '../results-store';
import type { NonFiniteValue, TaskFailure } from '../run-study';
import { buildFigures } from './figures';
import { escapeXml } from './svg-chart';

export interface ReportContext {
  readonly backend: Record<string, unknown>;
  readonly status: 'complete' | 'interrupted' | 'failed';
  readonly tasks: number;
  readonly complete: number;
  /** Non-finite values (NaN, ±Infinity) with their site and swept parameters (rendered by the report). */
  readonly nonFinite?: readonly NonFiniteValue[];
  /** Tasks that failed, with their error message (which names the task's swept parameters). */
  readonly failures?: readonly TaskFailure[];
}

const MAX_TABLE_ROWS = 400;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(10)).toString() : String(value);
  return escapeXml(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Writes plots/*.svg and a self-contained report.html (inline SVG and CSS, no network) into `outDir`.
 * Returns the written paths relative to `outDir`.
 */
export function writeReport(outDir: string, study: ResolvedStudy, records: readonly ResultRecord[], figures: readonly ReportFigure[] | undefined, context: ReportContext): string[] {
  const plotsDir = path.join(outDir, 'plots');
  fs.rmSync(plotsDir, { recursive: true, force: true });
  fs.mkdirSync(plotsDir, { recursive: true });
  const rendered = buildFigures(study, records, figures);
  for (const figure of rendered) writeAtomically(path.join(plotsDir, figure.file), figure.svg);

  const swept = study.sweep.map((a) => a.path);
  const rows = records.slice(0, MAX_TABLE_ROWS).map(
    (r) =>
      `<tr><td>${cell(r.system)}</td><td>${cell(r.probe)}</td><td>${cell(r.estimator)}</td><td>${cell(r.site.axis)}</td><td class="n">${cell(r.site.index)}</td>` +
      swept.map((p) => `<td class="n">${cell(r.sweep[p])}</td>`).join('') +
      `<td class="n">${cell(r.value)}</td><td class="n">${cell(r.uncertainty)}</td><td>${cell(r.unit)}</td><td class="n">${cell(r.n)}</td></tr>`,
  );
  const statusBanner =
    context.status === 'complete'
      ? ''
      : `<p class="warn">Run ${context.status}: ${context.complete} of ${context.tasks} tasks complete. Re-run the same command to resume.</p>`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(study.name)} — Entroscope report</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .sub{color:#666;margin-top:0} figure{margin:1.5em 0} figcaption{color:#444;font-size:.92em;margin-top:.3em}
table{border-collapse:collapse;font-size:.85em} td,th{border:1px solid #ddd;padding:3px 6px;white-space:nowrap} figure svg{max-width:100%;height:auto} th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
.warn{background:#fff3cd;border:1px solid #e0c36b;padding:.6em} dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em} dt{font-weight:bold}
</style></head><body>
<h1>${escapeXml(study.name)}</h1>
<p class="sub">${escapeXml(study.description ?? '')}</p>
${statusBanner}
<h2>Provenance</h2>
<dl>
<dt>study file</dt><dd>${escapeXml(study.file)}</dd>
<dt>seed</dt><dd>${study.seed} (replicates: ${study.replicates})</dd>
<dt>backend</dt><dd>${escapeXml(String(context.backend['id'] ?? ''))}</dd>
<dt>tasks</dt><dd>${context.complete} of ${context.tasks} complete</dd>
<dt>units</dt><dd>${study.unit === 'bit' ? 'plots in bits (results.jsonl stores nats)' : 'nats'}</dd>
<dt>full record</dt><dd><a href="study.resolved.json">study.resolved.json</a> (resolved study, seeds, backend, package versions) · <a href="results.jsonl">results.jsonl</a> · <a href="results.csv">results.csv</a></dd>
</dl>
<h2>Figures</h2>
${rendered.map((f) => `<figure id="${escapeXml(f.file)}">\n${f.svg.replace(/^<svg /, '<svg role="img" ')}<figcaption>${escapeXml(f.title)}. ${escapeXml(f.caption)} <a href="plots/${escapeXml(f.file)}">SVG</a></figcaption></figure>`).join('\n')}
<h2>Results</h2>
<p>${records.length} measurements${records.length > MAX_TABLE_ROWS ? ` (first ${MAX_TABLE_ROWS} shown; all in results.csv)` : ''}.</p>
<table><thead><tr><th>system</th><th>probe</th><th>estimator</th><th>axis</th><th>site</th>${swept.map((p) => `<th>${escapeXml(p)}</th>`).join('')}<th>value</th><th>± (1 s.e.)</th><th>unit</th><th>n</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
  writeAtomically(path.join(outDir, 'report.html'), html);
  return ['report.html', ...rendered.map((f) => path.join('plots', f.file))];
}
