import type { ExponentialFamilyExact } from '@entroscope/core';
import { ising1dDescriptor, entropy1d } from '@entroscope/system-ising';
import { collect, describeProbeConformance, measure, testContext } from '@entroscope/testing';
import { entropyDescriptor } from './entropy-probe';

const chain = (params: Record<string, unknown>, seed = 1) =>
  collect(ising1dDescriptor, params, testContext(seed, 'chain'));

describeProbeConformance(entropyDescriptor, [
  { params: {}, observations: () => chain({ K: 1, h: 0.3, steps: 4 }) },
  {
    params: { estimator: { use: 'plug-in-blocks', blockLength: 3, bootstrap: 10 } },
    observations: () => chain({ K: 0.7, steps: 2, samples: { count: 200, length: 12 } }),
  },
]);

describe('entropy probe', () => {
  it('gives the exact entropy per site s(K_n, h_n) along the flow', async () => {
    const observations = await chain({ K: 1, h: 0.2, steps: 3 });
    const measurements = await measure(entropyDescriptor, {}, observations);
    measurements.forEach((m, n) => {
      const [K, h] = (observations[n]!.exact as ExponentialFamilyExact).natural;
      expect(Math.abs(m.value - entropy1d(K!, h!))).toBeLessThan(1e-14);
    });
    // s(1) = 0.365333855087 (docs/science/rg-ising.md §1.4).
    expect(
      Math.abs((await measure(entropyDescriptor, {}, await chain({ K: 1, steps: 0 })))[0]!.value - 0.365333855087),
    ).toBeLessThan(1e-12);
  });

  it('estimates the entropy rate from samples within 4 bootstrap standard errors of s(K)', async () => {
    const observations = await chain({ K: 1, steps: 2, samples: { count: 4000, length: 40 } }, 3);
    const measurements = await measure(
      entropyDescriptor,
      { estimator: { use: 'plug-in-blocks', blockLength: 4, bootstrap: 60 } },
      observations,
    );
    measurements.forEach((m, n) => {
      const [K, h] = (observations[n]!.exact as ExponentialFamilyExact).natural;
      expect(m.uncertainty).toBeGreaterThan(0);
      expect(Math.abs(m.value - entropy1d(K!, h!))).toBeLessThan(4 * m.uncertainty!);
    });
  });

  it("'block' rate H(ℓ)/ℓ overestimates the rate of a correlated chain by the boundary term", async () => {
    const observations = await chain({ K: 1.5, steps: 0, samples: { count: 3000, length: 32 } }, 4);
    const [block] = await measure(
      entropyDescriptor,
      { estimator: { use: 'plug-in-blocks', blockLength: 4, rate: 'block', bootstrap: 0 } },
      observations,
    );
    // For a Markov chain H(ℓ) = H(1) + (ℓ−1) s, so H(ℓ)/ℓ − s = (ln 2 − s)/ℓ at h = 0.
    const s = entropy1d(1.5, 0);
    expect(block!.value - s).toBeCloseTo((Math.LN2 - s) / 4, 2);
  });
});
