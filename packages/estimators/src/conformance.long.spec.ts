import { RandomStream } from '@entroscope/core';
import { defaultEstimatorRegistry } from './builtin-estimators';
import { estimateWithUncertainty } from './estimate';
import { knnKlDivergence, ksgMutualInformation } from './knn-estimators';
import type { SampleMatrix } from './sample-matrix';

/**
 * Long checks of the estimators (npm run test:long): the full KSG accuracy table at 200 replicates, and the coverage
 * of the KSG subsampling interval on an oracle over 100 independent draws.
 */
function gaussianPair(random: RandomStream, n: number, rho: number): { x: SampleMatrix; y: SampleMatrix } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const s = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < n; i++) {
    x[i] = random.normal();
    y[i] = rho * x[i]! + s * random.normal();
  }
  return { x: { values: x, n, d: 1 }, y: { values: y, n, d: 1 } };
}
const meanSd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
};

describe('KSG accuracy at N = 1000 (200 replicates)', () => {
  // Known mean ± SD of a correct implementation (200 replicates) for k = 3 and 4, algorithms 1 and 2. The mean of 200
  // has SE ≈ 0.002–0.003; ±0.02 is the stated tolerance for many-run means (ρ ≤ 0.9), ±0.03 at ρ = 0.99.
  const table: [number, number, number, number, number, number, number, number, number][] = [
    [0, 0.0023, 0.0233, -0.0009, 0.0259, 0.0002, 0.0199, -0.0035, 0.0215],
    [0.5, 0.1485, 0.0276, 0.1465, 0.0305, 0.1432, 0.0255, 0.1456, 0.0275],
    [0.9, 0.838, 0.039, 0.8366, 0.0371, 0.8456, 0.0347, 0.8444, 0.0343],
    [0.99, 1.9822, 0.0369, 1.9775, 0.0374, 1.9778, 0.036, 1.9825, 0.0355],
  ];
  it.each(table)(
    'ρ = %d: means within tolerance and SDs within ±25 %% for k = 3, 4 and both algorithms',
    (rho, ...known) => {
      const runs: number[][] = [[], [], [], []];
      for (let r = 0; r < 200; r++) {
        const { x, y } = gaussianPair(RandomStream.fromSeed(2024).split(`rho:${rho}:${r}`), 1000, rho);
        [
          [3, 1],
          [3, 2],
          [4, 1],
          [4, 2],
        ].forEach(([k, a], c) =>
          runs[c]!.push(
            ksgMutualInformation(x, y, { k: k!, algorithm: a as 1 | 2, standardise: false, noise: 0 }).value,
          ),
        );
      }
      runs.forEach((values, c) => {
        const { mean, sd } = meanSd(values);
        expect(Math.abs(mean - known[2 * c]!)).toBeLessThan(rho < 0.95 ? 0.02 : 0.03);
        expect(sd / known[2 * c + 1]!).toBeGreaterThan(0.75);
        expect(sd / known[2 * c + 1]!).toBeLessThan(1.25);
      });
    },
  );
});

describe('KSG interval coverage', () => {
  it('the subsampling 95 % interval covers I = 0.1438 (ρ = 0.5, N = 500) in 85–99 % of 100 draws, and its SE matches the spread over draws', () => {
    // Measured with three seeds: coverage 0.92–0.95, mean SE 0.039–0.041 against an SD over draws of 0.034–0.038.
    const ksg = defaultEstimatorRegistry().get('ksg');
    let covered = 0;
    const values: number[] = [];
    const errors: number[] = [];
    for (let r = 0; r < 100; r++) {
      const { x, y } = gaussianPair(RandomStream.fromSeed(4242).split(`draw:${r}`), 500, 0.5);
      const e = estimateWithUncertainty(
        ksg,
        'mutual-information',
        { x, y },
        { use: 'ksg', k: 4, algorithm: 1, standardise: true, noise: 1e-10, bootstrap: 40, level: 0.95 },
        RandomStream.fromSeed(4243).split(`${r}`),
      );
      const [lo, hi] = e.uncertainty!.interval!;
      if (lo <= 0.1438410362 && 0.1438410362 <= hi) covered++;
      values.push(e.value);
      errors.push(e.uncertainty!.standardError!);
    }
    expect(covered).toBeGreaterThanOrEqual(85);
    expect(covered).toBeLessThanOrEqual(99);
    const ratio = meanSd(errors).mean / meanSd(values).sd;
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.4);
  });
});

describe('kNN KL divergence converges on the 2-D Gaussian case', () => {
  // KL(N((1,0), [[1,.5],[.5,2]]) ‖ N((0,1), [[2,−.3],[−.3,1]])) = 1.0594505333. Measured (20 draws, k = 3): bias −0.30,
  // −0.17, −0.12, −0.07 at N = 250, 1000, 4000, 16 000 (SE of the mean 0.04, 0.015, 0.01, 0.006).
  it('its bias shrinks monotonically from N = 250 to 16 000 and is below 0.11 at 16 000', () => {
    const draw = (random: RandomStream, n: number, mean: number[], cov: number[]) => {
      const l00 = Math.sqrt(cov[0]!);
      const l10 = cov[2]! / l00;
      const l11 = Math.sqrt(cov[3]! - l10 * l10);
      const v = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const a = random.normal();
        const b = random.normal();
        v[2 * i] = mean[0]! + l00 * a;
        v[2 * i + 1] = mean[1]! + l10 * a + l11 * b;
      }
      return { values: v, n, d: 2 };
    };
    const errors = [250, 1000, 4000, 16_000].map((n) => {
      const v: number[] = [];
      for (let r = 0; r < 20; r++) {
        const s = RandomStream.fromSeed(31).split(`knn-kl:${n}:${r}`);
        v.push(
          knnKlDivergence(
            draw(s.split('p'), n, [1, 0], [1, 0.5, 0.5, 2]),
            draw(s.split('q'), n, [0, 1], [2, -0.3, -0.3, 1]),
            {
              k: 3,
              norm: 'euclidean',
              noise: 0,
            },
          ),
        );
      }
      return Math.abs(meanSd(v).mean - 1.0594505333);
    });
    for (let i = 1; i < errors.length; i++) expect(errors[i]!).toBeLessThan(errors[i - 1]!);
    expect(errors[3]!).toBeLessThan(0.11);
  });
});
