import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RandomStream } from '@entroscope/core';
import { defaultMnistDirectory, MnistDataset } from '@entroscope/datasets';
import { kernelsFor, type BackendId } from '@entroscope/kernels';
import { normal, normalFanIn } from './initialisers';
import { crossEntropyFromLogits } from './losses';
import { minibatches } from './minibatches';
import { mlp } from './mlp';
import { Sgd } from './optimisers';
import { snapshotParameters } from './snapshot';
import { labelledExamples, trainEpoch } from './training';

/** tools/nn_reference.py, the NumPy second implementation. */
export const referenceScript = path.resolve(__dirname, '../../../tools/nn_reference.py');

/** Why the NumPy reference cannot run here (null when python3 with numpy is present). */
export function numpyUnavailableReason(): string | null {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'python3 with numpy is not installed';
  }
}

export interface AgreementRun {
  readonly count: number;
  readonly widths: readonly number[];
  readonly shuffle: boolean;
  readonly seed: number;
  readonly backend?: BackendId;
}

/**
 * The authors' 3-layer "wide" tanh network (tanh after every dense layer, output included), N(0, 1.5/fan_in)
 * weights, N(0, 0.05) biases, cross-entropy from the tanh outputs, SGD lr 0.005 momentum 0.8, batch 64, on the
 * first `count` MNIST training images: trained here and, from the same initial weights and batch order, by
 * tools/nn_reference.py. Returns both loss curves.
 */
export async function trainBothSides(run: AgreementRun): Promise<{ typescript: Float64Array; numpy: number[] }> {
  const random = RandomStream.fromSeed(run.seed);
  const model = mlp({
    widths: run.widths,
    activation: 'tanh',
    outputActivation: 'tanh',
    weightInit: normalFanIn(1.5),
    biasInit: normal(0.05),
    random: random.split('init'),
  });
  const batches = minibatches(run.count, 64, { shuffle: run.shuffle, random: random.split('epoch:0') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-reference-'));
  try {
    const parameters = snapshotParameters(model).parameters.map((p, i) => {
      const file = `p${i}.f32`;
      fs.writeFileSync(path.join(dir, file), Buffer.from(p.values.buffer, p.values.byteOffset, p.values.byteLength));
      return { name: p.name, shape: p.shape, file };
    });
    const flat = Int32Array.from(batches.flatMap((b) => Array.from(b)));
    fs.writeFileSync(path.join(dir, 'batches.i32'), Buffer.from(flat.buffer));
    const optimiser = { kind: 'sgd', lr: 0.005, momentum: 0.8 };
    fs.writeFileSync(
      path.join(dir, 'run.json'),
      JSON.stringify({
        mnist: defaultMnistDirectory(),
        count: run.count,
        widths: run.widths,
        hidden: 'tanh',
        output: 'tanh',
        loss: 'cross-entropy',
        batches: 'batches.i32',
        batchSizes: batches.map((b) => b.length),
        optimiser,
        parameters,
      }),
    );
    const train = MnistDataset.open('train');
    const examples = labelledExamples(train.readImages(0, run.count), 784, train.readLabels(0, run.count));
    train.close();
    const typescript = await trainEpoch({
      model,
      loss: crossEntropyFromLogits,
      optimiser: new Sgd(optimiser),
      examples,
      batches,
      kernels: kernelsFor({ id: run.backend ?? 'cpu' }),
    });
    const out = execFileSync('python3', [referenceScript, dir], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
      maxBuffer: 64 << 20,
    });
    const numpy = (JSON.parse(out.trim().split('\n').pop()!) as { losses: number[] }).losses;
    return { typescript, numpy };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |Δloss| between the curves (same length required). */
export function maxLossDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`loss curves of different lengths: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
