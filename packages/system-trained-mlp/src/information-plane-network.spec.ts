import { METRICS_KIND, type Observation } from '@entroscope/core';
import { MnistDataset, symmetricMajorityLabel, twelveBitPatterns } from '@entroscope/datasets';
import { mlp, constant, truncatedNormalFanIn, type Dense } from '@entroscope/nn';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { observationSteps } from './observation-times';
import { trainedMlpDescriptor } from './trained-mlp-system';

/** The information-plane network on the 12-bit task (12-10-7-5-4-3-2, softmax output, the code's training). */
export const informationPlaneNet = {
  sigmaW2: 1,
  sigmaB2: 0,
  weightInit: 'truncated-normal',
  activation: 'tanh',
  outputActivation: 'softmax',
  depth: 6,
  widths: { schedule: 'custom', widths: [10, 7, 5, 4, 3, 2] },
  data: { source: 'twelve-bit' },
  train: { offset: 0, count: 3277 },
  validation: null,
  test: { offset: 3277, count: 819 },
  evaluation: { offset: 0, count: 4096 },
  record: 'activations',
  optimiser: { use: 'adam', lr: 0.0004 },
  loss: 'cross-entropy',
  batchSize: 256,
  epochs: 3,
  observeAt: { axis: 'log-epoch', count: 4 },
};

describeSystemConformance(trainedMlpDescriptor, [
  { ...informationPlaneNet, epochs: 1, observeAt: { axis: 'epoch', at: [0, 1] } },
  { ...informationPlaneNet, activation: 'relu', data: { source: 'twelve-bit', order: 'shuffled' }, epochs: 1 },
]);

const layers = (obs: Observation[]) => obs.filter((o) => o.site.axis === 'layer');
/** Element-wise equality of two numeric arrays (jest's toEqual is slow on 49 152 elements). */
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

