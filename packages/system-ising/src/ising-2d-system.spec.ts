import { collect, describeSystemConformance } from '@entroscope/testing';
import type { ExponentialFamilyExact } from '@entroscope/core';
import { CRITICAL_COUPLING_2D as Kc, freeEnergy2d, nearestNeighbourCorrelation2d } from './ising-2d-exact';
import { flowTrajectory, kadanoffFlow, migdalKadanoffFlow, twoCouplingFlow } from './ising-2d-flows';
import { ISING_2D_FAMILY, ising2dDescriptor } from './ising-2d-system';

describeSystemConformance(ising2dDescriptor, [
  { K: 0.3, steps: 5 },
  { K: 0.4, steps: 2, flow: 'two-coupling', lattice: 16 },
  { K: 0.4, steps: 2, monteCarlo: { L: 16, sweeps: 50, configurations: 10 } },
  {
    K: 0.5,
    steps: 1,
    monteCarlo: { L: 8, algorithm: 'metropolis', sweeps: 50, configurations: 8, map: 'block-spin', layout: 'patches' },
  },
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
    observations.forEach((o, n) =>
      expect((o.exact as ExponentialFamilyExact).natural[0]).toBeCloseTo(flow[n]![0]! + flow[n]![1]!, 15),
    );
    expect(observations[0]!.meta['flowPhase']).toBe('ordered');
    expect((observations[0]!.exact as ExponentialFamilyExact).flowLimit).toBeUndefined();
  });

  it('decimation halves the lattice per step and keeps the sampled spins (exact marginal samples)', async () => {
    const observations = await collect(ising2dDescriptor, {
      K: Kc,
      steps: 2,
      monteCarlo: { L: 16, sweeps: 40, configurations: 4 },
    });
    expect(observations.map((o) => o.shape)).toEqual([
      [4, 16, 16],
      [4, 8, 8],
      [4, 4, 4],
    ]);
    const [a, b] = [observations[0]!.data!, observations[1]!.data!];
    expect(b[8 * 8 + 3 * 8 + 5]).toBe(a[16 * 16 + 6 * 16 + 10]);
    expect(observations[0]!.meta['monteCarlo']).toMatchObject({ algorithm: 'wolff', L: 16 });
  });

  it.each([
    ['decimation', 'kadanoff', 2],
    ['block-spin', 'kadanoff', 2],
    ['decimation', 'two-coupling', 2],
    ['decimation', 'migdal-kadanoff', 1],
  ] as const)(
    'map %s with flow %s: the exact description at rg-step n is %d·n flow steps, on the same (L/2ⁿ)² lattice as the samples',
    async (map, flowId, perStep) => {
      const L = 16;
      const observations = await collect(ising2dDescriptor, {
        K: 0.4,
        steps: 3,
        flow: flowId,
        monteCarlo: { L, sweeps: 20, configurations: 2, map },
      });
      const flow = { kadanoff: kadanoffFlow, 'two-coupling': twoCouplingFlow, 'migdal-kadanoff': migdalKadanoffFlow }[
        flowId
      ];
      const trajectory = flowTrajectory(flow, 0.4, 3 * perStep);
      observations.forEach((o, n) => {
        const exact = o.exact as ExponentialFamilyExact;
        const side = (o.meta['samples'] as { latticeSide: number }).latticeSide;
        expect(side).toBe(L / 2 ** n);
        expect(o.shape).toEqual([2, side, side]);
        // Same lattice: the description's fraction of the original sites is the sampled lattice's.
        expect(Math.abs(exact.siteFraction * L * L - side * side)).toBeLessThan(1e-9);
        expect(o.meta['lengthScale']).toBeCloseTo(2 ** n, 12);
        expect(o.meta['flowStep']).toBe(perStep * n);
        expect(exact.natural[0]).toBeCloseTo(flow.nearestNeighbour(trajectory[perStep * n]!), 14);
      });
    },
  );

  it("map 'flow' and exact-only sites stay one flow step per rg-step (samples on the full lattice at K_n)", async () => {
    const observations = await collect(ising2dDescriptor, {
      K: 0.3,
      steps: 2,
      monteCarlo: { L: 8, sweeps: 20, configurations: 2, map: 'flow' },
    });
    const trajectory = flowTrajectory(kadanoffFlow, 0.3, 2);
    observations.forEach((o, n) => {
      expect((o.exact as ExponentialFamilyExact).natural).toEqual([trajectory[n]![0]]);
      expect(o.meta['flowStep']).toBe(n);
      expect((o.meta['samples'] as { sampledCoupling: number }).sampledCoupling).toBe(trajectory[n]![0]);
    });
  });

  it('refuses more steps than the simulated lattice can be halved, saying why', () => {
    const result = ising2dDescriptor.paramsSchema.safeParse({ K: 0.3, steps: 4, monteCarlo: { L: 16 } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(/L \/ 2\^steps/);
  });
});
