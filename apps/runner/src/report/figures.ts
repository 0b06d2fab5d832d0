import { NATS_PER_BIT, canonicalJson, parsePath, getAt, type ReportFigure, type ResolvedStudy } from '@entroscope/core';
import type { ResultRecord } from '../results-store';
import { heatMap, lineChart, type LineSeries, type SeriesPoint } from './svg-chart';

export interface RenderedFigure {
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

const defaults: Omit<ReportFigure, 'title' | 'probes'> = { where: {}, type: 'line', x: 'site', y: 'value', logY: false, markers: [], overlays: ['asymptote'], references: [] };

/** Converts a value to the study's display unit (results.jsonl always keeps nats). */
function display(value: number, unit: string, target: 'nat' | 'bit'): { value: number; unit: string } {
  if (target === 'bit' && unit.startsWith('nat')) return { value: value / NATS_PER_BIT, unit: unit.replace(/^nat/, 'bit') };
  return { value, unit };
}

function flattenParams(prefix: string, value: unknown, out: Record<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenParams(prefix ? `${prefix}.${k}` : k, v, out);
  } else out[prefix] = JSON.stringify(value);
}

interface Group {
  readonly key: string;
  readonly records: ResultRecord[];
  label: string;
}

/** Groups records into series: everything equal except replicate, site and the x parameter. */
function groupSeries(records: readonly ResultRecord[], xPath: string | undefined): Group[] {
  const xSegments = xPath ? parsePath(xPath) : null;
  const stripX = (r: ResultRecord) => {
    if (!xSegments) return r.params;
    const kind = xSegments[0] === 'systems' ? 'system' : 'probe';
    const params = JSON.parse(JSON.stringify(r.params)) as Record<string, Record<string, unknown>>;
    let target: Record<string, unknown> = params[kind]!;
    const rest = xSegments.slice(3);
    for (let i = 0; i < rest.length - 1; i++) target = (target?.[rest[i] as string] ?? {}) as Record<string, unknown>;
    if (target) delete target[rest[rest.length - 1] as string];
    return params;
  };
  const groups = new Map<string, Group>();
  for (const r of records) {
    // A trained system's sites at different training times are different curves (one per epoch or step).
    const key = canonicalJson({ system: r.system, probe: r.probe, estimator: r.estimator, params: stripX(r), axis: xPath ? undefined : r.site.axis, time: r.site.time ? [r.site.time.axis, r.site.time.index] : undefined });
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, records: [], label: '' }));
    g.records.push(r);
  }
  const list = [...groups.values()];
  // Labels: the instance names when they differ, then every parameter that differs between series.
  const flat = list.map((g) => {
    const out: Record<string, string> = {};
    flattenParams('', { system: g.records[0]!.params.system, probe: g.records[0]!.params.probe }, out);
    if (xSegments) delete out[[xSegments[0] === 'systems' ? 'system' : 'probe', ...xSegments.slice(3)].join('.')];
    return out;
  });
  const systemsDiffer = new Set(list.map((g) => g.records[0]!.system)).size > 1;
  const probesDiffer = new Set(list.map((g) => g.records[0]!.probe)).size > 1;
  const estimatorsDiffer = new Set(list.map((g) => g.records[0]!.estimator)).size > 1;
  list.forEach((g, i) => {
    const first = g.records[0]!;
    // Parameters that vary among the series of the same probe (so each probe's label stays short).
    const peers = list.map((o, j) => ({ o, j })).filter(({ o }) => o.records[0]!.probe === first.probe);
    const keys = [...new Set(peers.flatMap(({ j }) => Object.keys(flat[j]!)))].sort();
    const varying = keys.filter((k) => new Set(peers.map(({ j }) => flat[j]![k])).size > 1);
    const parts: string[] = [];
    if (systemsDiffer || list.length === 1) parts.push(first.system);
    if (probesDiffer) parts.push(first.probe);
    if (estimatorsDiffer && !probesDiffer) parts.push(first.estimator);
    for (const k of varying) {
      const short = k.split('.').slice(-1)[0]!;
      const value = flat[i]![k];
      if (value !== undefined) parts.push(`${short}=${value.replace(/^"|"$/g, '')}`);
    }
    const timed = first.site.axis !== first.site.time?.axis && first.site.time;
    if (timed) parts.push(`${timed.axis} ${timed.index}`);
    g.label = parts.join(' ') || first.system;
  });
  return list;
}

