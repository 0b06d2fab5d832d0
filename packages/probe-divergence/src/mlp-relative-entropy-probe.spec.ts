import type { Observation } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import { gaussianKlPerNeuron, mlpRelativeEntropyDescriptor } from './mlp-relative-entropy-probe';

/** A layer observation: rows given explicitly, and push-forward samples given as explicit vectors. */
function layer(index: number, rows: number[][], samples: number[][], meanFieldQ = 0.5, meanFieldQ0 = 0.3): Observation {
  const n = rows[0]!.length;
  return {
    system: 's',
    site: { axis: 'layer', index },
    kind: 'pre-activations',
    data: Float32Array.from(rows.flat()),
    shape: [rows.length, n],
    meta: {
      sigmaW2: 2,
      meanField: { q: meanFieldQ, qStar: 0.72, xiC: 25.2, sixXiC: 151.3 },
      pushforward: {
        image: rows.length - 1,
        samples: samples.length,
        referenceMean: 0,
        referenceVariance: 1,
        rowSums: samples.map((s) => s.reduce((a, b) => a + b, 0)),
        rowSquareSums: samples.map((s) => s.reduce((a, b) => a + b * b, 0)),
        meanFieldQ,
        meanFieldQ0,
      },
    },
  };
}

const l0 = layer(
  0,
  [
    [9, 9, 9, 9],
    [1, -1, 2, 0],
  ],
  [
    [0.1, 0.2, 0.3, 0.4],
    [1, 1, 1, 1],
    [-1, 0, 2, 0.5],
  ],
);
const l1 = layer(
  1,
  [
    [5, 5, 5, 5],
    [2, 0, -1, 3],
  ],
  [
    [1, 2, 0, 1],
    [0.5, 0.5, -0.5, 1],
    [3, 1, 0, -1],
  ],
  0.6,
);

describeProbeConformance(mlpRelativeEntropyDescriptor, [
  { params: {}, observations: async () => [l0, l1] },
  { params: { estimator: { use: 'gaussian-fit', fit: 'pooled' } }, observations: async () => [l0, l1] },
]);

describe("mlp-relative-entropy: the authors' Monte Carlo quantity", () => {
  it('D_0 = 0 and D_1 = −(N₀/2)ln(2πeσ₀²) + (N₁/2)ln(2πσ₁²) + ⟨‖F − μ₁‖²⟩/(2σ₁²) on the last image (direct evaluation)', async () => {
    const [d0, d1] = await measure(mlpRelativeEntropyDescriptor, {}, [l0, l1]);
    expect(d0!.value).toBe(0);
    const fit = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { m, s: v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length };
    };
    const f0 = fit([1, -1, 2, 0]);
    const f1 = fit([2, 0, -1, 3]);
    const samples = [
      [1, 2, 0, 1],
      [0.5, 0.5, -0.5, 1],
      [3, 1, 0, -1],
    ];
    const sq = samples.map((s) => s.reduce((a, b) => a + (b - f1.m) ** 2, 0));
    const expected =
      -2 * Math.log(2 * Math.PI * Math.E * f0.s) +
      2 * Math.log(2 * Math.PI * f1.s) +
      sq.reduce((a, b) => a + b, 0) / 3 / (2 * f1.s);
    expect(Math.abs(d1!.value - expected)).toBeLessThan(1e-6);
    const mean = sq.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(sq.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    expect(d1!.uncertainty).toBeCloseTo(sd / Math.sqrt(3) / (2 * f1.s), 6);
    // Mean-field overlay (N/2) ln(q^1/q^0) for equal widths; asymptote (N/2) ln(q*/q^0).
    const overlays = d1!.meta['overlays'] as Record<string, number>;
    expect(overlays['meanField']).toBeCloseTo(2 * Math.log(0.6 / 0.3), 12);
    expect(overlays['asymptote']).toBeCloseTo(2 * Math.log(0.72 / 0.3), 12);
    expect(overlays['xi_c']).toBe(25.2);
  });

  it("'authors' normalisation divides by (N₀/2) ln(2πe σ_w²)", async () => {
    const [raw, norm] = await Promise.all([
      measure(mlpRelativeEntropyDescriptor, {}, [l0, l1]),
      measure(mlpRelativeEntropyDescriptor, { estimator: { use: 'authors-monte-carlo', normalise: 'authors' } }, [
        l0,
        l1,
      ]),
    ]);
    expect(norm[1]!.value).toBeCloseTo(raw[1]!.value / (2 * Math.log(2 * Math.PI * Math.E * 2)), 10);
    expect(norm[1]!.unit).toBe('dimensionless');
  });

  it('is not a KL divergence: it goes negative when the layer is much narrower than the reference layer', async () => {
    const tight = layer(
      1,
      [
        [0, 0, 0, 0],
        [0.1, -0.1, 0.1, -0.1],
      ],
      [
        [0.1, -0.1, 0.1, -0.1],
        [0.1, -0.1, 0.1, -0.1],
      ],
    );
    const [, d] = await measure(mlpRelativeEntropyDescriptor, {}, [l0, tight]);
    expect(d!.value).toBeLessThan(0);
  });

  it('needs pre-activations and the push-forward sums (clear errors)', async () => {
    await expect(measure(mlpRelativeEntropyDescriptor, {}, [{ ...l0, kind: 'activations' }])).rejects.toThrow(
      /defined on pre-activations/,
    );
    await expect(measure(mlpRelativeEntropyDescriptor, {}, [{ ...l0, meta: {} }])).rejects.toThrow(
      /pushforward option/,
    );
  });
});

describe('mlp-relative-entropy: true KL between Gaussian fits', () => {
  it('per-neuron KL matches the closed forms KL(N(0,1)‖N(1,4)) = 0.4431471806 and its reverse 1.3068528194 (to 1e-10)', () => {
    expect(Math.abs(gaussianKlPerNeuron(0, 1, 1, 4) - 0.4431471806)).toBeLessThan(1e-10);
    expect(Math.abs(gaussianKlPerNeuron(1, 4, 0, 1) - 1.3068528194)).toBeLessThan(1e-10);
  });

  it('fits the chosen image (ddof 0), totals over N_ℓ, and swaps arguments for construction C', async () => {
    const a = layer(
      0,
      [[-1, 1, -1, 1]],
      [
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ],
    ); // N(0, 1)
    const b = layer(
      1,
      [[-1, 3, -1, 3]],
      [
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ],
    ); // N(1, 4)
    const [k0, kA] = await measure(mlpRelativeEntropyDescriptor, { estimator: { use: 'gaussian-fit' } }, [a, b]);
    expect(k0!.value).toBe(0);
    expect(Math.abs(kA!.value - 4 * 0.4431471806)).toBeLessThan(1e-9);
    const [, kC] = await measure(
      mlpRelativeEntropyDescriptor,
      { estimator: { use: 'gaussian-fit', construction: 'C', normalise: 'perNeuron' } },
      [a, b],
    );
    expect(Math.abs(kC!.value - 1.3068528194)).toBeLessThan(1e-9);
    expect(kC!.unit).toBe('nat/neuron');
    // Mean-field overlay: ½[q⁰/q^ℓ − 1 − ln(q⁰/q^ℓ)] per neuron from meta.meanField.q (0.5 at both sites here).
    expect((kA!.meta['overlays'] as Record<string, number>)['meanField']).toBe(0);
  });
});
