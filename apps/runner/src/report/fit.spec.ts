import type { ReportFigure, ResolvedStudy } from '@entroscope/core';
import { createRegistries } from '../container';
import type { ResultRecord } from '../results-store';
import { buildFigureSpecs } from './figure-spec';
import { fitCurveError, fitLine } from './fit';
import { displayLookup } from './labels';
import { renderSvg } from './render';

// Closed-form ordinary least squares for x = 1…5, y = (1, 3, 2, 5, 4): x̄ = ȳ = 3, Sxx = 10, Sxy = 8, so b = 0.8,
// a = 0.6; residuals (−0.4, 0.8, −1, 1.2, −0.6), Σr² = 3.6, s² = 3.6/3 = 1.2, se(b) = √(1.2/10), se(a) = √(1.2·(1/5
// + 9/10)) = √1.32.
const ys = [1, 3, 2, 5, 4];
const ordinary = { a: 0.6, b: 0.8, aError: Math.sqrt(1.32), bError: Math.sqrt(0.12), chiSquare: 3.6 };

describe('least-squares fit of y = a + b·f(x)', () => {
  it.each([
    ['linear', (t: number) => t],
    ['log', (t: number) => Math.exp(t)],
    ['inverse', (t: number) => 1 / t],
  ] as const)('reproduces the closed-form unweighted fit (%s law, f(x) = 1…5)', (law, xOf) => {
    const fit = fitLine(
      law,
      ys.map((y, i) => ({ x: xOf(i + 1), y })),
    );
    expect(fit.weighted).toBe(false);
    expect(fit.dof).toBe(3);
    expect(fit.a).toBeCloseTo(ordinary.a, 12);
    expect(fit.b).toBeCloseTo(ordinary.b, 12);
    expect(fit.aError).toBeCloseTo(ordinary.aError, 12);
    expect(fit.bError).toBeCloseTo(ordinary.bError, 12);
    expect(fit.chiSquare).toBeCloseTo(ordinary.chiSquare, 12);
    expect(fit.points.map((p) => p.residual)).toEqual(
      [-0.4, 0.8, -1, 1.2, -0.6].map((r) => expect.closeTo(r, 12) as unknown as number),
    );
    // The curve's error at f(x) = x̄ is se(a + b x̄) = s/√n.
    expect(fitCurveError(fit, xOf(3))).toBeCloseTo(Math.sqrt(1.2 / 5), 12);
  });

  it('weights by 1/σ²: exact points give the errors (XᵀWX)⁻¹ unscaled, a doubled weight equals a repeated point', () => {
    const exact = fitLine(
      'log',
      [1, 2, 3, 4, 5].map((t) => ({ x: Math.exp(t), y: 2 + 0.5 * t, error: 0.1 })),
    );
    expect(exact.weighted).toBe(true);
    expect(exact.a).toBeCloseTo(2, 12);
    expect(exact.b).toBeCloseTo(0.5, 12);
    expect(exact.scale).toBe(1);
    // σ² (1/n + x̄²/Sxx) and σ²/Sxx with x̄ = 3, Sxx = 10, σ = 0.1.
    expect(exact.aError).toBeCloseTo(Math.sqrt(0.01 * 1.1), 12);
    expect(exact.bError).toBeCloseTo(Math.sqrt(0.001), 12);
    const points = ys.map((y, i) => ({ x: i + 1, y }));
    const repeated = fitLine('linear', [...points, points[1]!]);
    const weighted = fitLine(
      'linear',
      points.map((p, i) => ({ ...p, error: i === 1 ? Math.SQRT1_2 : 1 })),
    );
    expect(weighted.a).toBeCloseTo(repeated.a, 12);
    expect(weighted.b).toBeCloseTo(repeated.b, 12);
    // Scatter beyond the error bars inflates the errors by √(χ²/ν).
    const scattered = fitLine(
      'linear',
      points.map((p) => ({ ...p, error: 0.1 })),
    );
    expect(scattered.scale).toBeCloseTo(3.6 / 0.01 / 3, 9);
    expect(scattered.bError).toBeCloseTo(ordinary.bError, 12);
  });

  it('fits a power law as the line of (ln x, ln y), errors σ/y', () => {
    // y = e^{y_i} at x = e^i: the same closed-form line in log–log coordinates.
    const fit = fitLine(
      'power',
      ys.map((y, i) => ({ x: Math.exp(i + 1), y: Math.exp(y) })),
    );
    expect(fit.a).toBeCloseTo(ordinary.a, 12);
    expect(fit.b).toBeCloseTo(ordinary.b, 12);
    expect(fit.bError).toBeCloseTo(ordinary.bError, 12);
    expect(fit.points[0]!.fitted).toBeCloseTo(Math.exp(1.4), 10);
    const relative = fitLine(
      'power',
      [1, 2, 3, 4, 5].map((t) => ({ x: Math.exp(t), y: Math.exp(2 + 0.5 * t), error: 0.1 * Math.exp(2 + 0.5 * t) })),
    );
    expect(relative.bError).toBeCloseTo(Math.sqrt(0.001), 12);
  });

  it('refuses fewer than three usable points', () => {
    expect(() =>
      fitLine('log', [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
        { x: -1, y: 3 },
      ]),
    ).toThrow(/at least 3 points/);
  });
});

