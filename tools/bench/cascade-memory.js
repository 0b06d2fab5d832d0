#!/usr/bin/env node
// Memory of the cascade system at depth 150 (wide, width 784) on MNIST: builds the network, streams `batches`
// minibatches of 64 training images through one layer-local training step each (as the system does) and
// reconstructs 100 test images from every depth, then prints the resident set size, the V8 heap and the
// ArrayBuffer bytes against the stated bound (CascadeNetwork.stateBytes + one minibatch + the data set bytes).
// Usage: npm run build && node tools/bench/cascade-memory.js [batches] [depth] [evalImages]
const { RandomStream } = require('@entroscope/core');
const { MnistDataset } = require('@entroscope/datasets');
const { kernelsFor } = require('@entroscope/kernels');
const { CascadeNetwork, cascadeWidths } = require('@entroscope/system-cascade');

async function main() {
  const batches = Number(process.argv[2] ?? 4);
  const depth = Number(process.argv[3] ?? 150);
  const evalImages = Number(process.argv[4] ?? 100);
  const kernels = kernelsFor({ id: 'cpu' });
  const train = MnistDataset.open('train');
  const test = MnistDataset.open('test');
  const net = new CascadeNetwork(cascadeWidths('wide', depth, 784), 1.76, 0.05, RandomStream.fromSeed(1));
  const mib = (b) => Math.round((b / 2 ** 20) * 10) / 10;
  const sample = () => {
    const m = process.memoryUsage();
    return { rss: mib(m.rss), heap: mib(m.heapUsed), arrayBuffers: mib(m.arrayBuffers) };
  };
  const after = [];
  let peak = 0;
  for (let b = 0; b < batches; b++) {
    const x = train.readImages(b * 64, 64);
    await net.trainBatch(x, 64, kernels);
    const s = sample();
    peak = Math.max(peak, s.rss);
    after.push(s);
  }
  const images = test.readImages(0, evalImages);
  await net.reconstruct(images, evalImages, kernels, () => {
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20);
  });
  console.log(
    JSON.stringify({
      depth,
      batches,
      evalImages,
      stateMiB: mib(net.stateBytes()),
      afterBatches: after,
      afterReconstruction: sample(),
      peakRssMiB: Math.round(peak),
    }),
  );
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
