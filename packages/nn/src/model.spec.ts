import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { Dense, type DenseOptions } from './dense';
import { normal, normalFanIn, pytorchLinearDefault, truncatedNormalFanIn } from './initialisers';
import { minibatches } from './minibatches';
import { mlp } from './mlp';
import { restoreParameters, snapshotFromJson, snapshotParameters, snapshotToJson } from './snapshot';
import { SpectralWeight, randomOrthonormalColumns } from './spectral-weight';

const kernels = kernelsFor({ id: 'cpu' });

function moments(a: Float32Array): { mean: number; variance: number; maxAbs: number } {
  let s = 0,
    s2 = 0,
    maxAbs = 0;
  for (const v of a) {
    s += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  return { mean: s / a.length, variance: s2 / a.length - (s / a.length) ** 2, maxAbs };
}

describe('initialisers', () => {
  // 512×400 = 204 800 draws: the sample variance has relative standard error √(2/n) ≈ 0.003; 5 SE = 1.6 %.
  const draw = (init: DenseOptions) => new Dense(400, 512, { ...init, random: RandomStream.fromSeed(11) });

  it('N(0, σ_w²/fan_in) weights and N(0, σ_b²) biases', () => {
    const layer = draw({ weightInit: normalFanIn(1.76), biasInit: normal(0.05) });
    const w = moments(layer.parameters()[0]!.value);
    expect(Math.abs(w.variance / (1.76 / 400) - 1)).toBeLessThan(0.016);
    expect(Math.abs(w.mean)).toBeLessThan(5 * Math.sqrt(1.76 / 400 / 204800));
    // 512 biases: relative SE of the variance √(2/512) = 0.0625; 5 SE.
    expect(Math.abs(moments(layer.parameters()[1]!.value).variance / 0.05 - 1)).toBeLessThan(0.31);
  });

  it('PyTorch Linear default: W and b uniform on ±1/√fan_in (variance 1/(3 fan_in))', () => {
    const layer = draw({ weightInit: pytorchLinearDefault(), biasInit: pytorchLinearDefault() });
    const w = moments(layer.parameters()[0]!.value);
    expect(w.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(400));
    expect(w.maxAbs).toBeGreaterThan(0.999 / Math.sqrt(400));
    expect(Math.abs(w.variance / (1 / 1200) - 1)).toBeLessThan(0.016);
    expect(moments(layer.parameters()[1]!.value).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(400));
  });

  it('truncated normal: |w| ≤ 2/√fan_in and the variance of N(0,1) cut at ±2 (0.773741)', () => {
    const w = moments(draw({ weightInit: truncatedNormalFanIn() }).parameters()[0]!.value);
    expect(w.maxAbs).toBeLessThanOrEqual((2 / Math.sqrt(400)) * (1 + 1e-6));
    // Var of the standard normal truncated to [−2, 2]: 1 − 4φ(2)/(2Φ(2) − 1) = 0.7737413.
    expect(Math.abs(w.variance / (0.7737413 / 400) - 1)).toBeLessThan(0.02);
  });

  it('is deterministic in the stream and independent across layers', () => {
    const a = mlp({
      widths: [5, 4, 3],
      activation: 'tanh',
      weightInit: normalFanIn(1),
      random: RandomStream.fromSeed(3),
    });
    const b = mlp({
      widths: [5, 4, 3],
      activation: 'tanh',
      weightInit: normalFanIn(1),
      random: RandomStream.fromSeed(3),
    });
    expect(snapshotToJson(snapshotParameters(a))).toEqual(snapshotToJson(snapshotParameters(b)));
    expect(a.parameters()[0]!.value.slice(0, 3)).not.toEqual(a.parameters()[2]!.value.slice(0, 3));
  });
});

describe('minibatches (PyTorch DataLoader order)', () => {
  it('unshuffled: consecutive slices, last partial batch kept unless dropLast', () => {
    const batches = minibatches(10, 4, { shuffle: false });
    expect(batches.map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(minibatches(10, 4, { shuffle: false, dropLast: true })).toHaveLength(2);
    expect(minibatches(8, 4, { shuffle: false, dropLast: true })).toHaveLength(2);
  });

  it('shuffled: a permutation of all indices, fixed by the stream, different per stream', () => {
    const a = minibatches(1000, 64, { shuffle: true, random: RandomStream.fromSeed(1).split('epoch:0') });
    const flat = a.flatMap((b) => Array.from(b));
    expect([...flat].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a).toHaveLength(16);
    expect(a[15]).toHaveLength(1000 - 15 * 64);
    expect(minibatches(1000, 64, { shuffle: true, random: RandomStream.fromSeed(1).split('epoch:0') })).toEqual(a);
    expect(minibatches(1000, 64, { shuffle: true, random: RandomStream.fromSeed(1).split('epoch:1') })).not.toEqual(a);
  });

  it('asks for a stream when shuffling', () => {
    expect(() => minibatches(10, 3, { shuffle: true })).toThrow(/random/);
  });
});

describe('models', () => {
  it('mlp names parameters as a PyTorch nn.Sequential of the same layers', () => {
    const model = mlp({
      widths: [6, 5, 4],
      activation: 'tanh',
      outputActivation: 'tanh',
      weightInit: normalFanIn(1.5),
      biasInit: normal(0.05),
      random: RandomStream.fromSeed(1),
    });
    expect(model.namedParameters().map((p) => `${p.name}:${p.parameter.shape.join('x')}`)).toEqual([
      '0.weight:5x6',
      '0.bias:5',
      '2.weight:4x5',
      '2.bias:4',
    ]);
    expect(model.layers.map((l) => l.kind)).toEqual(['dense', 'activation:tanh', 'dense', 'activation:tanh']);
  });

  it('forward hooks and activations() expose every layer’s output of a fixed batch', async () => {
    const model = mlp({
      widths: [3, 4, 2],
      activation: 'tanh',
      weightInit: normalFanIn(1.5),
      biasInit: normal(0.05),
      random: RandomStream.fromSeed(2),
    });
    const x = { rows: 2, cols: 3, data: Float32Array.from([0.1, -0.2, 0.3, 1, 0.5, -1]) };
    const acts = await model.activations(x, kernels);
    expect(acts.map((a) => `${a.rows}x${a.cols}`)).toEqual(['2x4', '2x4', '2x2']);
    expect(Array.from(acts[1]!.data)).toEqual(Array.from(acts[0]!.data, (v) => Math.fround(Math.tanh(v))));
    const seen: number[] = [];
    const remove = model.addForwardHook((e) => seen.push(e.index));
    const y = await model.forward(x, { kernels, training: false });
    remove();
    await model.forward(x, { kernels, training: false });
    expect(seen).toEqual([0, 1, 2]);
    expect(Array.from(y.data)).toEqual(Array.from(acts[2]!.data));
  });

  it('snapshots copy every parameter, survive JSON exactly, and restore', async () => {
    const model = mlp({
      widths: [4, 3, 2],
      activation: 'relu',
      weightInit: normalFanIn(2),
      biasInit: normal(0.1),
      random: RandomStream.fromSeed(4),
    });
    const snap = snapshotParameters(model);
    const json = JSON.parse(JSON.stringify(snapshotToJson(snap)));
    model.parameters()[0]!.value.fill(7);
    expect(snap.parameters[0]!.values[0]).not.toBe(7);
    restoreParameters(model, snapshotFromJson(json));
    expect(snapshotParameters(model)).toEqual(snap);
    expect(() => restoreParameters(model, { parameters: snap.parameters.slice(1) })).toThrow(/restoreParameters/);
  });

  it('spectral weight: U and V have orthonormal columns, and W has the given singular values', async () => {
    const random = RandomStream.fromSeed(9);
    const q = randomOrthonormalColumns(7, 4, random);
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++) {
        let d = 0;
        for (let i = 0; i < 7; i++) d += q[i * 4 + a]! * q[i * 4 + b]!;
        expect(d).toBeCloseTo(a === b ? 1 : 0, 6);
      }
    const s = Float32Array.from([3, 2, 1]);
    const weight = SpectralWeight.random(3, 5, s, random.split('w'));
    const w = await weight.weight(kernels);
    // W Wᵀ = U diag(s²) Uᵀ: its trace is Σ s² = 14 and its determinant Π s² = 36.
    const g = new Float64Array(9);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 5; k++) g[i * 3 + j]! += w[i * 5 + k]! * w[j * 5 + k]!;
    expect(g[0]! + g[4]! + g[8]!).toBeCloseTo(14, 4);
    const det =
      g[0]! * (g[4]! * g[8]! - g[5]! * g[7]!) -
      g[1]! * (g[3]! * g[8]! - g[5]! * g[6]!) +
      g[2]! * (g[3]! * g[7]! - g[4]! * g[6]!);
    expect(det).toBeCloseTo(36, 3);
    expect(weight.parameters().map((p) => p.name)).toEqual(['singular-values']);
  });
});
