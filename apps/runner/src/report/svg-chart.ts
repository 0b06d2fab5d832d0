/**
 * Small, dependency-free SVG charts (line plots with error bars and reference lines, heat maps).
 * Output is deterministic (fixed number formatting), so identical results give byte-identical plots.
 */

export interface SeriesPoint {
  readonly x: number;
  readonly y: number;
  /** One standard error, drawn as an error bar. */
  readonly error?: number;
}
export interface LineSeries {
  readonly label: string;
  readonly points: readonly SeriesPoint[];
  /** Horizontal reference lines for this series (e.g. an asymptote), drawn dashed in its colour. */
  readonly references?: readonly { readonly y: number; readonly label: string }[];
  /** Reference curves for this series (drawn dotted in its colour). */
  readonly curves?: readonly { readonly label: string; readonly points: readonly SeriesPoint[] }[];
}
export interface LineChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly markers?: readonly { readonly x: number; readonly label?: string }[];
  readonly logY?: boolean;
  readonly integerX?: boolean;
}

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const WIDTH = 800;
const HEIGHT = 460;
const MARGIN = { left: 78, right: 250, top: 52, bottom: 58 };

const fmt = (v: number) => (Math.abs(v) < 1e-9 ? '0' : Number(v.toFixed(2)).toString());

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values (1-2-5 steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceTicks(lo - pad, hi + pad, count);
  }
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => (hi - lo) / s <= count) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return ticks;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return Number(v.toPrecision(6)).toString();
}

/** Extent of finite values, padded by 4 % (or the given floor/ceiling for empty/degenerate input). */
function extent(values: number[], pad = 0.04): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  const span = hi - lo;
  return [lo - span * pad, hi + span * pad];
}

