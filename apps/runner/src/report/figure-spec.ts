import { NATS_PER_BIT, canonicalJson, getAt, parsePath, type ReportFigure, type ResolvedStudy } from '@entroscope/core';
import type { ResultRecord } from '../results-store';
import {
  axisTitle,
  formatNumber,
  formatValue,
  noDisplay,
  overlayWords,
  parameterDisplay,
  parameterTerm,
  parameterTitle,
  probeSymbol,
  quantityDisplay,
  unitWords,
  wrap,
  type DisplayLookup,
} from './labels';
import { DASHES, SHAPES, colourPalette, sequentialColours } from './palette';
import { planeFigure } from './plane-figure';
import { fitCurveError, fitLine, fitValue, lawFormula, type LineFit } from './fit';

/**
 * Builds every figure of a report as a Vega-Lite specification with its data inline (pure: records in, JSON out;
 * `render.ts` turns a specification into SVG and PNG). Words come from the descriptors' display metadata.
 */

/** A Vega-Lite specification (kept as plain JSON: the runner does not type-check against vega-lite's types). */
export type VegaLiteSpec = Record<string, unknown>;

export interface FigureSpec {
  /** File name without extension: plots/<file>.vl.json, .svg, .png. */
  readonly file: string;
  readonly title: string;
  /** What is drawn, in words (generated from the same choices that built the specification). */
  readonly caption: string;
  readonly spec: VegaLiteSpec;
}

export interface FigureOptions {
  readonly display?: DisplayLookup;
  /** Label of each run for `entroscope compare` (records carry it in `run`); absent for a single run. */
  readonly runs?: readonly string[];
}

/** A record with the run it came from (compare). */
export type RunRecord = ResultRecord & { readonly run?: string };

const PLOT_WIDTH = 460;
const PLOT_HEIGHT = 300;
/** Characters per line of legend entries, axis titles and figure titles before they wrap. */
const LEGEND_WRAP = 34;
/**
 * Axis titles wrap to fit their axis. Headless vega estimates a text's width as 0.8 × font size per character
 * (no canvas), so a 12 px title takes ~10 px per character.
 */
const wrapFor = (px: number) => Math.max(16, Math.floor(px / 10));
const TITLE_WRAP = 72;
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const defaults: Omit<ReportFigure, 'title' | 'probes'> = {
  where: {},
  type: 'line',
  x: 'site',
  y: 'value',
  logY: false,
  logX: false,
  markers: [],
  overlays: ['asymptote'],
  references: [],
  breaks: [],
  spread: 'sd',
  colourScale: 'auto',
};

interface SiteTime {
  readonly axis: string;
  readonly index: number;
  readonly label?: string;
}
const timeOf = (r: ResultRecord): SiteTime | undefined => (r.site as { time?: SiteTime }).time;

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60)
      .replace(/-$/, '') || 'figure'
  );
}

function flatten(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else out[prefix] = value;
}

/** Value converted to the report's unit (results.jsonl keeps nats). */
function converted(value: number, unit: string, target: 'nat' | 'bit'): { value: number; unit: string } {
  if (target === 'bit' && unit.startsWith('nat'))
    return { value: value / NATS_PER_BIT, unit: unit.replace(/^nat/, 'bit') };
  return { value, unit };
}

/** Value of a sweep path for a record (the path may name a parameter the study did not sweep for this system). */
function sweepValue(r: ResultRecord, path: string): unknown {
  if (path in r.sweep) return r.sweep[path];
  const segments = parsePath(path);
  if (!segments) return undefined;
  const kind = segments[0] === 'systems' ? 'system' : 'probe';
  const owner = kind === 'system' ? r.system : r.probe;
  if (segments[1] !== owner) return undefined;
  return getAt(r.params[kind], segments.slice(3));
}

/**
 * The x mode of a figure: 'site', 'time', or one or more sweep paths joined by '|' (x and xAlso: the same quantity
 * swept on several systems; each record takes the path that applies to it).
 */
const X_PATHS = '|';
const isPathMode = (xMode: string) => xMode !== 'site' && xMode !== 'time';
function ownPath(r: ResultRecord, xMode: string): string {
  const paths = xMode.split(X_PATHS);
  return paths.find((p) => sweepValue(r, p) !== undefined) ?? paths[0]!;
}
/** A site's coordinate: its position on a continuous axis (diffusion time s) when it has one, else its index. */
const sitePosition = (site: ResultRecord['site']) => (site as { position?: number }).position ?? site.index;

/** The descriptor parameter display of a sweep path (`systems.lattice.params.K` → K of ising-2d). */
function sweepDisplay(path: string, sample: ResultRecord, display: DisplayLookup) {
  const segments = parsePath(path) ?? [];
  const kind = segments[0] === 'systems' ? 'system' : 'probe';
  const inner = segments.slice(3).join('.');
  const d = kind === 'system' ? display.system(sample.systemId) : display.probe(sample.probeId);
  return { descriptor: d, parameter: parameterDisplay(d, inner) };
}

interface Series {
  readonly key: string;
  readonly records: RunRecord[];
  /** Legend words. */
  label: string;
  /** Values of every encodable attribute, as legend words. */
  attributes: Record<string, string>;
  unit: string;
  index: number;
}

interface Aggregate {
  y: number;
  /** One standard error of a single measurement (error bar). */
  error?: number | undefined;
  sd?: number;
  se?: number;
  /** Half-width of the replicate band. */
  band?: number | undefined;
  replicates: number;
  n: number | null;
}