/** Mean over replicates with standard error; a single replicate keeps its own uncertainty. */
function aggregate(records: readonly ResultRecord[], target: 'nat' | 'bit'): { y: number; error?: number; unit: string } {
  const values = records.map((r) => display(r.value, r.unit, target));
  const unit = values[0]!.unit;
  if (records.length === 1) {
    const u = records[0]!.uncertainty;
    return { y: values[0]!.value, ...(u !== null && { error: display(u, records[0]!.unit, target).value }), unit };
  }
  const ys = values.map((v) => v.value);
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / (ys.length - 1));
  return { y: mean, error: sd / Math.sqrt(ys.length), unit };
}

function overlayValue(meta: Record<string, unknown>, key: string): number | undefined {
  const direct = meta[key];
  if (typeof direct === 'number') return direct;
  const nested = (meta['overlays'] as Record<string, unknown> | undefined)?.[key];
  return typeof nested === 'number' ? nested : undefined;
}

function sweepValue(r: ResultRecord, path: string): number {
  if (path in r.sweep) return Number(r.sweep[path]);
  const segments = parsePath(path)!;
  return Number(getAt(r.params[segments[0] === 'systems' ? 'system' : 'probe'], segments.slice(3)));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'figure';
}

/** Default figures: one line plot per probe × site axis. */
export function defaultFigures(study: ResolvedStudy, records: readonly ResultRecord[]): ReportFigure[] {
  const figures: ReportFigure[] = [];
  for (const probe of study.probes) {
    const axes = [...new Set(records.filter((r) => r.probe === probe.name).map((r) => r.site.axis))];
    for (const axis of axes) figures.push({ ...defaults, title: `${probe.name} (${probe.use}) along ${axis}`, probes: [probe.name], systems: [...new Set(records.filter((r) => r.probe === probe.name && r.site.axis === axis).map((r) => r.system))] });
  }
  return figures;
}

