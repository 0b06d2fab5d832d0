import { RandomStream } from '@entroscope/core';
import { activationScalar, kernelsFor, type Activation as ActivationName } from '@entroscope/kernels';
import { Activation, Softmax } from './activation-layer';
import { Dense } from './dense';
import { normalFanIn, normal } from './initialisers';
import type { Layer } from './layer';
import { crossEntropyFromLogits, crossEntropyOnSoftmax, meanSquaredError, type Loss } from './losses';
import type { Matrix } from './matrix';
import { Sequential } from './sequential';
import { SpectralWeight } from './spectral-weight';

// Every layer, activation and loss: the float32 reverse-mode gradient equals the central difference of a
// float64 twin (plain loops written here, independent of the library and the kernels).
// Tolerance: max |analytic − numeric| ≤ 2e-4 · max |numeric| + 1e-6. Float32 storage rounds each value to
// 6e-8 relative and the sums are over ≤ 100 terms, so analytic errors are ~1e-6 relative; the float64 central
// difference with h = 1e-5 has truncation error ~h²·|f'''| ≈ 1e-10.

const kernels = kernelsFor({ id: 'cpu' });
const H = 1e-5;

type Twin = (x: Float64Array, params: Float64Array[]) => Float64Array;

function randomArray(random: RandomStream, n: number, sd = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = random.normal() * sd;
  return a;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function expectClose(analytic: ArrayLike<number>, numeric: ArrayLike<number>, label: string): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < numeric.length; i++) {
    scale = Math.max(scale, Math.abs(numeric[i]!));
    worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!));
  }
  expect({ label, ok: worst <= 2e-4 * scale + 1e-6, worst, scale }).toEqual({ label, ok: true, worst, scale });
}

/**
 * Checks ∂(c·f(x))/∂x and ∂(c·f(x))/∂θ of `layer` against central differences of `twin`, for a random
 * cotangent c. The layer's parameters are set to float32 values that the twin reads exactly.
 */
async function checkLayer(
  layer: Layer,
  twin: Twin,
  rows: number,
  random: RandomStream,
  inputSd = 1,
  stride = 1,
): Promise<void> {
  const x64 = Float64Array.from(Float32Array.from(randomArray(random.split('x'), rows * layer.inputSize, inputSd)));
  const params = layer.parameters();
  const theta = params.map((p) => Float64Array.from(p.value));
  const out = twin(x64, theta);
  const c = Float64Array.from(Float32Array.from(randomArray(random.split('c'), out.length)));
  const input: Matrix = { rows, cols: layer.inputSize, data: Float32Array.from(x64) };
  const y = await layer.forward(input, { kernels, training: true });
  // Forward agrees with the twin too.
  expectClose(y.data, out, `${layer.kind} forward`);
  const gx = await layer.backward({ rows, cols: layer.outputSize, data: Float32Array.from(c) }, { kernels });
  const f = (xx: Float64Array, tt: Float64Array[]) => dot(c, twin(xx, tt));
  // With stride > 1 only every stride-th entry is differenced (the others are compared as 0 = 0).
  const numericX = new Float64Array(x64.length);
  const analyticX = new Float64Array(x64.length);
  for (let i = 0; i < x64.length; i += stride) {
    analyticX[i] = gx.data[i]!;
    const keep = x64[i]!;
    x64[i] = keep + H;
    const up = f(x64, theta);
    x64[i] = keep - H;
    const down = f(x64, theta);
    x64[i] = keep;
    numericX[i] = (up - down) / (2 * H);
  }
  expectClose(analyticX, numericX, `${layer.kind} ∂input`);
  params.forEach((p, k) => {
    const t = theta[k]!;
    const numeric = new Float64Array(t.length);
    const analytic = new Float64Array(t.length);
    for (let i = 0; i < t.length; i += stride) {
      analytic[i] = p.grad[i]!;
      const keep = t[i]!;
      t[i] = keep + H;
      const up = f(x64, theta);
      t[i] = keep - H;
      const down = f(x64, theta);
      t[i] = keep;
      numeric[i] = (up - down) / (2 * H);
    }
    expectClose(analytic, numeric, `${layer.kind} ∂${p.name}`);
  });
}

/** z = x·Wᵀ + b in float64 (W out×in). */
function denseTwin(inSize: number, outSize: number, hasBias = true): Twin {
  return (x, [w, b]) => {
    const rows = x.length / inSize;
    const z = new Float64Array(rows * outSize);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < outSize; j++) {
        let s = hasBias ? b![j]! : 0;
        for (let p = 0; p < inSize; p++) s += x[i * inSize + p]! * w![j * inSize + p]!;
        z[i * outSize + j] = s;
      }
    return z;
  };
}

function softmaxTwin(cols: number): Twin {
  return (x) => {
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length / cols; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(x[i * cols + j]!);
      for (let j = 0; j < cols; j++) y[i * cols + j] = Math.exp(x[i * cols + j]!) / sum;
    }
    return y;
  };
}

