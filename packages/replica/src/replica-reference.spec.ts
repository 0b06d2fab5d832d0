import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { StochasticLayer, StochasticNetworkExact } from '@entroscope/core';
import { replicaLayers } from './stochastic-network';

/**
 * Fast case only; the ReLU, probit and spectral cases (the NumPy side takes minutes) are in the .long.spec.
 * The second implementation (tools/replica_reference.py, NumPy/SciPy, written separately: Gauss–Hermite from NumPy,
 * a dense trapezoid grid for the ReLU channel's observation integral, its own iteration loops) must give the same
 * H, H(h|x) and I per layer. Tolerance 1e-6 nats per input: the two ReLU quadratures differ by ≲ 1e-8 (measured),
 * and the fixed points are iterated to Σ|ΔV| < 1e-12 on both sides. Skipped, saying so, when python3 lacks numpy/scipy.
 */
const script = path.resolve(__dirname, '../../../tools/replica_reference.py');
const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
const available = python.status === 0;

const g = (inputs: number, outputs: number, channel: string, noiseVariance: number, variance = 1): StochasticLayer => ({
  inputs,
  outputs,
  ensemble: { kind: 'gaussian-iid', variance },
  channel,
  noiseVariance,
});
const cases: Array<[string, StochasticNetworkExact]> = [
  [
    'linear–linear, noisy inner layer, bimodal input',
    {
      type: 'stochastic-network',
      prior: { kind: 'bimodal', pPlus: 0.5 },
      inputDimension: 100,
      layers: [g(100, 150, 'linear', 0.05), g(150, 100, 'linear', 0.02)],
    },
  ],
];

(available ? describe : describe.skip)(
  `replica formula against the NumPy/SciPy second implementation${available ? '' : ' (skipped: python3 with numpy and scipy not found)'}`,
  () => {
    it.each(cases)('%s', (_name, network) => {
      const doc = {
        network: {
          ...network,
          layers: network.layers.map((l) => ({
            ...l,
            ensemble:
              l.ensemble.kind === 'orthogonally-invariant'
                ? { kind: l.ensemble.kind, spectrum: [...l.ensemble.spectrum] }
                : l.ensemble,
          })),
        },
      };
      const run = spawnSync('python3', [script], { input: JSON.stringify(doc), encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      const reference = JSON.parse(run.stdout) as {
        layers: Array<{ layer: number; entropy: number; conditionalEntropy: number; mutualInformation: number }>;
      };
      const ours = replicaLayers(network);
      expect(ours.map((r) => r.layer)).toEqual(reference.layers.map((r) => r.layer));
      ours.forEach((r, i) => {
        const ref = reference.layers[i]!;
        expect(Math.abs(r.entropyPerInput - ref.entropy)).toBeLessThan(1e-6);
        expect(Math.abs(r.conditionalEntropyPerInput - ref.conditionalEntropy)).toBeLessThan(1e-6);
        expect(Math.abs(r.mutualInformationPerInput - ref.mutualInformation)).toBeLessThan(1e-6);
      });
    });
  },
);