describe('trained-mlp: the information-plane network', () => {
  it("log-epoch times are the information-plane code's epoch indexes (np.logspace(0, log2 E, n, base=2, dtype=int) − 1, unique)", () => {
    // Reference lists computed with NumPy 1.26.
    const epochs = (E: number, n: number) => observationSteps({ axis: 'log-epoch', count: n }, 1, E).steps;
    expect(epochs(2000, 16)).toEqual([0, 1, 3, 6, 11, 19, 33, 56, 94, 157, 262, 436, 724, 1203, 1999]);
    const e8000 = epochs(8000, 400);
    expect(e8000.length).toBe(274);
    expect(e8000.slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(e8000.slice(-4)).toEqual([7476, 7646, 7820, 7999]);
    expect(observationSteps({ axis: 'log-epoch', count: 16 }, 13, 2000).steps.slice(0, 3)).toEqual([0, 13, 39]);
  });

  it('emits all 4096 patterns with input and label variables; epoch 0 equals a float64 forward of the truncated-normal initial weights, softmax output', async () => {
    const obs = await collect(trainedMlpDescriptor, informationPlaneNet, testContext(11));
    const sweep = layers(obs);
    // Epoch indexes for E = 3, n = 4: ⌊2^(i·log₂3/3)⌋ − 1 = 0, 0, 1, 2.
    expect([...new Set(sweep.map((o) => o.site.time!.index))]).toEqual([0, 1, 2]);
    expect(sweep.filter((o) => o.site.time!.index === 0).map((o) => o.shape)).toEqual([
      [4096, 10],
      [4096, 7],
      [4096, 5],
      [4096, 4],
      [4096, 3],
      [4096, 2],
    ]);
    const x = twelveBitPatterns();
    for (const o of sweep) {
      expect(o.variables!['input']!.shape).toEqual([4096, 12]);
      expect(same(o.variables!['input']!.data, x)).toBe(true);
      expect(o.variables!['label']!.shape).toEqual([4096]);
    }
    const y = sweep[0]!.variables!['label']!.data;
    for (const p of [0, 5, 2047, 3000, 4095]) expect(y[p]).toBe(symmetricMajorityLabel(p));

    // Independent float64 forward of the same initial weights (same seed, same initialiser, zero biases).
    const model = mlp({
      widths: [12, 10, 7, 5, 4, 3, 2],
      activation: 'tanh',
      outputActivation: 'none',
      weightInit: truncatedNormalFanIn(1),
      biasInit: constant(0),
      random: testContext(11).random.split('init'),
    });
    const dense = model.layers.filter((l) => l.kind === 'dense') as Dense[];
    let a = Float64Array.from(x);
    let maxAbs = 0;
    let maxErr = 0;
    dense.forEach((d, l) => {
      const w = d.parameters()[0]!.value;
      for (let i = 0; i < w.length; i++)
        expect(Math.abs(w[i]!)).toBeLessThanOrEqual((2 / Math.sqrt(d.inputSize)) * 1.000001);
      const out = new Float64Array(4096 * d.outputSize);
      for (let r = 0; r < 4096; r++) {
        for (let i = 0; i < d.outputSize; i++) {
          let s = 0;
          for (let j = 0; j < d.inputSize; j++) s += w[i * d.inputSize + j]! * a[r * d.inputSize + j]!;
          out[r * d.outputSize + i] = l < 5 ? Math.tanh(s) : s;
        }
        if (l === 5) {
          const m = Math.max(out[r * 2]!, out[r * 2 + 1]!);
          const e0 = Math.exp(out[r * 2]! - m);
          const e1 = Math.exp(out[r * 2 + 1]! - m);
          out[r * 2] = e0 / (e0 + e1);
          out[r * 2 + 1] = e1 / (e0 + e1);
        }
      }
      const got = sweep[l]!.data!;
      for (let i = 0; i < out.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(out[i]!));
        maxErr = Math.max(maxErr, Math.abs(got[i]! - out[i]!));
      }
      a = out;
    });
    // float32 against float64 through six layers of ≤ 12 terms: a few float32 ulps of values ≤ 1.
    expect(maxAbs).toBeLessThanOrEqual(1);
    expect(maxErr).toBeLessThan(1e-5);
    const last = sweep[5]!.data!;
    for (let r = 0; r < 4096; r += 97) expect(last[r * 2]! + last[r * 2 + 1]!).toBeCloseTo(1, 6);
    // Test metrics over the 819 held-out patterns; train metrics over 13 batches of ≤ 256.
    const m = obs.filter((o) => o.kind === METRICS_KIND);
    expect(m[0]!.metrics!.map((v) => [v.name, v.n])).toEqual([
      ['test-loss', 819],
      ['test-accuracy', 819],
    ]);
    expect(m[1]!.metrics!.find((v) => v.name === 'train-loss')!.n).toBe(3277);
    expect(m.map((o) => o.site.index)).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it("metricsAt 'observed-epochs' emits the metrics only at the epochs of the layer sweeps", async () => {
    const obs = await collect(
      trainedMlpDescriptor,
      { ...informationPlaneNet, epochs: 5, observeAt: { axis: 'epoch', at: [0, 2, 5] }, metricsAt: 'observed-epochs' },
      testContext(11),
    );
    expect(obs.filter((o) => o.kind === METRICS_KIND).map((o) => o.site.index)).toEqual([0, 2, 5]);
    expect([...new Set(layers(obs).map((o) => o.site.time!.index))]).toEqual([0, 2, 5]);
  }, 60_000);

  it("'shuffled' order: input rows are the patterns in a seeded order, paired with their labels; train/test split follows it", async () => {
    const params = {
      ...informationPlaneNet,
      data: { source: 'twelve-bit', order: 'shuffled' },
      epochs: 1,
      observeAt: { axis: 'epoch', at: [0] },
    };
    const [first] = layers(await collect(trainedMlpDescriptor, params, testContext(12)));
    const [again] = layers(await collect(trainedMlpDescriptor, params, testContext(12)));
    const [other] = layers(await collect(trainedMlpDescriptor, params, testContext(13)));
    const input = first!.variables!['input']!.data;
    const label = first!.variables!['label']!.data;
    const seen = new Set<number>();
    for (let r = 0; r < 4096; r++) {
      const code = Array.from(input.subarray(r * 12, r * 12 + 12)).reduce((s, v) => s * 2 + v, 0);
      seen.add(code);
      expect(label[r]).toBe(symmetricMajorityLabel(code));
    }
    expect(seen.size).toBe(4096);
    expect(same(again!.variables!['input']!.data, input)).toBe(true);
    expect(same(other!.variables!['input']!.data, input)).toBe(false);
  }, 60_000);

  it('on MNIST, the input and label variables are the evaluation images and their labels', async () => {
    const obs = await collect(
      trainedMlpDescriptor,
      {
        sigmaW2: 1.5,
        depth: 2,
        widths: { schedule: 'custom', widths: [16, 10] },
        train: { count: 64 },
        validation: null,
        test: null,
        evaluation: { split: 'test', offset: 100, count: 20 },
        epochs: 1,
        observeAt: { axis: 'epoch', at: [1] },
      },
      testContext(5),
    );
    const set = MnistDataset.open('test');
    const images = set.readImages(100, 20);
    const labels = set.readLabels(100, 20);
    set.close();
    for (const o of layers(obs)) {
      expect(same(o.variables!['input']!.data, images)).toBe(true);
      expect(o.variables!['input']!.shape).toEqual([20, 784]);
      expect(Array.from(o.variables!['label']!.data)).toEqual(Array.from(labels));
    }
  });

  it('rejects log-epoch times without training and ranges outside the 4096 patterns', async () => {
    expect(() => trainedMlpDescriptor.paramsSchema.parse({ ...informationPlaneNet, epochs: 0 })).toThrow(
      /epochs ≥ 1 with log-epoch/,
    );
    await expect(
      collect(trainedMlpDescriptor, { ...informationPlaneNet, train: { offset: 0, count: 5000 } }),
    ).rejects.toThrow(/train \(trained-mlp\).*0…4095/);
  });
});
