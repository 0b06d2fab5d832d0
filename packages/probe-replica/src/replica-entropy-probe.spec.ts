import type { Observation, StochasticLayer, StochasticNetworkExact } from '@entroscope/core';
import { describeProbeConformance, measure } from '@entroscope/testing';
import { replicaEntropyDescriptor } from './replica-entropy-probe';

const layer = (inputs: number, outputs: number, noiseVariance: number, channel = 'linear'): StochasticLayer => ({
  inputs,
  outputs,
  ensemble: { kind: 'gaussian-iid', variance: 1 },
  channel,
  noiseVariance,
});
const at = (index: number, layers: StochasticLayer[], system = 'net'): Observation => {
  const exact: StochasticNetworkExact = {
    type: 'stochastic-network',
    prior: { kind: 'normal', mean: 0, variance: 1 },
    inputDimension: layers[0]!.inputs,
    layers,
  };
  return {
    system,
    site: { axis: 'layer', index },
    kind: 'activations',
    shape: [0, layers[index - 1]!.outputs],
    exact,
    meta: {},
  };
};
const chain = (deltas: number[]) => deltas.map((d) => layer(100, 100, d));
/** A 2-layer network observed at both layers (each site's description holds the layers up to it). */
const sweep = (d1: number, d2: number) => [at(1, chain([d1])), at(2, chain([d1, d2]))];

describeProbeConformance(replicaEntropyDescriptor, [
  { params: {}, observations: async () => sweep(0.01, 0.01) },
  { params: { quantity: 'entropy', normalisation: 'total' }, observations: async () => sweep(0.1, 0.01) },
]);

describe('replica-entropy', () => {
  it('reproduces the two-layer reference values (noiseless inner layer, Δ_out = 0.01) at 8 digits', async () => {
    const [mi] = await measure(replicaEntropyDescriptor, {}, [at(2, chain([0, 0.01]))]);
    const [h] = await measure(replicaEntropyDescriptor, { quantity: 'entropy', normalisation: 'total' }, [
      at(2, chain([0, 0.01])),
    ]);
    expect(mi!.unit).toBe('nat/input');
    expect(Math.abs(mi!.value - 1.61415687)).toBeLessThan(5e-9);
    expect(h!.unit).toBe('nat');
    expect(Math.abs(h!.value - 100 * 0.73051031)).toBeLessThan(100 * 5e-9);
    expect(mi!.meta.conditionalMethod).toBe('output-noise');
    expect(mi!.n).toBeNull();
  });

  it('avoids the pitfall: with a noisy inner layer the value is the true I, not φ + α̃ψ_out(0) = 1.632825', async () => {
    const [m] = await measure(replicaEntropyDescriptor, {}, [at(2, chain([0.01, 0.01]))]);
    expect(Math.abs((m!.meta.outputNoiseOnlyMutualInformationPerInput as number) - 1.632825)).toBeLessThan(5e-7);
    // The true value (checked against exact log-determinants of realised networks in @entroscope/replica) ≈ 1.3426.
    expect(Math.abs(m!.value - 1.3426)).toBeLessThan(1e-3);
    expect(m!.meta.conditionalMethod).toBe('conditional-network');
    const [h] = await measure(replicaEntropyDescriptor, { quantity: 'entropy' }, [at(2, chain([0.01, 0.01]))]);
    const [c] = await measure(replicaEntropyDescriptor, { quantity: 'conditional-entropy' }, [
      at(2, chain([0.01, 0.01])),
    ]);
    expect(Math.abs(h!.value - c!.value - m!.value)).toBeLessThan(1e-12);
  });

  it('gives ½⟨ln(1 + λ/Δ)⟩ for a layer described by its spectrum (orthogonally invariant weights)', async () => {
    const spectrum = Float64Array.from({ length: 40 }, (_, i) => 0.2 + (3 * i) / 39);
    const o = at(1, [
      {
        inputs: 40,
        outputs: 60,
        ensemble: { kind: 'orthogonally-invariant', spectrum },
        channel: 'linear',
        noiseVariance: 0.05,
      },
    ]);
    const [m] = await measure(replicaEntropyDescriptor, {}, [o]);
    const exact = spectrum.reduce((s, l) => s + 0.5 * Math.log1p(l / 0.05), 0) / 40;
    expect(Math.abs(m!.value - exact)).toBeLessThan(1e-8);
  });

  it('refuses, naming system, site and layer: unstructured weights, unknown channels, missing noise, no description', async () => {
    const unstructured = at(
      2,
      [layer(20, 20, 0), { ...layer(20, 20, 0.1), ensemble: { kind: 'unstructured' } }],
      'trained',
    );
    await expect(measure(replicaEntropyDescriptor, {}, [unstructured])).rejects.toThrow(
      /system 'trained', site layer=2, layer 2: .*layer 2\)\.ensemble: .*got 'unstructured'/,
    );
    await expect(measure(replicaEntropyDescriptor, {}, [at(1, [layer(20, 20, 0.1, 'tanh')])])).rejects.toThrow(
      /site layer=1, layer 1: .*channel: the replica formula knows the channels 'linear', 'relu', 'probit', got 'tanh'/,
    );
    await expect(measure(replicaEntropyDescriptor, {}, [at(1, [layer(20, 20, 0)])])).rejects.toThrow(
      /layer 1\)\.noiseVariance: the observed layer needs noise/,
    );
    await expect(
      measure(replicaEntropyDescriptor, {}, [at(2, [layer(20, 20, 0, 'probit'), layer(20, 20, 0.1)])]),
    ).rejects.toThrow(/layer 1\)\.noiseVariance: an inner 'probit' layer has discrete values and needs noise/);
    const bare: Observation = {
      system: 'net',
      site: { axis: 'layer', index: 1 },
      kind: 'activations',
      shape: [5, 2],
      data: new Float64Array(10),
      meta: {},
    };
    await expect(measure(replicaEntropyDescriptor, {}, [bare])).rejects.toThrow(
      /expected an exact description of type 'stochastic-network'.*got none/,
    );
  });

  it('rejects unknown parameters and out-of-range settings', () => {
    expect(replicaEntropyDescriptor.paramsSchema.safeParse({ quantity: 'kl' }).success).toBe(false);
    expect(replicaEntropyDescriptor.paramsSchema.safeParse({ tolerance: 0 }).success).toBe(false);
    expect(replicaEntropyDescriptor.requires(replicaEntropyDescriptor.paramsSchema.parse({}))).toEqual({
      exact: ['stochastic-network'],
    });
  });
});
