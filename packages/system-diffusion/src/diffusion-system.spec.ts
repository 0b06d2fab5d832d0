import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { diffusionDescriptor, type SiteEntropyProduction } from './diffusion-system';
import { GaussianEntropyProduction } from './entropy-production';
import { VariancePreservingProcess } from './forward-process';
import { isotropicGaussian } from './gaussian-mixture';
import { dataDistribution, dataSchema } from './data-source';
import { RandomStream } from '@entroscope/core';

describeSystemConformance(diffusionDescriptor, [
  { data: { kind: 'gaussian', mean: [2, 1], variance: 0.25 }, samples: 64, times: [0, 0.1, 1] },
  { process: { kind: 'sl' }, data: { kind: 'bimodal' }, samples: 32, times: [0, 0.5, 1] },
  {
    process: { kind: 'vpx' },
    data: { kind: 'random-mixture', dimension: 6 },
    samples: 16,
    times: [0.2, 0.4],
    entropySamples: 200,
    emit: 'pair',
  },
]);

describe('diffusion system', () => {
  it('rejects times that do not increase, naming the offending entry', () => {
    const result = diffusionDescriptor.paramsSchema.safeParse({ data: { kind: 'bimodal' }, times: [0, 0.5, 0.5] });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues[0]!.path)).toBe('["times",2]');
  });

  it('Gaussian data: samples of x_s match the attached exact marginal N(μm, (μ²s_d² + Σ²) I) (means within 4.5 standard errors)', async () => {
    const observations = await collect(
      diffusionDescriptor,
      { data: { kind: 'gaussian', mean: [2, 1], variance: 0.25 }, samples: 20000, times: [0, 0.1, 0.3, 1] },
      testContext(3),
    );
    const vp = new VariancePreservingProcess('vp', 1);
    for (const o of observations) {
      const s = o.meta.time as number;
      const mu = vp.mean(s);
      const v = mu * mu * 0.25 + vp.std(s) ** 2;
      expect(o.exact?.type).toBe('gaussian');
      const exact = o.exact as { mean: Float64Array; covariance: Float64Array };
      expect(exact.mean[0]).toBeCloseTo(2 * mu, 14);
      expect(exact.covariance[0]).toBeCloseTo(v, 14);
      const n = o.shape[0]!;
      for (let i = 0; i < 2; i++) {
        let m = 0;
        for (let r = 0; r < n; r++) m += o.data![r * 2 + i]! / n;
        expect(Math.abs(m - exact.mean[i]!)).toBeLessThan(4.5 * Math.sqrt(v / n));
      }
    }
  });

  it('pair emission: (x₀, x_s) with the exact joint covariance μ s_d² between x₀ and x_s (sample covariance within 5 SE)', async () => {
    const [o] = await collect(
      diffusionDescriptor,
      { data: { kind: 'gaussian', mean: [0.5], variance: 0.5 }, samples: 20000, times: [0.2], emit: 'pair' },
      testContext(4),
    );
    const exact = o!.exact as { covariance: Float64Array; dimension: number };
    expect(exact.dimension).toBe(2);
    const mu = new VariancePreservingProcess('vp', 1).mean(0.2);
    expect(exact.covariance[1]).toBeCloseTo(mu * 0.5, 14);
    const n = o!.shape[0]!;
    let ma = 0;
    let mb = 0;
    for (let r = 0; r < n; r++) {
      ma += o!.data![2 * r]! / n;
      mb += o!.data![2 * r + 1]! / n;
    }
    let c = 0;
    for (let r = 0; r < n; r++) c += ((o!.data![2 * r]! - ma) * (o!.data![2 * r + 1]! - mb)) / (n - 1);
    // SE of a sample covariance: √((σ_a²σ_b² + c²)/n).
    const se = Math.sqrt((exact.covariance[0]! * exact.covariance[3]! + exact.covariance[1]! ** 2) / n);
    expect(Math.abs(c - exact.covariance[1]!)).toBeLessThan(5 * se);
  });

  it('meta.entropyProduction carries the closed forms for Gaussian data', async () => {
    const observations = await collect(diffusionDescriptor, {
      data: { kind: 'gaussian', mean: [2, 1], variance: 0.25 },
      samples: 8,
      times: [0, 0.5, 1],
    });
    const closed = new GaussianEntropyProduction(
      isotropicGaussian([2, 1], 0.25),
      new VariancePreservingProcess('vp', 1),
    );
    const last = observations[2]!.meta.entropyProduction as SiteEntropyProduction;
    expect(last.method).toBe('closed-form');
    expect(last.total).toBeCloseTo(3.1354965777, 9);
    expect((observations[1]!.meta.entropyProduction as SiteEntropyProduction).rate).toBeCloseTo(closed.rate(0.5), 12);
  });

  it('mixtures in D = 6 get Monte Carlo entropy production with standard errors, consistent across sites', async () => {
    const observations = await collect(diffusionDescriptor, {
      data: { kind: 'random-mixture', dimension: 6 },
      samples: 8,
      times: [0, 1],
      entropySamples: 4000,
    });
    const [first, last] = observations.map((o) => o.meta.entropyProduction as SiteEntropyProduction);
    expect(first!.method).toBe('monte-carlo:4000');
    expect(first!.uncertainty!.total).toBeGreaterThan(0);
    // KL(p_1‖p_eq) is tiny for VP (μ(1) ≈ 0.018): S_tot(1) ≈ KL(p_d‖p_eq).
    expect(Math.abs(last!.total - first!.divergenceFromEquilibrium)).toBeLessThan(5 * last!.uncertainty!.total + 0.01);
  });

  it('a random mixture with a seed is the same in every run stream; without one it follows the stream', () => {
    const data = dataSchema.parse({ kind: 'random-mixture', dimension: 3, seed: 32 });
    const a = dataDistribution(data, RandomStream.fromSeed(1))!;
    const b = dataDistribution(data, RandomStream.fromSeed(2).split('replicate:1'))!;
    expect(a.components).toEqual(b.components);
    const free = dataSchema.parse({ kind: 'random-mixture', dimension: 3 });
    expect(dataDistribution(free, RandomStream.fromSeed(1))!.components).not.toEqual(
      dataDistribution(free, RandomStream.fromSeed(2))!.components,
    );
  });

  it('MNIST subsets: 10·n_c class-balanced images, pooled, in [0, 1] at s = 0', async () => {
    const [o] = await collect(diffusionDescriptor, { data: { kind: 'mnist', perClass: 2, pool: 4 }, times: [0] });
    expect(o!.shape).toEqual([20, 49]);
    expect(o!.data).toBeInstanceOf(Float32Array);
    expect(Math.max(...o!.data!)).toBeLessThanOrEqual(1);
    expect(Math.min(...o!.data!)).toBeGreaterThanOrEqual(0);
    expect(o!.meta.entropyProduction).toBeUndefined();
  });
});