function frame(title: string, xLabel: string, yLabel: string, width = WIDTH, height = HEIGHT): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="${Math.max(10, Math.min(15, Math.floor((15 * 82) / Math.max(title.length, 1))))}" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${fmt(MARGIN.left + (width - MARGIN.left - MARGIN.right) / 2)}" y="${height - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${fmt(MARGIN.top + (height - MARGIN.top - MARGIN.bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
}

/** Renders a line chart as an SVG document. */
export function lineChart(spec: LineChartSpec): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = spec.series.flatMap((s) => [...s.points.map((p) => p.x), ...(s.curves ?? []).flatMap((c) => c.points.map((p) => p.x))]).concat((spec.markers ?? []).map((m) => m.x));
  const ysRaw = spec.series.flatMap((s) => [
    ...s.points.flatMap((p) => (p.error !== undefined && Number.isFinite(p.error) ? [p.y - p.error, p.y + p.error] : [p.y])),
    ...(s.references ?? []).map((r) => r.y),
    ...(s.curves ?? []).flatMap((c) => c.points.map((p) => p.y)),
  ]);
  const logY = spec.logY === true;
  const ys = logY ? ysRaw.filter((y) => y > 0).map(Math.log10) : ysRaw;
  const [x0, x1] = extent(xs, 0.03);
  const [y0, y1] = extent(ys, 0.06);
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (((logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * plotH;
  const out = frame(spec.title, spec.xLabel, spec.yLabel);
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333" stroke-width="1"/>`);
  let xTicks = niceTicks(x0, x1, 8);
  if (spec.integerX) xTicks = xTicks.filter((t) => Number.isInteger(t));
  for (const t of xTicks) {
    if (t < x0 || t > x1) continue;
    out.push(`<line x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${fmt(sx(t))}" y="${MARGIN.top + plotH + 17}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  const yTicks = logY ? niceTicks(Math.floor(y0), Math.ceil(y1), 6).filter(Number.isInteger) : niceTicks(y0, y1, 6);
  for (const t of yTicks) {
    if (t < y0 || t > y1) continue;
    const py = MARGIN.top + plotH - ((t - y0) / (y1 - y0)) * plotH;
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${fmt(py)}" y2="${fmt(py)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${fmt(py + 4)}" text-anchor="end">${logY ? `1e${t}` : formatTick(t)}</text>`);
  }
  out.push(`<g clip-path="none">`);
  (spec.markers ?? []).forEach((marker, k) => {
    const px = fmt(sx(marker.x));
    out.push(`<line x1="${px}" x2="${px}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#555" stroke-dasharray="2 3"/>`);
    // Alternate label heights so that close markers (K_c and a finite-size peak) stay readable.
    if (marker.label) out.push(`<text x="${px}" y="${MARGIN.top - 4 - 12 * (k % 2)}" text-anchor="middle" fill="#555">${escapeXml(marker.label)}</text>`);
  });
  const legend: string[] = [];
  const shownReferences = new Set<string>();
  spec.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const visible = series.points.filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0));
    for (const ref of series.references ?? []) {
      if (!Number.isFinite(ref.y) || (logY && ref.y <= 0)) continue;
      out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${fmt(sy(ref.y))}" y2="${fmt(sy(ref.y))}" stroke="${colour}" stroke-dasharray="6 4" stroke-width="1.2" opacity="0.8"/>`);
    }
    for (const curve of series.curves ?? []) {
      const pts = curve.points.filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0));
      if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-dasharray="2 3" stroke-width="1.5" points="${pts.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(' ')}"/>`);
    }
    if (visible.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.8" points="${visible.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`).join(' ')}"/>`);
    for (const p of visible) {
      if (p.error !== undefined && Number.isFinite(p.error) && p.error > 0) {
        const lo = logY ? Math.max(p.y - p.error, p.y * 1e-3) : p.y - p.error;
        out.push(`<line x1="${fmt(sx(p.x))}" x2="${fmt(sx(p.x))}" y1="${fmt(sy(lo))}" y2="${fmt(sy(p.y + p.error))}" stroke="${colour}" stroke-width="1.2"/>`);
      }
      out.push(`<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.y))}" r="2.8" fill="${colour}"/>`);
    }
    const ly = MARGIN.top + 8 + legend.length * 18;
    const lx = WIDTH - MARGIN.right + 14;
    legend.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/><text x="${lx + 26}" y="${ly + 4}">${escapeXml(truncate(series.label, 34))}</text>`);
    for (const ref of series.references ?? []) {
      if (!Number.isFinite(ref.y) || shownReferences.has(ref.label)) continue;
      shownReferences.add(ref.label);
      const ry = MARGIN.top + 8 + legend.length * 18;
      legend.push(`<line x1="${lx}" x2="${lx + 20}" y1="${ry}" y2="${ry}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${lx + 26}" y="${ry + 4}" fill="#555">${escapeXml(truncate(ref.label, 30))}</text>`);
      break;
    }
  });
  out.push('</g>', ...legend.slice(0, 22), '</svg>');
  return out.join('\n') + '\n';
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Viridis colour map (11 anchors, linear interpolation). */
const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];
export function viridis(t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const channel = (k: number) => Math.round(parseInt(a.slice(k, k + 2), 16) * (1 - f) + parseInt(b.slice(k, k + 2), 16) * f);
  return `#${[1, 3, 5].map((k) => channel(k).toString(16).padStart(2, '0')).join('')}`;
}

export interface HeatMapSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly valueLabel: string;
  /** Cells: x (column value), y (row value), value. Columns and rows are the sorted distinct x and y. */
  readonly cells: readonly { readonly x: number; readonly y: number; readonly value: number }[];
  /** Curves drawn over the map in data coordinates (e.g. ξ_c(σ_w²)). */
  readonly overlays?: readonly { readonly label: string; readonly points: readonly SeriesPoint[] }[];
  readonly markers?: readonly { readonly x: number; readonly label?: string }[];
}