/** Mean of replicates with their spread; one record keeps its own uncertainty. */
function aggregate(records: readonly RunRecord[], target: 'nat' | 'bit', spread: ReportFigure['spread']): Aggregate {
  const values = records.map((r) => converted(r.value, r.unit, target).value);
  const first = records[0]!;
  if (records.length === 1) {
    const u = first.uncertainty === null ? undefined : converted(first.uncertainty, first.unit, target).value;
    return { y: values[0]!, error: u, replicates: 1, n: first.n };
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  const band = spread === 'sd' ? sd : spread === 'se' ? sd / Math.sqrt(values.length) : undefined;
  return { y: mean, sd, se: sd / Math.sqrt(values.length), band, replicates: values.length, n: first.n };
}

/** Legend words of everything a figure may encode, per series, and the series label (the attributes that vary). */
function labelSeries(
  series: Series[],
  figure: ReportFigure,
  xPath: string | undefined,
  display: DisplayLookup,
  runs: readonly string[] | undefined,
): void {
  const flat = series.map((s) => {
    const r = s.records[0]!;
    const out: Record<string, unknown> = {};
    flatten('system', r.params.system, out);
    flatten('probe', r.params.probe, out);
    if (xPath) {
      const segments = parsePath(ownPath(r, xPath)) ?? [];
      delete out[[segments[0] === 'systems' ? 'system' : 'probe', ...segments.slice(3)].join('.')];
    }
    return out;
  });
  const varies = (f: (s: Series) => string) => new Set(series.map(f)).size > 1;
  const systemsDiffer = varies((s) => s.records[0]!.system);
  const probesDiffer = varies((s) => s.records[0]!.probe);
  const estimatorsDiffer = varies((s) => s.records[0]!.estimator);
  const timesDiffer = varies((s) => String(timeOf(s.records[0]!)?.index ?? ''));
  const sitesDiffer =
    xPath !== undefined || figure.x === 'time' ? varies((s) => String(s.records[0]!.site.index)) : false;
  series.forEach((s, i) => {
    const r = s.records[0]!;
    const probeDisplay = display.probe(r.probeId);
    const systemDisplay = display.system(r.systemId);
    const time = timeOf(r);
    const attributes: Record<string, string> = {
      system: r.system,
      probe: `${probeDisplay?.name ?? r.probeId}${r.probe !== r.probeId ? ` (${r.probe})` : ''}`,
      estimator: formatValue(quantityDisplay(display, r).display, r.estimator),
      site: `${axisTitle(systemDisplay, r.site.axis)} = ${r.site.index}`,
      time: time ? (time.label ?? `${time.axis} ${time.index}`) : '',
    };
    if (runs) attributes['run'] = r.run ?? '';
    // Parameters that differ among the series of the same probe on the same kind of system.
    const peers = series
      .map((o, j) => ({ o, j }))
      .filter(({ o }) => o.records[0]!.probe === r.probe && o.records[0]!.systemId === r.systemId);
    // System parameters first (K = 0.5, construction A).
    const keys = [...new Set(peers.flatMap(({ j }) => Object.keys(flat[j]!)))].sort(
      (a, b) => Number(a.startsWith('probe.')) - Number(b.startsWith('probe.')) || (a < b ? -1 : a > b ? 1 : 0),
    );
    const varying = keys.filter((k) => new Set(peers.map(({ j }) => canonicalJson(flat[j]![k] ?? null))).size > 1);
    const terms: string[] = [];
    for (const k of varying) {
      const value = flat[i]![k];
      if (value === undefined) continue;
      const [kind, ...rest] = k.split('.');
      const d = kind === 'system' ? systemDisplay : probeDisplay;
      const p = parameterDisplay(d, rest.join('.'));
      terms.push(parameterTerm(p, formatValue(d, value)));
    }
    for (const path of Object.keys(r.sweep))
      attributes[path] = formatValue(sweepDisplay(path, r, display).descriptor, r.sweep[path]);
    // With xAlso, an encoding by the figure's x path reads each series' own path.
    if (xPath?.includes(X_PATHS)) {
      const own = ownPath(r, xPath);
      for (const path of xPath.split(X_PATHS)) if (r.sweep[own] !== undefined) attributes[path] ??= attributes[own]!;
    }
    const parts: string[] = [];
    if (systemsDiffer || series.length === 1)
      parts.push(systemDisplay?.name && !systemsDiffer ? systemDisplay.name : r.system);
    if (probesDiffer) parts.push(attributes['probe']!);
    if (estimatorsDiffer && !probesDiffer) parts.push(attributes['estimator']!);
    if (timesDiffer) parts.push(attributes['time']!);
    if (sitesDiffer) parts.push(attributes['site']!);
    parts.push(...terms);
    s.label = parts.filter(Boolean).join(', ') || r.system;
    s.attributes = { ...attributes, series: s.label };
  });
}

/** Groups records into series: everything equal except replicate and the x coordinate. */
function groupSeries(
  records: readonly RunRecord[],
  xMode: 'site' | 'time' | string,
  target: 'nat' | 'bit',
  display: DisplayLookup,
  yMode: YMode,
): Series[] {
  const stripped = (r: RunRecord) => {
    if (xMode === 'site' || xMode === 'time') return r.params;
    const segments = parsePath(ownPath(r, xMode))!;
    const kind = segments[0] === 'systems' ? 'system' : 'probe';
    const params = JSON.parse(JSON.stringify(r.params)) as Record<string, Record<string, unknown>>;
    let node: Record<string, unknown> | undefined = params[kind];
    const rest = segments.slice(3);
    for (let i = 0; i < rest.length - 1; i++) node = node?.[rest[i] as string] as Record<string, unknown> | undefined;
    if (node) delete node[rest[rest.length - 1] as string];
    return params;
  };
  const groups = new Map<string, Series>();
  for (const r of records) {
    const time = timeOf(r);
    const key = canonicalJson({
      run: r.run ?? null,
      system: r.system,
      probe: r.probe,
      estimator: r.estimator,
      params: stripped(r),
      axis: r.site.axis,
      site: xMode === 'time' ? r.site.index : null,
      // A site that is itself the training time (metrics per epoch: site epoch t, time epoch t) is one line over t.
      time: xMode === 'time' || !time || (time.axis === r.site.axis && time.index === r.site.index) ? null : time.index,
    });
    let s = groups.get(key);
    if (!s) {
      const unit =
        yMode === 'normalised'
          ? 'ratio to the last value'
          : yMode === 'peak'
            ? 'ratio to the largest |value|'
            : unitWords(quantityDisplay(display, r).display, converted(0, r.unit, target).unit);
      groups.set(key, (s = { key, records: [], label: '', attributes: {}, unit, index: groups.size }));
    }
    s.records.push(r);
  }
  return [...groups.values()];
}

function xOf(r: ResultRecord, xMode: string): number {
  if (xMode === 'site') return sitePosition(r.site);
  if (xMode === 'time') return timeOf(r)?.index ?? 0;
  return Number(sweepValue(r, ownPath(r, xMode)));
}

/** The x-axis title of a figure. */
function xTitle(records: readonly ResultRecord[], xMode: string, display: DisplayLookup): string {
  if (xMode === 'site')
    return [...new Set(records.map((r) => axisTitle(display.system(r.systemId), r.site.axis)))].join(' / ');
  if (xMode === 'time') return [...new Set(records.map((r) => timeOf(r)?.axis ?? 'time'))].join(' / ');
  const titles = xMode.split(X_PATHS).map((path) => {
    const sample = records.find((r) => sweepValue(r, path) !== undefined) ?? records[0]!;
    return parameterTitle(sweepDisplay(path, sample, display).parameter);
  });
  return [...new Set(titles)].join(' / ');
}

/** Title of a y axis: the probes' words and math labels, then the unit in brackets. */
function yTitle(series: readonly Series[], display: DisplayLookup, yMode: YMode): string {
  const names = [
    ...new Set(
      series.map((s) => {
        const r = s.records[0]!;
        // A quantity the system names (a metric it records): the axis says what is drawn, not the probe's name.
        const named = quantityDisplay(display, r);
        if (named.bySystem) return formatValue(named.display, r.estimator);
        const d = display.probe(r.probeId);
        const symbol = probeSymbol(d, r.params.probe);
        return [d?.name ?? r.probeId, symbol].filter(Boolean).join(' ');
      }),
    ),
  ];
  const divided = yMode === 'normalised' ? ' ÷ its last value' : yMode === 'peak' ? ' ÷ its largest |value|' : '';
  return `${names.join('; ')}${divided} [${series[0]!.unit}]`;
}

/** What the y axis shows: the values, or each series divided by its last value or by its largest |value|. */
type YMode = ReportFigure['y'];

interface Encoded {
  readonly field: string;
  readonly title: string;
  readonly domain: string[];
}

/** Domain of an attribute in a stable order: numbers ascending when the words end in numbers, else first seen. */
function domainOf(series: readonly Series[], attribute: string): string[] {
  const values = [...new Set(series.map((s) => s.attributes[attribute] ?? ''))];
  const num = (v: string) => Number(/(-?[0-9.e+-]+)\s*$/.exec(v)?.[1]);
  if (values.every((v) => Number.isFinite(num(v)))) values.sort((a, b) => num(a) - num(b));
  return values;
}

function encodedTitle(attribute: string, sample: ResultRecord, display: DisplayLookup): string {
  if (attribute === 'series') return '';
  if (['system', 'probe', 'estimator', 'run'].includes(attribute)) return attribute;
  if (attribute === 'time') return timeOf(sample)?.axis ?? 'time';
  if (attribute === 'site') return axisTitle(display.system(sample.systemId), sample.site.axis);
  return parameterTitle(sweepDisplay(attribute, sample, display).parameter);
}

const legendLabel = (text: string) => wrap(text, LEGEND_WRAP).join('\n');
/** Legend labels hold their wrapped lines joined by newlines; vega draws an array of strings as lines. */
const LABEL_LINES = "split(datum.label, '\\n')";

/** Shared Vega-Lite config: fonts, sizes, no label limits (long labels wrap instead of being cut). */
function config(): Record<string, unknown> {
  return {
    font: FONT,
    view: { stroke: '#888' },
    axis: {
      labelFontSize: 11,
      titleFontSize: 12,
      titleFontWeight: 'normal',
      labelLimit: 0,
      titleLimit: 0,
      grid: true,
      gridColor: '#e8e8e8',
    },
    legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 0, titleLimit: 0, symbolStrokeWidth: 2, rowPadding: 4 },
    title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', limit: 0, subtitleLimit: 0 },
    header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 0, titleLimit: 0 },
    text: { limit: 0 },
  };
}

