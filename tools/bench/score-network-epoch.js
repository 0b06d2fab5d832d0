#!/usr/bin/env node
// Bench workload (system-diffusion): one training epoch of the Neural Entropy authors' score network on a D = 6
// random 5-component mixture: hidden [512, 256], 256 Fourier frequencies per branch, batch 32, 10 throws per point,
// Adam lr 1e-4 (denoising score matching in the entropy-matching parametrisation). Usage:
//   node tools/bench/score-network-epoch.js [N=8192] [reps=1]
// Prints one JSON line {"ms": <median ms per epoch>, "samples": N}. The NumPy twin is score_network_epoch_numpy.py.
const path = require('node:path');
const root = path.resolve(__dirname, '..', '..');
const { RandomStream } = require(path.join(root, 'packages/core/dist/index.js'));
const { kernelsFor } = require(path.join(root, 'packages/kernels/dist/index.js'));
const d = require(path.join(root, 'packages/system-diffusion/dist/index.js'));

(async () => {
  const N = Number(process.argv[2] ?? 8192);
  const reps = Number(process.argv[3] ?? 1);
  const kernels = kernelsFor({ id: 'cpu' });
  const process_ = new d.VariancePreservingProcess('vp', 1);
  const mixture = d.randomMixture(6, RandomStream.fromSeed(32).split('mixture'));
  const x = Float32Array.from(mixture.sample(N, RandomStream.fromSeed(1)));
  const net = new d.ScoreNetwork({ dimension: 6, random: RandomStream.fromSeed(2) }).withKernels(kernels);
  const trainer = new d.EntropyMatchingTrainer(
    net,
    process_,
    x,
    N,
    { batchSize: 32, throws: 10, learningRate: 1e-4, likelihoodWeighting: false },
    kernels,
  );
  await trainer.step(
    Int32Array.from({ length: 32 }, (_, i) => i),
    RandomStream.fromSeed(3),
  ); // warm-up
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    await trainer.epoch(RandomStream.fromSeed(4).split(`epoch:${r}`));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], samples: N }));
  process.exit(0);
})();
