import type { Observation } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import { jacobianNormDescriptor } from './jacobian-norm-probe';

const site = (index: number, logs: number[], width = 10, mfLog = 0.5): Observation => ({
  system: 's',
  site: { axis: 'layer', index },
  kind: 'pre-activations',
  shape: [1, width],
  meta: {
    width,
    jacobian: { inputs: 1, directions: logs.length, logSquaredNorms: logs },
    meanField: { jacobianLogSquaredNormPerNeuron: mfLog, chi1: 1.2, xiC: 9, sixXiC: 54 },
  },
});

describeProbeConformance(jacobianNormDescriptor, [
  { params: {}, observations: async () => [site(0, [1, 2, 3]), site(1, [2, 2.5, 3.5])] },
  { params: { output: 'log-slope' }, observations: async () => [site(0, [1, 2]), site(1, [2, 2.5])] },
]);

describe('jacobian-norm probe', () => {
  it('ln(‖J‖²/N) = ln mean_u ‖J u‖² − ln N (log-sum-exp), slopes are increments, overlays carry ln χ₁ and the mean field', async () => {
    const logs = [Math.log(20), Math.log(40)];
    const [m0, m1] = await measure(jacobianNormDescriptor, {}, [
      site(0, logs),
      site(
        1,
        logs.map((v) => v + 0.3),
        10,
        0.8,
      ),
    ]);
    expect(m0!.value).toBeCloseTo(Math.log(30 / 10), 12);
    expect(m1!.value - m0!.value).toBeCloseTo(0.3, 12);
    expect(m0!.uncertainty).toBeCloseTo(Math.sqrt(200) / Math.sqrt(2) / 30, 12);
    const [, s1] = await measure(jacobianNormDescriptor, { output: 'log-slope' }, [
      site(0, logs),
      site(
        1,
        logs.map((v) => v + 0.3),
        10,
        0.8,
      ),
    ]);
    expect(s1!.value).toBeCloseTo(0.3, 12);
    const overlays = s1!.meta['overlays'] as Record<string, number>;
    expect(overlays['meanField']).toBeCloseTo(0.3, 12);
    expect(overlays['ln_chi1']).toBeCloseTo(Math.log(1.2), 14);
    expect(overlays['six_xi_c']).toBe(54);
  });

  it('does not overflow: log-norms of 1e4 are fine', async () => {
    const [m] = await measure(jacobianNormDescriptor, {}, [site(0, [1e4, 1e4 + 1])]);
    expect(m!.value).toBeCloseTo(1e4 + Math.log((1 + Math.E) / 2) - Math.log(10), 8);
  });

  it('without meta.jacobian: a ProbeDataError naming the system option', async () => {
    await expect(measure(jacobianNormDescriptor, {}, [{ ...site(0, [1]), meta: { width: 3 } }])).rejects.toThrow(
      /jacobian option/,
    );
  });
});