describe('reverse-mode gradients equal central differences of a float64 twin', () => {
  it('dense layer (weight, bias, input), small (TypeScript twin kernel) and large (WebAssembly GEMM)', async () => {
    const random = RandomStream.fromSeed(1);
    await checkLayer(
      new Dense(7, 5, { weightInit: normalFanIn(1.5), biasInit: normal(0.05), random: random.split('layer') }),
      denseTwin(7, 5),
      4,
      random.split('small'),
    );
    // 24×80×60 multiply-adds are above the GEMM threshold: the WebAssembly engine computes all three products.
    await checkLayer(
      new Dense(80, 60, { weightInit: normalFanIn(2), biasInit: normal(0.1), random: random.split('big') }),
      denseTwin(80, 60),
      24,
      random.split('large'),
      1,
      37,
    );
  });

  it('dense layer without bias', async () => {
    const random = RandomStream.fromSeed(2);
    await checkLayer(
      new Dense(6, 3, { weightInit: normalFanIn(1), biasInit: null, random }),
      denseTwin(6, 3, false),
      5,
      random.split('data'),
    );
  });

  const erfTwin = activationScalar('erf');
  const twins: Record<ActivationName, (x: number) => number> = {
    identity: (x) => x,
    tanh: Math.tanh,
    relu: (x) => Math.max(0, x),
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    erf: erfTwin,
  };
  for (const name of Object.keys(twins) as ActivationName[]) {
    it(`activation ${name}`, async () => {
      const phi = twins[name];
      await checkLayer(new Activation(name, 9), (x) => x.map(phi), 6, RandomStream.fromSeed(3).split(name), 1.3);
    });
  }

  it('softmax layer', async () => {
    await checkLayer(new Softmax(6), softmaxTwin(6), 5, RandomStream.fromSeed(4), 2);
  });

  it('spectral weight W = U·diag(s)·Vᵀ (only s learned) inside a dense layer', async () => {
    const random = RandomStream.fromSeed(5);
    const rows = 5,
      cols = 8;
    const weight = SpectralWeight.random(
      rows,
      cols,
      Float32Array.from([1.5, 1.1, 0.9, 0.6, 0.2]),
      random.split('weight'),
    );
    const layer = new Dense(cols, rows, { weight, biasInit: normal(0.05), random: random.split('bias') });
    const u = Float64Array.from(weight.u);
    const v = Float64Array.from(weight.v);
    const r = weight.rank;
    const twin: Twin = (x, [s, b]) => {
      const w = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++)
          for (let k = 0; k < r; k++) w[i * cols + j]! += u[i * r + k]! * s![k]! * v[j * r + k]!;
      return denseTwin(cols, rows)(x, [w, b!]);
    };
    await checkLayer(layer, twin, 4, random.split('data'));
  });

  it('a 3-layer tanh MLP as one Sequential (gradients through the stack)', async () => {
    const random = RandomStream.fromSeed(6);
    const widths = [6, 5, 4, 3];
    const layers: Layer[] = [];
    for (let l = 0; l < 3; l++) {
      layers.push(
        new Dense(widths[l]!, widths[l + 1]!, {
          weightInit: normalFanIn(1.7),
          biasInit: normal(0.05),
          random: random.split(`d${l}`),
        }),
      );
      layers.push(new Activation('tanh', widths[l + 1]!));
    }
    const twin: Twin = (x, params) => {
      let h = x;
      for (let l = 0; l < 3; l++)
        h = denseTwin(widths[l]!, widths[l + 1]!)(h, [params[2 * l]!, params[2 * l + 1]!]).map(Math.tanh);
      return h;
    };
    await checkLayer(new Sequential(layers), twin, 5, random.split('data'));
  });
});

describe('loss gradients equal central differences of float64 twins', () => {
  async function checkLoss<T>(
    loss: Loss<T>,
    twin: (z: Float64Array) => number,
    rows: number,
    cols: number,
    target: T,
    random: RandomStream,
  ): Promise<void> {
    const z = Float64Array.from(Float32Array.from(randomArray(random, rows * cols, 1.5)));
    const { loss: value, grad } = loss.evaluate({ rows, cols, data: Float32Array.from(z) }, target);
    expect(Math.abs(value - twin(z))).toBeLessThan(1e-12 * Math.max(1, Math.abs(value)));
    const numeric = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) {
      const keep = z[i]!;
      z[i] = keep + H;
      const up = twin(z);
      z[i] = keep - H;
      const down = twin(z);
      z[i] = keep;
      numeric[i] = (up - down) / (2 * H);
    }
    expectClose(grad.data, numeric, loss.id);
  }
  const labels = Int32Array.from([3, 0, 1, 1, 2]);
  const ceTwin = (z: Float64Array, cols: number) => {
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(z[i * cols + j]!);
      total += Math.log(sum) - z[i * cols + labels[i]!]!;
    }
    return total / labels.length;
  };

  it('mean squared error', async () => {
    const t = Float32Array.from(randomArray(RandomStream.fromSeed(7), 15));
    await checkLoss(
      meanSquaredError,
      (z) => z.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0) / z.length,
      5,
      3,
      { rows: 5, cols: 3, data: t },
      RandomStream.fromSeed(8),
    );
  });

  it('cross-entropy from logits', async () => {
    await checkLoss(crossEntropyFromLogits, (z) => ceTwin(z, 4), 5, 4, labels, RandomStream.fromSeed(9));
  });

  it('cross-entropy on softmax outputs (the authors’ double softmax)', async () => {
    await checkLoss(
      crossEntropyOnSoftmax,
      (z) => ceTwin(softmaxTwin(4)(z, []), 4),
      5,
      4,
      labels,
      RandomStream.fromSeed(10),
    );
  });

  it('cross-entropy on softmax is bounded below by log(1 + (C−1)/e), cross-entropy from logits by 0', () => {
    const z = { rows: 1, cols: 10, data: Float32Array.from([0, 0, 0, 80, 0, 0, 0, 0, 0, 0]) };
    expect(crossEntropyFromLogits.evaluate(z, [3]).loss).toBeLessThan(1e-30);
    expect(crossEntropyOnSoftmax.evaluate(z, [3]).loss).toBeCloseTo(Math.log(1 + 9 / Math.E), 12);
  });

  it('rejects labels out of range, naming the row', () => {
    expect(() => crossEntropyFromLogits.evaluate({ rows: 2, cols: 3, data: new Float32Array(6) }, [0, 3])).toThrow(
      /labels\[1\].*\[0, 3\).*3/,
    );
  });
});
