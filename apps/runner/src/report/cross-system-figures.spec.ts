import {
  parseStudyText,
  resolveStudy,
  StudyValidationError,
  type ReportFigure,
  type ResolvedStudy,
} from '@entroscope/core';
import { createRegistries } from '../container';
import type { ResultRecord } from '../results-store';
import { buildFigureSpecs, type FigureSpec } from './figure-spec';
import { displayLookup } from './labels';
import { renderPng, renderSvg } from './render';

const registries = createRegistries();
const display = displayLookup(registries);

const study = {
  file: 't.yaml',
  name: 't',
  seed: 1,
  replicates: 1,
  unit: 'nat',
  report: {},
} as unknown as ResolvedStudy;
const figure = (f: Partial<ReportFigure>) => f as ReportFigure;
type Row = Record<string, unknown>;
type Layer = { layer?: Layer[]; mark?: { type: string } | string; data?: { values: Row[] }; encoding?: any };
const layers = (spec: Record<string, unknown>): Layer[] => {
  const out: Layer[] = [];
  const walk = (ls: Layer[]) => ls.forEach((l) => (l.layer ? walk(l.layer) : out.push(l)));
  walk(((spec['layer'] ?? (spec['spec'] as Row | undefined)?.['layer']) as Layer[]) ?? []);
  return out;
};
const mainRows = (f: FigureSpec) => (f.spec['data'] as { values: Row[] }).values;
const overlayRows = (f: FigureSpec) =>
  layers(f.spec)
    .filter((l) => l.data?.values.some((r) => r['overlay'] !== undefined && r['series'] !== undefined))
    .flatMap((l) => l.data!.values);

function rec(over: Partial<ResultRecord>): ResultRecord {
  return {
    task: 't',
    taskIndex: 0,
    replicate: 0,
    system: 's',
    systemId: 'ising-1d',
    probe: 'p',
    probeId: 'relative-entropy',
    estimator: 'exact',
    site: { axis: 'rg-step', index: 0 },
    value: 0,
    unit: 'nat',
    uncertainty: null,
    n: null,
    sweep: {},
    params: { system: {}, probe: {} },
    meta: {},
    ...over,
  };
}

/** Mean-field depth scale of the order-to-chaos transition, only for the overlay's shape (not a physics check). */
const xiC = (s: number) => 1 / Math.abs(Math.log(Math.abs(s - 1.76) + 0.05));

