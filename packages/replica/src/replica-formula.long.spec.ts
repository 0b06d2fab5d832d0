import { RandomStream, type StochasticLayer, type StochasticNetworkExact } from '@entroscope/core';
import { linearChainInformation } from './linear-algebra';
import { replicaLayer } from './stochastic-network';

/**
 * Larger realised networks than the spec's: exact I(x; h_2) of two square Gaussian linear layers by
 * log-determinants, averaged over independent draws, against the formula's large-width limit. Tolerance: 4 standard
 * errors over the draws plus 2/n₀ for the finite-size bias (measured with NumPy draws for Δ₁ = Δ₂ = 0.01: the mean
 * sits 4.5e-3 ± 1.7e-3 below the limit at n₀ = 150, 7e-4 ± 7e-4 at 600, 1.0e-3 ± 0.2e-3 at 1200, i.e. ≲ 1.2/n₀).
 */
const n = 600;
const layer = (noiseVariance: number): StochasticLayer => ({
  inputs: n,
  outputs: n,
  ensemble: { kind: 'gaussian-iid', variance: 1 },
  channel: 'linear',
  noiseVariance,
});
const network = (d1: number, d2: number): StochasticNetworkExact => ({
  type: 'stochastic-network',
  prior: { kind: 'normal', mean: 0, variance: 1 },
  inputDimension: n,
  layers: [layer(d1), layer(d2)],
});

function draws(seed: number, count: number, d1: number, d2: number): number[] {
  const values: number[] = [];
  for (let draw = 0; draw < count; draw++) {
    const random = RandomStream.fromSeed(seed).split(`draw-${draw}`);
    const matrix = (stream: RandomStream) => {
      const w = new Float64Array(n * n);
      const s = Math.sqrt(1 / n);
      for (let i = 0; i < w.length; i++) w[i] = s * stream.normal();
      return w;
    };
    values.push(linearChainInformation([matrix(random.split('w1')), matrix(random.split('w2'))], [d1, d2], n));
  }
  return values;
}

describe('replica formula against exact log-determinants of realised networks (n₀ = 600, 4 draws)', () => {
  it.each([
    ['noiseless inner layer (reference 1.61415687)', 0, 0.01],
    ['noisy inner layer (the pitfall: output-noise-only value 1.632825)', 0.01, 0.01],
  ])(
    '%s',
    (_name, d1, d2) => {
      const values = draws(21, 4, d1 === 0 ? 1e-12 : d1, d2);
      const mean = values.reduce((s, x) => s + x, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / (values.length - 1));
      const r = replicaLayer(network(d1, d2));
      expect(Math.abs(r.mutualInformationPerInput - mean)).toBeLessThan((4 * sd) / Math.sqrt(values.length) + 2 / n);
    },
    600_000,
  );
});
