import { NATS_PER_BIT, canonicalJson, type ReportFigure, type ResolvedStudy } from '@entroscope/core';
import type { ResultRecord } from '../results-store';
import { axisTitle, formatNumber, formatValue, type DisplayLookup } from './labels';
import { SHAPES } from './palette';

/**
 * The plane figure (`type: plane`): one probe's value against another's at the same (system, configuration,
 * replicate, site, training time) — the information plane of Shwartz-Ziv & Tishby (arXiv:1703.00810), x = I(X;T),
 * y = I(T;Y) per layer (marker shape) and epoch (colour), one panel per estimator pair (its label heads the panel and
 * every point's tooltip names both estimators) and one row per system. Replicates are averaged: the point is the
 * mean of x and of y, the bars ± one standard deviation between replicates (or the standard error, `spread`).
 * Layers are joined through time by a thin line. Pure: records in, Vega-Lite JSON out.
 */

/** The plane options of a figure (core `ReportFigure.plane`). */
type PlaneOptions = NonNullable<ReportFigure['plane']>;

/** The spec parts this figure needs from figure-spec (passed in to keep one definition of each). */
export interface PlaneHelpers {
  readonly config: () => Record<string, unknown>;
  readonly titleBlock: (title: string, subtitle: string[]) => Record<string, unknown>;
}

type Row = Record<string, unknown>;
const timeOf = (r: ResultRecord) => (r.site as { time?: { axis: string; index: number; label?: string } }).time;

function toUnit(value: number, unit: string, target: 'nat' | 'bit'): number {
  return target === 'bit' && unit.startsWith('nat') ? value / NATS_PER_BIT : value;
}

function meanSpread(values: number[], spread: ReportFigure['spread']) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2 || spread === 'none') return { mean, half: 0 };
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return { mean, half: spread === 'se' ? sd / Math.sqrt(values.length) : sd };
}

