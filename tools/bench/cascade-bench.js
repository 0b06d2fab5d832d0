#!/usr/bin/env node
// One epoch of cascade training (@entroscope/system-cascade CascadeNetwork, built dist) over MNIST training images:
// untrained 'wide' tanh network of depth 20 (18 blocks 784→784, then 784→400, 400→10), one Adam step per
// auxiliary map per minibatch of 64, shuffled. Same arithmetic as tools/bench/cascade_numpy.py. Prints one JSON
// line with the epoch's wall time in ms. Usage: npm run build && node tools/bench/cascade-bench.js [images] [depth]
const { RandomStream } = require('@entroscope/core');
const { MnistDataset } = require('@entroscope/datasets');
const { kernelsFor } = require('@entroscope/kernels');
const { minibatches } = require('@entroscope/nn');
const { CascadeNetwork, cascadeWidths } = require('@entroscope/system-cascade');

async function main() {
  const images = Number(process.argv[2] ?? 60000);
  const depth = Number(process.argv[3] ?? 20);
  const set = MnistDataset.open('train');
  const x = set.readImages(0, images);
  set.close();
  const kernels = kernelsFor({ id: 'cpu' });
  const net = new CascadeNetwork(cascadeWidths('wide', depth, 784), 1.76, 0.05, RandomStream.fromSeed(1));
  const batches = minibatches(images, 64, { shuffle: true, random: RandomStream.fromSeed(2) });
  const buffer = new Float32Array(64 * 784);
  // Warm-up (JIT, wasm compilation) on 3 batches of a throw-away copy.
  const warm = new CascadeNetwork(cascadeWidths('wide', depth, 784), 1.76, 0.05, RandomStream.fromSeed(3));
  for (let s = 0; s < 3; s++) await warm.trainBatch(x.subarray(s * 64 * 784, (s + 1) * 64 * 784), 64, kernels);
  const start = process.hrtime.bigint();
  let check = 0;
  for (const b of batches) {
    const batch = buffer.subarray(0, b.length * 784);
    for (let r = 0; r < b.length; r++) batch.set(x.subarray(b[r] * 784, (b[r] + 1) * 784), r * 784);
    const losses = await net.trainBatch(batch, b.length, kernels);
    check = losses[0];
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ workload: 'cascade-epoch', impl: 'typescript', images, depth, ms, check }));
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