function titleBlock(title: string, subtitle: string[]): Record<string, unknown> {
  return {
    text: wrap(title, TITLE_WRAP),
    ...(subtitle.length > 0 && { subtitle: subtitle.flatMap((s) => wrap(s, TITLE_WRAP + 20)) }),
  };
}

interface Row {
  [key: string]: unknown;
}

/** Splits a polyline into segments wherever it leaves the drawable range, is not finite, or crosses a break. */
function segmentPoints<P extends { x: number; y: number }>(
  points: readonly P[],
  inRange: (p: P) => boolean,
  breaks: readonly number[],
): (P & { segment: number })[] {
  const out: (P & { segment: number })[] = [];
  let segment = 0;
  let previous: P | undefined;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y) || !inRange(p)) {
      segment++;
      previous = undefined;
      continue;
    }
    if (previous && breaks.some((b) => (previous!.x < b && b < p.x) || (p.x < b && b < previous!.x))) segment++;
    out.push({ ...p, segment });
    previous = p;
  }
  return out;
}

function selectRecords(records: readonly RunRecord[], figure: ReportFigure): RunRecord[] {
  const wanted = Object.entries(figure.where).map(
    ([path, value]) => [path, (Array.isArray(value) ? value : [value]).map((v) => canonicalJson(v))] as const,
  );
  return records.filter(
    (r) =>
      (!figure.probes || figure.probes.includes(r.probe)) &&
      (!figure.systems || figure.systems.includes(r.system)) &&
      wanted.every(([path, values]) => !(path in r.sweep) || values.includes(canonicalJson(r.sweep[path]))),
  );
}

/** Default figures: one line plot per probe × site axis. */
export function defaultFigures(
  study: ResolvedStudy,
  records: readonly ResultRecord[],
  display: DisplayLookup = noDisplay,
): ReportFigure[] {
  const figures: ReportFigure[] = [];
  for (const probe of study.probes) {
    const mine = records.filter((r) => r.probe === probe.name);
    const axes = [...new Set(mine.map((r) => r.site.axis))];
    for (const axis of axes) {
      const sample = mine.find((r) => r.site.axis === axis)!;
      const name = display.probe(probe.use)?.name ?? probe.use;
      figures.push({
        ...defaults,
        title: `${name} (${probe.name}) along the ${axisTitle(display.system(sample.systemId), axis)}`,
        probes: [probe.name],
        systems: [...new Set(mine.filter((r) => r.site.axis === axis).map((r) => r.system))],
      });
    }
  }
  return figures;
}

/** Builds every figure of a report as Vega-Lite specifications. */
export function buildFigureSpecs(
  study: ResolvedStudy,
  records: readonly RunRecord[],
  figures: readonly ReportFigure[] | undefined,
  options: FigureOptions = {},
): FigureSpec[] {
  const display = options.display ?? noDisplay;
  const list = (figures ?? defaultFigures(study, records, display)).map((f) => ({ ...defaults, ...f }) as ReportFigure);
  const out: FigureSpec[] = [];
  list.forEach((figure, index) => {
    const selected = selectRecords(records, figure);
    if (selected.length === 0) return;
    const title =
      figure.title ?? [...new Set(selected.map((r) => display.probe(r.probeId)?.name ?? r.probe))].join(', ');
    const file = `figure-${index + 1}-${slug(title)}`;
    if (figure.type === 'plane')
      out.push(planeFigure(study, selected, figure, title, file, display, { config, titleBlock }));
    else if (figure.type === 'heatmap' && figure.x !== 'site')
      out.push(...heatMaps(study, selected, figure, title, file, display));
    else out.push(lineFigure(study, selected, figure, title, file, display, options.runs));
  });
  return out;
}

