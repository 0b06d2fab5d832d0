import type { DescriptorDisplay, ParameterDisplay, Registries } from '@entroscope/core';

/**
 * Words and symbols for figures: descriptors' display metadata (core `DescriptorDisplay`), with fallbacks so that a
 * plugin without it still gets readable (if plain) labels.
 */
export interface DisplayLookup {
  system(id: string): DescriptorDisplay<any> | undefined;
  probe(id: string): DescriptorDisplay<any> | undefined;
}

export function displayLookup(registries: Registries): DisplayLookup {
  const find = (registry: Registries['systems'] | Registries['probes'], id: string) => {
    try {
      return registry.get(id).display as DescriptorDisplay<any> | undefined;
    } catch {
      return undefined;
    }
  };
  return { system: (id) => find(registries.systems, id), probe: (id) => find(registries.probes, id) };
}

export const noDisplay: DisplayLookup = { system: () => undefined, probe: () => undefined };

/** Words for the units of `Measurement.unit` when a descriptor does not say. */
const UNIT_WORDS: Record<string, string> = {
  nat: 'nats',
  bit: 'bits',
  'nat/site': 'nats per site',
  'bit/site': 'bits per site',
  'nat/neuron': 'nats per neuron',
  'bit/neuron': 'bits per neuron',
  'nat/layer': 'nats per layer',
  dimensionless: 'dimensionless',
};

/**
 * The display that names what a measurement is: the system's when its display words include the measurement's
 * estimator (a metric the system records and names, e.g. the neural-entropy system's 'neural-entropy', passed on
 * by the training-metrics probe), else the probe's.
 */
export function quantityDisplay(
  display: DisplayLookup,
  r: { readonly systemId: string; readonly probeId: string; readonly estimator: string },
): { readonly display: DescriptorDisplay<any> | undefined; readonly bySystem: boolean } {
  const system = display.system(r.systemId);
  if (system?.values?.[r.estimator] !== undefined) return { display: system, bySystem: true };
  return { display: display.probe(r.probeId), bySystem: false };
}

/** Unit words of a probe's measurement, after conversion to the report's unit (bits or nats). */
export function unitWords(display: DescriptorDisplay<any> | undefined, unit: string): string {
  const own = display?.units?.[unit] ?? display?.units?.['*'];
  if (own) return own;
  return UNIT_WORDS[unit] ?? unit;
}

/** Axis words when the system does not name its axis. */
const AXIS_WORDS: Record<string, ParameterDisplay> = {
  'rg-step': { name: 'RG step', symbol: 'n' },
  layer: { name: 'layer', symbol: 'ℓ' },
  epoch: { name: 'epoch', symbol: 't' },
  time: { name: 'time', symbol: 't' },
};

/** `RG step n`, `layer ℓ`. */
export function axisTitle(display: DescriptorDisplay<any> | undefined, axis: string): string {
  const d = display?.axes?.[axis] ?? AXIS_WORDS[axis];
  if (!d) return axis;
  return [d.name, d.symbol].filter(Boolean).join(' ');
}

/** Display of a parameter path inside params; falls back to the path's last segment. */
export function parameterDisplay(display: DescriptorDisplay<any> | undefined, path: string): ParameterDisplay {
  return display?.parameters?.[path] ?? { name: path.split('.').slice(-1)[0]! };
}

/** Axis title of a parameter: `coupling K`, `σ_w²`. */
export function parameterTitle(d: ParameterDisplay): string {
  return [d.name, d.symbol].filter(Boolean).join(' ');
}

export function formatValue(display: DescriptorDisplay<any> | undefined, value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return display?.values?.[value] ?? value;
  // A tagged object ({ kind: vpx, kappa: 0.1 }, { use: ksg, k: 4 }): the tag's words, then its other scalar fields.
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const tag = entries.find(([k, v]) => (k === 'kind' || k === 'use') && typeof v === 'string');
    const scalars = entries.filter(([k, v]) => k !== tag?.[0] && (typeof v === 'number' || typeof v === 'string'));
    if (tag && scalars.length === entries.length - 1) {
      const symbolOf = (key: string) => {
        const found = Object.entries(display?.parameters ?? {}).find(([p]) => p === key || p.endsWith(`.${key}`));
        return found?.[1] ?? { name: key };
      };
      const terms = scalars.map(([k, v]) => parameterTerm(symbolOf(k), formatValue(display, v)));
      return `${formatValue(display, tag[1])}${terms.length > 0 ? ` (${terms.join(', ')})` : ''}`;
    }
  }
  return JSON.stringify(value);
}

/** Legend term: `K = 0.5` for a symbol, `construction A` for words. */
export function parameterTerm(d: ParameterDisplay, value: string): string {
  return d.symbol ? `${d.symbol} = ${value}` : `${d.name ?? ''} ${value}`.trim();
}

/** The math label of what a probe reports, or its display name, or its id. */
export function probeSymbol(display: DescriptorDisplay<any> | undefined, params: unknown): string | undefined {
  const s = display?.symbol;
  if (typeof s === 'function') {
    try {
      return s(params);
    } catch {
      return undefined;
    }
  }
  return s;
}

/** Six significant digits, no trailing zeros, `−` never: plain ASCII minus so that values parse back. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4)
    return v
      .toExponential(3)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return Number(v.toPrecision(6)).toString();
}

/** Words for overlay keys of measurement meta when the probe does not name them. */
const OVERLAY_WORDS: Record<string, string> = {
  asymptote: 'asymptote',
  meanField: 'mean field',
  xi_c: 'ξ_c (correlation depth, mean field)',
  six_xi_c: '6ξ_c (trainable depth, mean field)',
  ln_chi1: 'ln χ₁ (mean field)',
  fixedPoint: 'fixed point c* (mean field)',
  onsager: 'Onsager (exact)',
};

export function overlayWords(key: string): string {
  return OVERLAY_WORDS[key] ?? key;
}

/**
 * Splits text into lines of at most `width` characters at spaces (a longer word stays whole on its own line), so
 * that titles, legend entries and axis titles wrap instead of being cut off.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}
