import { collect, describeSystemConformance } from '@entroscope/testing';
import type { ExponentialFamilyExact } from '@entroscope/core';
import { CRITICAL_COUPLING_2D as Kc, freeEnergy2d, nearestNeighbourCorrelation2d } from './ising-2d-exact';
import { flowTrajectory, kadanoffFlow, twoCouplingFlow } from './ising-2d-flows';
import { ISING_2D_FAMILY, ising2dDescriptor } from './ising-2d-system';

describeSystemConformance(ising2dDescriptor, [
  { K: 0.3, steps: 5 },
  { K: 0.4, steps: 2, flow: 'two-coupling', lattice: 16 },
  { K: 0.4, steps: 2, monteCarlo: { L: 16, sweeps: 50, configurations: 10 } },
  { K: 0.5, steps: 1, monteCarlo: { L: 8, algorithm: 'metropolis', sweeps: 50, configurations: 8, map: 'block-spin', layout: 'patches' } },
]);

describe('ising-2d system', () => {
  it('carries the truncated flow as an Onsager exponential family on rg-step sites', async () => {
    const observations = await collect(ising2dDescriptor, { K: 0.4, steps: 5 });
    const flow = flowTrajectory(kadanoffFlow, 0.4, 5);
    observations.forEach((o, n) => {
      const exact = o.exact as ExponentialFamilyExact;
      expect(o.site).toMatchObject({ axis: 'rg-step', index: n });
      expect(exact.family).toBe(ISING_2D_FAMILY);
      expect(exact.natural).toEqual([flow[n]![0]]);
      expect(exact.siteFraction).toBeCloseTo(2 ** -n, 15);
      expect(exact.exactMarginal).toBe(n === 0);
      expect(exact.logPartition([0.3])).toBe(freeEnergy2d(0.3));
      expect(exact.meanStatistics([0.3])).toEqual([2 * nearestNeighbourCorrelation2d(0.3)]);
      expect(o.meta['flow']).toBe('kadanoff');
    });
    // 0.4 < K* = 0.507: the flow goes to the disordered fixed point, whose coupling is 0.
    expect((observations[0]!.exact as ExponentialFamilyExact).flowLimit).toEqual([0]);
  });

  it('projects the two-coupling flow onto the nearest-neighbour family by K_eff = K + L', async () => {
    const observations = await collect(ising2dDescriptor, { K: 0.45, steps: 3, flow: 'two-coupling' });
    const flow = flowTrajectory(twoCouplingFlow, 0.45, 3);
    observations.forEach((o, n) => expect((o.exact as ExponentialFamilyExact).natural[0]).toBeCloseTo(flow[n]![0]! + flow[n]![1]!, 15));
    expect(observations[0]!.meta['flowPhase']).toBe('ordered');
    expect((observations[0]!.exact as ExponentialFamilyExact).flowLimit).toBeUndefined();
  });

  it('decimation halves the lattice per step and keeps the sampled spins (exact marginal samples)', async () => {
    const observations = await collect(ising2dDescriptor, { K: Kc, steps: 2, monteCarlo: { L: 16, sweeps: 40, configurations: 4 } });
    expect(observations.map((o) => o.shape)).toEqual([[4, 16, 16], [4, 8, 8], [4, 4, 4]]);
    const [a, b] = [observations[0]!.data!, observations[1]!.data!];
    expect(b[8 * 8 + 3 * 8 + 5]).toBe(a[16 * 16 + 6 * 16 + 10]);
    expect(observations[0]!.meta['monteCarlo']).toMatchObject({ algorithm: 'wolff', L: 16 });
  });

  it('refuses more steps than the simulated lattice can be halved, saying why', () => {
    const result = ising2dDescriptor.paramsSchema.safeParse({ K: 0.3, steps: 4, monteCarlo: { L: 16 } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/L \/ 2\^steps/);
  });
});
