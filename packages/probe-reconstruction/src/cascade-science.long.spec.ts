import { collect, measure, testContext } from '@entroscope/testing';
import { reconstructionEntropyDescriptor } from './reconstruction-entropy-probe';
import { criticalLine } from '@entroscope/mean-field';
import { cascadeDescriptor, trainabilityDescriptor } from '@entroscope/system-cascade';

// The cascade paper's claims on MNIST at σ_b² = 0.05 at the reduced size of studies/cascade-mnist.yaml, with the
// trained ground truth on an independent grid (docs/cascade.md, "Agreement with training" and "Why the peak
// moves"). Cascade: 7×7-pooled images (width N = 49), 'wide' depth 100, one epoch over 30 000 images, three
// independent cascades (seeds 11, 12, 13) per σ_w². Each cascade also reports the Lyapunov exponent λ of its own
// forward network; its zero is that network's own critical point. Ground truth: the same wide networks trained
// from scratch (SGD lr 0.05, batch 64, ≤ 3 epochs of 20 000 images, trainable when the test accuracy on 1 000
// images exceeds 0.3), depths 10–80, 3 seeds per depth, trained depth = the largest depth at which most seeds
// train. `npm run test:long` (probe-reconstruction's test-long target).
const cascade = {
  sigmaB2: 0.05,
  depth: 100,
  widths: 'wide',
  pool: 4,
  data: { source: 'mnist' },
  training: { images: 30000 },
  evaluation: { images: 100 },
} as const;
// Depth 100 is left out of the truth grid: in the full run of docs/cascade.md no network of depth 80 or 100
// trained at any σ_w² (0 of 27 each); 80 stays as the measured ceiling of the budget.
const truth = {
  sigmaB2: 0.05,
  widths: 'wide',
  pool: 4,
  data: { source: 'mnist' },
  training: { lr: 0.05, batchSize: 64, maxEpochs: 3, threshold: 0.3, trainImages: 20000, testImages: 1000 },
  protocol: { use: 'grid', depths: [10, 20, 30, 40, 50, 60, 80], seeds: 3 },
} as const;
const grid = [1.0, 1.3, 1.5, 1.6, 1.7, 1.75, 1.8, 1.85, 1.9, 2.0, 2.15, 2.3, 2.6, 3.0];
const truthGrid = [1.0, 1.3, 1.5, 1.7, 1.8, 1.9, 2.0, 2.3, 3.0];
const cascadeSeeds = [11, 12, 13];
const truthSeed = 7001;

/** Spearman rank correlation with mid-ranks for ties. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (v: readonly number[]) =>
    v.map((x) => v.filter((y) => y < x).length + (v.filter((y) => y === x).length - 1) / 2 + 1);
  const ra = rank(a);
  const rb = rank(b);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(ra);
  const mb = mean(rb);
  const cov = ra.reduce((s, x, i) => s + (x - ma) * (rb[i]! - mb), 0);
  return cov / Math.sqrt(ra.reduce((s, x) => s + (x - ma) ** 2, 0) * rb.reduce((s, x) => s + (x - mb) ** 2, 0));
}

/** First zero of λ(σ_w²) from below (linear interpolation on the grid): the network's own critical point. */
function ownCriticalPoint(lambda: readonly number[]): number {
  for (let i = 0; i + 1 < grid.length; i++)
    if (lambda[i]! < 0 && lambda[i + 1]! >= 0)
      return grid[i]! - (lambda[i]! * (grid[i + 1]! - grid[i]!)) / (lambda[i + 1]! - lambda[i]!);
  throw new Error(`λ does not cross 0 on the grid: ${lambda.join(', ')}`);
}

/**
 * Where the cutoff peaks: the mean σ_w² of the grid points whose cutoff is at least 80 % of the maximum. Near its
 * critical point a network's memory exceeds the depth, the cutoff sits on a plateau below the curve length and its
 * single argmax is decided by ±10 layers of scatter (docs/cascade.md).
 */
function peakBand(cutoffs: readonly number[]): { centre: number; argmax: number } {
  const max = Math.max(...cutoffs);
  const band = grid.filter((_, i) => cutoffs[i]! >= 0.8 * max);
  return { centre: band.reduce((a, s) => a + s, 0) / band.length, argmax: grid[cutoffs.indexOf(max)]! };
}

