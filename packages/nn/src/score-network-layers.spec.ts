import { RandomStream } from '@entroscope/core';
import { kernelsFor } from '@entroscope/kernels';
import { normal, normalFanIn } from './initialisers';
import type { Layer } from './layer';
import { LayerNorm } from './layer-norm';
import type { Matrix } from './matrix';
import { RandomFourierFeatures } from './random-fourier-features';
import { TimeEmbedding } from './time-embedding';

// The layers of the diffusion score network (random Fourier features, LayerNorm, time embedding): float32 reverse
// mode against central differences (h = 1e-5) of float64 twins written with plain loops. Tolerance as in
// gradient-check.spec.ts: max |analytic − numeric| ≤ 2e-4 · max |numeric| + 1e-6 (float32 rounding ~1e-6 relative,
// truncation of the central difference ~1e-10).

const kernels = kernelsFor({ id: 'cpu' });
const H = 1e-5;
type Twin = (x: Float64Array, params: Float64Array[], extra?: Float64Array) => Float64Array;

const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));
function normals(random: RandomStream, n: number, sd = 1): Float64Array {
  return f32(Float64Array.from({ length: n }, () => sd * random.normal()));
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function expectClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, label: string): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) {
    scale = Math.max(scale, Math.abs(numeric[i]!));
    worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!));
  }
  expect({ label, ok: worst <= 2e-4 * scale + 1e-6, worst, scale }).toEqual({ label, ok: true, worst, scale });
}

function centralDifference(f: () => number, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const keep = values[i]!;
    values[i] = keep + H;
    const up = f();
    values[i] = keep - H;
    const down = f();
    values[i] = keep;
    out[i] = (up - down) / (2 * H);
  }
  return out;
}

/** Forward against the twin; ∂input, ∂parameters (and ∂extra when given) against central differences. */
async function checkLayer(
  layer: Layer,
  twin: Twin,
  rows: number,
  random: RandomStream,
  options: { inputSd?: number; extra?: { name: string; cols: number; gradient: () => Matrix | null } } = {},
): Promise<void> {
  const x = normals(random.split('x'), rows * layer.inputSize, options.inputSd ?? 1);
  const extra = options.extra ? normals(random.split('e'), rows * options.extra.cols) : undefined;
  const theta = layer.parameters().map((p) => Float64Array.from(p.value));
  const reference = twin(x, theta, extra);
  const c = normals(random.split('c'), reference.length);
  const extras = options.extra
    ? new Map([[options.extra.name, { rows, cols: options.extra.cols, data: Float32Array.from(extra!) }]])
    : undefined;
  const y = await layer.forward(
    { rows, cols: layer.inputSize, data: Float32Array.from(x) },
    { kernels, training: true, ...(extras && { extras }) },
  );
  expectClose(y.data, reference, `${layer.kind} forward`);
  const gx = await layer.backward({ rows, cols: layer.outputSize, data: Float32Array.from(c) }, { kernels });
  const f = () => dot(c, twin(x, theta, extra));
  expectClose(gx.data, centralDifference(f, x), `${layer.kind} ∂input`);
  layer
    .parameters()
    .forEach((p, k) => expectClose(p.grad, centralDifference(f, theta[k]!), `${layer.kind} ∂${p.name}`));
  if (options.extra)
    expectClose(options.extra.gradient()!.data, centralDifference(f, extra!), `${layer.kind} ∂${options.extra.name}`);
}