function lineFigure(
  study: ResolvedStudy,
  selected: RunRecord[],
  figure: ReportFigure,
  title: string,
  file: string,
  display: DisplayLookup,
  runs: readonly string[] | undefined,
): FigureSpec {
  const xMode = isPathMode(figure.x) ? [figure.x, ...(figure.xAlso ?? [])].join(X_PATHS) : figure.x;
  const xPath = isPathMode(xMode) ? xMode : undefined;
  let chosen = selected;
  if (xPath) {
    // One site per run: the requested one, or the last site of each run.
    const last = new Map<string, number>();
    for (const r of selected)
      last.set(r.task + r.probe, Math.max(last.get(r.task + r.probe) ?? -Infinity, r.site.index));
    chosen = selected.filter((r) =>
      figure.at !== undefined ? r.site.index === figure.at : r.site.index === last.get(r.task + r.probe),
    );
  }
  const yMode = figure.y;
  const series = groupSeries(chosen, xMode, study.unit, display, yMode);
  labelSeries(series, figure, xPath, display, runs);
  const xNormalised = figure.xNormalised === true;
  const xLabel = xNormalised
    ? `each series' own axis ÷ its last value (x/x_last): ${xTitle(chosen, xMode, display)}`
    : xTitle(chosen, xMode, display);
  const units = [...new Set(series.map((s) => s.unit))];
  const yLabels = Object.fromEntries(
    units.map((u) => [
      u,
      yTitle(
        series.filter((s) => s.unit === u),
        display,
        yMode,
      ),
    ]),
  );

  const [autoColour, autoDash] =
    figure.colourBy || figure.lineStyleBy || figure.shapeBy ? [undefined, undefined] : twoWay(series);
  const colourAttr = figure.colourBy ?? autoColour ?? 'series';
  const compared = runs !== undefined && runs.length > 1;
  // Compare: the same series of two runs share their colour; line style and marker tell the runs apart.
  const dashAttr = figure.lineStyleBy ?? autoDash ?? (compared ? 'run' : undefined);
  const shapeAttr = figure.shapeBy ?? (compared ? 'run' : undefined);
  const facetAttr = figure.facet;
  const sample = chosen[0]!;
  const encodings: Record<string, Encoded> = {};
  const colourDomain = domainOf(series, colourAttr);
  encodings['colour'] = { field: 'colour', title: encodedTitle(colourAttr, sample, display), domain: colourDomain };
  if (dashAttr)
    encodings['dash'] = {
      field: 'dash',
      title: encodedTitle(dashAttr, sample, display),
      domain: domainOf(series, dashAttr),
    };
  if (shapeAttr)
    encodings['shape'] = {
      field: 'shape',
      title: encodedTitle(shapeAttr, sample, display),
      domain: domainOf(series, shapeAttr),
    };
  const numericColour =
    colourAttr !== 'series' &&
    colourDomain.length > 2 &&
    colourDomain.every((v) => Number.isFinite(Number(/(-?[0-9.e+-]+)\s*$/.exec(v)?.[1])));
  const colours = numericColour ? sequentialColours(colourDomain.length) : colourPalette(colourDomain.length);

  const yRange = figure.yRange;
  const xRange = figure.xRange;
  const inRange = (p: { x: number; y: number }) =>
    (!yRange || (p.y >= yRange[0] && p.y <= yRange[1])) &&
    (!xRange || (p.x >= xRange[0] && p.x <= xRange[1])) &&
    (!figure.logY || p.y > 0) &&
    (!figure.logX || p.x > 0);

  const data: Row[] = [];
  const overlayRows: Row[] = [];
  const overlayNames = new Set<string>();
  let replicateCount = 1;
  let anyError = false;
  const fits: { series: string; fit: LineFit }[] = [];
  const fitBandRows: Row[] = [];
  const residualRows: Row[] = [];
  const fitName = figure.fit ? (figure.fit.label ?? `fit ${lawFormula(figure.fit.law)}`) : '';
  for (const s of series) {
    const byX = new Map<number, RunRecord[]>();
    for (const r of s.records) {
      const x = xOf(r, xMode);
      byX.set(x, [...(byX.get(x) ?? []), r]);
    }
    const xs = [...byX.keys()].sort((a, b) => a - b);
    // xNormalised: this series' own axis mapped to [0, 1]: x / x_last (site axes start at 0: n/N, ℓ/L, s/T, t/E); an
    // axis with negative coordinates is first shifted to start at 0.
    const x0 = Math.min(0, xs[0]!);
    const span = xs[xs.length - 1]! - x0;
    const mapX = (x: number) => (!xNormalised ? x : span > 0 ? (x - x0) / span : 0);
    let points: (Aggregate & { x: number })[] = xs.map((x) => ({
      x: mapX(x),
      ...aggregate(byX.get(x)!, study.unit, figure.spread),
    }));
    let scale = 1;
    if (yMode !== 'value' && points.length > 0) {
      const finite = points.map((p) => p.y).filter(Number.isFinite);
      const by = yMode === 'normalised' ? points[points.length - 1]!.y : Math.max(0, ...finite.map(Math.abs));
      scale = by !== 0 && Number.isFinite(by) ? 1 / by : 1;
      points = points.map((p) => ({
        ...p,
        y: p.y * scale,
        ...(p.error !== undefined && { error: p.error * scale }),
        ...(p.band !== undefined && { band: p.band * scale }),
        ...(p.sd !== undefined && { sd: p.sd * scale, se: p.se! * scale }),
      }));
    }
    const common = {
      series: legendLabel(s.label),
      colour: legendLabel(s.attributes[colourAttr] ?? ''),
      ...(dashAttr && { dash: legendLabel(s.attributes[dashAttr] ?? '') }),
      ...(shapeAttr && { shape: legendLabel(s.attributes[shapeAttr] ?? '') }),
      ...(facetAttr && { panel: s.attributes[facetAttr] ?? '' }),
      unit: s.unit,
    };
    const first = s.records[0]!;
    const estimator = formatValue(quantityDisplay(display, first).display, first.estimator);
    const parameters = s.label;
    for (const p of segmentPoints(points, inRange, figure.breaks)) {
      replicateCount = Math.max(replicateCount, p.replicates);
      const spreadText =
        p.replicates > 1
          ? ` (± ${formatNumber(p.sd!)} s.d., ± ${formatNumber(p.se!)} s.e.; ${p.replicates} replicates)`
          : p.error !== undefined
            ? ` ± ${formatNumber(p.error)} (1 s.e.)`
            : '';
      if (p.error !== undefined && p.error > 0) anyError = true;
      data.push({
        ...common,
        line: `${s.index}:${p.segment}`,
        x: p.x,
        y: p.y,
        ...(p.error !== undefined && p.error > 0 && { lo: p.y - p.error, hi: p.y + p.error }),
        ...(p.band !== undefined && { bandLo: p.y - p.band, bandHi: p.y + p.band }),
        value: `${formatNumber(p.y)}${spreadText}`,
        n: p.n ?? 'exact',
        estimator,
        parameters,
      });
    }
    // Overlays: reference values the probe attaches to each measurement (asymptote, mean field, ...).
    for (const key of figure.overlays) {
      const values = xs
        .map((x) => {
          const meta = byX.get(x)![0]!.meta;
          const direct = meta[key];
          const nested = (meta['overlays'] as Record<string, unknown> | undefined)?.[key];
          const v =
            typeof direct === 'number'
              ? direct
              : typeof nested === 'number'
                ? nested
                : typeof direct === 'string' || typeof nested === 'string'
                  ? Number(direct ?? nested)
                  : // null: the quantity diverges or does not exist there (ξ_c at σ_w²_c): a gap, never joined.
                    direct === null || nested === null
                    ? NaN
                    : undefined;
          return v === undefined
            ? undefined
            : { x: mapX(x), y: (key === 'asymptote' ? converted(v, first.unit, study.unit).value : v) * scale };
        })
        .filter((p): p is { x: number; y: number } => p !== undefined);
      if (!values.some((v) => Number.isFinite(v.y))) continue;
      const name = figure.overlayLabels?.[key] ?? overlayWords(key);
      overlayNames.add(name);
      const flatLine = values.every((v) => v.y === values[0]!.y);
      const drawn =
        flatLine && values.length === 1 ? [values[0]!, { x: mapX(xs[xs.length - 1]!), y: values[0]!.y }] : values;
      for (const p of segmentPoints(drawn, inRange, figure.breaks)) {
        overlayRows.push({
          ...common,
          line: `${s.index}:${key}:${p.segment}`,
          overlay: legendLabel(name),
          x: p.x,
          y: p.y,
          value: formatNumber(p.y),
        });
      }
    }
    // The fitted law: least squares over this series' points (errors: s.e. of the mean over replicates, or each
    // measurement's own), drawn as a curve with its ± 1 s.e. band and, below, the residuals.
    if (figure.fit && (!figure.fit.estimators || figure.fit.estimators.includes(first.estimator))) {
      const usable = points.filter((p) => inRange(p));
      const fit = fitLine(
        figure.fit.law,
        usable.map((p) => ({ x: p.x, y: p.y, error: p.replicates > 1 ? p.se : p.error })),
      );
      fits.push({ series: s.label, fit });
      overlayNames.add(fitName);
      const lo = Math.min(...fit.points.map((p) => p.x));
      const hi = Math.max(...fit.points.map((p) => p.x));
      const geometric = figure.fit.law === 'log' || figure.fit.law === 'power' || figure.logX;
      const grid = Array.from({ length: 61 }, (_, i) =>
        geometric && lo > 0 ? lo * (hi / lo) ** (i / 60) : lo + ((hi - lo) * i) / 60,
      );
      for (const x of grid) {
        const y = fitValue(fit, x);
        const e = fitCurveError(fit, x);
        overlayRows.push({
          ...common,
          line: `${s.index}:fit`,
          overlay: legendLabel(fitName),
          x,
          y,
          value: `${formatNumber(y)} ± ${formatNumber(e)}`,
        });
        fitBandRows.push({ ...common, line: `${s.index}:fit`, x, bandLo: y - e, bandHi: y + e });
      }
      for (const p of fit.points)
        residualRows.push({
          ...common,
          x: p.x,
          y: p.residual,
          ...(p.error !== undefined && p.error > 0 && { lo: p.residual - p.error, hi: p.residual + p.error }),
          value: `${formatNumber(p.residual)}${p.error ? ` ± ${formatNumber(p.error)}` : ''}`,
        });
    }
  }

  // Sites with a position on a continuous axis (diffusion time s) are not integers.
  const positioned = chosen.some((r) => (r.site as { position?: number }).position !== undefined);
  const xScale = {
    ...(figure.logX ? { type: 'log' } : { zero: false }),
    nice: !xRange,
    ...(xRange && { domain: xRange }),
  };
  const yScale = { ...(figure.logY ? { type: 'log' } : { zero: false }), ...(yRange && { domain: yRange }) };
  const width = figure.width ?? PLOT_WIDTH;
  const height = figure.height ?? PLOT_HEIGHT;
  const xEnc = {
    field: 'x',
    type: 'quantitative',
    title: wrap(xLabel, wrapFor(width)),
    scale: xScale,
    axis: {
      ...((xMode === 'site' && !positioned) || xMode === 'time'
        ? xNormalised
          ? {}
          : { tickMinStep: 1, format: 'd' }
        : {}),
    },
  };
  const yEnc = {
    field: 'y',
    type: 'quantitative',
    title: units.length === 1 ? wrap(yLabels[units[0]!]!, wrapFor(height)) : null,
    scale: yScale,
  };
  const legendFor = (e: Encoded) => ({
    title: e.title ? wrap(e.title, LEGEND_WRAP) : null,
    labelExpr: LABEL_LINES,
    ...(e.domain.length > 14 && { columns: 2 }),
  });
  const colourEnc = {
    field: 'colour',
    type: 'nominal',
    sort: null,
    scale: { domain: colourDomain.map(legendLabel), range: colours },
    legend: legendFor(encodings['colour']!),
  };
  const dashEnc = dashAttr
    ? {
        strokeDash: {
          field: 'dash',
          type: 'nominal',
          sort: null,
          scale: {
            domain: encodings['dash']!.domain.map(legendLabel),
            range: DASHES.slice(0, encodings['dash']!.domain.length),
          },
          legend: {
            ...legendFor(encodings['dash']!),
            symbolType: 'stroke',
            symbolSize: 400,
            symbolStrokeColor: '#444',
          },
        },
      }
    : {};
  const shapeEnc = shapeAttr
    ? {
        shape: {
          field: 'shape',
          type: 'nominal',
          sort: null,
          scale: {
            domain: encodings['shape']!.domain.map(legendLabel),
            range: SHAPES.slice(0, encodings['shape']!.domain.length),
          },
          legend: legendFor(encodings['shape']!),
        },
      }
    : {};
  const tooltip = [
    { field: 'series', title: 'series' },
    { field: 'x', title: xLabel, format: '.6~g' },
    { field: 'value', title: units.length === 1 ? `value [${units[0]}]` : 'value' },
    { field: 'n', title: 'n (samples)' },
    { field: 'estimator', title: 'estimator' },
  ];
  const markers = figure.markers.filter((m) => !xRange || (m.x >= xRange[0] && m.x <= xRange[1]));
  const markerName = (m: { x: number; label?: string }) => `${m.label ?? 'x'} = ${formatNumber(m.x)}`;
  const referenceLines = figure.references.filter((r) => r.x === undefined);
  const referencePoints = figure.references.filter((r) => r.x !== undefined);
  const overlayLegendDomain = [
    ...[...overlayNames].map(legendLabel),
    ...markers.map((m) => legendLabel(markerName(m))),
    ...referenceLines.map((r) => legendLabel(r.label)),
  ];
  const overlayDash = {
    field: 'overlay',
    type: 'nominal',
    sort: null,
    title: 'reference lines',
    scale: {
      domain: overlayLegendDomain,
      range: DASHES.slice(1).concat(DASHES.slice(1)).slice(0, overlayLegendDomain.length),
    },
    legend: {
      title: 'reference lines',
      labelExpr: LABEL_LINES,
      symbolType: 'stroke',
      symbolSize: 400,
      symbolStrokeColor: '#444',
      symbolStrokeWidth: 1.6,
    },
  };

  const layers: Record<string, unknown>[] = [];
  // Reference lines (overlays, markers, known values) share one line-style legend of their own, separate from a
  // line style that encodes a parameter: they sit in a nested layer with its own strokeDash scale.
  const refLayers: Record<string, unknown>[] = [];
  // The ± band of a series and the fit's ± 1 s.e. band: an area from bandLo to bandHi per line.
  const bandEncoding = {
    x: xEnc,
    y: { field: 'bandLo', type: 'quantitative', scale: yScale, title: yEnc.title },
    y2: { field: 'bandHi' },
    color: colourEnc,
    detail: { field: 'line' },
  };
  const hasBand = data.some((d) => d['bandLo'] !== undefined);
  if (hasBand) {
    layers.push({
      mark: { type: 'area', opacity: 0.18, interpolate: 'linear' },
      transform: [{ filter: 'isValid(datum.bandLo)' }],
      encoding: bandEncoding,
    });
  }
  if (overlayRows.length > 0) {
    refLayers.push({
      data: { values: overlayRows },
      mark: { type: 'line', strokeWidth: 1.4, opacity: 0.9, clip: true },
      encoding: {
        x: xEnc,
        y: yEnc,
        color: colourEnc,
        strokeDash: overlayDash,
        detail: { field: 'line' },
        tooltip: [
          { field: 'overlay', title: 'overlay' },
          { field: 'series' },
          { field: 'x', title: xLabel, format: '.6~g' },
          { field: 'value', title: 'value' },
        ],
      },
    });
  }
  layers.push({
    mark: { type: 'line', strokeWidth: 1.8, clip: true },
    params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' }],
    // The same attribute on line style and marker (the run, in compare) gets one legend: both sit on this layer.
    encoding: {
      x: xEnc,
      y: yEnc,
      color: colourEnc,
      ...dashEnc,
      ...(shapeAttr && shapeAttr === dashAttr ? shapeEnc : {}),
      detail: { field: 'line' },
      order: { field: 'x', type: 'quantitative' },
    },
  });
  layers.push({
    mark: { type: 'point', filled: true, size: 28, opacity: 1, clip: true },
    encoding: { x: xEnc, y: yEnc, color: colourEnc, ...(shapeAttr ? shapeEnc : {}), tooltip },
  });
  if (anyError) {
    // Drawn after the markers, with caps wider than a marker, so that an error bar is never hidden under one.
    layers.push({
      mark: { type: 'errorbar', ticks: { size: 9, thickness: 1.4 }, thickness: 1.4, clip: true },
      transform: [{ filter: 'isValid(datum.lo)' }],
      encoding: {
        x: xEnc,
        y: { field: 'lo', type: 'quantitative', scale: yScale, title: yEnc.title },
        y2: { field: 'hi' },
        color: colourEnc,
        tooltip,
      },
    });
  }
  if (markers.length > 0) {
    const markerRows = markers.map((m, k) => ({
      x: m.x,
      overlay: legendLabel(markerName(m)),
      label: m.label ?? '',
      dy: k % 2,
    }));
    refLayers.push({
      data: { values: markerRows },
      mark: { type: 'rule', color: '#555', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        strokeDash: overlayDash,
        tooltip: [{ field: 'overlay', title: 'marker' }],
      },
    });
    // Labels alternate in height so that close markers (K_c and a finite-size peak) stay readable.
    layers.push({
      data: { values: markerRows.filter((m) => m.dy === 0) },
      mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#444', clip: false },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    });
    layers.push({
      data: { values: markerRows.filter((m) => m.dy === 1) },
      mark: { type: 'text', baseline: 'bottom', dy: -13, fontSize: 10, color: '#444', clip: false },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    });
  }
  if (referenceLines.length > 0) {
    const rows = referenceLines.map((r) => ({ y: r.y, overlay: legendLabel(r.label), value: formatNumber(r.y) }));
    refLayers.push({
      data: { values: rows },
      mark: { type: 'rule', color: '#000', strokeWidth: 1.2 },
      encoding: {
        y: { field: 'y', type: 'quantitative' },
        strokeDash: overlayDash,
        tooltip: [{ field: 'overlay', title: 'reference' }, { field: 'value' }],
      },
    });
  }
  if (referencePoints.length > 0) {
    const rows = referencePoints.map((r) => ({
      x: r.x,
      y: r.y,
      lo: r.y - (r.error ?? 0),
      hi: r.y + (r.error ?? 0),
      reference: legendLabel(r.label),
      value: `${formatNumber(r.y)}${r.error ? ` ± ${formatNumber(r.error)}` : ''}`,
    }));
    layers.push({
      data: { values: rows },
      mark: { type: 'point', shape: 'diamond', filled: false, size: 80, strokeWidth: 1.6, color: '#000' },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
        // Opacity only to give every reference a legend entry (range [1]); `sort` keeps Vega-Lite from warning
        // "Channel opacity should not be used with an unsorted discrete field".
        opacity: {
          field: 'reference',
          type: 'nominal',
          sort: 'ascending',
          scale: { range: [1] },
          legend: { title: 'published / known values' },
        },
        tooltip: [{ field: 'reference' }, { field: 'value' }],
      },
    });
    if (referencePoints.some((r) => r.error))
      layers.push({
        data: { values: rows.filter((r) => r.hi > r.lo) },
        mark: { type: 'errorbar', ticks: { size: 9 }, color: '#000' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
        },
      });
  }

  if (fitBandRows.length > 0)
    layers.unshift({
      data: { values: fitBandRows },
      mark: { type: 'area', opacity: 0.12, interpolate: 'linear', clip: true },
      encoding: bandEncoding,
    });
  const subtitle: string[] = [];
  if (replicateCount > 1)
    subtitle.push(
      `Lines: mean over ${replicateCount} replicates; ${figure.spread === 'none' ? 'no band' : `band: ± 1 ${figure.spread === 'sd' ? 'standard deviation between replicates (spread from one replicate to the next)' : 'standard error of the mean'}`}.`,
    );
  if (anyError) subtitle.push('Error bars: ± 1 standard error.');
  if (refLayers.length > 0) layers.splice(hasBand ? 1 : 0, 0, { layer: refLayers });
  const resolve = { scale: { strokeDash: dashAttr && refLayers.length > 0 ? 'independent' : 'shared' } };
  // Mixed units never share an axis: one row of panels per unit, each with its own y axis.
  let spec: VegaLiteSpec;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: titleBlock(title, subtitle),
    config: config(),
    data: { values: data },
  };
  if (units.length > 1 || facetAttr) {
    // A faceted chart has one data set: layers with their own data are folded into it, tagged and filtered.
    let tags = 0;
    const fold = (l: Record<string, unknown>): Record<string, unknown> => {
      if (Array.isArray(l['layer'])) return { ...l, layer: (l['layer'] as Record<string, unknown>[]).map(fold) };
      const { data: own, ...rest } = l as { data?: { values: Row[] } } & Record<string, unknown>;
      const transform = (rest['transform'] as unknown[] | undefined) ?? [];
      if (!own) return { ...rest, transform: [{ filter: '!isValid(datum.layerTag)' }, ...transform] };
      const tag = `layer${tags++}`;
      // Rows that belong to no series (markers, known values) go into every panel: a row without a panel or unit
      // value would otherwise open an empty panel of its own.
      const panels = facetAttr ? domainOf(series, facetAttr) : [undefined];
      for (const row of own.values)
        for (const u of units.length > 1 && row['unit'] === undefined ? units : [row['unit']])
          for (const panel of facetAttr && row['panel'] === undefined ? panels : [row['panel']])
            data.push({
              ...row,
              ...(u !== undefined && { unit: u }),
              ...(panel !== undefined && { panel }),
              layerTag: tag,
            });
      return { ...rest, transform: [{ filter: `datum.layerTag === '${tag}'` }, ...transform] };
    };
    const header = {
      labelExpr: units.reduce(
        (expr, u) =>
          `datum.value === ${JSON.stringify(u)} ? ${JSON.stringify(wrap(yLabels[u]!, 70).join(' '))} : (${expr})`,
        'datum.value',
      ),
      labelAngle: 0,
      labelAlign: 'left',
      labelAnchor: 'start',
      labelOrient: 'top',
      labelFontSize: 12,
    };
    spec = {
      ...base,
      facet: {
        ...(units.length > 1 && { row: { field: 'unit', type: 'nominal', sort: units, title: null, header } }),
        ...(facetAttr && {
          column: {
            field: 'panel',
            type: 'nominal',
            sort: domainOf(series, facetAttr),
            title: encodedTitle(facetAttr, sample, display),
          },
        }),
      },
      spec: { width, height, layer: layers.map(fold).map((l) => withYTitle(l, units.length > 1)), resolve },
      resolve: { scale: { y: units.length > 1 ? 'independent' : 'shared' } },
    };
  } else if (figure.fit?.residuals !== false && residualRows.length > 0) {
    // The fit's residuals y − (a + b·f(x)) with the points' error bars, in a panel under the figure, same x axis.
    const residualY = { field: 'y', type: 'quantitative', title: wrap('residual y − fit', wrapFor(110)) };
    spec = {
      ...base,
      vconcat: [
        { width, height, layer: layers, resolve },
        {
          width,
          height: 110,
          data: { values: residualRows },
          layer: [
            {
              data: { values: [{ y: 0 }] },
              mark: { type: 'rule', color: '#555' },
              encoding: { y: { field: 'y', type: 'quantitative' } },
            },
            {
              mark: { type: 'errorbar', ticks: { size: 7 }, clip: true },
              transform: [{ filter: 'isValid(datum.lo)' }],
              encoding: {
                x: xEnc,
                y: { field: 'lo', type: 'quantitative', title: residualY.title },
                y2: { field: 'hi' },
                color: colourEnc,
              },
            },
            {
              mark: { type: 'point', filled: true, size: 28 },
              encoding: {
                x: xEnc,
                y: residualY,
                color: colourEnc,
                tooltip: [{ field: 'series' }, { field: 'x', format: '.6~g' }, { field: 'value', title: 'residual' }],
              },
            },
          ],
        },
      ],
    };
  } else spec = { ...base, width, height, layer: layers, resolve };
  if (fits.length > 0)
    spec['usermeta'] = {
      fits: fits.map(({ series: label, fit }) => ({
        series: label,
        law: fit.law,
        formula: lawFormula(fit.law),
        a: fit.a,
        b: fit.b,
        aError: fit.aError,
        bError: fit.bError,
        covariance: fit.covariance,
        chiSquare: fit.chiSquare,
        dof: fit.dof,
        weighted: fit.weighted,
        scale: fit.scale,
        points: fit.points,
      })),
    };

  const drawn: string[] = [`${units.map((u) => yLabels[u]).join('; and ')} against ${xLabel}`];
  drawn.push(
    `${series.length} series${colourAttr !== 'series' ? `, colour: ${encodings['colour']!.title}` : ''}${dashAttr ? `, line style: ${encodings['dash']!.title}` : ''}${shapeAttr ? `, marker: ${encodings['shape']!.title}` : ''}${facetAttr ? `, panels: ${encodedTitle(facetAttr, sample, display)}` : ''}`,
  );
  if (units.length > 1) drawn.push(`one panel per unit (${units.join('; ')})`);
  if (overlayNames.size > 0) drawn.push(`dashed, in the colour of their series: ${[...overlayNames].join(', ')}`);
  if (markers.length > 0) drawn.push(`vertical lines: ${markers.map(markerName).join(', ')}`);
  if (figure.references.length > 0)
    drawn.push(`published or known values: ${figure.references.map((r) => r.label).join(', ')}`);
  if (fits.length > 0)
    drawn.push(
      `least-squares fit ${lawFormula(figure.fit!.law)} per series (${fits[0]!.fit.weighted ? 'weights 1/s.e.², parameter errors scaled by max(1, χ²/ν)' : 'unweighted, errors from the residual scatter'}; ± 1 s.e. band${residualRows.length > 0 && figure.fit!.residuals !== false && !facetAttr && units.length === 1 ? '; residuals in the panel below' : ''}): ${fits
        .map(
          ({ series: label, fit }) =>
            `${label}: a = ${formatNumber(fit.a)} ± ${formatNumber(fit.aError)}, b = ${formatNumber(fit.b)} ± ${formatNumber(fit.bError)}, χ²/ν = ${formatNumber(fit.chiSquare)}/${fit.dof}`,
        )
        .join('; ')}`,
    );
  if (figure.breaks.length > 0)
    drawn.push(`curves are not joined across ${figure.breaks.map(formatNumber).join(', ')}`);
  if (yRange || figure.logY) drawn.push('curves are broken where they leave the plotted range');
  if (figure.logY || figure.logX)
    drawn.push(`logarithmic ${[figure.logX && 'x', figure.logY && 'y'].filter(Boolean).join(' and ')} axis`);
  const caption = `${drawn.join('; ')}.${subtitle.length ? ` ${subtitle.join(' ')}` : ''}${figure.caption ? ` ${figure.caption}` : ''}`;
  return { file, title, caption, spec };
}