export function planeFigure(
  study: ResolvedStudy,
  selected: readonly ResultRecord[],
  figure: ReportFigure,
  title: string,
  file: string,
  display: DisplayLookup,
  helpers: PlaneHelpers,
): { file: string; title: string; caption: string; spec: Record<string, unknown> } {
  const plane = figure.plane as PlaneOptions;
  const target = study.unit;
  const unitWord = target === 'bit' ? 'bits' : 'nats';
  const rows: Row[] = [];
  let replicatesSeen = 0;
  const missing: string[] = [];
  for (const pair of plane.pairs) {
    const key = (r: ResultRecord) =>
      canonicalJson({
        system: r.system,
        sweep: r.sweep,
        replicate: r.replicate,
        axis: r.site.axis,
        site: r.site.index,
        time: timeOf(r)?.index ?? null,
      });
    const ys = new Map<string, ResultRecord>();
    for (const r of selected) if (r.probe === pair.y) ys.set(key(r), r);
    // Points of one (system, configuration, site, time), over replicates.
    const groups = new Map<string, { x: ResultRecord; y: ResultRecord }[]>();
    for (const r of selected) {
      if (r.probe !== pair.x) continue;
      const y = ys.get(key(r));
      if (!y) continue;
      const g = canonicalJson({
        system: r.system,
        sweep: r.sweep,
        axis: r.site.axis,
        site: r.site.index,
        time: timeOf(r)?.index ?? null,
      });
      const list = groups.get(g) ?? [];
      list.push({ x: r, y });
      groups.set(g, list);
    }
    if (groups.size === 0) missing.push(`${pair.x} × ${pair.y}`);
    for (const list of groups.values()) {
      const first = list[0]!;
      const x = meanSpread(
        list.map((p) => toUnit(p.x.value, p.x.unit, target)),
        figure.spread,
      );
      const y = meanSpread(
        list.map((p) => toUnit(p.y.value, p.y.unit, target)),
        figure.spread,
      );
      replicatesSeen = Math.max(replicatesSeen, list.length);
      const time = timeOf(first.x);
      const estimatorWords = (r: ResultRecord) => {
        const kind = (r.meta as { kind?: string }).kind;
        return `${formatValue(display.probe(r.probeId), r.estimator)}${kind ? ` (${kind})` : ''}`;
      };
      const sweepWords = Object.entries(first.x.sweep)
        .map(([k, v]) => `${k.split('.').pop()} = ${formatValue(undefined, v)}`)
        .join(', ');
      rows.push({
        panel: pair.label,
        system: `${display.system(first.x.systemId)?.name ?? first.x.systemId} ${first.x.system}${sweepWords ? `, ${sweepWords}` : ''}`,
        layer: `${axisTitle(display.system(first.x.systemId), first.x.site.axis)} = ${first.x.site.index}`,
        site: first.x.site.index,
        epoch: time?.index ?? 0,
        timeLabel: time ? (time.label ?? `${time.axis} ${time.index}`) : '',
        x: x.mean,
        y: y.mean,
        xLo: x.mean - x.half,
        xHi: x.mean + x.half,
        yLo: y.mean - y.half,
        yHi: y.mean + y.half,
        replicates: list.length,
        estimatorX: estimatorWords(first.x),
        estimatorY: estimatorWords(first.y),
        xText: `${formatNumber(x.mean)}${x.half > 0 ? ` ± ${formatNumber(x.half)}` : ''} ${unitWord}`,
        yText: `${formatNumber(y.mean)}${y.half > 0 ? ` ± ${formatNumber(y.half)}` : ''} ${unitWord}`,
      });
    }
  }
  if (missing.length > 0 && rows.length === 0)
    throw new Error(
      `figure '${title}' (type plane): no measurements pair up for ${missing.join(', ')} — each pair needs two probe instances measured at the same sites`,
    );
  rows.sort(
    (a, b) =>
      String(a['panel']).localeCompare(String(b['panel'])) ||
      String(a['system']).localeCompare(String(b['system'])) ||
      (a['site'] as number) - (b['site'] as number) ||
      (a['epoch'] as number) - (b['epoch'] as number),
  );
  const panels = plane.pairs.map((p) => p.label);
  const systems = [...new Set(rows.map((r) => String(r['system'])))];
  const layers = [...new Set(rows.map((r) => r['site'] as number))].sort((a, b) => a - b);
  const layerLabels = layers.map((l) => String(rows.find((r) => r['site'] === l)!['layer']));
  const maxEpoch = Math.max(1, ...rows.map((r) => r['epoch'] as number));
  const xTitle = `${plane.x} [${unitWord}]`;
  const yTitle = `${plane.y} [${unitWord}]`;
  const x = { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } };
  const tooltip = [
    { field: 'panel', title: 'estimators' },
    { field: 'estimatorX', title: `${plane.x} by` },
    { field: 'estimatorY', title: `${plane.y} by` },
    { field: 'system', title: 'system' },
    { field: 'layer', title: 'layer' },
    { field: 'timeLabel', title: 'time' },
    { field: 'xText', title: plane.x },
    { field: 'yText', title: plane.y },
    { field: 'replicates', title: 'replicates' },
  ];
  const layersSpec: Row[] = [
    {
      mark: { type: 'line', color: '#9a9a9a', strokeWidth: 0.8, opacity: 0.7 },
      encoding: { x, y, detail: { field: 'layer' }, order: { field: 'epoch', type: 'quantitative' } },
    },
  ];
  if (replicatesSeen > 1 && figure.spread !== 'none')
    layersSpec.push(
      {
        mark: { type: 'rule', color: '#bbbbbb', strokeWidth: 0.8 },
        encoding: { x: { ...x, field: 'xLo' }, x2: { field: 'xHi' }, y },
      },
      {
        mark: { type: 'rule', color: '#bbbbbb', strokeWidth: 0.8 },
        encoding: { x, y: { ...y, field: 'yLo' }, y2: { field: 'yHi' } },
      },
    );
  layersSpec.push({
    mark: { type: 'point', filled: true, size: 42, opacity: 0.95, stroke: '#333', strokeWidth: 0.4 },
    encoding: {
      x,
      y,
      color: {
        field: 'epoch',
        type: 'quantitative',
        title: timeOf(selected[0]!)?.axis ?? 'epoch',
        scale: { type: 'symlog', scheme: 'viridis', domain: [0, maxEpoch] },
      },
      shape: {
        field: 'layer',
        type: 'nominal',
        title: 'layer',
        scale: { domain: layerLabels, range: layerLabels.map((_, i) => SHAPES[i % SHAPES.length]) },
      },
      tooltip,
    },
    params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' }],
  });
  // Marker labels stacked downwards so that labels of nearby markers do not overlap.
  for (const [i, m] of figure.markers.entries())
    layersSpec.push(
      {
        mark: { type: 'rule', color: '#555', strokeDash: [4, 3] },
        encoding: { x: { datum: m.x, type: 'quantitative' } },
      },
      ...(m.label
        ? [
            {
              mark: {
                type: 'text',
                align: 'right',
                baseline: 'top',
                dx: -3,
                dy: 3 + 13 * i,
                fontSize: 10,
                color: '#444',
              },
              encoding: { x: { datum: m.x, type: 'quantitative' }, y: { value: 0 }, text: { value: m.label } },
            },
          ]
        : []),
    );
  for (const r of figure.references.filter((ref) => ref.x === undefined))
    layersSpec.push(
      {
        mark: { type: 'rule', color: '#555', strokeDash: [4, 3] },
        encoding: { y: { datum: r.y, type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -2, fontSize: 10, color: '#444' },
        encoding: { x: { value: 0 }, y: { datum: r.y, type: 'quantitative' }, text: { value: r.label } },
      },
    );
  const subtitle = [
    `x = ${plane.x}, y = ${plane.y}; colour: ${timeOf(selected[0]!)?.axis ?? 'epoch'}, marker: layer; one panel per estimator pair`,
    replicatesSeen > 1
      ? `mean of ${replicatesSeen} replicates${figure.spread === 'none' ? '' : `, bars ± 1 ${figure.spread === 'se' ? 'standard error of the mean' : 'standard deviation between replicates'}`}`
      : 'one run',
  ];
  const spec: Record<string, unknown> = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: helpers.titleBlock(title, subtitle),
    config: helpers.config(),
    data: { values: rows },
    facet: {
      column: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12 } },
      ...(systems.length > 1 && { row: { field: 'system', type: 'nominal', title: null, sort: systems } }),
    },
    spec: { width: figure.width ?? 300, height: figure.height ?? 260, layer: layersSpec },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
  const caption = [
    `The plane of ${plane.x} (x) against ${plane.y} (y) at each ${layerLabels.length > 0 ? 'layer' : 'site'} (marker) and training time (colour, ${rows.length} points)`,
    `panels: ${panels.join('; ')}`,
    systems.length > 1 ? `rows: ${systems.join('; ')}` : `system: ${systems[0] ?? ''}`,
    replicatesSeen > 1
      ? `each point is the mean over ${replicatesSeen} independent replicates (networks), bars ± 1 ${figure.spread === 'se' ? 'SE' : 'SD'}`
      : 'single run',
  ].join('; ');
  return {
    file,
    title,
    caption: `${caption}.${figure.caption ? ` ${figure.caption}` : ''}`,
    spec,
  };
}
