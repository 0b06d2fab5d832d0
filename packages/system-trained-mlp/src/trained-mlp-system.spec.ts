import { METRICS_KIND, type Observation } from '@entroscope/core';
import { MnistDataset } from '@entroscope/datasets';
import { mlp, normal, normalFanIn, type Dense } from '@entroscope/nn';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { trainedMlpDescriptor } from './trained-mlp-system';

// Small but real: MNIST images, a 3-layer tanh net, two epochs over 256 images.
const tiny = {
  sigmaW2: 1.5,
  depth: 3,
  widths: { schedule: 'custom', widths: [24, 16, 10] },
  train: { count: 256 },
  validation: { count: 128 },
  test: null,
  evaluation: { count: 6 },
  epochs: 2,
  observeAt: { axis: 'epoch', at: [0, 2] },
  pushforward: { samples: 12 },
  jacobian: { directions: 3, inputs: 2 },
};

describeSystemConformance(trainedMlpDescriptor, [
  tiny,
  {
    ...tiny,
    record: 'activations',
    observeAt: { axis: 'log-step', count: 3 },
    pushforward: undefined,
    jacobian: undefined,
    optimiser: { use: 'adam' },
    shuffle: true,
  },
]);

const layers = (obs: Observation[]) => obs.filter((o) => o.site.axis === 'layer');
const metrics = (obs: Observation[]) => obs.filter((o) => o.kind === METRICS_KIND);

/** float64 forward of the initial network (same seed → same weights), plain loops: z^ℓ per layer. */
function initialForward(x: Float32Array, rows: number, sigmaW2: number, widths: number[], seed: number) {
  const model = mlp({
    widths,
    activation: 'tanh',
    outputActivation: 'tanh',
    weightInit: normalFanIn(sigmaW2),
    biasInit: normal(0.05),
    random: testContext(seed).random.split('init'),
  });
  const dense = model.layers.filter((l) => l.kind === 'dense') as Dense[];
  const zs: Float64Array[] = [];
  let a = Float64Array.from(x);
  for (const d of dense) {
    const w = d.parameters()[0]!.value;
    const b = d.bias!.value;
    const z = new Float64Array(rows * d.outputSize);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < d.outputSize; i++) {
        let s = b[i]!;
        for (let j = 0; j < d.inputSize; j++) s += w[i * d.inputSize + j]! * a[r * d.inputSize + j]!;
        z[r * d.outputSize + i] = s;
      }
    zs.push(z);
    a = z.map(Math.tanh);
  }
  return zs;
}

/** Mean PyTorch cross_entropy of outputs y (= tanh(z) of the last layer) against labels, float64. */
function crossEntropy(y: Float64Array, labels: ArrayLike<number>, classes: number): number {
  let total = 0;
  for (let r = 0; r < labels.length; r++) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, y[r * classes + c]!);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(y[r * classes + c]! - m);
    total += m + Math.log(s) - y[r * classes + labels[r]!]!;
  }
  return total / labels.length;
}