describe('fitted-law figures', () => {
  const display = displayLookup(createRegistries());
  const study = {
    file: 'test.yaml',
    name: 'test',
    seed: 1,
    backend: 'cpu',
    replicates: 2,
    unit: 'nat',
    systems: [],
    probes: [{ name: 'kl', use: 'relative-entropy', params: {} }],
    sweep: [],
    report: {},
  } as unknown as ResolvedStudy;
  // Two replicates per x = e¹…e⁵ whose means are ys, spread ± 0.5 (s.e. of the mean 0.5).
  const records: ResultRecord[] = ys.flatMap((y, i) =>
    [-0.5, 0.5].map((d, replicate) => {
      const K = Math.exp(i + 1);
      return {
        task: `t${i}:${replicate}`,
        taskIndex: i,
        replicate,
        system: 'chain',
        systemId: 'ising-1d',
        probe: 'kl',
        probeId: 'relative-entropy',
        estimator: 'exact',
        site: { axis: 'rg-step', index: 0 },
        value: y + d,
        unit: 'nat/site',
        uncertainty: null,
        n: null,
        sweep: { 'systems.chain.params.K': K },
        params: { system: { K, h: 0, steps: 8 }, probe: { estimator: { use: 'exact', construction: 'A' } } },
        meta: {},
      } as ResultRecord;
    }),
  );
  const build = (fit: ReportFigure['fit']) =>
    buildFigureSpecs(
      study,
      records,
      [{ title: 'fit', probes: ['kl'], x: 'systems.chain.params.K', logX: true, fit } as ReportFigure],
      { display },
    )[0]!;

  it('draws the fit per series with its residuals, parameters ± s.e. in the caption and usermeta', async () => {
    const f = build({ law: 'log', residuals: true });
    const fits = (f.spec['usermeta'] as { fits: Record<string, unknown>[] }).fits;
    expect(fits).toHaveLength(1);
    // Weighted by 1/0.5²: χ² = 3.6/0.25 = 14.4 on 3 dof, errors scaled by 4.8 — the closed-form OLS errors again.
    expect(fits[0]!['a']).toBeCloseTo(0.6, 12);
    expect(fits[0]!['b']).toBeCloseTo(0.8, 12);
    expect(fits[0]!['bError']).toBeCloseTo(Math.sqrt(0.12), 12);
    expect(fits[0]!['chiSquare']).toBeCloseTo(14.4, 9);
    expect(f.caption).toContain('a = 0.6 ± 1.14891, b = 0.8 ± 0.34641, χ²/ν = 14.4/3');
    const panels = f.spec['vconcat'] as { layer: { data?: { values: Record<string, unknown>[] } }[] }[];
    expect(panels).toHaveLength(2);
    const residuals = (panels[1] as unknown as { data: { values: { y: number }[] } }).data.values.map((r) => r.y);
    expect(residuals).toEqual([-0.4, 0.8, -1, 1.2, -0.6].map((r) => expect.closeTo(r, 9) as unknown as number));
    const svg = await renderSvg(f.spec);
    expect(svg).toContain('residual y − fit');
    expect(svg).toContain('fit y = a + b ln x');
  });

  it('leaves the residual panel out on request and fits only the named estimators', () => {
    expect(build({ law: 'log', residuals: false }).spec['vconcat']).toBeUndefined();
    expect(build({ law: 'log', residuals: true, estimators: ['other'] }).spec['usermeta']).toBeUndefined();
  });
});
