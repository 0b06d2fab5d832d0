/**
 * Colours, dash patterns and marker shapes of the figures. The categorical palette starts with Tableau 10 and
 * continues with colours of Kelly's maximum-contrast set that are far from those (CIE76 ΔE ≥ 19 between any two, tested), so a figure with up to 24 series never repeats a colour.
 */
export const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#222222',
  '#882d17',
  '#8db600',
  '#1f3fbf',
  '#604e97',
  '#c2b280',
  '#654522',
  '#dcd300',
  '#2b3d26',
  '#e25822',
  '#a1caf1',
  '#be0032',
  '#008856',
  '#ff00ff',
];

/** Distinct colours for n categories; beyond the palette, evenly spaced hues (still distinct, less pleasant). */
export function colourPalette(n: number): string[] {
  if (n <= CATEGORICAL.length) return CATEGORICAL.slice(0, n);
  return Array.from({ length: n }, (_, i) =>
    hsl((360 * i) / n, i % 2 ? 0.55 : 0.75, i % 3 === 0 ? 0.35 : i % 3 === 1 ? 0.5 : 0.65),
  );
}

function hsl(h: number, s: number, l: number): string {
  const f = (k: number) => {
    const a = s * Math.min(l, 1 - l);
    const t = (k + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1))));
  };
  return `#${[f(0), f(8), f(4)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Viridis at n evenly spaced points (for colour by a numeric parameter: epoch, layer, K). */
const VIRIDIS = [
  '#440154',
  '#482475',
  '#414487',
  '#355f8d',
  '#2a788e',
  '#21918c',
  '#22a884',
  '#44bf70',
  '#7ad151',
  '#bddf26',
  '#fde725',
];
export function sequentialColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    // Stop short of the pale yellow end, which is unreadable as a line on white.
    const x = (n === 1 ? 0 : (i / (n - 1)) * 0.9) * (VIRIDIS.length - 1);
    const k = Math.min(Math.floor(x), VIRIDIS.length - 2);
    const f = x - k;
    const a = VIRIDIS[k]!;
    const b = VIRIDIS[k + 1]!;
    const channel = (j: number) =>
      Math.round(parseInt(a.slice(j, j + 2), 16) * (1 - f) + parseInt(b.slice(j, j + 2), 16) * f);
    return `#${[1, 3, 5].map((j) => channel(j).toString(16).padStart(2, '0')).join('')}`;
  });
}

/** Dash patterns: the first is solid (measured data); the others for parameters and reference lines. */
export const DASHES: number[][] = [
  [1, 0],
  [6, 4],
  [2, 3],
  [10, 3, 2, 3],
  [12, 6],
  [1, 4],
  [6, 2, 1, 2, 1, 2],
  [16, 4],
  [4, 4],
  [8, 3, 8, 3, 2, 3],
];

export const SHAPES = [
  'circle',
  'square',
  'triangle-up',
  'diamond',
  'cross',
  'triangle-down',
  'triangle-right',
  'triangle-left',
  'wedge',
  'stroke',
];

/** CIE76 colour difference of two sRGB hex colours (for tests of distinctness). */
export function deltaE(a: string, b: string): number {
  const [l1, a1, b1] = lab(a);
  const [l2, a2, b2] = lab(b);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

function lab(hex: string): [number, number, number] {
  const lin = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = lin as [number, number, number];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