describe('trained-mlp', () => {
  it('emits one layer sweep per training time with site.time, and metrics per epoch', async () => {
    const obs = await collect(trainedMlpDescriptor, tiny, testContext(3));
    expect(layers(obs).map((o) => [o.site.time!.index, o.site.index, o.shape.join('x')])).toEqual([
      [0, 0, '6x24'],
      [0, 1, '6x16'],
      [0, 2, '6x10'],
      [2, 0, '6x24'],
      [2, 1, '6x16'],
      [2, 2, '6x10'],
    ]);
    expect(layers(obs).every((o) => o.site.time!.axis === 'epoch' && o.kind === 'pre-activations')).toBe(true);
    expect(metrics(obs).map((o) => [o.site.index, o.metrics!.map((m) => m.name).join(',')])).toEqual([
      [0, 'validation-loss,validation-accuracy'],
      [1, 'train-loss,train-accuracy,validation-loss,validation-accuracy'],
      [2, 'train-loss,train-accuracy,validation-loss,validation-accuracy'],
    ]);
    // Training changed the network between the two sweeps.
    expect(Array.from(layers(obs)[3]!.data!)).not.toEqual(Array.from(layers(obs)[0]!.data!));
    const pf = layers(obs)[4]!.meta['pushforward'] as { samples: number; rowSums: number[] };
    expect(pf.samples).toBe(12);
    // Mean-field reference of the push-forward: q⁰ = σ_w²⟨x²⟩ + σ_b² of its own image (the last of the batch).
    const image = MnistDataset.open('train').readImages(59_984 + 5, 1);
    const meanSquare = image.reduce((a, v) => a + v * v, 0) / 784;
    expect(
      Math.abs(
        (layers(obs)[3]!.meta['pushforward'] as { meanFieldQ0: number }).meanFieldQ0 - (1.5 * meanSquare + 0.05),
      ),
    ).toBeLessThan(1e-12);
    expect(pf.rowSums).toHaveLength(12);
    expect((layers(obs)[5]!.meta['jacobian'] as { logSquaredNorms: number[] }).logSquaredNorms).toHaveLength(6);
  });

  it('epoch 0 is the initialisation: layers and validation loss equal a float64 recomputation from the initial weights', async () => {
    const obs = await collect(trainedMlpDescriptor, tiny, testContext(3));
    const set = MnistDataset.open('train');
    const x = set.readImages(59_984, 6);
    const zs = initialForward(x, 6, 1.5, [784, 24, 16, 10], 3);
    layers(obs)
      .slice(0, 3)
      .forEach((o, l) => {
        // float32 products of ≤ 784 terms: |error| ≤ ~1e-5 relative to the layer's scale.
        const scale = Math.max(...Array.from(zs[l]!, Math.abs));
        for (let i = 0; i < zs[l]!.length; i++)
          expect(Math.abs(o.data![i]! - zs[l]![i]!)).toBeLessThan(1e-5 * scale + 1e-6);
      });
    const vx = set.readImages(50_000, 128);
    const labels = set.readLabels(50_000, 128);
    set.close();
    const out = initialForward(vx, 128, 1.5, [784, 24, 16, 10], 3)[2]!.map(Math.tanh);
    const recorded = metrics(obs)[0]!.metrics!.find((m) => m.name === 'validation-loss')!;
    expect(Math.abs(recorded.value - crossEntropy(out, labels, 10))).toBeLessThan(1e-5);
    expect(recorded.unit).toBe('nat');
    expect(recorded.n).toBe(128);
  });

  it('train-loss of a one-step epoch is the loss before the update, recomputed independently', async () => {
    const params = {
      ...tiny,
      train: { count: 64 },
      epochs: 1,
      observeAt: { axis: 'epoch', at: [1] },
      pushforward: undefined,
      jacobian: undefined,
    };
    const obs = await collect(trainedMlpDescriptor, params, testContext(4));
    const set = MnistDataset.open('train');
    const x = set.readImages(0, 64);
    const labels = set.readLabels(0, 64);
    set.close();
    const y = initialForward(x, 64, 1.5, [784, 24, 16, 10], 4)[2]!.map(Math.tanh);
    const m = metrics(obs)[1]!.metrics!;
    expect(Math.abs(m.find((v) => v.name === 'train-loss')!.value - crossEntropy(y, labels, 10))).toBeLessThan(1e-5);
    let correct = 0;
    for (let r = 0; r < 64; r++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (y[r * 10 + c]! > y[r * 10 + best]!) best = c;
      if (best === labels[r]) correct++;
    }
    expect(m.find((v) => v.name === 'train-accuracy')!.value).toBe(correct / 64);
  });

  it('observes at chosen steps and at log-spaced steps, labelled with the step axis', async () => {
    const base = { ...tiny, epochs: 1, validation: null, pushforward: undefined, jacobian: undefined };
    const steps = layers(await collect(trainedMlpDescriptor, { ...base, observeAt: { axis: 'step', at: [3, 1] } })).map(
      (o) => `${o.site.time!.axis}:${o.site.time!.index}`,
    );
    expect([...new Set(steps)]).toEqual(['step:1', 'step:3']);
    const log = layers(await collect(trainedMlpDescriptor, { ...base, observeAt: { axis: 'log-step', count: 3 } })).map(
      (o) => o.site.time!.index,
    );
    expect([...new Set(log)]).toEqual([0, 1, 2, 4]);
    await expect(collect(trainedMlpDescriptor, { ...base, observeAt: { axis: 'step', at: [5] } })).rejects.toThrow(
      /within the 4 steps of training/,
    );
    expect(
      trainedMlpDescriptor.paramsSchema.safeParse({ ...tiny, observeAt: { axis: 'epoch', at: [3] } }).success,
    ).toBe(false);
  });

  it('learns: a small tanh net reaches ≥ 0.85 validation accuracy on MNIST after one epoch of 8000 images', async () => {
    const obs = await collect(
      trainedMlpDescriptor,
      {
        sigmaW2: 1,
        depth: 2,
        widths: { schedule: 'custom', widths: [64, 10] },
        outputActivation: 'none',
        train: { count: 8000 },
        validation: { count: 2000 },
        evaluation: { count: 2 },
        epochs: 1,
        batchSize: 32,
        optimiser: { use: 'sgd', lr: 0.05, momentum: 0.9 },
      },
      testContext(5),
    );
    const last = metrics(obs).at(-1)!.metrics!;
    const accuracy = last.find((m) => m.name === 'validation-accuracy')!.value;
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
    expect(last.find((m) => m.name === 'train-loss')!.value).toBeLessThan(
      metrics(obs)[0]!.metrics!.find((m) => m.name === 'validation-loss')!.value,
    );
  });
});

describe('trained-mlp parameters', () => {
  it("defaults to the authors' data ranges, optimiser, loss and batching", () => {
    const p = trainedMlpDescriptor.paramsSchema.parse({ sigmaW2: 2, depth: 30, epochs: 15 });
    expect(p.train).toEqual({ split: 'train', offset: 0, count: 50_000 });
    expect(p.validation).toEqual({ split: 'train', offset: 50_000, count: 10_000, batchSize: 128 });
    expect(p.evaluation).toEqual({ split: 'train', offset: 59_984, count: 16 });
    expect(p.optimiser).toEqual({
      use: 'sgd',
      lr: 0.005,
      momentum: 0.8,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
    });
    expect([p.loss, p.batchSize, p.shuffle, p.dropLast, p.outputActivation, p.sigmaB2]).toEqual([
      'cross-entropy',
      64,
      false,
      false,
      'same',
      0.05,
    ]);
    expect(p.test).toEqual({ split: 'test', offset: 0, count: 10_000 });
    expect(trainedMlpDescriptor.paramsSchema.parse({ sigmaW2: 2, depth: 30, epochs: 1, test: null }).test).toBeNull();
    expect(p.widths).toEqual({ schedule: 'wide', penultimate: 400, output: 10 });
    expect(p.data).toEqual({ source: 'mnist', pixelScale: 'byte/255', colour: 'pil-luma' });
  });
});