describe('cross-system figures: one shared swept parameter (x with xAlso)', () => {
  const net = [1.0, 1.5, 1.8, 2.3, 3.0].flatMap((w) =>
    [0, 100].map((layer) =>
      rec({
        task: `net${w}`,
        system: 'net',
        systemId: 'cascade',
        probe: 'cutoff',
        probeId: 'reconstruction-entropy',
        site: { axis: 'layer', index: layer },
        value: layer === 100 ? 10 + 10 * w : 0,
        unit: 'layer',
        sweep: { 'systems.net.params.sigmaW2': w },
        params: { system: { sigmaW2: w, depth: 100 }, probe: { output: 'cutoff' } },
        // ξ_c diverges at σ_w²_c: the probe writes null there (a gap in the overlay, never a number).
        meta: { overlays: w === 1.8 ? { xi_c: null, six_xi_c: null } : { xi_c: xiC(w), six_xi_c: 6 * xiC(w) } },
      }),
    ),
  );
  const truth = [1.0, 1.7, 3.0].map((w) =>
    rec({
      task: `truth${w}`,
      system: 'truth',
      systemId: 'cascade-trainability',
      probe: 'trainable-depth',
      probeId: 'training-metrics',
      estimator: 'trainable-depth',
      site: { axis: 'sigma', index: 0 },
      value: 20 + 5 * w,
      unit: 'layer',
      sweep: { 'systems.truth.params.sigmaW2': w },
      params: { system: { sigmaW2: w }, probe: { metrics: ['trainable-depth'] } },
    }),
  );
  const build = () =>
    buildFigureSpecs(
      study,
      [...net, ...truth],
      [
        figure({
          title: 'Cutoff and trained depth against σ_w²',
          x: 'systems.net.params.sigmaW2',
          xAlso: ['systems.truth.params.sigmaW2'],
          overlays: ['xi_c', 'six_xi_c'],
          markers: [{ x: 1.7609546396, label: 'σ_w²_c' }],
        }),
      ],
      { display },
    )[0]!;

  it('draws each system against its own sweep path on one x axis, with the overlays of the system that has them', () => {
    const f = build();
    const rows = mainRows(f);
    const bySeries = new Map<string, number[]>();
    for (const r of rows)
      bySeries.set(String(r['series']), [...(bySeries.get(String(r['series'])) ?? []), r['x'] as number]);
    expect(bySeries.size).toBe(2);
    const xs = [...bySeries.values()].map((v) => [...v].sort((a, b) => a - b));
    expect(xs).toContainEqual([1.0, 1.5, 1.8, 2.3, 3.0]);
    expect(xs).toContainEqual([1.0, 1.7, 3.0]);
    // The cutoff takes each run's last site (layer 100), the trained depth its only one.
    expect(rows.map((r) => r['y']).sort((a, b) => (a as number) - (b as number))).toEqual(
      [25, 28.5, 35, 20, 25, 28, 33, 40].sort((a, b) => a - b),
    );
    // One unit (layers): one panel, one y axis.
    expect(f.spec['facet']).toBeUndefined();
    // ξ_c and 6ξ_c are drawn for the cutoff series at its own σ_w² values, named in the legend.
    const overlays = overlayRows(f);
    const names = new Set(overlays.map((r) => String(r['overlay'])));
    expect(names.size).toBe(2);
    expect(new Set(overlays.map((r) => r['x']))).toEqual(new Set([1.0, 1.5, 2.3, 3.0]));
    const at23 = overlays.find((r) => r['x'] === 2.3 && /6/.test(String(r['overlay'])))!;
    expect(at23['y']).toBeCloseTo(6 * xiC(2.3), 12);
    // The line is broken at σ_w² = 1.8: the points on either side are in different segments.
    const xiLine = overlays.filter((r) => r['overlay'] === at23['overlay']);
    const segment = (x: number) => xiLine.find((r) => r['x'] === x)!['line'];
    expect(segment(1.5)).not.toBe(segment(2.3));
    expect(segment(1.0)).toBe(segment(1.5));
    expect(f.caption).toMatch(/2 series/);
  });

  it('renders to SVG and PNG with both series and the σ_w²_c marker', async () => {
    const svg = await renderSvg(build().spec);
    expect(svg).toContain('σ_w²_c');
    expect((svg.match(/class="mark-line/g) ?? []).length).toBeGreaterThan(0);
    expect(svg).toMatch(/sigmaW2|σ_w²/);
    const png = renderPng(svg);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('is validated: xAlso needs x to be a sweep path and names other sweep paths of the study', () => {
    const text = (x: string, also: string) => `
name: t
systems:
  - { name: a, use: ising-1d, params: { K: 0.5, steps: 2 } }
  - { name: b, use: ising-1d, params: { K: 0.5, steps: 2 } }
probes:
  - { name: kl, use: relative-entropy }
sweep:
  systems.a.params.K: [0.2, 0.4]
  systems.b.params.K: [0.3]
report:
  figures:
    - { x: ${x}, xAlso: [${also}] }
`;
    const resolve = (x: string, also: string) => resolveStudy(parseStudyText(text(x, also), 't.yaml'), registries);
    expect(resolve('systems.a.params.K', 'systems.b.params.K').report.figures![0]!.xAlso).toEqual([
      'systems.b.params.K',
    ]);
    const message = (x: string, also: string) => {
      try {
        resolve(x, also);
      } catch (e) {
        expect(e).toBeInstanceOf(StudyValidationError);
        return (e as Error).message;
      }
      return '';
    };
    expect(message('site', 'systems.b.params.K')).toMatch(
      /report\.figures\[0\]\.xAlso\[0\].*unless x is a sweep path/s,
    );
    expect(message('systems.a.params.K', 'systems.b.params.h')).toMatch(/another sweep path of this study/);
    expect(message('systems.a.params.K', 'systems.a.params.K')).toMatch(/another sweep path/);
  });
});

describe('cross-system figures: normalised axes (xNormalised, y: peak)', () => {
  // Four systems, four site axes: RG steps 0…8, layers 0…10, diffusion times at positions s, epochs 0…20.
  const rg = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
    rec({
      task: 'rg',
      system: 'chain',
      systemId: 'ising-1d',
      site: { axis: 'rg-step', index: n },
      value: 0.3 * (1 - 0.5 ** n),
      unit: 'nat/site',
      meta: { asymptote: 0.3 },
    }),
  );
  const mlp = [0, 2, 4, 6, 8, 10].map((l) =>
    rec({
      task: 'mlp',
      system: 'net',
      systemId: 'random-mlp',
      site: { axis: 'layer', index: l },
      value: 5 * Math.tanh(l / 3),
      unit: 'nat',
    }),
  );
  const times = [0, 0.05, 0.2, 0.5, 1];
  const diffusion = times.map((s, i) =>
    rec({
      task: 'diffusion',
      system: 'forward',
      systemId: 'diffusion',
      site: { axis: 'time', index: i, position: s, label: `s=${s}` } as ResultRecord['site'],
      value: 3 * (1 - Math.exp(-8 * s)),
      unit: 'nat',
    }),
  );
  const mi = [0, 5, 10, 20].map((e) =>
    rec({
      task: 'epochs',
      system: 'score',
      systemId: 'neural-entropy',
      probe: 'mi',
      probeId: 'mutual-information',
      estimator: 'ksg',
      site: { axis: 'epoch', index: e },
      value: 2 * Math.exp(-e / 10) - 0.1,
      uncertainty: 0.05,
      unit: 'nat',
    }),
  );
  const build = () =>
    buildFigureSpecs(
      study,
      [...rg, ...mlp, ...diffusion, ...mi],
      [figure({ title: 'One probe family on four axes', x: 'site', xNormalised: true, y: 'peak' })],
      { display },
    )[0]!;

  it('maps each series to its own axis in [0, 1] and divides it by its largest |value|, overlays alike', () => {
    const f = build();
    const rows = mainRows(f);
    const series = [...new Set(rows.map((r) => String(r['series'])))];
    expect(series.length).toBe(4);
    for (const s of series) {
      const mine = rows.filter((r) => r['series'] === s);
      const xs = mine.map((r) => r['x'] as number);
      expect(Math.min(...xs)).toBe(0);
      expect(Math.max(...xs)).toBe(1);
      expect(Math.max(...mine.map((r) => Math.abs(r['y'] as number)))).toBeCloseTo(1, 14);
    }
    // Diffusion times are placed at s/T, not at their list index.
    const diffusionRows = rows.filter((r) => String(r['series']).includes('forward'));
    expect(diffusionRows.map((r) => r['x'])).toEqual(times);
    // RG steps at n/8; the asymptote is divided by the series' own peak value.
    const chain = rows.filter((r) => String(r['series']).includes('chain'));
    expect(chain.map((r) => r['x'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => n / 8));
    const asymptote = overlayRows(f).filter((r) => String(r['series']).includes('chain'));
    expect(asymptote.length).toBeGreaterThan(0);
    for (const r of asymptote) expect(r['y']).toBeCloseTo(0.3 / (0.3 * (1 - 0.5 ** 8)), 12);
    // Error bars scale with the value.
    const withError = rows.find((r) => r['hi'] !== undefined)!;
    expect((withError['hi'] as number) - (withError['y'] as number)).toBeCloseTo(0.05 / (2 - 0.1), 12);
    // One dimensionless unit: one panel; the axis titles say how both axes are normalised.
    expect(f.spec['facet']).toBeUndefined();
    const line = layers(f.spec).find(
      (l) => (typeof l.mark === 'string' ? l.mark : l.mark?.type) === 'line' && !l.data,
    )!;
    const xTitle = (line.encoding.x.title as string[]).join(' ');
    expect(xTitle).toMatch(/÷ its last value \(x\/x_last\)/);
    for (const axis of ['RG step n', 'layer ℓ', 'diffusion time s']) expect(xTitle).toContain(axis);
    expect((line.encoding.y.title as string[]).join(' ')).toMatch(
      /÷ its largest \|value\| \[ratio to the largest \|value\|\]/,
    );
    expect(line.encoding.x.axis.format).toBeUndefined();
  });

  it('keeps a series that starts later in its place on its axis (x / x_last)', () => {
    const late = [0.05, 0.5, 1].map((s, i) =>
      rec({
        task: 'pair',
        system: 'pair',
        systemId: 'diffusion',
        site: { axis: 'time', index: i, position: s } as ResultRecord['site'],
        value: 1 - s,
      }),
    );
    const f = buildFigureSpecs(study, late, [figure({ x: 'site', xNormalised: true, y: 'peak' })], { display })[0]!;
    expect(mainRows(f).map((r) => r['x'])).toEqual([0.05, 0.5, 1]);
  });

  it('renders to SVG with four series', async () => {
    const svg = await renderSvg(build().spec);
    expect((svg.match(/class="mark-line/g) ?? []).length).toBeGreaterThan(0);
    expect(svg).toContain('diffusion time s');
  });
});

describe('words of the diffusion descriptors', () => {
  it('names the diffusion-time axis and the processes of a sweep, never their ids or JSON', () => {
    const records = [{ kind: 'vp' }, { kind: 'vpx' }, { kind: 'sl' }].flatMap((process) =>
      [0, 0.5, 1].map((s, i) =>
        rec({
          task: process.kind,
          system: 'forward',
          systemId: 'diffusion',
          site: { axis: 'time', index: i, position: s } as ResultRecord['site'],
          value: s,
          sweep: { 'systems.forward.params.process': process },
          params: { system: { process, data: { kind: 'gaussian', mean: [2, 1] } }, probe: {} },
        }),
      ),
    );
    const f = buildFigureSpecs(study, records, [figure({ title: 'KL' })], { display })[0]!;
    const line = layers(f.spec).find((l) => l.encoding?.color?.legend !== undefined && !l.data)!;
    expect((line.encoding.x.title as string[]).join(' ')).toBe('diffusion time s');
    expect(line.encoding.color.scale.domain).toEqual(['process VP', 'process VPx', 'process straight line (SL)']);
  });

  it('names the neural-entropy system and its parameters', () => {
    const d = display.system('neural-entropy')!;
    expect(d.name).toBe('Entropy-matching score network');
    expect(d.axes?.['epoch']?.name).toBe('epoch');
    expect(d.parameters?.['training.learningRate']?.symbol).toBe('η');
    expect(display.system('diffusion')!.values?.['vpx']).toBe('VPx');
  });
});