/**
 * Default encoding when the series are the grid of two swept parameters (K × construction): colour by the one
 * with more values (numbers first), line style by the other, when together they tell every series apart.
 */
function twoWay(series: readonly Series[]): [string | undefined, string | undefined] {
  if (series.length < 4) return [undefined, undefined];
  const paths = Object.keys(series[0]!.attributes).filter(
    (k) => k.includes('.params.') && series.every((s) => s.attributes[k] !== undefined),
  );
  const varying = paths.filter((p) => new Set(series.map((s) => s.attributes[p])).size > 1);
  if (varying.length !== 2) return [undefined, undefined];
  const count = (p: string) => new Set(series.map((s) => s.attributes[p])).size;
  const numeric = (p: string) => series.every((s) => Number.isFinite(Number(s.attributes[p])));
  const [a, b] = varying.sort((p, q) => Number(numeric(q)) - Number(numeric(p)) || count(q) - count(p)) as [
    string,
    string,
  ];
  if (count(b) > DASHES.length) return [undefined, undefined];
  const unique = new Set(series.map((s) => `${s.attributes[a]}|${s.attributes[b]}`)).size === series.length;
  return unique ? [a, b] : [undefined, undefined];
}

/** With one panel per unit the axis title moves to the row header (it names the unit). */
function withYTitle(layer: Record<string, unknown>, perUnit: boolean): Record<string, unknown> {
  if (!perUnit) return layer;
  const encoding = layer['encoding'] as Record<string, Record<string, unknown>> | undefined;
  if (!encoding?.['y'] || (encoding['y'] as { value?: unknown }).value !== undefined) return layer;
  return { ...layer, encoding: { ...encoding, y: { ...encoding['y'], title: 'value (unit above)' } } };
}

