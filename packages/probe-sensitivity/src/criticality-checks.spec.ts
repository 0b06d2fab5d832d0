/**
 * The statistical checks of criticality.spec.ts as functions of the seed (a spec file so that it may import systems
 * and other probe families; its own test checks the seed mixing), so that the short suite runs each at one
 * seed and the long seed scan (criticality-seeds.long.spec.ts) runs them over many. Each returns the measured
 * quantities; the specs hold the tolerances. Every case draws its own networks: the seed is mixed with the case
 * (σ_w², experiment) so that no two compared cases share weight draws.
 */
import type { Measurement, Observation } from '@entroscope/core';
import { collect, measure, testContext } from '@entroscope/testing';
import { MeanField, randomMlpDescriptor } from '@entroscope/system-random-mlp';
import { gramEntropyDescriptor, twoInputMutualInformationDescriptor } from '@entroscope/probe-information';
import { mlpRelativeEntropyDescriptor } from '@entroscope/probe-divergence';
import { jacobianNormDescriptor } from './jacobian-norm-probe';

/** A seed for (experiment, case, seed): distinct cases never share a random stream. */
export function caseSeed(experiment: string, parameter: number, seed: number): number {
  let h = 2166136261;
  for (const c of `${experiment}:${parameter}:${seed}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

const run = (params: Record<string, unknown>, seed: number): Promise<Observation[]> =>
  collect(randomMlpDescriptor, params, testContext(seed, 'mlp'));

/** Least-squares slope of ys against xs. */
export function slope(xs: number[], ys: number[]): number {
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
export const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const slopeOf = (m: Measurement[]) =>
  slope(
    m.map((x) => x.site.index),
    m.map((x) => x.value),
  );

/** Fitted per-layer slope of ln‖J_ℓ‖² over layers 5–20 (N = 1000, started at q*, 8 directions). */
export async function jacobianSlope(sigmaW2: number, seed: number): Promise<number> {
  const observations = await run(
    {
      sigmaW2,
      sigmaB2: 0.05,
      depth: 21,
      widths: { schedule: 'constant', width: 1000 },
      inputs: { source: 'gaussian', count: 1, dimension: 1000, meanSquare: 'fixed-point' },
      jacobian: { directions: 8 },
    },
    caseSeed('jacobian', sigmaW2, seed),
  );
  const m = await measure(jacobianNormDescriptor, {}, observations);
  return slopeOf(m.slice(5, 21));
}

/** Ordered phase (σ_w² = 1.2, N = 500, 8 pairs with c⁰ = 0.5, depth 30): MI growth over layers 15–29. */
export async function twoInputOrdered(
  seed: number,
): Promise<{ growth: number; meanFieldGrowth: number; expected: number; rise: number }> {
  const observations = await run(
    {
      sigmaW2: 1.2,
      sigmaB2: 0.05,
      depth: 30,
      widths: { schedule: 'constant', width: 500 },
      inputs: { source: 'pairs', pairs: 8, dimension: 500, correlation: 0.5, meanSquare: 'fixed-point' },
    },
    caseSeed('mi-ordered', 1.2, seed),
  );
  const sampled = await measure(twoInputMutualInformationDescriptor, {}, observations);
  const meanField = await measure(twoInputMutualInformationDescriptor, { estimator: 'mean-field' }, observations);
  return {
    growth: slopeOf(sampled.slice(15)),
    meanFieldGrowth: slopeOf(meanField.slice(15)),
    expected: -0.5 * Math.log(new MeanField('tanh', 1.2, 0.05).chi1()),
    rise: sampled[29]!.value - sampled[15]!.value,
  };
}

/** Chaotic phase (σ_w² = 2.5, N = 1000, 16 pairs): plateau over layers 20–29 against the mean-field trajectory. */
export async function twoInputChaotic(
  seed: number,
): Promise<{ plateau: number; meanFieldPlateau: number; standardError: number; fixedPoint: number; growth: number }> {
  const observations = await run(
    {
      sigmaW2: 2.5,
      sigmaB2: 0.05,
      depth: 30,
      widths: { schedule: 'constant', width: 1000 },
      inputs: { source: 'pairs', pairs: 16, dimension: 1000, correlation: 0.5, meanSquare: 'fixed-point' },
    },
    caseSeed('mi-chaotic', 2.5, seed),
  );
  const sampled = await measure(twoInputMutualInformationDescriptor, {}, observations);
  const overlays = sampled.map((m) => m.meta['overlays'] as Record<string, number>);
  return {
    plateau: mean(sampled.slice(20).map((m) => m.value)),
    meanFieldPlateau: mean(overlays.slice(20).map((o) => o['meanField']!)),
    standardError: mean(sampled.slice(20).map((m) => m.uncertainty!)),
    fixedPoint: overlays[0]!['fixedPoint']!,
    growth: slopeOf(sampled.slice(15)),
  };
}

/** Gram-matrix entropy (N = 500, 16 equicorrelated inputs, c⁰ = 0.5, uncentred): values and mean field at layers 0, 10, 29. */
export async function gramEntropy(
  sigmaW2: number,
  seed: number,
): Promise<{ deviation: number; first: number; last: number; fixedPoint: number }> {
  const observations = await run(
    {
      sigmaW2,
      sigmaB2: 0.05,
      depth: 30,
      widths: { schedule: 'constant', width: 500 },
      inputs: { source: 'equicorrelated', count: 16, dimension: 500, correlation: 0.5, meanSquare: 'fixed-point' },
    },
    caseSeed('gram', sigmaW2, seed),
  );
  const m = await measure(
    gramEntropyDescriptor,
    { estimator: { use: 'matrix-entropy', centre: 'none' } },
    observations,
  );
  const overlays = m.map((x) => x.meta['overlays'] as Record<string, number>);
  return {
    deviation: Math.max(...[0, 10, 29].map((l) => Math.abs(m[l]!.value - overlays[l]!['meanField']!))),
    first: m[0]!.value,
    last: m[29]!.value,
    fixedPoint: overlays[29]!['fixedPoint']!,
  };
}

/**
 * Relative entropy across depth (N = 784, ⟨x²⟩ = 0.112, nMC = 20 by default, depth 12, one network): the authors'
 * quantity per layer against (N/2) ln(q^m/q⁰), its plateau over layers 5–11, and the true-KL plateau of the fits.
 */
export async function relativeEntropyAcrossDepth(
  sigmaW2: number,
  seed: number,
  samples = 20,
): Promise<{
  layerRatios: number[];
  plateau: number;
  asymptote: number;
  fitPlateau: number;
  fitAsymptote: number;
  d0: number;
  d1: number;
  d2: number;
}> {
  const observations = await run(
    {
      sigmaW2,
      sigmaB2: 0.05,
      depth: 12,
      widths: { schedule: 'constant', width: 784 },
      inputs: { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 },
      pushforward: { samples },
    },
    caseSeed('relative-entropy', sigmaW2, seed),
  );
  const authors = await measure(mlpRelativeEntropyDescriptor, {}, observations);
  const fit = await measure(mlpRelativeEntropyDescriptor, { estimator: { use: 'gaussian-fit' } }, observations);
  const overlays = authors.map((m) => m.meta['overlays'] as Record<string, number>);
  return {
    layerRatios: authors.slice(1).map((m, i) => m.value / overlays[i + 1]!['meanField']!),
    plateau: mean(authors.slice(5).map((m) => m.value)),
    asymptote: overlays[11]!['asymptote']!,
    fitPlateau: mean(fit.slice(5).map((m) => m.value)),
    fitAsymptote: (fit[11]!.meta['overlays'] as Record<string, number>)['asymptote']!,
    d0: authors[0]!.value,
    d1: authors[1]!.value,
    d2: authors[2]!.value,
  };
}

describe('case seeds', () => {
  it('differ between every case and seed used by the criticality checks (no shared draws)', () => {
    const cases: [string, number][] = [
      ['jacobian', 1.0],
      ['jacobian', 1.5],
      ['jacobian', 2.0],
      ['jacobian', 2.5],
      ['mi-ordered', 1.2],
      ['mi-chaotic', 2.5],
      ['gram', 1.2],
      ['gram', 2.5],
      ...[1.5, 1.7, 1.76, 1.85, 2.0, 2.5].map((s): [string, number] => ['relative-entropy', s]),
    ];
    const seeds = cases.flatMap(([e, p]) => Array.from({ length: 120 }, (_, k) => caseSeed(e, p, k)));
    expect(new Set(seeds).size).toBe(seeds.length);
  });
});
