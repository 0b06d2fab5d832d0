import type { Observation } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import { gramEntropyDescriptor, uniformCorrelationGramEntropy } from './gram-entropy';
import { symmetricEigenvalues } from '@entroscope/estimators';

/** n rows with exact uniform correlation c: x_a = √c e_0 + √(1−c) e_{a+1} (standard basis vectors). */
function equicorrelated(n: number, c: number, index = 0): Observation {
  const d = n + 3;
  const data = new Float64Array(n * d);
  for (let a = 0; a < n; a++) {
    data[a * d] = Math.sqrt(c);
    data[a * d + a + 1] = Math.sqrt(1 - c);
  }
  return {
    system: 's',
    site: { axis: 'layer', index },
    kind: 'activations',
    data,
    shape: [n, d],
    meta: { meanField: { pairCorrelation: c, cStar: c } },
  };
}

describeProbeConformance(gramEntropyDescriptor, [
  { params: {}, observations: async () => [equicorrelated(6, 0.3, 0), equicorrelated(6, 0.8, 1)] },
  {
    params: { estimator: { use: 'matrix-entropy', centre: 'none' }, normalise: 'none', rows: 4 },
    observations: async () => [equicorrelated(6, 0.5)],
  },
]);

describe('Gram-matrix entropy', () => {
  it('uniform-correlation formula ÷ ln n matches the science table (n = 10, 100; c = 0.5, 0.9, 0.99)', () => {
    const table: [number, number, number][] = [
      [10, 0.5, 0.7282640188],
      [10, 0.9, 0.217272333],
      [10, 0.99, 0.0308910084],
      [100, 0.5, 0.644423851],
      [100, 0.9, 0.1688964817],
      [100, 0.99, 0.0219390811],
    ];
    for (const [n, c, s] of table)
      expect(Math.abs(uniformCorrelationGramEntropy(n, c) / Math.log(n) - s)).toBeLessThan(1e-10);
    expect(uniformCorrelationGramEntropy(7, 0) / Math.log(7)).toBeCloseTo(1, 14);
    expect(uniformCorrelationGramEntropy(7, 1)).toBe(0);
  });

  it('Jacobi eigenvalues reproduce a known spectrum (rotated diagonal) to 1e-12', () => {
    const n = 5;
    const spectrum = [0.1, 0.5, 1, 2, 7];
    // A = Q diag Qᵀ with Q a product of two Givens rotations.
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    const rotate = (p: number, r: number, t: number) => {
      for (let k = 0; k < n; k++) {
        const a = q[k * n + p]!;
        const b = q[k * n + r]!;
        q[k * n + p] = Math.cos(t) * a - Math.sin(t) * b;
        q[k * n + r] = Math.sin(t) * a + Math.cos(t) * b;
      }
    };
    rotate(0, 3, 0.7);
    rotate(1, 4, -1.1);
    rotate(2, 3, 0.4);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k]! * spectrum[k]! * q[j * n + k]!;
    Array.from(symmetricEigenvalues(a, n)).forEach((v, i) => expect(Math.abs(v - spectrum[i]!)).toBeLessThan(1e-12));
  });

  it('on exactly equicorrelated rows (centre none) equals S(c) to 1e-12, and overlays the mean-field S(c^ℓ)', async () => {
    for (const c of [0.2, 0.5, 0.9]) {
      const [m] = await measure(gramEntropyDescriptor, { estimator: { use: 'matrix-entropy', centre: 'none' } }, [
        equicorrelated(10, c),
      ]);
      expect(Math.abs(m!.value - uniformCorrelationGramEntropy(10, c) / Math.log(10))).toBeLessThan(1e-12);
      expect((m!.meta['overlays'] as Record<string, number>)['meanField']).toBeCloseTo(m!.value, 12);
    }
    const [nats] = await measure(
      gramEntropyDescriptor,
      { estimator: { use: 'matrix-entropy', centre: 'none' }, normalise: 'none' },
      [equicorrelated(10, 0.5)],
    );
    expect(nats!.value).toBeCloseTo(0.7282640188 * Math.log(10), 9);
  });

  it('is 1 for orthogonal rows and invariant to row scaling and row order', async () => {
    const o = equicorrelated(8, 0);
    const [m] = await measure(gramEntropyDescriptor, { estimator: { use: 'matrix-entropy', centre: 'none' } }, [o]);
    expect(m!.value).toBeCloseTo(1, 12);
    const base = equicorrelated(8, 0.4);
    const scaled = Float64Array.from(base.data as Float64Array);
    const d = base.shape[1]!;
    for (let j = 0; j < d; j++) scaled[3 * d + j]! *= 7;
    const swapped = Float64Array.from(scaled);
    for (let j = 0; j < d; j++) [swapped[j], swapped[5 * d + j]] = [scaled[5 * d + j]!, scaled[j]!];
    const [a] = await measure(gramEntropyDescriptor, {}, [base]);
    const [b] = await measure(gramEntropyDescriptor, {}, [{ ...base, data: swapped }]);
    expect(Math.abs(a!.value - b!.value)).toBeLessThan(1e-12);
  });
});
