import type { ReportFigure, ResolvedStudy } from '@entroscope/core';
import { createRegistries } from '../container';
import type { ResultRecord } from '../results-store';
import { buildFigureSpecs, type FigureSpec } from './figure-spec';
import { displayLookup, wrap } from './labels';
import { CATEGORICAL, deltaE } from './palette';
import { renderSvg } from './render';
import * as vegaLite from 'vega-lite';

const display = displayLookup(createRegistries());

function study(extra: Partial<ResolvedStudy> = {}): ResolvedStudy {
  return {
    file: 'test.yaml',
    name: 'test',
    seed: 1,
    backend: 'cpu',
    replicates: 1,
    unit: 'nat',
    systems: [],
    probes: [{ name: 'kl', use: 'relative-entropy', params: {} }],
    sweep: [],
    report: {},
    ...extra,
  } as unknown as ResolvedStudy;
}

const taskCounter = 0;
function record(over: Partial<ResultRecord> & { K?: number; construction?: string }): ResultRecord {
  const K = over.K ?? 0.5;
  const construction = over.construction ?? 'A';
  return {
    task: `t${K}${construction}${over.replicate ?? 0}${taskCounter}`,
    taskIndex: 0,
    replicate: 0,
    system: 'chain',
    systemId: 'ising-1d',
    probe: 'kl',
    probeId: 'relative-entropy',
    estimator: 'exact',
    site: { axis: 'rg-step', index: 0 },
    value: 0,
    unit: 'nat/site',
    uncertainty: null,
    n: null,
    sweep: { 'systems.chain.params.K': K, 'probes.kl.params.estimator.construction': construction },
    params: { system: { K, h: 0, steps: 8 }, probe: { estimator: { use: 'exact', construction } } },
    meta: {},
    ...over,
  };
}

const figure = (f: Partial<ReportFigure> = {}) => f as ReportFigure;
type Layer = {
  mark?: { type: string } | string;
  layer?: Layer[];
  encoding?: Record<string, any>;
  data?: { values: Record<string, unknown>[] };
};
const flatLayers = (spec: Record<string, unknown>): Layer[] => {
  const out: Layer[] = [];
  const walk = (ls: Layer[]) => ls.forEach((l) => (l.layer ? walk(l.layer) : out.push(l)));
  walk(((spec['layer'] ?? (spec['spec'] as Record<string, unknown>)?.['layer']) as Layer[]) ?? []);
  return out;
};
const markOf = (l: Layer) => (typeof l.mark === 'string' ? l.mark : l.mark?.type);
const rows = (f: FigureSpec) => (f.spec['data'] as { values: Record<string, unknown>[] }).values;