/** Renders a heat map with a colour bar; missing cells stay blank. */
export function heatMap(spec: HeatMapSpec): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const columns = [...new Set(spec.cells.map((c) => c.x))].sort((a, b) => a - b);
  const rows = [...new Set(spec.cells.map((c) => c.y))].sort((a, b) => a - b);
  const values = spec.cells.map((c) => c.value).filter(Number.isFinite);
  const [v0, v1] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const cw = plotW / Math.max(columns.length, 1);
  const ch = plotH / Math.max(rows.length, 1);
  // Data → pixel maps by cell centres (interpolating between neighbouring columns/rows).
  const interp = (v: number, grid: number[], origin: number, size: number, flip: boolean) => {
    if (grid.length === 1) return origin + size / 2;
    let i = grid.findIndex((g) => g >= v);
    if (i <= 0) i = 1;
    if (i === -1 || v > grid[grid.length - 1]!) i = grid.length - 1;
    const a = grid[i - 1]!;
    const b = grid[i]!;
    const pos = i - 1 + (v - a) / (b - a);
    const px = origin + (pos + 0.5) * size;
    return flip ? 2 * origin + grid.length * size - px : px;
  };
  const px = (x: number) => interp(x, columns, MARGIN.left, cw, false);
  const py = (y: number) => interp(y, rows, MARGIN.top, ch, true);
  const out = frame(spec.title, spec.xLabel, spec.yLabel);
  for (const cell of spec.cells) {
    const i = columns.indexOf(cell.x);
    const j = rows.indexOf(cell.y);
    const colour = Number.isFinite(cell.value) ? viridis(v1 > v0 ? (cell.value - v0) / (v1 - v0) : 0.5) : '#cccccc';
    out.push(`<rect x="${fmt(MARGIN.left + i * cw)}" y="${fmt(MARGIN.top + plotH - (j + 1) * ch)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill="${colour}"/>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  const stride = (n: number) => Math.max(1, Math.ceil(n / 10));
  columns.forEach((c, i) => {
    if (i % stride(columns.length) === 0) out.push(`<text x="${fmt(MARGIN.left + (i + 0.5) * cw)}" y="${MARGIN.top + plotH + 17}" text-anchor="middle">${formatTick(c)}</text>`);
  });
  rows.forEach((r, j) => {
    if (j % stride(rows.length) === 0) out.push(`<text x="${MARGIN.left - 6}" y="${fmt(MARGIN.top + plotH - (j + 0.5) * ch + 4)}" text-anchor="end">${formatTick(r)}</text>`);
  });
  const yMin = rows[0] ?? 0;
  const yMax = rows[rows.length - 1] ?? 1;
  (spec.overlays ?? []).forEach((overlay, k) => {
    const pts = overlay.points.filter((p) => Number.isFinite(p.y) && p.y >= yMin && p.y <= yMax);
    const stroke = ['#ffffff', '#ff4d4d', '#ffd84d', '#4dd2ff'][k % 4]!;
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${stroke}" stroke-width="2" stroke-dasharray="5 3" points="${pts.map((p) => `${fmt(px(p.x))},${fmt(py(p.y))}`).join(' ')}"/>`);
    out.push(`<line x1="${WIDTH - MARGIN.right + 80}" x2="${WIDTH - MARGIN.right + 100}" y1="${MARGIN.top + plotH - 20 - k * 18}" y2="${MARGIN.top + plotH - 20 - k * 18}" stroke="${stroke === '#ffffff' ? '#000' : stroke}" stroke-width="2" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${WIDTH - MARGIN.right + 106}" y="${MARGIN.top + plotH - 16 - k * 18}">${escapeXml(truncate(overlay.label, 16))}${stroke === '#ffffff' ? ' (white)' : ''}</text>`);
  });
  for (const marker of spec.markers ?? []) {
    const x = fmt(px(marker.x));
    out.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#fff" stroke-dasharray="2 3"/>`);
    if (marker.label) out.push(`<text x="${x}" y="${MARGIN.top - 4}" text-anchor="middle">${escapeXml(marker.label)}</text>`);
  }
  // Colour bar.
  const barX = WIDTH - MARGIN.right + 16;
  const steps = 40;
  for (let k = 0; k < steps; k++) {
    out.push(`<rect x="${barX}" y="${fmt(MARGIN.top + (plotH * 0.6 * k) / steps)}" width="16" height="${fmt((plotH * 0.6) / steps + 0.3)}" fill="${viridis(1 - k / (steps - 1))}"/>`);
  }
  out.push(`<text x="${barX + 22}" y="${MARGIN.top + 9}">${formatTick(v1)}</text>`);
  out.push(`<text x="${barX + 22}" y="${fmt(MARGIN.top + plotH * 0.6)}">${formatTick(v0)}</text>`);
  out.push(`<text x="${barX}" y="${fmt(MARGIN.top + plotH * 0.6 + 18)}">${escapeXml(truncate(spec.valueLabel, 28))}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
