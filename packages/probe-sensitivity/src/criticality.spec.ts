/**
 * Shape tests on small random networks (random-mlp-mean-field.md §2.1, §4; class S with the stated errors):
 * single-input relative entropies rise to a plateau that follows mean field smoothly through σ_w²_c = 1.76095
 * (σ_b² = 0.05), while the Jacobian growth and the two-input mutual information change character there.
 */
import type { Measurement, Observation } from '@entroscope/core';
import { collect, measure, testContext } from '@entroscope/testing';
import { randomMlpDescriptor, MeanField } from '@entroscope/system-random-mlp';
import { gramEntropyDescriptor, twoInputMutualInformationDescriptor } from '@entroscope/probe-information';
import { mlpRelativeEntropyDescriptor } from '@entroscope/probe-divergence';
import { jacobianNormDescriptor } from './jacobian-norm-probe';

const run = (params: Record<string, unknown>, seed = 1): Promise<Observation[]> => collect(randomMlpDescriptor, params, testContext(seed, 'mlp'));

/** Least-squares slope of ys against xs. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('Jacobian growth changes character at σ_w²_c (N = 1000, started at q*)', () => {
  // Science §4.3: the per-layer log-slope of ‖J_ℓ‖_F² over layers 5–20 matches ln χ₁ to ±0.02 at N = 1000.
  it.each([[1.0, -0.2757], [1.5, -0.0633], [2.0, 0.0466], [2.5, 0.1253]])('σ_w² = %p: slope over layers 5–20 = ln χ₁ = %p ± 0.02', async (sigmaW2, lnChi1) => {
    expect(Math.abs(Math.log(new MeanField('tanh', sigmaW2, 0.05).chi1()) - lnChi1)).toBeLessThan(1e-4);
    const observations = await run({ sigmaW2, sigmaB2: 0.05, depth: 21, widths: { schedule: 'constant', width: 1000 }, inputs: { source: 'gaussian', count: 1, dimension: 1000, meanSquare: 'fixed-point' }, jacobian: { directions: 8 } });
    const m = await measure(jacobianNormDescriptor, {}, observations);
    const layers = m.slice(5, 21);
    const fitted = slope(layers.map((x) => x.site.index), layers.map((x) => x.value));
    expect(Math.abs(fitted - lnChi1)).toBeLessThan(0.02);
    expect(Math.sign(fitted)).toBe(Math.sign(lnChi1));
  });
});

describe('two-input mutual information changes character at σ_w²_c (N = 500, 8 pairs with c⁰ = 0.5)', () => {
  const pairs = (sigmaW2: number, seed: number) =>
    run({ sigmaW2, sigmaB2: 0.05, depth: 30, widths: { schedule: 'constant', width: 500 }, inputs: { source: 'pairs', pairs: 8, dimension: 500, correlation: 0.5, meanSquare: 'fixed-point' } }, seed);

  it('ordered (σ_w² = 1.2): the inputs collapse and the MI keeps growing, ≈ −½ ln χ₁ per layer (mean field 0.084)', async () => {
    const observations = await pairs(1.2, 3);
    const sampled = await measure(twoInputMutualInformationDescriptor, {}, observations);
    const meanField = await measure(twoInputMutualInformationDescriptor, { estimator: 'mean-field' }, observations);
    const growth = slope(sampled.slice(15).map((m) => m.site.index), sampled.slice(15).map((m) => m.value));
    const expected = -0.5 * Math.log(new MeanField('tanh', 1.2, 0.05).chi1());
    // Mean-field slope over the same layers is within 10 % of −½ ln χ₁ (still approaching the asymptote).
    const mfGrowth = slope(meanField.slice(15).map((m) => m.site.index), meanField.slice(15).map((m) => m.value));
    expect(Math.abs(mfGrowth / expected - 1)).toBeLessThan(0.1);
    // Sampled: the MI of 1 − c ≈ χ₁^ℓ carries the finite-width noise of c (±25 % of the slope, 4 SE over 8 pairs).
    expect(Math.abs(growth / expected - 1)).toBeLessThan(0.25);
    expect(sampled[29]!.value).toBeGreaterThan(sampled[15]!.value + 10 * expected);
  });

  it('chaotic (σ_w² = 2.5): the MI follows the c-map to the fixed point −½ ln(1 − c*²) = 0.1113430917 and stops growing', async () => {
    const observations = await run({ sigmaW2: 2.5, sigmaB2: 0.05, depth: 30, widths: { schedule: 'constant', width: 1000 }, inputs: { source: 'pairs', pairs: 16, dimension: 1000, correlation: 0.5, meanSquare: 'fixed-point' } }, 4);
    const sampled = await measure(twoInputMutualInformationDescriptor, {}, observations);
    const overlays = sampled.map((m) => m.meta['overlays'] as Record<string, number>);
    expect(Math.abs(overlays[0]!['fixedPoint']! - 0.1113430917)).toBeLessThan(1e-9);
    // The c-map relaxes on ξ_c = 11.8 layers, so layers 20–29 are still 4–6 % above the fixed point: compare with
    // the mean-field trajectory. Sampling noise of c is carried from layer to layer over ≈ ξ_c layers, so the
    // layer mean is no more precise than one layer: SE = the probe's per-layer standard error over the 16 pairs.
    const plateau = mean(sampled.slice(20).map((m) => m.value));
    const meanFieldPlateau = mean(overlays.slice(20).map((o) => o['meanField']!));
    const standardError = mean(sampled.slice(20).map((m) => m.uncertainty!));
    expect(standardError).toBeLessThan(0.02);
    expect(Math.abs(plateau - meanFieldPlateau)).toBeLessThan(4 * standardError);
    // Change of character: bounded, no growth — |slope| over layers 15–29 below a tenth of the ordered-phase growth at σ_w² = 1.2.
    const orderedGrowth = -0.5 * Math.log(new MeanField('tanh', 1.2, 0.05).chi1());
    expect(Math.abs(slope(sampled.slice(15).map((m) => m.site.index), sampled.slice(15).map((m) => m.value)))).toBeLessThan(0.1 * orderedGrowth);
  });
});

describe('Gram-matrix entropy of a batch changes character at σ_w²_c (N = 500, 16 inputs with pairwise c⁰ = 0.5)', () => {
  const batch = (sigmaW2: number) =>
    run({ sigmaW2, sigmaB2: 0.05, depth: 30, widths: { schedule: 'constant', width: 500 }, inputs: { source: 'equicorrelated', count: 16, dimension: 500, correlation: 0.5, meanSquare: 'fixed-point' } }, 5);
  // Uncentred (centre 'none') so that the mean-field baseline S(c^ℓ) of the c-map applies. The sampled pairwise
  // correlations scatter by ≈ 1.6·(1 − c²)/√N ≈ 0.06 around c^ℓ; this spreads the 15 small eigenvalues
  // (≈ (1 − c)/n = 0.034) by ≈ 2√n·0.06/n ≈ 0.03, which biases S low by a few 0.01 (concavity) and adds ≈ ±0.03
  // of noise carried over ξ_c layers: tolerance 0.1. The change of character is an order of magnitude larger.
  it('ordered (σ_w² = 1.2): collapses towards 0 with depth; chaotic (2.5): settles at S(c*) — both following the c-map', async () => {
    for (const sigmaW2 of [1.2, 2.5]) {
      const m = await measure(gramEntropyDescriptor, { centre: 'none' }, await batch(sigmaW2));
      const overlays = m.map((x) => x.meta['overlays'] as Record<string, number>);
      for (const l of [0, 10, 29]) expect(Math.abs(m[l]!.value - overlays[l]!['meanField']!)).toBeLessThan(0.1);
      if (sigmaW2 < 1.76) expect(m[29]!.value).toBeLessThan(0.1 * m[0]!.value);
      else {
        expect(Math.abs(m[29]!.value - overlays[29]!['fixedPoint']!)).toBeLessThan(0.1);
        expect(m[29]!.value).toBeGreaterThan(0.6);
      }
    }
  });
});

describe('relative entropy across depth rises to a plateau that is smooth through σ_w²_c (N = 784, ⟨x²⟩ = 0.112, nMC = 100)', () => {
  const sigmas = [1.5, 1.7, 1.76, 1.85, 2.0, 2.5];
  const N = 784;
  let results: { sigmaW2: number; authors: Measurement[]; fit: Measurement[] }[] = [];
  beforeAll(async () => {
    results = [];
    for (const sigmaW2 of sigmas) {
      const observations = await run({ sigmaW2, sigmaB2: 0.05, depth: 12, widths: { schedule: 'constant', width: N }, inputs: { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }, pushforward: { samples: 100 } }, 11);
      results.push({
        sigmaW2,
        authors: await measure(mlpRelativeEntropyDescriptor, {}, observations),
        fit: await measure(mlpRelativeEntropyDescriptor, { estimator: { use: 'gaussian-fit' } }, observations),
      });
    }
  });

  it("authors' quantity: D_0 = 0, rises over the first layers, plateau over layers 5–11 within ±10 % of (N/2) ln(q*/q⁰)", () => {
    // Science §2.1 (class S, stated for untrained networks at N = 784): single layers ±20 %, plateau mean ±10 %;
    // the fit of σ_m² over the N neurons of one image has relative error √(2/N) = 5 %, i.e. ≈ 20 nats per layer.
    for (const { authors } of results) {
      expect(authors[0]!.value).toBe(0);
      const overlays = authors.map((m) => m.meta['overlays'] as Record<string, number>);
      for (let l = 1; l < 12; l++) expect(Math.abs(authors[l]!.value / overlays[l]!['meanField']! - 1)).toBeLessThan(0.2);
      expect(authors[2]!.value).toBeGreaterThan(authors[1]!.value);
      expect(authors[1]!.value).toBeGreaterThan(0);
      const plateau = mean(authors.slice(5).map((m) => m.value));
      expect(Math.abs(plateau / overlays[11]!['asymptote']! - 1)).toBeLessThan(0.1);
    }
  });

  it('the plateaus increase smoothly with σ_w² through σ_w²_c (no jump): monotone, and each within its mean-field tolerance', () => {
    const plateaus = results.map((r) => mean(r.authors.slice(5).map((m) => m.value)));
    const fits = results.map((r) => mean(r.fit.slice(5).map((m) => m.value)));
    for (let i = 1; i < plateaus.length; i++) {
      expect(plateaus[i]!).toBeGreaterThan(plateaus[i - 1]! - 15); // 15 nats ≈ 2 SE of a plateau difference at N = 784 (7-layer means of ±20 nats, correlated)
      expect(fits[i]!).toBeGreaterThan(fits[i - 1]! - 3);
    }
    // True KL plateau N·½[q⁰/q* − 1 − ln(q⁰/q*)]: per layer the fit error δσ²/σ² ≈ √(2/N) moves the per-neuron
    // KL by ½|1 − q⁰/q*|·√(2/N) ≈ 0.014 (18 % of 0.08–0.2); the 7-layer mean has about ±8 %; tolerance ±25 % (≈ 3 SE).
    results.forEach((r, i) => {
      const asymptote = (r.fit[11]!.meta['overlays'] as Record<string, number>)['asymptote']!;
      expect(Math.abs(fits[i]! / asymptote - 1)).toBeLessThan(0.25);
    });
  });
});