describe('figure specifications', () => {
  it('labels axes and legends with the descriptors’ words and symbols', () => {
    const records = [0, 1, 2].flatMap((n) =>
      [0.5, 1].map((K) => record({ K, site: { axis: 'rg-step', index: n }, value: K * n })),
    );
    const [f] = buildFigureSpecs(study(), records, [figure({ title: 'D', probes: ['kl'] })], { display });
    const line = flatLayers(f!.spec).find((l) => markOf(l) === 'line' && l.encoding?.['color']?.legend !== undefined)!;
    expect(line.encoding!['y'].title.join(' ')).toBe('Relative entropy D(p₀‖p_n) [nats per site]');
    expect(line.encoding!['x'].title.join(' ')).toBe('RG step n');
    expect(line.encoding!['color'].scale.domain).toEqual(['K = 0.5', 'K = 1']);
  });

  it('labels Fisher information in its own unit per site, never in nats', () => {
    const records = [0, 1].map((n) =>
      record({
        probe: 'fisher',
        probeId: 'fisher-information',
        site: { axis: 'rg-step', index: n },
        value: 1,
        params: { system: { K: 0.5 }, probe: { estimator: { use: 'exact', parameter: 0 } } },
      }),
    );
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['fisher'] })], { display });
    const title = flatLayers(f!.spec)
      .find((l) => markOf(l) === 'line')!
      .encoding!['y'].title.join(' ');
    expect(title).toContain('[per site, dimensionless]');
    expect(title).not.toMatch(/nat/);
  });

  it('says "K = 0.5, construction A" in legends and encodes a two-parameter grid as colour × line style', () => {
    const records = [0.5, 1, 2].flatMap((K) =>
      ['A', 'B'].flatMap((construction) =>
        [0, 1].map((n) => record({ K, construction, site: { axis: 'rg-step', index: n }, value: n * K })),
      ),
    );
    const [plain] = buildFigureSpecs(
      study(),
      records.filter((r) => r.sweep['systems.chain.params.K'] === 0.5),
      [figure({ probes: ['kl'] })],
      { display },
    );
    const plainLine = flatLayers(plain!.spec).find((l) => markOf(l) === 'line')!;
    expect(plainLine.encoding!['color'].scale.domain).toEqual(['construction A', 'construction B']);
    const [grid] = buildFigureSpecs(study(), records, [figure({ probes: ['kl'] })], { display });
    const line = flatLayers(grid!.spec).find((l) => markOf(l) === 'line')!;
    expect(line.encoding!['color'].scale.domain).toEqual(['0.5', '1', '2']);
    expect(line.encoding!['color'].legend.title).toEqual(['coupling K']);
    expect(line.encoding!['strokeDash'].scale.domain).toEqual(['A', 'B']);
    expect(new Set(rows(grid!).map((r) => r['series'])).has('K = 0.5, construction A')).toBe(true);
  });

  it('breaks a series where it leaves the axis range, where it is not finite and across a declared divergence', () => {
    const values = [0.1, 0.2, 5, 0.3, NaN, 0.4, 0.5, 0.6];
    const records = values.map((value, n) => record({ site: { axis: 'rg-step', index: n }, value }));
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['kl'], yRange: [0, 1], breaks: [6.5] })], {
      display,
    });
    const drawn = rows(f!).filter((r) => r['y'] !== undefined && r['overlay'] === undefined);
    expect(drawn.map((r) => r['x'])).toEqual([0, 1, 3, 5, 6, 7]);
    // Segments: [0,1] | [3] | [5,6] | [7] — never joined across the gap at 2, the NaN at 4 or the break at 6.5.
    const segments = [...new Set(drawn.map((r) => r['line']))];
    expect(segments).toHaveLength(4);
    expect(drawn.filter((r) => r['line'] === drawn[0]!['line']).map((r) => r['x'])).toEqual([0, 1]);
  });

  it('wraps a long legend entry onto several lines instead of truncating it', () => {
    const long = 'a very long instance name that would not fit into any legend box at all';
    const records = [0, 1].flatMap((n) => [
      record({ system: long, site: { axis: 'rg-step', index: n } }),
      record({ system: 'short', site: { axis: 'rg-step', index: n } }),
    ]);
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['kl'] })], { display });
    const colour = flatLayers(f!.spec).find((l) => markOf(l) === 'line')!.encoding!['color'];
    const entry = (colour.scale.domain as string[]).find((d) => d.startsWith('a very'))!;
    expect(entry.split('\n').length).toBeGreaterThan(1);
    expect(entry.replace(/\n/g, ' ')).toBe(long);
    expect(entry.split('\n').every((line) => line.length <= 34)).toBe(true);
    expect(colour.legend.labelExpr).toContain('split');
    expect((f!.spec['config'] as any).legend.labelLimit).toBe(0);
  });

  it('gives an 18-series figure 18 clearly different colours', () => {
    const records = Array.from({ length: 18 }, (_, k) =>
      [0, 1].map((n) => record({ K: 0.1 * (k + 1), site: { axis: 'rg-step', index: n }, value: k + n })),
    ).flat();
    const [f] = buildFigureSpecs(
      study(),
      records.map((r) => ({ ...r, sweep: { 'systems.chain.params.K': r.sweep['systems.chain.params.K'] } })),
      [figure({ probes: ['kl'] })],
      { display },
    );
    const range = flatLayers(f!.spec).find((l) => markOf(l) === 'line')!.encoding!['color'].scale.range as string[];
    expect(new Set(range).size).toBe(18);
    for (let i = 0; i < range.length; i++)
      for (let j = 0; j < i; j++) expect(deltaE(range[i]!, range[j]!)).toBeGreaterThan(19);
    for (let i = 0; i < CATEGORICAL.length; i++)
      for (let j = 0; j < i; j++) expect(deltaE(CATEGORICAL[i]!, CATEGORICAL[j]!)).toBeGreaterThan(19);
  });

  it('draws error bars after the markers with caps wider than a marker', () => {
    const records = [0, 1, 2].map((n) => record({ site: { axis: 'rg-step', index: n }, value: n, uncertainty: 0.01 }));
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['kl'] })], { display });
    const layers = flatLayers(f!.spec);
    const point = layers.findIndex((l) => markOf(l) === 'point');
    const bars = layers.findIndex((l) => markOf(l) === 'errorbar');
    expect(bars).toBeGreaterThan(point);
    const markerDiameter = Math.sqrt((layers[point]!.mark as unknown as { size: number }).size);
    expect((layers[bars]!.mark as unknown as { ticks: { size: number } }).ticks.size).toBeGreaterThan(markerDiameter);
    expect(f!.caption).toContain('Error bars: ± 1 standard error.');
  });

  it('shows the mean and the replicate-to-replicate spread (± 1 s.d. band) with the number of replicates', () => {
    const values = [1, 2, 3, 4, 5];
    const records = values.flatMap((v, replicate) =>
      [0, 1].map((n) =>
        record({ replicate, task: `r${replicate}`, site: { axis: 'rg-step', index: n }, value: v + n }),
      ),
    );
    const [f] = buildFigureSpecs(
      study({ replicates: 5 } as Partial<ResolvedStudy>),
      records,
      [figure({ probes: ['kl'] })],
      { display },
    );
    const at0 = rows(f!).find((r) => r['x'] === 0 && r['overlay'] === undefined)!;
    const sd = Math.sqrt(2.5);
    expect(at0['y']).toBeCloseTo(3, 12);
    expect(at0['bandLo']).toBeCloseTo(3 - sd, 12);
    expect(at0['bandHi']).toBeCloseTo(3 + sd, 12);
    expect(flatLayers(f!.spec).some((l) => markOf(l) === 'area')).toBe(true);
    expect(JSON.stringify((f!.spec['title'] as { subtitle: string[] }).subtitle)).toContain('mean over 5 replicates');
    expect(f!.caption).toContain('standard deviation between replicates');
  });

  it('names overlays and markers in a legend of reference lines', () => {
    const records = [0, 1].map((n) =>
      record({ site: { axis: 'rg-step', index: n }, value: n, meta: { asymptote: 1.5 } }),
    );
    const [f] = buildFigureSpecs(
      study(),
      records,
      [
        figure({
          probes: ['kl'],
          overlays: ['asymptote'],
          markers: [{ x: 0.5, label: 'K_c' }],
          references: [{ label: 'published (2022)', y: 1.4 }],
        }),
      ],
      { display },
    );
    const dash = flatLayers(f!.spec).find((l) => l.encoding?.['strokeDash']?.field === 'overlay')!.encoding![
      'strokeDash'
    ];
    expect(dash.scale.domain).toEqual(['asymptote', 'K_c = 0.5', 'published (2022)']);
    expect(dash.legend.title).toBe('reference lines');
  });

  it('never puts different units on one axis: one panel per unit with its own y scale', () => {
    const records = [0, 1].flatMap((n) => [
      record({ site: { axis: 'rg-step', index: n }, value: n }),
      record({
        system: 'net',
        systemId: 'random-mlp',
        unit: 'nat',
        site: { axis: 'layer', index: n },
        value: 100 * n,
        params: { system: { sigmaW2: 1.5 }, probe: { estimator: { use: 'exact', construction: 'A' } } },
        sweep: {},
      }),
    ]);
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['kl'] })], { display });
    expect((f!.spec['facet'] as any).row.field).toBe('unit');
    expect((f!.spec['resolve'] as any).scale.y).toBe('independent');
    expect(new Set(rows(f!).map((r) => r['unit']))).toEqual(new Set(['nats per site', 'nats']));
  });

  it('applies log axes, axis limits, panels and size', () => {
    const records = [1, 2, 3].flatMap((n) =>
      ['A', 'B'].map((construction) => record({ construction, site: { axis: 'rg-step', index: n }, value: n })),
    );
    const [f] = buildFigureSpecs(
      study(),
      records,
      [
        figure({
          probes: ['kl'],
          logX: true,
          logY: true,
          xRange: [1, 3],
          yRange: [0.5, 10],
          facet: 'probes.kl.params.estimator.construction',
          width: 300,
          height: 200,
        }),
      ],
      { display },
    );
    const line = flatLayers(f!.spec).find((l) => markOf(l) === 'line')!;
    expect(line.encoding!['x'].scale).toMatchObject({ type: 'log', domain: [1, 3] });
    expect(line.encoding!['y'].scale).toMatchObject({ type: 'log', domain: [0.5, 10] });
    expect((f!.spec['facet'] as any).column.field).toBe('panel');
    expect((f!.spec['spec'] as any).width).toBe(300);
  });

  it('puts known values and reference lines into every panel of a faceted figure, never into a panel of their own', async () => {
    const records = [1, 2, 3].flatMap((n) =>
      ['A', 'B'].map((construction) => record({ construction, site: { axis: 'rg-step', index: n }, value: n })),
    );
    const [f] = buildFigureSpecs(
      study(),
      records,
      [
        figure({
          probes: ['kl'],
          facet: 'probes.kl.params.estimator.construction',
          references: [
            { label: 'known', x: 2, y: 1.5 },
            { label: 'level', y: 2 },
          ],
        }),
      ],
      { display },
    );
    const panels = rows(f!).map((r) => r['panel']);
    expect(panels.every((p) => p === 'A' || p === 'B')).toBe(true);
    expect(
      rows(f!)
        .filter((r) => r['reference'] === 'known')
        .map((r) => r['panel']),
    ).toEqual(['A', 'B']);
    // The drawn SVG has exactly two panel headers, A and B.
    const svg = await renderSvg(f!.spec);
    const headers = [...svg.matchAll(/transform="translate\(0,9\)"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(headers.filter((h) => h!.length <= 1)).toEqual(['A', 'B']);
  });

  it('compiles known values without Vega-Lite warnings (their legend channel is sorted)', () => {
    const records = [1, 2, 3].map((n) => record({ site: { axis: 'rg-step', index: n }, value: n }));
    const [f] = buildFigureSpecs(
      study(),
      records,
      [figure({ probes: ['kl'], references: [{ label: 'published', x: 2, y: 1.5, error: 0.1 }] })],
      { display },
    );
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      error: (...m: unknown[]) => (warnings.push(`error: ${m.join(' ')}`), logger),
      warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
      info: () => logger,
      debug: () => logger,
    };
    vegaLite.compile(f!.spec as never, { logger: logger as never });
    expect(warnings).toEqual([]);
  });

  it('draws metrics per epoch (site = training time) as one line over the epochs, not one point per epoch', () => {
    const records = [1, 2, 3].map((t) =>
      record({
        system: 'net',
        systemId: 'trained-mlp',
        probe: 'metrics',
        probeId: 'training-metrics',
        estimator: 'test-accuracy',
        site: { axis: 'epoch', index: t, time: { axis: 'epoch', index: t } } as ResultRecord['site'],
        value: 0.5 + t / 10,
        unit: 'dimensionless',
        sweep: {},
        params: { system: {}, probe: {} },
      }),
    );
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['metrics'], overlays: [] })], { display });
    expect(new Set(rows(f!).map((r) => r['line'])).size).toBe(1);
    expect(rows(f!).map((r) => r['x'])).toEqual([1, 2, 3]);
  });

  it('names the y axis and legend of recorded metrics by the quantities the system says they are, in their own unit', () => {
    const metric = (estimator: string, t: number, systemId = 'neural-entropy') =>
      record({
        system: 'mixture',
        systemId,
        probe: 'entropies',
        probeId: 'training-metrics',
        estimator,
        site: { axis: 'epoch', index: t, time: { axis: 'epoch', index: t } } as ResultRecord['site'],
        value: t,
        unit: 'nat',
        sweep: {},
        params: { system: {}, probe: {} },
      });
    const records = [1, 2].flatMap((t) => [metric('neural-entropy', t), metric('total-entropy', t)]);
    const [f] = buildFigureSpecs(study(), records, [figure({ probes: ['entropies'], overlays: [] })], { display });
    const line = flatLayers(f!.spec).find((l) => markOf(l) === 'line' && l.encoding?.['color']?.legend !== undefined)!;
    const yTitle = line.encoding!['y'].title.join(' ');
    expect(yTitle).toBe('neural entropy S_NN; entropy production S_tot [nats]');
    expect(yTitle).not.toContain('Training metrics');
    expect(line.encoding!['color'].scale.domain).toEqual(['neural entropy S_NN', 'entropy production S_tot']);
    // A metric the system does not name (a trained MLP's training loss) keeps the probe's words and unit.
    const [g] = buildFigureSpecs(
      study(),
      [1, 2].map((t) => metric('train-loss', t, 'trained-mlp')),
      [figure({ probes: ['entropies'], overlays: [] })],
      { display },
    );
    const gLine = flatLayers(g!.spec).find((l) => markOf(l) === 'line')!;
    expect(gLine.encoding!['y'].title.join(' ')).toBe('Training metrics [nats per example]');
  });

  it('draws signed heat maps on a diverging colour scale centred on 0 with colour-bar ticks, and breaks an overlay that leaves the map', () => {
    const records = [1, 1.5, 2, 2.5].flatMap((s) =>
      [0, 1, 2, 3].map((l) =>
        record({
          system: 'net',
          systemId: 'random-mlp',
          probeId: 'jacobian-norm',
          probe: 'jac',
          unit: 'dimensionless',
          site: { axis: 'layer', index: l },
          value: (s - 1.75) * l,
          sweep: { 'systems.net.params.sigmaW2': s },
          params: { system: { sigmaW2: s }, probe: { output: 'log-norm' } },
          meta: { overlays: { xi_c: s === 1.5 || s === 2 ? 50 : 1 } },
        }),
      ),
    );
    const [f] = buildFigureSpecs(
      study(),
      records,
      [figure({ type: 'heatmap', probes: ['jac'], x: 'systems.net.params.sigmaW2', overlays: ['xi_c'] })],
      { display },
    );
    const rect = flatLayers(f!.spec).find((l) => markOf(l) === 'rect')!;
    expect(rect.encoding!['color'].scale).toMatchObject({ scheme: 'redblue', domainMid: 0 });
    expect(rect.encoding!['color'].legend.tickCount).toBe(6);
    expect(rect.encoding!['x'].title.join(' ')).toBe('weight variance σ_w²');
    const overlay = flatLayers(f!.spec).find((l) => l.data && markOf(l) === 'line')!;
    const segments = new Set(overlay.data!.values.map((r) => r['line']));
    expect(overlay.data!.values.map((r) => r['x'])).toEqual([1, 2.5]);
    expect(segments.size).toBe(2);
  });

  it('draws per-layer curves coloured by training time and per-epoch curves coloured by layer', () => {
    const records = [0, 1, 5].flatMap((epoch) =>
      [0, 1, 2].map((l) =>
        record({
          system: 'net',
          systemId: 'random-mlp',
          site: { axis: 'layer', index: l, time: { axis: 'epoch', index: epoch, label: `epoch ${epoch}` } } as never,
          value: epoch + l,
          sweep: {},
          params: { system: { sigmaW2: 1.5 }, probe: {} },
        }),
      ),
    );
    const [byLayer, byEpoch] = buildFigureSpecs(
      study(),
      records,
      [figure({ probes: ['kl'], colourBy: 'time' }), figure({ probes: ['kl'], x: 'time', colourBy: 'site' })],
      { display },
    );
    const colour = (f: FigureSpec) =>
      flatLayers(f.spec).find((l) => markOf(l) === 'line' && l.encoding?.['x']?.field === 'x')!.encoding!['color'];
    expect(colour(byLayer!).scale.domain).toEqual(['epoch 0', 'epoch 1', 'epoch 5']);
    expect(colour(byLayer!).legend.title).toEqual(['epoch']);
    expect(
      rows(byLayer!)
        .filter((r) => r['colour'] === 'epoch 5')
        .map((r) => r['x']),
    ).toEqual([0, 1, 2]);
    expect(colour(byEpoch!).scale.domain).toEqual(['layer ℓ = 0', 'layer ℓ = 1', 'layer ℓ = 2']);
    expect(
      rows(byEpoch!)
        .filter((r) => r['colour'] === 'layer ℓ = 2')
        .map((r) => r['x']),
    ).toEqual([0, 1, 5]);
    // Numeric encodings get a sequential (viridis) ramp rather than unrelated hues.
    expect(colour(byEpoch!).scale.range[0]).toBe('#440154');
  });

  it('is deterministic: the same records give the same specification text', () => {
    const records = [0, 1, 2].map((n) =>
      record({ site: { axis: 'rg-step', index: n }, value: n / 3, uncertainty: 0.1 }),
    );
    const a = JSON.stringify(buildFigureSpecs(study(), records, undefined, { display }));
    const b = JSON.stringify(
      buildFigureSpecs(
        study(),
        records.map((r) => ({ ...r })),
        undefined,
        { display },
      ),
    );
    expect(a).toBe(b);
  });

  it('wraps text at spaces and keeps every word', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});
