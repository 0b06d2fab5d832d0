/**
 * Seed scan (npm run test:long): the statistical checks of criticality.spec.ts over 16 independent seeds, with the
 * tolerances stated there. A check that holds at one seed but fails at another fails here.
 */
import { MeanField } from '@entroscope/system-random-mlp';
import {
  gramEntropy,
  jacobianSlope,
  relativeEntropyAcrossDepth,
  twoInputChaotic,
  twoInputOrdered,
} from './criticality-checks.spec';

const seeds = Array.from({ length: 16 }, (_, i) => 101 + i);

describe.each(seeds)('criticality checks at seed %p', (seed) => {
  it('Jacobian slopes within 7 SD of ln χ₁, rising across σ_w²_c', async () => {
    const sd: Record<number, number> = { 1.0: 0.0088, 1.5: 0.0063, 2.0: 0.016, 2.5: 0.011 };
    const slopes: Record<number, number> = {};
    for (const sigmaW2 of [1.0, 1.5, 2.0, 2.5]) {
      slopes[sigmaW2] = await jacobianSlope(sigmaW2, seed);
      expect(Math.abs(slopes[sigmaW2]! - Math.log(new MeanField('tanh', sigmaW2, 0.05).chi1()))).toBeLessThan(
        7 * sd[sigmaW2]! + 0.005,
      );
    }
    expect(slopes[2.0]! - slopes[1.5]!).toBeGreaterThan(0);
  }, 120_000);

  it('two-input MI: ordered growth and chaotic plateau', async () => {
    const o = await twoInputOrdered(seed);
    expect(Math.abs(o.growth / o.expected - 1)).toBeLessThan(0.35);
    expect(o.rise).toBeGreaterThan(10 * o.expected);
    const c = await twoInputChaotic(seed);
    expect(Math.abs(c.plateau - c.meanFieldPlateau)).toBeLessThan(0.06);
    expect(Math.abs(c.growth)).toBeLessThan(0.1 * -0.5 * Math.log(new MeanField('tanh', 1.2, 0.05).chi1()));
  }, 120_000);

  it('Gram entropy collapses (ordered) or stays (chaotic)', async () => {
    const o = await gramEntropy(1.2, seed);
    expect(o.deviation).toBeLessThan(0.1);
    expect(o.last).toBeLessThan(0.1 * o.first);
    const c = await gramEntropy(2.5, seed);
    expect(c.deviation).toBeLessThan(0.25);
    expect(c.last).toBeGreaterThan(0.5 * c.first);
  }, 120_000);

  it('relative entropy across depth follows mean field', async () => {
    const results = [];
    for (const sigmaW2 of [1.5, 1.7, 1.76, 1.85, 2.0, 2.5])
      results.push(await relativeEntropyAcrossDepth(sigmaW2, seed));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    for (const r of results) {
      for (const ratio of r.layerRatios) expect(Math.abs(ratio - 1)).toBeLessThan(0.61);
      expect(Math.abs(r.plateau / r.asymptote - 1)).toBeLessThan(0.44);
      expect(Math.abs(r.fitPlateau / r.fitAsymptote - 1)).toBeLessThan(0.71);
    }
    for (let l = 0; l < 11; l++) expect(Math.abs(mean(results.map((r) => r.layerRatios[l]!)) - 1)).toBeLessThan(0.24);
    expect(Math.abs(mean(results.map((r) => r.plateau / r.asymptote)) - 1)).toBeLessThan(0.18);
    expect(results[5]!.plateau).toBeGreaterThan(results[0]!.plateau);
    expect(results[5]!.fitPlateau).toBeGreaterThan(results[0]!.fitPlateau);
  }, 300_000);
});