function heatMaps(
  study: ResolvedStudy,
  selected: RunRecord[],
  figure: ReportFigure,
  title: string,
  file: string,
  display: DisplayLookup,
): FigureSpec[] {
  const xPath = figure.x;
  const series = groupSeries(selected, xPath, study.unit, display, 'value');
  labelSeries(series, figure, xPath, display, undefined);
  const xLabel = xTitle(selected, xPath, display);
  return series.map((group, g) => {
    const sample = group.records[0]!;
    const yLabel = axisTitle(display.system(sample.systemId), sample.site.axis);
    const valueLabel = yTitle([group], display, 'value');
    const byCell = new Map<string, RunRecord[]>();
    for (const r of group.records) {
      const k = `${xOf(r, xPath)}|${r.site.index}`;
      byCell.set(k, [...(byCell.get(k) ?? []), r]);
    }
    const columns = [...new Set(group.records.map((r) => xOf(r, xPath)))].sort((a, b) => a - b);
    const rows = [...new Set(group.records.map((r) => r.site.index))].sort((a, b) => a - b);
    const edge = (grid: number[], i: number, side: -1 | 1) => {
      const here = grid[i]!;
      const next = grid[i + side];
      if (next !== undefined) return (here + next) / 2;
      const other = grid[i - side];
      return other === undefined ? here + side * 0.5 : here + (side * Math.abs(here - other)) / 2;
    };
    const cells = [...byCell.values()].map((rs) => {
      const x = xOf(rs[0]!, xPath);
      const i = columns.indexOf(x);
      const y = rs[0]!.site.index;
      const a = aggregate(rs, study.unit, figure.spread);
      return {
        x,
        y,
        x0: edge(columns, i, -1),
        x1: edge(columns, i, 1),
        y0: y - 0.5,
        y1: y + 0.5,
        v: Number.isFinite(a.y) ? a.y : null,
        value: `${formatNumber(a.y)}${a.replicates > 1 ? ` (± ${formatNumber(a.sd!)} s.d.; ${a.replicates} replicates)` : a.error !== undefined ? ` ± ${formatNumber(a.error)} (1 s.e.)` : ''}`,
        n: a.n ?? 'exact',
      };
    });
    const finite = cells.map((c) => c.v).filter((v): v is number => v !== null);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const diverging = figure.colourScale === 'diverging' || (figure.colourScale === 'auto' && lo < 0 && hi > 0);
    const colourScale = diverging
      ? {
          type: 'linear',
          scheme: 'redblue',
          reverse: true,
          domainMid: 0,
          domain: [-Math.max(-lo, hi), Math.max(-lo, hi)],
        }
      : { type: 'linear', scheme: 'viridis' };
    const yMin = rows[0]! - 0.5;
    const yMax = rows[rows.length - 1]! + 0.5;
    const overlayColours = ['#ffffff', '#ff4d4d', '#ffd84d', '#4dd2ff', '#000000'];
    const overlayRows: Row[] = [];
    const names: string[] = [];
    figure.overlays.forEach((key) => {
      const points = new Map<number, number>();
      for (const r of group.records) {
        const meta = r.meta;
        const v =
          typeof meta[key] === 'number'
            ? (meta[key] as number)
            : (meta['overlays'] as Record<string, unknown> | undefined)?.[key];
        if (typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Number(v))))
          points.set(xOf(r, xPath), Number(v));
      }
      if (points.size === 0) return;
      const name = legendLabel(figure.overlayLabels?.[key] ?? overlayWords(key));
      names.push(name);
      const sorted = [...points.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y }));
      // A curve that leaves the map (ξ_c diverges at σ_w²_c) is broken there, never joined across the gap.
      for (const p of segmentPoints(sorted, (q) => q.y >= yMin && q.y <= yMax, figure.breaks))
        overlayRows.push({ line: `${key}:${p.segment}`, overlay: name, x: p.x, y: p.y, value: formatNumber(p.y) });
    });
    const markers = figure.markers.map((m) => ({
      x: m.x,
      overlay: legendLabel(`${m.label ?? 'x'} = ${formatNumber(m.x)}`),
      label: m.label ?? '',
    }));
    const overlayDomain = [...names, ...markers.map((m) => m.overlay)];
    const overlayEnc = {
      stroke: {
        field: 'overlay',
        type: 'nominal',
        sort: null,
        scale: { domain: overlayDomain, range: overlayDomain.map((_, k) => overlayColours[k % overlayColours.length]) },
        legend: {
          title: 'lines',
          labelExpr: LABEL_LINES,
          symbolType: 'stroke',
          symbolFillColor: '#888',
          symbolStrokeWidth: 2.5,
          fillColor: '#bbbbbb',
          padding: 4,
        },
      },
      strokeDash: {
        field: 'overlay',
        type: 'nominal',
        sort: null,
        scale: { domain: overlayDomain, range: DASHES.slice(1, 1 + overlayDomain.length) },
      },
    };
    // Colour and dash of a line are one legend entry.
    (overlayEnc.strokeDash as Record<string, unknown>)['legend'] = overlayEnc.stroke.legend;
    const width = figure.width ?? PLOT_WIDTH;
    const height = figure.height ?? PLOT_HEIGHT;
    const xEnc = {
      field: 'x0',
      type: 'quantitative',
      title: wrap(xLabel, wrapFor(width)),
      scale: { zero: false, nice: false, domain: [edge(columns, 0, -1), edge(columns, columns.length - 1, 1)] },
    };
    const yEnc = {
      field: 'y0',
      type: 'quantitative',
      title: wrap(yLabel, wrapFor(height)),
      scale: { zero: false, nice: false, domain: [yMin, yMax] },
      axis: { tickMinStep: 1, format: 'd' },
    };
    const layers: Record<string, unknown>[] = [
      {
        mark: { type: 'rect', stroke: null },
        params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' }],
        encoding: {
          x: xEnc,
          x2: { field: 'x1' },
          y: yEnc,
          y2: { field: 'y1' },
          color: {
            field: 'v',
            type: 'quantitative',
            scale: colourScale,
            legend: {
              title: wrap(valueLabel, 26),
              tickCount: 6,
              gradientLength: 200,
              gradientThickness: 14,
              format: '.3~g',
              labelOverlap: false,
              direction: 'vertical',
            },
          },
          tooltip: [
            { field: 'x', title: xLabel, format: '.6~g' },
            { field: 'y', title: yLabel },
            { field: 'value', title: `value [${group.unit}]` },
            { field: 'n', title: 'n (samples)' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.v === null' }],
        mark: { type: 'rect', color: '#bdbdbd' },
        encoding: { x: xEnc, x2: { field: 'x1' }, y: yEnc, y2: { field: 'y1' } },
      },
    ];
    if (overlayRows.length > 0)
      layers.push({
        data: { values: overlayRows },
        mark: { type: 'line', strokeWidth: 2.2, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          detail: { field: 'line' },
          ...overlayEnc,
          tooltip: [{ field: 'overlay' }, { field: 'x', title: xLabel, format: '.6~g' }, { field: 'value' }],
        },
      });
    if (markers.length > 0) {
      layers.push({
        data: { values: markers },
        mark: { type: 'rule', strokeWidth: 1.4 },
        encoding: { x: { field: 'x', type: 'quantitative' }, ...overlayEnc },
      });
      layers.push({
        data: { values: markers },
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#333', clip: false },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      });
    }
    const figureTitle = series.length > 1 ? `${title} — ${group.label}` : title;
    const nonFinite = cells.filter((c) => c.v === null).length;
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: titleBlock(figureTitle, []),
      config: config(),
      width,
      height,
      data: { values: cells },
      layer: layers,
      resolve: { scale: { color: 'independent' } },
    };
    const caption =
      `Colour: ${valueLabel} over ${xLabel} × ${yLabel} (${diverging ? 'diverging scale centred on 0' : 'sequential scale'})` +
      `${names.length ? `; lines: ${names.map((n) => n.replace(/\n/g, ' ')).join(', ')}, broken where they leave the map` : ''}` +
      `${markers.length ? `; vertical lines: ${markers.map((m) => m.overlay.replace(/\n/g, ' ')).join(', ')}` : ''}` +
      `${nonFinite ? `; grey: ${nonFinite} cells not finite` : ''}.${figure.caption ? ` ${figure.caption}` : ''}`;
    return { file: series.length > 1 ? `${file}-${g + 1}` : file, title: figureTitle, caption, spec };
  });
}
