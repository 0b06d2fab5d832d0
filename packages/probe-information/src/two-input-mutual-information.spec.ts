import type { Observation } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import {
  gaussianPairInformation,
  pairCorrelation,
  twoInputMutualInformationDescriptor,
} from './two-input-mutual-information';

/** Two rows at angle ε (and further pairs), as a layer observation with a mean-field block. */
function pairObservation(angles: number[], index = 0, n = 8): Observation {
  const data = new Float32Array(2 * angles.length * n);
  angles.forEach((e, k) => {
    data[2 * k * n] = 1;
    data[(2 * k + 1) * n] = Math.cos(e);
    data[(2 * k + 1) * n + 1 + k] = Math.sin(e);
  });
  return {
    system: 's',
    site: { axis: 'layer', index },
    kind: 'pre-activations',
    data,
    shape: [2 * angles.length, n],
    meta: { meanField: { pairCorrelation: 0.5, cStar: 0.4468042323, xiC: 11.7956, sixXiC: 70.7736 } },
  };
}

describeProbeConformance(twoInputMutualInformationDescriptor, [
  { params: {}, observations: async () => [pairObservation([0.3, 0.5], 0), pairObservation([0.2, 0.1], 1)] },
  {
    params: { estimator: { use: 'mean-field' }, normalise: 'total' },
    observations: async () => [pairObservation([0.3], 0)],
  },
  { params: { estimator: { use: 'ksg', k: 3 } }, observations: async () => [pairObservation([0.3, 0.5], 0, 64)] },
]);

describe('two-input mutual information', () => {
  it('−½ ln(1 − ρ²) matches the bivariate Gaussian MI table (docs/estimators.md, What the tests show; to 1e-10)', () => {
    for (const [rho, mi] of [
      [0.1, 0.0050251679],
      [0.5, 0.1438410362],
      [0.9, 0.8303656034],
      [0.99, 1.9585177736],
      [0.999, 3.1075541117],
    ] as const) {
      expect(Math.abs(gaussianPairInformation(rho) - mi)).toBeLessThan(1e-10);
    }
  });

  it('keeps the relative precision of 1 − c² as c → 1 (float32 rows at angle 1e-3: 1 − c² = sin²ε to 1e-6 relative)', () => {
    const o = pairObservation([1e-3]);
    const { oneMinusC2 } = pairCorrelation(o.data!, 0, 1, 8);
    const cos = Math.fround(Math.cos(1e-3));
    const sin = Math.fround(Math.sin(1e-3));
    const exact = (sin * sin) / (cos * cos + sin * sin);
    expect(Math.abs(oneMinusC2 / exact - 1)).toBeLessThan(1e-6);
  });

  it('averages the per-pair MI over pairs with a standard error, and reports mean-field and fixed-point overlays', async () => {
    const [m] = await measure(twoInputMutualInformationDescriptor, {}, [pairObservation([0.3, 0.6])]);
    const values = [0.3, 0.6].map((e) => -0.5 * Math.log(Math.sin(e) ** 2));
    expect(m!.value).toBeCloseTo((values[0]! + values[1]!) / 2, 5);
    expect(m!.uncertainty).toBeCloseTo(Math.abs(values[0]! - values[1]!) / 2, 5);
    expect(m!.unit).toBe('nat/neuron');
    const overlays = m!.meta['overlays'] as Record<string, number>;
    expect(overlays['meanField']).toBeCloseTo(gaussianPairInformation(0.5), 12);
    // Fixed-point value at σ_w² = 2.5, σ_b² = 0.05: 0.1113430917 per neuron (docs/science/random-mlp-mean-field.md §4).
    expect(Math.abs(overlays['fixedPoint']! - 0.1113430917)).toBeLessThan(1e-9);
    expect(overlays['xi_c']).toBe(11.7956);
  });

  it('total = N × per neuron; mean-field estimator reads the c-map; missing data is a ProbeDataError', async () => {
    const [total] = await measure(twoInputMutualInformationDescriptor, { normalise: 'total' }, [
      pairObservation([0.3]),
    ]);
    expect(total!.value).toBeCloseTo(8 * -0.5 * Math.log(Math.sin(0.3) ** 2), 4);
    const [mf] = await measure(twoInputMutualInformationDescriptor, { estimator: 'mean-field' }, [
      pairObservation([0.3]),
    ]);
    expect(mf!.value).toBeCloseTo(gaussianPairInformation(0.5), 14);
    const single: Observation = { ...pairObservation([0.3]), data: new Float32Array(8), shape: [1, 8] };
    await expect(measure(twoInputMutualInformationDescriptor, {}, [single])).rejects.toThrow(/at least 2 input rows/);
  });
});

describe('two-input mutual information through the estimator registry', () => {
  it("the former names still parse ('sampled' is the uncentred Gaussian estimator), and any registered MI estimator applies per pair", async () => {
    const schema = twoInputMutualInformationDescriptor.paramsSchema;
    expect(schema.parse({ estimator: 'sampled' })).toEqual(schema.parse({}));
    expect((schema.parse({}) as { estimator: unknown }).estimator).toEqual({
      use: 'gaussian',
      biasCorrected: false,
      centre: false,
    });
    expect(() => schema.parse({ estimator: { use: 'ksg', bootstrap: 10 } })).toThrow();
    // Bivariate Gaussian pairs over 4000 "neurons" with correlation 0.9: the per-pair KSG and Gaussian estimates of
    // I = 0.8303656034 agree with it (KSG SD ≈ 0.02 at N = 4000, k = 4; Gaussian SD ≈ 0.008).
    const random = (await import('@entroscope/core')).RandomStream.fromSeed(5);
    const n = 4000;
    const data = new Float32Array(4 * n);
    for (let p = 0; p < 2; p++)
      for (let i = 0; i < n; i++) {
        const a = random.normal();
        data[2 * p * n + i] = a;
        data[(2 * p + 1) * n + i] = 0.9 * a + Math.sqrt(1 - 0.81) * random.normal();
      }
    const o: Observation = {
      system: 's',
      site: { axis: 'layer', index: 0 },
      kind: 'pre-activations',
      data,
      shape: [4, n],
      meta: {},
    };
    const [g] = await measure(twoInputMutualInformationDescriptor, {}, [o]);
    const [k] = await measure(twoInputMutualInformationDescriptor, { estimator: { use: 'ksg' } }, [o]);
    expect(g!.estimator).toBe('gaussian');
    expect(k!.estimator).toBe('ksg');
    expect(Math.abs(g!.value - 0.8303656034)).toBeLessThan(0.04);
    expect(Math.abs(k!.value - 0.8303656034)).toBeLessThan(0.08);
    expect(k!.n).toBe(2);
  });
});
