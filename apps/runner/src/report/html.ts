import type { ResolvedStudy } from '@entroscope/core';
import type { ResultRecord } from '../results-store';
import type { FigureSpec } from './figure-spec';
import { axisTitle, formatNumber, type DisplayLookup } from './labels';
import { browserLibraries } from './render';

/** A rendered figure: its specification and the static SVG (shown until the interactive view replaces it). */
export interface PageFigure extends FigureSpec {
  readonly svg: string;
}

/** What study.resolved.json records about a run (all optional: older folders lack some). */
export interface Provenance {
  readonly gitCommit?: string;
  readonly gitDirty?: boolean;
  readonly versions?: Record<string, string>;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly host?: { cores?: number; cpu?: string; platform?: string; memoryGiB?: number };
  readonly backend?: Record<string, unknown>;
}

export interface PageInput {
  readonly title: string;
  readonly description: string;
  readonly study?: ResolvedStudy;
  readonly records: readonly (ResultRecord & { run?: string })[];
  readonly figures: readonly PageFigure[];
  readonly provenance: Provenance;
  readonly status?: { status: string; tasks: number; complete: number };
  readonly nonFinite?: readonly {
    system: string;
    probe: string;
    estimator: string;
    site: ResultRecord['site'];
    field: string;
    value: string;
    sweep: Record<string, unknown>;
    replicate: number;
  }[];
  readonly failures?: readonly { label: string; message: string }[];
  readonly display: DisplayLookup;
  /** Extra sections (compare: the table of differences), already HTML. */
  readonly sections?: readonly string[];
  /** Provenance of several runs (compare). */
  readonly runs?: readonly { label: string; dir: string; provenance: Provenance }[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const FAMILY_WORDS: Record<string, string> = {
  dense: 'dense linear algebra (matrix products)',
  elementwise: 'element-wise maps',
  reduction: 'sums and reductions',
  histogram: 'pattern counts (histograms)',
  distance: 'pairwise distances',
  ising: 'Ising Monte Carlo sweeps',
  random: 'random number generation',
};
const BACKEND_WORDS: Record<string, string> = {
  cpu: 'CPU: plain TypeScript, WebAssembly SIMD matrix kernel on worker threads',
  'gpujs:cpu': 'gpu.js in CPU mode',
  'gpujs:webasm': 'gpu.js in WebAssembly mode',
  'gpujs:headlessgl': 'gpu.js on headless WebGL',
  'gpujs:webgpu': 'gpu.js on WebGPU',
};

function wallTime(p: Provenance): string {
  if (!p.startedAt || !p.finishedAt) return 'not recorded';
  const s = (Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000;
  return s >= 120 ? `${(s / 60).toFixed(1)} min (${s.toFixed(0)} s)` : `${s.toFixed(1)} s`;
}

function provenanceList(p: Provenance, study: ResolvedStudy | undefined, status: PageInput['status']): string {
  const backend = p.backend ?? {};
  const families = (backend['families'] ?? {}) as Record<string, string>;
  const familyRows = Object.entries(families)
    .map(
      ([family, id]) =>
        `<li>${escapeHtml(FAMILY_WORDS[family] ?? family)}: ${escapeHtml(BACKEND_WORDS[id] ?? id)}</li>`,
    )
    .join('');
  const commit = p.gitCommit
    ? `${escapeHtml(p.gitCommit)}${p.gitDirty === true ? ' <strong>with uncommitted changes</strong> (the numbers may not be reproducible from this commit)' : p.gitDirty === false ? ' (clean working tree)' : ''}`
    : 'not a git checkout';
  const host = p.host
    ? `${p.host.cores ?? '?'} cores (${escapeHtml(p.host.cpu ?? 'unknown CPU')}), ${escapeHtml(p.host.platform ?? '')}${p.host.memoryGiB ? `, ${p.host.memoryGiB} GiB` : ''}`
    : 'not recorded';
  const versions = Object.entries(p.versions ?? {})
    .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(v)}`)
    .join(', ');
  const rows: [string, string][] = [];
  if (study) {
    rows.push(['study file', escapeHtml(study.file)]);
    rows.push([
      'seed',
      `${study.seed}${study.replicates > 1 ? ` (${study.replicates} independent replicates of every stochastic task)` : ''}`,
    ]);
  }
  if (status) rows.push(['tasks', `${status.complete} of ${status.tasks} complete`]);
  rows.push(['git commit', commit]);
  rows.push(['date', escapeHtml(p.startedAt ? `${p.startedAt} → ${p.finishedAt ?? '?'}` : 'not recorded')]);
  rows.push(['wall time', wallTime(p)]);
  rows.push(['host', host]);
  rows.push([
    'backend',
    `${escapeHtml(String(backend['id'] ?? 'not recorded'))}${backend['why'] ? ` (${escapeHtml(String(backend['why']))})` : ''}${familyRows ? `<ul class="families">${familyRows}</ul>` : ''}`,
  ]);
  if (study)
    rows.push([
      'units',
      study.unit === 'bit' ? 'information in bits in the figures (results.jsonl stores nats)' : 'information in nats',
    ]);
  rows.push(['package versions', versions || 'not recorded']);
  return `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('\n')}</dl>`;
}

interface TableRow {
  readonly cells: (string | number | null)[];
}

/** Summary per system × probe × estimator × unit, then every measurement as data for the paged, filtered table. */
function resultsSection(
  records: PageInput['records'],
  study: ResolvedStudy | undefined,
  display: DisplayLookup,
  withRuns: boolean,
): string {
  const groups = new Map<
    string,
    {
      r: ResultRecord & { run?: string };
      count: number;
      min: number;
      max: number;
      sites: Set<number>;
      nonFinite: number;
    }
  >();
  for (const r of records) {
    const key = JSON.stringify([r.run ?? '', r.system, r.probe, r.estimator, r.unit, r.site.axis]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { r, count: 0, min: Infinity, max: -Infinity, sites: new Set(), nonFinite: 0 }));
    g.count++;
    g.sites.add(r.site.index);
    if (Number.isFinite(r.value)) {
      g.min = Math.min(g.min, r.value);
      g.max = Math.max(g.max, r.value);
    } else g.nonFinite++;
  }
  const summary = [...groups.values()]
    .map(
      (g) =>
        `<tr>${withRuns ? `<td>${escapeHtml(g.r.run ?? '')}</td>` : ''}<td>${escapeHtml(g.r.system)}</td><td>${escapeHtml(display.probe(g.r.probeId)?.name ?? g.r.probeId)} (${escapeHtml(g.r.probe)})</td><td>${escapeHtml(g.r.estimator)}</td>` +
        `<td class="n">${g.count}</td><td>${escapeHtml(axisTitle(display.system(g.r.systemId), g.r.site.axis))} ${Math.min(...g.sites)}–${Math.max(...g.sites)}</td>` +
        `<td class="n">${g.min <= g.max ? `${formatNumber(g.min)} … ${formatNumber(g.max)}` : '—'}</td><td>${escapeHtml(g.r.unit)}</td><td class="n">${g.nonFinite || ''}</td></tr>`,
    )
    .join('\n');
  const swept = study
    ? study.sweep.map((a) => a.path)
    : [...new Set(records.flatMap((r) => Object.keys(r.sweep)))].sort();
  const header = [
    ...(withRuns ? ['run'] : []),
    'system',
    'probe',
    'estimator',
    'axis',
    'site',
    ...swept.map((p) => p.split('.').slice(-1)[0]!),
    'value',
    '± (1 s.e.)',
    'unit',
    'n',
    'replicate',
  ];
  const rows: TableRow[] = records.map((r) => ({
    cells: [
      ...(withRuns ? [r.run ?? ''] : []),
      r.system,
      r.probe,
      r.estimator,
      r.site.axis,
      r.site.index,
      ...swept.map((p) =>
        r.sweep[p] === undefined ? '' : typeof r.sweep[p] === 'number' ? (r.sweep[p] as number) : String(r.sweep[p]),
      ),
      Number.isFinite(r.value) ? r.value : String(r.value),
      r.uncertainty === null ? '' : Number.isFinite(r.uncertainty) ? r.uncertainty : String(r.uncertainty),
      r.unit,
      r.n ?? 'exact',
      r.replicate,
    ],
  }));
  return `<h2>Results</h2>
<p>${records.length} measurements (all in <a href="results.csv">results.csv</a> and <a href="results.jsonl">results.jsonl</a>). Summary:</p>
<div class="scroll"><table class="summary"><thead><tr>${withRuns ? '<th>run</th>' : ''}<th>system</th><th>probe</th><th>estimator</th><th>measurements</th><th>sites</th><th>values (min … max)</th><th>unit</th><th>not finite</th></tr></thead><tbody>
${summary}
</tbody></table></div>
<h3>All measurements</h3>
<p><label>Filter: <input id="filter" type="search" placeholder="e.g. kl-exact 0.5"></label> <span id="page-info"></span> <button id="prev" type="button">◀ previous</button> <button id="next" type="button">next ▶</button></p>
<div class="scroll"><table id="results"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody></tbody></table></div>
<noscript><p>The table needs JavaScript; every value is in results.csv.</p></noscript>
<script type="application/json" id="rows">${JSON.stringify(rows.map((r) => r.cells)).replace(/</g, '\\u003c')}</script>`;
}

const STYLE = `
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{margin-bottom:.2em} .description{color:#444;max-width:60em} figure{margin:2em 0;border-top:1px solid #eee;padding-top:1em}
figcaption{color:#333;font-size:.92em;margin-top:.4em;max-width:60em;overflow-wrap:anywhere} figcaption a{margin-right:.6em}
.vega{max-width:100%;overflow-x:auto} .vega svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.85em} td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;overflow-wrap:anywhere} th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap} .scroll{max-width:100%;overflow-x:auto}
.warn{background:#fff3cd;border:1px solid #e0c36b;padding:.6em} dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25em 1em} dt{font-weight:bold} dd{margin:0;overflow-wrap:anywhere}
ul.families{margin:.2em 0;padding-left:1.2em} .vega-embed summary{opacity:.6}
`;

/** Browser side: interactive figures (vega-embed: zoom/pan, tooltips), the paged filtered table, and a self-check. */
const SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('specs').textContent);
  var embeds = specs.map(function (spec, i) {
    var el = document.getElementById('figure-' + i);
    return vegaEmbed(el, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { el.dataset.interactive = 'yes'; })
      .catch(function (e) { el.dataset.error = String(e); });
  });
  var rows = JSON.parse(document.getElementById('rows').textContent);
  var body = document.querySelector('#results tbody');
  var page = 0, size = 25, shown = rows;
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(page, pages - 1);
    body.innerHTML = '';
    shown.slice(page * size, page * size + size).forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (c) { var td = document.createElement('td'); if (typeof c === 'number') { td.className = 'n'; td.textContent = String(Number(c.toPrecision(10))); } else td.textContent = c; tr.appendChild(td); });
      body.appendChild(tr);
    });
    document.getElementById('page-info').textContent = shown.length ? 'rows ' + (page * size + 1) + '–' + Math.min(shown.length, page * size + size) + ' of ' + shown.length + (shown.length < rows.length ? ' (filtered from ' + rows.length + ')' : '') : 'no rows match';
  }
  document.getElementById('filter').addEventListener('input', function (e) {
    var terms = e.target.value.toLowerCase().split(/\\s+/).filter(Boolean);
    shown = rows.filter(function (cells) { var t = cells.join(' ').toLowerCase(); return terms.every(function (w) { return t.indexOf(w) >= 0; }); });
    page = 0; render();
  });
  document.getElementById('prev').addEventListener('click', function () { page = Math.max(0, page - 1); render(); });
  document.getElementById('next').addEventListener('click', function () { page++; render(); });
  render();
  // Self-check (opened as report.html#selfcheck by the end-to-end test): every figure drawn and non-empty,
  // no text outside its figure, no text overflowing its box on the page.
  if (location.hash === '#selfcheck') Promise.all(embeds).then(function () {
    var out = { figures: [], overflow: [] };
    specs.forEach(function (_, i) {
      var el = document.getElementById('figure-' + i);
      var svg = el.querySelector('svg');
      var box = svg ? svg.getBoundingClientRect() : null;
      var marks = svg ? svg.querySelectorAll('.mark-line path, .mark-symbol path, .mark-rect path, .mark-area path, .mark-rule line').length : 0;
      var texts = svg ? Array.prototype.slice.call(svg.querySelectorAll('text')) : [];
      var outside = texts.filter(function (t) { var b = t.getBoundingClientRect(); return b.width > 0 && (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1); }).map(function (t) { return t.textContent; });
      out.figures.push({ index: i, interactive: el.dataset.interactive === 'yes', error: el.dataset.error || null, width: box ? box.width : 0, height: box ? box.height : 0, marks: marks, texts: texts.length, outside: outside });
    });
    Array.prototype.forEach.call(document.querySelectorAll('h1,h2,h3,p,dt,dd,li,figcaption,td,th,label'), function (e) {
      if (e.closest('.vega')) return;
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible') out.overflow.push(e.tagName + ': ' + e.textContent.slice(0, 80));
    });
    var pre = document.createElement('pre'); pre.id = 'selfcheck'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
  });
})();
`;

/** The report page: one self-contained HTML file (libraries, specifications and data inline; opens offline). */
export function reportPage(input: PageInput): string {
  const status = input.status;
  const banner =
    status && status.status !== 'complete'
      ? `<p class="warn">Run ${escapeHtml(status.status)}: ${status.complete} of ${status.tasks} tasks complete. Re-run the same command to resume.</p>`
      : '';
  const failures = (input.failures ?? []).length
    ? `<h2>Failed tasks</h2><ul>${input.failures!.map((f) => `<li><strong>${escapeHtml(f.label)}</strong>: ${escapeHtml(f.message)}</li>`).join('')}</ul>`
    : '';
  const nonFinite = (input.nonFinite ?? []).length
    ? `<h2>Values that are not finite</h2><p class="warn">${input.nonFinite!.length} measured ${input.nonFinite!.length === 1 ? 'quantity is' : 'quantities are'} NaN or infinite; figures leave them out (curves are broken there).</p>
<div class="scroll"><table><thead><tr><th>system</th><th>probe</th><th>estimator</th><th>site</th><th>parameters</th><th>replicate</th><th>field</th><th>value</th></tr></thead><tbody>
${input
  .nonFinite!.slice(0, 200)
  .map(
    (v) =>
      `<tr><td>${escapeHtml(v.system)}</td><td>${escapeHtml(v.probe)}</td><td>${escapeHtml(v.estimator)}</td><td>${escapeHtml(`${v.site.axis} ${v.site.index}`)}</td><td>${escapeHtml(
        Object.entries(v.sweep)
          .map(([k, x]) => `${k.split('.').slice(-1)[0]} = ${typeof x === 'string' ? x : JSON.stringify(x)}`)
          .join(', '),
      )}</td><td class="n">${v.replicate}</td><td>${escapeHtml(v.field)}</td><td>${escapeHtml(v.value)}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>${input.nonFinite!.length > 200 ? `<p>… and ${input.nonFinite!.length - 200} more (study.resolved.json lists all).</p>` : ''}`
    : '';
  const provenance = input.runs
    ? input.runs
        .map(
          (r) =>
            `<h3>${escapeHtml(r.label)} <small>(${escapeHtml(r.dir)})</small></h3>${provenanceList(r.provenance, undefined, undefined)}`,
        )
        .join('\n')
    : provenanceList(input.provenance, input.study, status);
  const figures = input.figures
    .map(
      (f, i) =>
        `<figure id="${escapeHtml(f.file)}"><div class="vega" id="figure-${i}">${f.svg.replace(/^<svg /, '<svg role="img" ')}</div>` +
        `<figcaption><strong>Figure ${i + 1}. ${escapeHtml(f.title)}.</strong> ${escapeHtml(f.caption)} <a href="plots/${escapeHtml(f.file)}.svg">SVG</a><a href="plots/${escapeHtml(f.file)}.png">PNG</a><a href="plots/${escapeHtml(f.file)}.vl.json">Vega-Lite spec</a> (drag to pan, scroll to zoom, double-click to reset; hover for values)</figcaption></figure>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(input.title)} — Entroscope report</title>
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<p class="description">${escapeHtml(input.description)}</p>
${banner}
<h2>Provenance</h2>
${provenance}
<p>Full record: <a href="study.resolved.json">study.resolved.json</a> (resolved study, seeds, tasks, backend choice and timings).</p>
${failures}
${nonFinite}
${(input.sections ?? []).join('\n')}
<h2>Figures</h2>
${figures}
${resultsSection(input.records, input.study, input.display, input.runs !== undefined)}
<script type="application/json" id="specs">${JSON.stringify(input.figures.map((f) => f.spec)).replace(/</g, '\\u003c')}</script>
<script>${browserLibraries()}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