/** Builds every figure of the report as SVG. */
export function buildFigures(study: ResolvedStudy, records: readonly ResultRecord[], spec: readonly ReportFigure[] | undefined): RenderedFigure[] {
  const figures = spec ?? defaultFigures(study, records);
  const rendered: RenderedFigure[] = [];
  figures.forEach((figure, index) => {
    const wanted = Object.entries(figure.where).map(([path, value]) => [path, (Array.isArray(value) ? value : [value]).map((v) => canonicalJson(v))] as const);
    const selected = records.filter(
      (r) =>
        (!figure.probes || figure.probes.includes(r.probe)) &&
        (!figure.systems || figure.systems.includes(r.system)) &&
        wanted.every(([path, values]) => !(path in r.sweep) || values.includes(canonicalJson(r.sweep[path]))),
    );
    if (selected.length === 0) return;
    const title = figure.title ?? `${[...new Set(selected.map((r) => r.probe))].join(', ')}`;
    const units = [...new Set(selected.map((r) => display(0, r.unit, study.unit).unit))];
    const probeIds = [...new Set(selected.map((r) => r.probeId))];
    const yLabel = `${probeIds.join(', ')} [${units.join(', ')}]${figure.y === 'normalised' ? ' / final value' : ''}`;
    const xPath = figure.x === 'site' ? undefined : figure.x;
    const xLabel = xPath ? xPath.split('.').slice(-1)[0]! : [...new Set(selected.map((r) => r.site.axis))].join(' / ');
    const file = `figure-${index + 1}-${slug(title)}.svg`;
    const groups = groupSeries(selected, xPath);

    if (figure.type === 'heatmap' && xPath) {
      groups.forEach((group, g) => {
        const byCell = new Map<string, ResultRecord[]>();
        for (const r of group.records) {
          const k = `${sweepValue(r, xPath)}|${r.site.index}`;
          byCell.set(k, [...(byCell.get(k) ?? []), r]);
        }
        const cells = [...byCell.values()].map((rs) => ({ x: sweepValue(rs[0]!, xPath), y: rs[0]!.site.index, value: aggregate(rs, study.unit).y }));
        const overlays = figure.overlays.map((key) => {
          const points = new Map<number, number>();
          for (const r of group.records) {
            const v = overlayValue(r.meta, key);
            if (v !== undefined) points.set(sweepValue(r, xPath), v);
          }
          return { label: key, points: [...points.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })) };
        }).filter((o) => o.points.length > 0);
        const svg = heatMap({ title: groups.length > 1 ? `${title} — ${group.label}` : title, xLabel, yLabel: group.records[0]!.site.axis, valueLabel: yLabel, cells, overlays, markers: figure.markers });
        rendered.push({ file: groups.length > 1 ? file.replace(/\.svg$/, `-${g + 1}.svg`) : file, title: groups.length > 1 ? `${title} — ${group.label}` : title, caption: `${yLabel} over ${xLabel} × ${group.records[0]!.site.axis}${overlays.length ? `; dashed: ${overlays.map((o) => o.label).join(', ')}` : ''}.`, svg });
      });
      return;
    }

    const series: LineSeries[] = groups.map((group) => {
      const byX = new Map<number, ResultRecord[]>();
      let chosen = group.records;
      if (xPath) {
        // One site per run: the requested one, or the last site of each run.
        chosen = group.records.filter((r) => {
          if (figure.at !== undefined) return r.site.index === figure.at;
          const last = Math.max(...group.records.filter((o) => sweepValue(o, xPath) === sweepValue(r, xPath)).map((o) => o.site.index));
          return r.site.index === last;
        });
      }
      for (const r of chosen) {
        const x = xPath ? sweepValue(r, xPath) : r.site.index;
        byX.set(x, [...(byX.get(x) ?? []), r]);
      }
      const xs = [...byX.keys()].sort((a, b) => a - b);
      let points: SeriesPoint[] = xs.map((x) => {
        const a = aggregate(byX.get(x)!, study.unit);
        return { x, y: a.y, ...(a.error !== undefined && { error: a.error }) };
      });
      let scale = 1;
      if (figure.y === 'normalised' && points.length > 0) {
        const last = points[points.length - 1]!.y;
        scale = last !== 0 && Number.isFinite(last) ? 1 / last : 1;
        points = points.map((p) => ({ x: p.x, y: p.y * scale, ...(p.error !== undefined && { error: p.error * scale }) }));
      }
      const references: { y: number; label: string }[] = [];
      const curves: { label: string; points: SeriesPoint[] }[] = [];
      for (const key of figure.overlays) {
        const values = xs.map((x) => ({ x, v: overlayValue(byX.get(x)![0]!.meta, key) })).filter((p): p is { x: number; v: number } => p.v !== undefined);
        if (values.length === 0) continue;
        const convert = (v: number) => (key === 'asymptote' ? display(v, group.records[0]!.unit, study.unit).value : v) * scale;
        if (values.every((p) => p.v === values[0]!.v)) references.push({ y: convert(values[0]!.v), label: `${key} ${formatNumber(convert(values[0]!.v))}` });
        else curves.push({ label: key, points: values.map((p) => ({ x: p.x, y: convert(p.v) })) });
      }
      return { label: group.label, points, references, curves };
    });
    // Reference data given in the study (e.g. a paper's published values), drawn as series of their own.
    for (const reference of figure.references) series.push({ label: reference.label, points: reference.points.map((p) => ({ x: p.x, y: display(p.y, units[0] ?? 'nat', study.unit).value })) });
    const svg = lineChart({ title, xLabel, yLabel, series, markers: figure.markers, logY: figure.logY, integerX: !xPath });
    const overlayNote = series.some((s) => (s.references?.length ?? 0) > 0) ? ` Dashed lines: ${figure.overlays.join(', ')} (same colour as the series).` : '';
    const errorNote = series.some((s) => s.points.some((p) => p.error !== undefined)) ? ' Error bars: one standard error.' : '';
    rendered.push({ file, title, caption: `${yLabel} against ${xLabel}.${overlayNote}${errorNote}`, svg });
  });
  return rendered;
}

function formatNumber(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
