import type { ReportFigure, ResolvedStudy } from '@entroscope/core';
import { createRegistries } from '../container';
import type { ResultRecord } from '../results-store';
import { buildFigureSpecs } from './figure-spec';
import { displayLookup } from './labels';
import { renderSvg } from './render';

const display = displayLookup(createRegistries());
const study = (unit: 'nat' | 'bit' = 'bit') =>
  ({
    file: 'plane.yaml',
    name: 'plane',
    seed: 1,
    backend: 'cpu',
    replicates: 2,
    unit,
    systems: [],
    probes: [],
    sweep: [],
    report: {},
  }) as unknown as ResolvedStudy;

function record(probe: string, replicate: number, layer: number, epoch: number, value: number): ResultRecord {
  return {
    task: `t${replicate}`,
    taskIndex: replicate,
    replicate,
    system: 'tanh',
    systemId: 'trained-mlp',
    probe,
    probeId: 'mutual-information',
    estimator: 'binning',
    site: { axis: 'layer', index: layer, time: { axis: 'epoch', index: epoch, label: `epoch ${epoch}` } },
    value,
    unit: 'nat',
    uncertainty: null,
    n: 4096,
    sweep: {},
    params: { system: {}, probe: {} },
    meta: { kind: 'estimate' },
  } as ResultRecord;
}

const plane = (over: Partial<ReportFigure> = {}) =>
  ({
    title: 'Information plane',
    type: 'plane',
    plane: { x: 'I(X;T)', y: 'I(T;Y)', pairs: [{ x: 'xt', y: 'ty', label: 'binning, 30 edges' }] },
    where: {},
    x: 'site',
    y: 'value',
    logX: false,
    logY: false,
    markers: [{ x: 12, label: 'H(X) = 12 bits' }],
    overlays: [],
    references: [{ label: 'H(Y) = 1 bit', y: 1 }],
    breaks: [],
    spread: 'sd',
    colourScale: 'auto',
    ...over,
  }) as ReportFigure;

// Two replicates × two layers × two epochs; x = ln 2 · (a, b), y = ln 2 · (c, d) so that bits are round numbers.
const LN2 = Math.log(2);
const records: ResultRecord[] = [];
for (const [rep, dx] of [
  [0, -1],
  [1, 1],
] as const)
  for (const layer of [0, 1])
    for (const epoch of [0, 10]) {
      records.push(record('xt', rep, layer, epoch, LN2 * (10 - 3 * layer - epoch / 10 + dx * 0.5)));
      records.push(record('ty', rep, layer, epoch, LN2 * (0.2 + epoch / 20 + dx * 0.1)));
    }

describe("figure type 'plane'", () => {
  it('pairs x and y by (system, replicate, site, time) and averages replicates with ± SD bars, in the report unit', () => {
    const [spec] = buildFigureSpecs(study(), records, [plane()], { display });
    const rows = (spec!.spec['data'] as { values: Record<string, number | string>[] }).values;
    expect(rows).toHaveLength(4);
    const at = (layer: number, epoch: number) => rows.find((r) => r['site'] === layer && r['epoch'] === epoch)!;
    // Mean of 10 − 0.5 and 10 + 0.5 bits; SD of two values ±0.5 is 0.5·√2.
    expect(at(0, 0)['x']).toBeCloseTo(10, 12);
    expect((at(0, 0)['xHi'] as number) - (at(0, 0)['x'] as number)).toBeCloseTo(0.5 * Math.SQRT2, 12);
    expect(at(1, 10)['x']).toBeCloseTo(6, 12);
    expect(at(1, 10)['y']).toBeCloseTo(0.7, 12);
    expect((at(1, 10)['y'] as number) - (at(1, 10)['yLo'] as number)).toBeCloseTo(0.1 * Math.SQRT2, 12);
    expect(at(0, 0)['replicates']).toBe(2);
    // Every point names its estimators and the panel names the pair.
    for (const r of rows) {
      expect(r['panel']).toBe('binning, 30 edges');
      expect(r['estimatorX']).toMatch(/binning.*\(estimate\)/);
    }
    expect(spec!.caption).toMatch(/I\(X;T\) \(x\) against I\(T;Y\) \(y\).*mean over 2 independent replicates/);
    const text = JSON.stringify(spec!.spec);
    expect(text).toContain('I(X;T) [bits]');
    expect(text).toContain('"field":"epoch"');
  });

  it('draws headlessly (SVG) with the facet per estimator pair, markers and references', async () => {
    const [spec] = buildFigureSpecs(
      study(),
      records,
      [
        plane({
          plane: {
            x: 'I(X;T)',
            y: 'I(T;Y)',
            pairs: [
              { x: 'xt', y: 'ty', label: 'binning' },
              { x: 'ty', y: 'xt', label: 'swapped' },
            ],
          },
        }),
      ],
      { display },
    );
    const svg = await renderSvg(spec!.spec);
    expect(svg).toContain('<svg');
    expect(svg).toContain('binning');
    expect(svg).toContain('swapped');
    expect(svg).toContain('H(Y) = 1 bit');
  }, 30_000);

  it('says which pair has no measurements at common sites', () => {
    expect(() =>
      buildFigureSpecs(
        study(),
        records.filter((r) => r.probe === 'xt'),
        [plane()],
        { display },
      ),
    ).toThrow(/type plane.*xt × ty/);
  });
});
