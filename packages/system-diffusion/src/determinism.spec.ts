import { RandomStream } from '@entroscope/core';
import { kernelsFor, matmulCpu, matmulOnnx, onnxUnavailableReason, setOnnxGemmThreads } from '@entroscope/kernels';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { VariancePreservingProcess } from './forward-process';
import { isotropicGaussian } from './gaussian-mixture';
import {
  EntropyMatchingTrainer,
  ExactExcessScore,
  authorsGrid,
  entropyIntegrals,
  likelihoodBound,
  reverseSample,
} from './neural-entropy';
import { ScoreNetwork } from './score-network';

/**
 * Same seed, same backend → the same bytes, for every numerical path of the neural-entropy system: training (Adam
 * on the entropy-matching loss, Polyak average), the S_NN / L_EM Monte Carlo, the likelihood bound and both
 * samplers. The dense products run on ONNX Runtime's GEMM (packages/kernels), whose thread pool splits the output,
 * not the sum: its bits do not depend on the thread count, which is checked here with 1 thread against all cores.
 */
jest.setTimeout(120_000);
const vp = new VariancePreservingProcess('vp', 1);
const data = isotropicGaussian([2, 1], 0.25);

async function pipelineBytes(): Promise<Buffer> {
  const kernels = kernelsFor({ id: 'cpu' });
  const N = 256;
  const x = Float32Array.from(data.sample(N, RandomStream.fromSeed(3).split('train')));
  const net = new ScoreNetwork({
    dimension: 2,
    hidden: [64, 32],
    mappingSize: 16,
    random: RandomStream.fromSeed(3).split('net'),
  }).withKernels(kernels);
  const trainer = new EntropyMatchingTrainer(
    net,
    vp,
    x,
    N,
    { batchSize: 32, throws: 4, learningRate: 1e-3, likelihoodWeighting: false, averageDecay: 0.9 },
    kernels,
  );
  const losses: number[] = [];
  for (let e = 0; e < 1; e++) losses.push(await trainer.epoch(RandomStream.fromSeed(3).split(`epoch:${e}`)));
  const parts: Uint8Array[] = net.parameters().map((p) => new Uint8Array(p.value.buffer.slice(0)));
  await trainer.withAverage(async () => {
    const test = Float32Array.from(data.sample(200, RandomStream.fromSeed(4)));
    const r = await entropyIntegrals(
      net,
      new ExactExcessScore(data, vp),
      vp,
      test,
      200,
      authorsGrid(20),
      RandomStream.fromSeed(5),
    );
    const { bound } = await likelihoodBound(net, vp, test.subarray(0, 40), 20, 20, RandomStream.fromSeed(6));
    const sde = await reverseSample(net, vp, 200, RandomStream.fromSeed(7), { method: 'sde', steps: 30 });
    const ode = await reverseSample(net, vp, 200, RandomStream.fromSeed(8), { method: 'ode', steps: 10 });
    parts.push(
      new Uint8Array(Float64Array.from([...losses, r.neural.value, r.total!.value, r.matching!.value]).buffer),
      new Uint8Array(bound.buffer.slice(0)),
      new Uint8Array(sde.buffer.slice(0)),
      new Uint8Array(ode.buffer.slice(0)),
    );
  });
  return Buffer.concat(parts);
}

describe('neural-entropy numerics are deterministic', () => {
  it('runs on ONNX Runtime here (otherwise the thread-count check below would not test it)', () => {
    expect(onnxUnavailableReason()).toBeNull();
  });

  it('same seed twice: byte-identical parameters, losses, S_NN, S_tot, L_EM, likelihood bounds and samples', async () => {
    const a = await pipelineBytes();
    const b = await pipelineBytes();
    expect(a.length).toBeGreaterThan(10_000);
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it('does not depend on the GEMM thread count (1 thread against all cores)', async () => {
    try {
      setOnnxGemmThreads(1);
      const one = await pipelineBytes();
      setOnnxGemmThreads(Math.max(2, Math.min(8, availableParallelism())));
      const many = await pipelineBytes();
      expect(Buffer.compare(one, many)).toBe(0);
    } finally {
      setOnnxGemmThreads(Math.min(8, availableParallelism()));
    }
  });

  it('a worker thread computes the same product bits as the main thread (tasks run in workers)', async () => {
    const a = Float32Array.from({ length: 96 * 80 }, (_, i) => Math.sin(i * 0.37));
    const b = Float32Array.from({ length: 80 * 64 }, (_, i) => Math.cos(i * 0.11));
    const here = matmulOnnx(a, b, 96, 80, 64, { activation: 'tanh' });
    // The worker loads the built package, as the runner's task workers do (npm test builds first).
    const built = require.resolve('../../kernels/dist/index.js');
    const there = await new Promise<Float32Array>((resolve, reject) => {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const k = require(workerData.built);
         parentPort.postMessage(k.matmulOnnx(workerData.a, workerData.b, 96, 80, 64, { activation: 'tanh' }));`,
        { eval: true, workerData: { built, a, b } },
      );
      worker.once('message', (m: Float32Array) => resolve(m));
      worker.once('error', reject);
    });
    expect(Buffer.compare(Buffer.from(here.buffer), Buffer.from(there.buffer))).toBe(0);
    // The TypeScript twin sums in another order: the two differ by float32 rounding of the 80-term sums (outputs in
    // [−1, 1]; measured ~1e-7 to 1e-6), which is how two runs before and after the move of the dense product to
    // ONNX Runtime differ, at ~1e-7 relative. Not a source of run-to-run differences: each run uses one engine.
    const twin = matmulCpu(a, b, 96, 80, 64, { activation: 'tanh' });
    let worst = 0;
    for (let i = 0; i < here.length; i++) worst = Math.max(worst, Math.abs(here[i]! - twin[i]!));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-5);
  });
});
