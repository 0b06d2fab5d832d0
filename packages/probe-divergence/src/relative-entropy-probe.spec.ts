import { ProbeDataError, type ExponentialFamilyExact, type Observation } from '@entroscope/core';
import { ising1dDescriptor } from '@entroscope/system-ising';
import { collect, describeProbeConformance, measure, testContext } from '@entroscope/testing';
import { relativeEntropyDescriptor } from './relative-entropy-probe';

const chain = (params: Record<string, unknown>, seed = 1) =>
  collect(ising1dDescriptor, params, testContext(seed, 'chain'));

describeProbeConformance(relativeEntropyDescriptor, [
  { params: { estimator: { use: 'exact', construction: 'B' } }, observations: () => chain({ K: 1, steps: 5 }) },
  {
    params: { estimator: { use: 'exact', construction: 'A', limit: 'ring', normalise: 'total' } },
    observations: () => chain({ K: 1, steps: 2, ringSize: 16 }),
  },
  {
    params: { estimator: { use: 'plug-in-blocks', blockLength: 3, bootstrap: 10 } },
    observations: () => chain({ K: 0.8, steps: 3, samples: { count: 300, length: 24 } }),
  },
]);

describe('relative-entropy probe', () => {
  it('emits the exact d_A per site with its asymptote in meta, in nats per site', async () => {
    const measurements = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'exact' } },
      await chain({ K: 0.5, steps: 4 }),
    );
    expect(measurements.map((m) => m.value)[1]).toBeCloseTo(0.034053888218, 12);
    expect(measurements[4]!.value).toBeCloseTo(0.110942072806, 12);
    expect(measurements.every((m) => m.unit === 'nat/site' && m.n === null)).toBe(true);
    expect(measurements[0]!.meta['asymptote']).toBeCloseTo(0.110944071671727, 13);
  });

  it('converges to the exact value from samples: error within 4 bootstrap standard errors, and shrinking with n', async () => {
    const exact = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'exact' } },
      await chain({ K: 1, steps: 3 }),
    );
    const errors: number[] = [];
    for (const count of [500, 8000]) {
      const sampled = await measure(
        relativeEntropyDescriptor,
        { estimator: { use: 'plug-in-blocks', blockLength: 3, bootstrap: 60 } },
        await chain({ K: 1, steps: 3, samples: { count, length: 48 } }, 5),
      );
      let worst = 0;
      for (let n = 1; n <= 3; n++) {
        const m = sampled[n]!;
        expect(m.uncertainty).toBeGreaterThan(0);
        // Class S: fixed seed and a 4-standard-error tolerance.
        expect(Math.abs(m.value - exact[n]!.value)).toBeLessThan(4 * m.uncertainty!);
        worst = Math.max(worst, m.uncertainty!);
      }
      errors.push(worst);
    }
    // 16× more samples: the standard error falls by about 4 (allow 2.5).
    expect(errors[0]! / errors[1]!).toBeGreaterThan(2.5);
  });

  it('gives C as the reverse divergence of A on samples as well', async () => {
    const observations = await chain({ K: 1, steps: 2, samples: { count: 6000, length: 32 } }, 9);
    const exactC = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'exact', construction: 'C' } },
      observations,
    );
    const sampledC = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'plug-in-blocks', blockLength: 2, construction: 'C', bootstrap: 50 } },
      observations,
    );
    expect(Math.abs(sampledC[2]!.value - exactC[2]!.value)).toBeLessThan(4 * sampledC[2]!.uncertainty!);
  });

  it('refuses construction B when the site is not the exact marginal (a truncated flow)', async () => {
    const observations = (await chain({ K: 1, steps: 1 })).map((o): Observation => ({
      ...o,
      exact: { ...(o.exact as ExponentialFamilyExact), exactMarginal: o.site.index === 0 },
    }));
    await expect(
      measure(relativeEntropyDescriptor, { estimator: { use: 'exact', construction: 'B' } }, observations),
    ).rejects.toThrow(ProbeDataError);
  });

  it("rejects normalise 'total' in the thermodynamic limit when the probe is configured", () => {
    const result = relativeEntropyDescriptor.paramsSchema.safeParse({
      estimator: { use: 'exact', normalise: 'total' },
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/limit 'ring'/);
  });

  it('declares what it needs: exact descriptions or discrete samples', () => {
    expect(relativeEntropyDescriptor.requires(relativeEntropyDescriptor.paramsSchema.parse({}))).toEqual({
      exact: ['exponential-family', 'gaussian'],
    });
    expect(
      relativeEntropyDescriptor.requires(
        relativeEntropyDescriptor.paramsSchema.parse({ estimator: { use: 'plug-in-blocks' } }),
      ).kinds,
    ).toContain('spins');
  });
});

describe('relative-entropy plug-in: non-finite bootstrap replicates', () => {
  it('are counted and reported, with no standard error claimed, instead of being dropped', async () => {
    // Construction A, D(p_ref ‖ q_cur), needs every reference pattern in q. The reference has [1, −1] in 10 of 40 rows,
    // the current site in 1 of 40: resamples of the current rows that miss it give D = ∞.
    const rows = (patterns: number[][]): Observation => ({
      system: 's',
      site: { axis: 'rg-step', index: 0 },
      kind: 'spins',
      data: Int8Array.from(patterns.flat()),
      shape: [patterns.length, 2],
      meta: {},
    });
    const reference = rows([...Array.from({ length: 30 }, () => [1, 1]), ...Array.from({ length: 10 }, () => [1, -1])]);
    const current = {
      ...rows([...Array.from({ length: 39 }, () => [1, 1]), [1, -1]]),
      site: { axis: 'rg-step', index: 1 },
    };
    const [, m] = await measure(
      relativeEntropyDescriptor,
      { estimator: { use: 'plug-in-blocks', blockLength: 2, rate: 'block', bootstrap: 50 } },
      [reference, current],
    );
    expect(Number.isFinite(m!.value)).toBe(true);
    const uncertainty = m!.meta['uncertainty'] as { nonFiniteReplicates: number; note: string };
    // P(a resample of 40 rows misses the one [1, −1] row) = (39/40)^40 ≈ 0.36: about 18 of 50 replicates.
    expect(uncertainty.nonFiniteReplicates).toBeGreaterThan(5);
    expect(uncertainty.note).toMatch(/not finite: no standard error/);
    expect(m!.uncertainty).toBeUndefined();
  });
});
