#!/usr/bin/env node
// One MNIST training epoch through @entroscope/nn (built) and through tools/nn_reference.py (NumPy, float32, one
// BLAS thread, OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset) from the same initial weights and batch order.
// Prints one JSON line: both times, the largest loss difference over the epoch, and this process's memory.
// Usage: node tools/bench/nn-epoch.js --depth=20 [--width=784] [--second=400] [--count=60000] [--batch=64] [--numpy-first]
//        [--engine=wasm] [--steps=N]
//        [--no-numpy]. Network: `depth` dense layers, 784 → width → … → width (→ second) → 10, tanh after
//        every hidden layer, logits out; N(0, 1.5/fan_in) weights, N(0, 0.05) biases; cross-entropy; SGD lr 0.005
//        momentum 0.8; batches in order (unshuffled), the last partial batch kept.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RandomStream } = require('@entroscope/core');
const { kernelsFor, setOnnxGemmEnabled, onnxGemmEnabled } = require('@entroscope/kernels');
const { MnistDataset, defaultMnistDirectory } = require('@entroscope/datasets');
const nn = require('@entroscope/nn');

const arg = (name, fallback) => {
  const a = process.argv.find((v) => v.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
const depth = arg('depth', 20);
const width = arg('width', 784);
const count = arg('count', 60000);
const batchSize = arg('batch', 64);
const steps = arg('steps', 0); // > 0: only the first `steps` batches (memory measurements on the full data set)
const second = arg('second', 0); // width of the last hidden layer (the authors' 400), 0 = same width
const numpyFirst = process.argv.includes('--numpy-first');
const noNumpy = process.argv.includes('--no-numpy');
// --engine=wasm: the cpu backend's dense products on the WebAssembly engine instead of ONNX Runtime (ablation).
const engine = (process.argv.find((v) => v.startsWith('--engine=')) || '--engine=default').slice(9);
const MiB = 2 ** 20;

function numpyEnv() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

async function main() {
  if (engine === 'wasm') setOnnxGemmEnabled(false);
  const rssStart = process.memoryUsage().rss;
  const train = MnistDataset.open('train');
  const examples = nn.labelledExamples(train.readImages(0, count), 784, train.readLabels(0, count));
  train.close();
  const widths = [784, ...Array.from({ length: depth - 1 }, () => width), 10];
  if (second > 0 && depth >= 2) widths[depth - 1] = second;
  const random = RandomStream.fromSeed(20);
  const model = nn.mlp({
    widths,
    activation: 'tanh',
    weightInit: nn.normalFanIn(1.5),
    biasInit: nn.normal(0.05),
    random: random.split('init'),
  });
  const initial = nn.snapshotParameters(model);
  const allBatches = nn.minibatches(count, batchSize, { shuffle: false });
  const batches = steps > 0 ? allBatches.slice(0, steps) : allBatches;
  const kernels = kernelsFor({ id: 'cpu' });
  const optimiserSpec = { lr: 0.005, momentum: 0.8 };

  // Warm-up (JIT, worker threads, GEMM memory), then back to the initial weights.
  await nn.trainEpoch({
    model,
    loss: nn.crossEntropyFromLogits,
    optimiser: new nn.Sgd(optimiserSpec),
    examples,
    batches: batches.slice(0, 5),
    kernels,
  });
  nn.restoreParameters(model, initial);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-epoch-'));
  const parameters = initial.parameters.map((p, i) => {
    fs.writeFileSync(
      path.join(dir, `p${i}.f32`),
      Buffer.from(p.values.buffer, p.values.byteOffset, p.values.byteLength),
    );
    return { name: p.name, shape: p.shape, file: `p${i}.f32` };
  });
  fs.writeFileSync(
    path.join(dir, 'batches.i32'),
    Buffer.from(Int32Array.from(batches.flatMap((b) => Array.from(b))).buffer),
  );
  fs.writeFileSync(
    path.join(dir, 'run.json'),
    JSON.stringify({
      mnist: defaultMnistDirectory(),
      count,
      widths,
      hidden: 'tanh',
      output: 'none',
      loss: 'cross-entropy',
      batches: 'batches.i32',
      batchSizes: batches.map((b) => b.length),
      optimiser: { kind: 'sgd', ...optimiserSpec },
      parameters,
    }),
  );
  const runNumpy = () =>
    JSON.parse(
      execFileSync('python3', [path.join(__dirname, '..', 'nn_reference.py'), dir], {
        encoding: 'utf8',
        env: numpyEnv(),
        maxBuffer: 64 * MiB,
      })
        .trim()
        .split('\n')
        .pop(),
    );

  let numpy = null;
  if (numpyFirst && !noNumpy) numpy = runNumpy();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let peakArrayBuffers = 0;
  const start = performance.now();
  const losses = await nn.trainEpoch({
    model,
    loss: nn.crossEntropyFromLogits,
    optimiser: new nn.Sgd(optimiserSpec),
    examples,
    batches,
    kernels,
    onStep: (s) => {
      if (s % 25 === 0) {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
      }
    },
  });
  const tsMs = performance.now() - start;
  if (!numpyFirst && !noNumpy) numpy = runNumpy();
  fs.rmSync(dir, { recursive: true, force: true });

  let maxLossDifference = null;
  if (numpy) {
    maxLossDifference = 0;
    for (let i = 0; i < losses.length; i++)
      maxLossDifference = Math.max(maxLossDifference, Math.abs(losses[i] - numpy.losses[i]));
  }
  // What back-propagation with momentum SGD needs: the data, each parameter three times (value, gradient, momentum
  // buffer), every layer's cached input/output of one batch, and one more batch-sized gradient per layer in flight.
  const parameterFloats = initial.parameters.reduce((s, p) => s + p.values.length, 0);
  const activationFloats = widths.slice(1).reduce((s, w, l) => s + batchSize * (widths[l] + 2 * w), 0);
  const needed = (count * 784 + 3 * parameterFloats + 2 * activationFloats) * 4;
  const r = (v) => Math.round(v * 10) / 10;
  console.log(
    JSON.stringify({
      depth,
      width,
      denseEngine: onnxGemmEnabled() ? 'onnxruntime' : 'wasm-gemm',
      count,
      batchSize,
      steps: losses.length,
      tsMs: r(tsMs),
      numpyMs: numpy ? r(numpy.ms) : null,
      ratio: numpy ? Math.round((tsMs / numpy.ms) * 1000) / 1000 : null,
      maxLossDifference,
      firstLoss: losses[0],
      lastLoss: losses[losses.length - 1],
      memory: {
        rssAtStartMiB: r(rssStart / MiB),
        rssBeforeEpochMiB: r(rssBefore / MiB),
        peakRssDuringEpochMiB: r(peakRss / MiB),
        maxRssMiB: r((process.resourceUsage().maxRSS * 1024) / MiB),
        peakArrayBuffersMiB: r(peakArrayBuffers / MiB),
        backpropNeedsMiB: r(needed / MiB),
        parametersMiB: r((parameterFloats * 4) / MiB),
      },
    }),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