describe('cascade prediction against mean field and trained networks (MNIST, σ_b² = 0.05)', () => {
  const cutoffs = new Map<number, { value: number; allSaturated: boolean }[]>();
  const lambdas = new Map<number, number[]>();
  const trained: number[] = [];
  const started = Date.now();
  beforeAll(async () => {
    for (const sigmaW2 of grid) {
      const perSeed: { value: number; allSaturated: boolean }[] = [];
      const perSeedLambda: number[] = [];
      for (const seed of cascadeSeeds) {
        const obs = await collect(cascadeDescriptor, { ...cascade, sigmaW2 }, testContext(seed));
        const layers = obs.filter((o) => o.site.axis === 'layer');
        const [m] = await measure(reconstructionEntropyDescriptor, { output: 'cutoff' }, layers);
        perSeed.push({ value: m!.value, allSaturated: m!.meta['allSaturated'] === true });
        perSeedLambda.push((layers[0]!.meta['network'] as { lyapunovExponent: number }).lyapunovExponent);
      }
      cutoffs.set(sigmaW2, perSeed);
      lambdas.set(sigmaW2, perSeedLambda);
    }
    for (const sigmaW2 of truthGrid) {
      const obs = await collect(trainabilityDescriptor, { ...truth, sigmaW2 }, testContext(truthSeed));
      trained.push(
        obs.find((o) => o.site.axis === 'summary')!.metrics!.find((m) => m.name === 'trainable-depth')!.value,
      );
    }
    const row = (k: number) => grid.map((s) => cutoffs.get(s)![k]!.value);
    // The numbers behind docs/cascade.md, printed so that a run can be compared with it.
    console.log(
      [
        `σ_w²: ${grid.join(', ')}`,
        ...cascadeSeeds.map(
          (seed, k) =>
            `seed ${seed}: cutoff ${row(k).join(', ')}; λ ${grid.map((s) => lambdas.get(s)![k]!.toFixed(4)).join(', ')}; own critical point ${ownCriticalPoint(grid.map((s) => lambdas.get(s)![k]!)).toFixed(3)}`,
        ),
        `trained depth at ${truthGrid.join(', ')}: ${trained.join(', ')}`,
        `wall time ${((Date.now() - started) / 60000).toFixed(1)} min`,
      ].join('\n'),
    );
  }, 14_400_000);

  const cutoffsOf = (k: number) => grid.map((s) => cutoffs.get(s)![k]!.value);
  const lambdaOf = (k: number) => grid.map((s) => lambdas.get(s)![k]!);

  it('is small deep in the ordered phase and finite in the chaotic phase, for every cascade seed', () => {
    for (const c of cutoffs.get(1.0)!) expect(c.value).toBeLessThanOrEqual(22); // 6ξ_c(1.0) = 21.8
    for (const c of cutoffs.get(3.0)!) {
      expect(c.allSaturated).toBe(false);
      expect(c.value).toBeLessThan(98); // the curve length
    }
    for (const s of grid) for (const c of cutoffs.get(s)!) expect(c.allSaturated).toBe(false);
  });

  it('rises from the ordered phase to σ_w²_c: the cutoff at 1.7–1.8 exceeds twice the one at 1.0, for every seed', () => {
    const critical = criticalLine('tanh', 0.05).sigmaW2;
    const near = grid.filter((s) => Math.abs(s - critical) <= 0.1);
    expect(near).toEqual([1.7, 1.75, 1.8, 1.85]);
    cascadeSeeds.forEach((_, k) => {
      const peakNear = Math.max(...near.map((s) => cutoffs.get(s)![k]!.value));
      expect(peakNear).toBeGreaterThan(2 * cutoffs.get(1.0)![k]!.value);
    });
  });

  // Measured (docs/cascade.md, "Why the peak moves"), seeds 11–16 on this grid: the realized networks' own critical
  // points (zeros of λ) are 2.11, 1.85, 1.91, 1.96, 1.89, 2.00 — all above the mean-field σ_w²_c = 1.761 (the
  // finite-width shift: 1.98 ± 0.09 over 16 Gaussian networks of width 49, 1.80 ± 0.03 at 196, 1.79 ± 0.01 at 784).
  // The centre of the cutoff's top band lies +0.04, +0.03, −0.14, +0.05, +0.34, −0.04 from the own critical point
  // (SD 0.16; bound 0.4 = the largest plus 0.06, 2.5 SD), its distance from σ_w²_c is 0.39, 0.13, 0.01, 0.25, 0.48,
  // 0.20. The single argmax lies −0.31 … +0.26 from the own critical point.
  it('peaks at the critical point of the network it measures (finite width moves that point above σ_w²_c)', () => {
    const critical = criticalLine('tanh', 0.05).sigmaW2;
    cascadeSeeds.forEach((_, k) => {
      const own = ownCriticalPoint(lambdaOf(k));
      expect(own).toBeGreaterThan(critical);
      expect(Math.abs(peakBand(cutoffsOf(k)).centre - own)).toBeLessThanOrEqual(PEAK_TOLERANCE);
    });
  });

  // Measured with these seeds (docs/cascade.md). Thresholds: the seed mean must exceed 0.3; every seed must be
  // positive; the ordered side (σ_w² ≤ 1.8) at least 0.6 for every seed.
  it('ranks σ_w² like the trained depth (Spearman ρ), clearly on the ordered side', () => {
    const at = (k: number, s: number) => cutoffs.get(s)![k]!.value;
    const perSeed = (k: number, keep: (s: number) => boolean) =>
      spearman(
        truthGrid.filter(keep).map((s) => at(k, s)),
        trained.filter((_, i) => keep(truthGrid[i]!)),
      );
    const meanCutoff = truthGrid.map((s) => cutoffs.get(s)!.reduce((a, c) => a + c.value, 0) / cascadeSeeds.length);
    expect(spearman(meanCutoff, trained)).toBeGreaterThan(0.3);
    cascadeSeeds.forEach((_, k) => {
      expect(perSeed(k, () => true)).toBeGreaterThan(0);
      expect(perSeed(k, (s) => s <= 1.8)).toBeGreaterThanOrEqual(0.6);
    });
  });
});

const PEAK_TOLERANCE = 0.4;