describe('score-network layers: reverse-mode gradients equal central differences of float64 twins', () => {
  it('random Fourier features (frozen B, no parameters): γ(x) = [sin 2πxBᵀ, cos 2πxBᵀ]', async () => {
    const random = RandomStream.fromSeed(11);
    const layer = new RandomFourierFeatures(3, { mappingSize: 7, std: 0.8, random: random.split('B') });
    expect(layer.parameters()).toHaveLength(0);
    const B = Float64Array.from(layer.frequencies);
    const twin: Twin = (x) => {
      const rows = x.length / 3;
      const out = new Float64Array(rows * 14);
      for (let i = 0; i < rows; i++)
        for (let k = 0; k < 7; k++) {
          let p = 0;
          for (let j = 0; j < 3; j++) p += x[i * 3 + j]! * B[k * 3 + j]!;
          out[i * 14 + k] = Math.sin(2 * Math.PI * p);
          out[i * 14 + 7 + k] = Math.cos(2 * Math.PI * p);
        }
      return out;
    };
    await checkLayer(layer, twin, 5, random.split('data'));
  });

  it('random Fourier features: frequencies have the requested spread (std within 5 standard errors)', () => {
    const layer = new RandomFourierFeatures(4, { mappingSize: 2000, std: 0.1, random: RandomStream.fromSeed(12) });
    const b = layer.frequencies;
    const variance = dot(b, b) / b.length;
    // SE of a variance estimate from n normals: σ²√(2/n).
    expect(Math.abs(variance - 0.01)).toBeLessThan(5 * 0.01 * Math.sqrt(2 / b.length));
  });

  it('LayerNorm (scale, bias; ε = 1e-6) with non-trivial scale and bias', async () => {
    const random = RandomStream.fromSeed(13);
    const n = 9;
    const layer = new LayerNorm(n);
    layer.scale.value.set(Float32Array.from(normals(random.split('scale'), n, 0.5).map((v) => 1 + v)));
    layer.bias.value.set(Float32Array.from(normals(random.split('bias'), n, 0.3)));
    const twin: Twin = (x, [scale, bias]) => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length / n; i++) {
        let mean = 0;
        for (let j = 0; j < n; j++) mean += x[i * n + j]! / n;
        let variance = 0;
        for (let j = 0; j < n; j++) variance += (x[i * n + j]! - mean) ** 2 / n;
        for (let j = 0; j < n; j++)
          out[i * n + j] = ((x[i * n + j]! - mean) / Math.sqrt(variance + 1e-6)) * scale![j]! + bias![j]!;
      }
      return out;
    };
    await checkLayer(layer, twin, 6, random.split('data'), { inputSd: 1.7 });
  });

  it('LayerNorm output has zero mean and unit (biased) variance per row at initialisation', async () => {
    const layer = new LayerNorm(50);
    const x = Float32Array.from(normals(RandomStream.fromSeed(14), 4 * 50, 3).map((v) => v + 2));
    const y = await layer.forward({ rows: 4, cols: 50, data: x }, { kernels, training: false });
    for (let i = 0; i < 4; i++) {
      const row = y.data.subarray(i * 50, (i + 1) * 50);
      const mean = row.reduce((a, b) => a + b, 0) / 50;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 50;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(Math.abs(variance - 1)).toBeLessThan(1e-5);
    }
  });

  it('time embedding y = x + e·Wᵀ + b, with ∂loss/∂e for the shared embedding branch', async () => {
    const random = RandomStream.fromSeed(15);
    const size = 6;
    const emb = 5;
    const layer = new TimeEmbedding(size, emb, {
      weightInit: normalFanIn(1),
      biasInit: normal(0.1),
      random: random.split('init'),
    });
    const twin: Twin = (x, [w, b], e) => {
      const out = Float64Array.from(x);
      for (let i = 0; i < x.length / size; i++)
        for (let j = 0; j < size; j++) {
          let s = b![j]!;
          for (let k = 0; k < emb; k++) s += e![i * emb + k]! * w![j * emb + k]!;
          out[i * size + j]! += s;
        }
      return out;
    };
    await checkLayer(layer, twin, 4, random.split('data'), {
      extra: { name: 'time-embedding', cols: emb, gradient: () => layer.embeddingGradient },
    });
  });

  it('time embedding names the missing side input', async () => {
    const layer = new TimeEmbedding(3, 2, { weightInit: normalFanIn(1), random: RandomStream.fromSeed(16) });
    await expect(
      layer.forward({ rows: 1, cols: 3, data: new Float32Array(3) }, { kernels, training: false }),
    ).rejects.toThrow(/time-embedding/);
  });
});
