#!/usr/bin/env node
// The replica formula (@entroscope/replica, built) for a 3-layer network of width N: x ~ N(0, 1)^N, layers
// ReLU (Δ = 0.01), ReLU (Δ = 0.01), linear (Δ = 0.01), orthogonally invariant weights whose WᵀW spectra are
// deterministic (s_i² with s_i = 0.5 + i/N, i = 0…N−1, as a USV layer), so that the NumPy side
// (replica_numpy.py) evaluates exactly the same network. One timed evaluation of H(h_3) and I(x; h_3) (the latter
// includes the conditional network of layers 2–3) after one warm-up. Prints {"ms": …, "value": I per input}.
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const { replicaLayer } = require(path.join(root, 'packages/replica/dist'));

const n = Number(process.argv[2] ?? 1000);
const spectrum = Float64Array.from({ length: n }, (_, i) => (0.5 + i / n) ** 2);
const layer = (channel) => ({
  inputs: n,
  outputs: n,
  ensemble: { kind: 'orthogonally-invariant', spectrum },
  channel,
  noiseVariance: 0.01,
});
const network = {
  type: 'stochastic-network',
  prior: { kind: 'normal', mean: 0, variance: 1 },
  inputDimension: n,
  layers: [layer('relu'), layer('relu'), layer('linear')],
};
replicaLayer(network, 3);
const t = process.hrtime.bigint();
const r = replicaLayer(network, 3);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
console.log(JSON.stringify({ ms, value: r.mutualInformationPerInput, entropy: r.entropyPerInput, method: r.solution.method, iterations: r.solution.iterations }));
