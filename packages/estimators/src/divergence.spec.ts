import { RandomStream } from '@entroscope/core';
import { defaultEstimatorRegistry } from './builtin-estimators';
import { estimateWithUncertainty } from './estimate';
import { gaussianKlDivergence } from './gaussian';
import { knnKlDivergence } from './knn-estimators';
import type { SampleMatrix } from './sample-matrix';

/**
 * Divergence estimators from two independent sample sets against the closed-form Gaussian KL divergence
 * KL(N(m₀,S₀)‖N(m₁,S₁)) = ½[tr(S₁⁻¹S₀) + (m₁−m₀)ᵀS₁⁻¹(m₁−m₀) − d + ln(det S₁/det S₀)].
 * 2-D case: m₀ = (1, 0), S₀ = [[1, .5], [.5, 2]], m₁ = (0, 1), S₁ = [[2, −.3], [−.3, 1]]:
 * KL = 1.0594505333, reverse 1.6133991301 (computed from the formula, 10 digits).
 */
const P = { mean: [1, 0], cov: [1, 0.5, 0.5, 2] };
const Q = { mean: [0, 1], cov: [2, -0.3, -0.3, 1] };
const KL_PQ = 1.0594505333;
const KL_QP = 1.6133991301;

function draws(random: RandomStream, n: number, g: { mean: number[]; cov: number[] }): SampleMatrix {
  // Cholesky of the 2×2 covariance.
  const l00 = Math.sqrt(g.cov[0]!);
  const l10 = g.cov[2]! / l00;
  const l11 = Math.sqrt(g.cov[3]! - l10 * l10);
  const v = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const a = random.normal();
    const b = random.normal();
    v[2 * i] = g.mean[0]! + l00 * a;
    v[2 * i + 1] = g.mean[1]! + l10 * a + l11 * b;
  }
  return { values: v, n, d: 2 };
}
const meanSd = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, sd: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) };
};
const seed = Number(process.env['ESTIMATORS_SEED'] ?? 7);

describe('Gaussian KL divergence from samples', () => {
  it('is the closed form on the population moments (large N) and unbiased when bias-corrected (N = 60, 300 draws)', () => {
    const root = RandomStream.fromSeed(seed).split('gaussian-kl');
    const big = gaussianKlDivergence(draws(root.split('p'), 200_000, P), draws(root.split('q'), 200_000, Q), true);
    // SD of one estimate at N = 2·10⁵ is ≈ 0.004 (scaled from the N = 60 spread): 0.02 is 5 SD.
    expect(Math.abs(big - KL_PQ)).toBeLessThan(0.02);
    const corrected: number[] = [];
    const plugIn: number[] = [];
    const reverse: number[] = [];
    const same: number[] = [];
    for (let r = 0; r < 300; r++) {
      const x = draws(root.split(`x:${r}`), 60, P);
      const y = draws(root.split(`y:${r}`), 60, Q);
      corrected.push(gaussianKlDivergence(x, y, true));
      plugIn.push(gaussianKlDivergence(x, y, false));
      reverse.push(gaussianKlDivergence(y, x, true));
      same.push(gaussianKlDivergence(x, draws(root.split(`x2:${r}`), 60, P), true));
    }
    const c = meanSd(corrected);
    const se = c.sd / Math.sqrt(300);
    // Unbiased: the mean of 300 within 4 SE of the truth. The plug-in's bias at N = 60 (measured +0.117, SD 0.32, so
    // ≈ 6.8 SE of a 300-draw mean) is asserted above 3 SE.
    expect(Math.abs(c.mean - KL_PQ)).toBeLessThan(4 * se);
    expect(meanSd(plugIn).mean - KL_PQ).toBeGreaterThan(3 * se);
    const rv = meanSd(reverse);
    expect(Math.abs(rv.mean - KL_QP)).toBeLessThan(4 * (rv.sd / Math.sqrt(300)));
    const s = meanSd(same);
    expect(Math.abs(s.mean)).toBeLessThan(4 * (s.sd / Math.sqrt(300)));
  });

  it('refuses mismatched dimensions and too few Q rows for the correction; a singular Q gives Infinity', () => {
    const x = draws(RandomStream.fromSeed(1), 10, P);
    expect(() => gaussianKlDivergence(x, { values: new Float64Array(30), n: 10, d: 3 }, true)).toThrow(/dimension/);
    expect(() => gaussianKlDivergence(x, draws(RandomStream.fromSeed(2), 4, Q), true)).toThrow(/dimension \+ 2/);
    const flat = { values: Float64Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? i : 1)), n: 10, d: 2 };
    expect(gaussianKlDivergence(x, flat, true)).toBe(Infinity);
  });
});

describe('kNN KL divergence (Wang–Kulkarni–Verdú) on the 2-D Gaussian case', () => {
  it('lies within its measured finite-N bias of the closed form at N = 4000 (mean of 4 draws, k = 3)', () => {
    const root = RandomStream.fromSeed(seed).split('knn-kl');
    const v: number[] = [];
    for (let r = 0; r < 4; r++)
      v.push(
        knnKlDivergence(draws(root.split(`p:${r}`), 4000, P), draws(root.split(`q:${r}`), 4000, Q), {
          k: 3,
          norm: 'euclidean',
          noise: 0,
        }),
      );
    // Measured over 20 draws: mean 0.938 (bias −0.12), SD 0.043 at N = 4000, k = 3; the bias shrinks with N (−0.30 at
    // 250, −0.17 at 1000, −0.07 at 16 000: the long suite checks it). The mean of 4 has SE ≈ 0.022: [−0.22, −0.02]
    // is the bias ± 4.5 SE.
    const m = meanSd(v).mean - KL_PQ;
    expect(m).toBeGreaterThan(-0.22);
    expect(m).toBeLessThan(-0.02);
  });
});

describe('divergence through the registry', () => {
  const registry = defaultEstimatorRegistry();
  it('gaussian and knn-divergence are estimators of the divergence, with a subsampling or bootstrap interval', () => {
    expect(registry.ids('divergence')).toEqual(['gaussian', 'knn-divergence']);
    const root = RandomStream.fromSeed(seed).split('registry');
    const input = { x: draws(root.split('p'), 2000, P), y: draws(root.split('q'), 2000, Q) };
    for (const id of ['gaussian', 'knn-divergence']) {
      const d = registry.get(id, 'divergence');
      const params = d.paramsSchema.parse({ use: id });
      const e = estimateWithUncertainty(d, 'divergence', input, { ...params, bootstrap: 20 }, root.split(id));
      expect(e.quantity).toBe('divergence');
      expect(e.uncertainty!.units).toEqual([2000, 2000]);
      // SE ≈ 0.03 (gaussian) and 0.05 (kNN) at N = 2000; 0.2 is ≥ 4 SE.
      expect(Math.abs(e.value - KL_PQ)).toBeLessThan(0.2);
      expect(e.uncertainty!.standardError!).toBeGreaterThan(0.005);
      expect(e.uncertainty!.standardError!).toBeLessThan(0.15);
    }
  });
});
