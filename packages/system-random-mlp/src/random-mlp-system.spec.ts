import { firstValueFrom, take, toArray } from 'rxjs';
import type { Observation } from '@entroscope/core';
import { MnistDataset } from '@entroscope/datasets';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { fillNormalFast } from '@entroscope/kernels';
import { MeanField } from './mean-field';
import { randomMlpDescriptor, type RandomMlpParams } from './random-mlp-system';
import { layerWidths } from './width-schedule';

/** ENTROSCOPE_TEST_SEED=k shifts the seeds of the statistical tests here (a manual seed scan). */
const seedOffset = Number(process.env['ENTROSCOPE_TEST_SEED'] ?? 0);

const small = {
  sigmaW2: 1.5,
  sigmaB2: 0.05,
  depth: 4,
  widths: { schedule: 'constant', width: 12 },
  inputs: { source: 'gaussian', count: 4, dimension: 10 },
};

describeSystemConformance(randomMlpDescriptor, [
  small,
  {
    ...small,
    activation: 'relu',
    record: 'activations',
    exact: 'mean-field-gaussian',
    jacobian: { directions: 2, inputs: 2 },
  },
  {
    ...small,
    activation: 'erf',
    depth: 5,
    widths: { schedule: 'wide', penultimate: 6, output: 3 },
    inputs: { source: 'pairs', pairs: 2, dimension: 9, correlation: 0.3 },
    pushforward: { samples: 20 },
  },
]);

type Meta = {
  meanField: { q: number; pairCorrelation: number; qStar: number; xiC: number | null; criticalSigmaW2: number };
  jacobian?: { logSquaredNorms: number[] };
  pushforward?: { rowSums: number[]; rowSquareSums: number[]; referenceMean: number; referenceVariance: number };
};
const metaOf = (o: Observation) => o.meta as unknown as Meta;

describe('random-mlp system', () => {
  it('width schedules: wide (…784, 400, 10) and shrinking 784 − ⌊774/L⌋·(ℓ+1)', () => {
    const wide = layerWidths({ schedule: 'wide', penultimate: 400, output: 10 }, 30, 784);
    expect(wide.length).toBe(30);
    expect(wide.slice(26)).toEqual([784, 784, 400, 10]);
    expect(layerWidths({ schedule: 'shrinking', output: 10 }, 10, 784)).toEqual([
      707, 630, 553, 476, 399, 322, 245, 168, 91, 10,
    ]);
    expect(
      randomMlpDescriptor.paramsSchema.safeParse({ ...small, depth: 2, widths: { schedule: 'wide' } }).success,
    ).toBe(false);
  });

  it('computes z^ℓ = W_ℓ φ(z^{ℓ−1}) + b_ℓ: matches an independent float64 re-implementation from the same random splits', async () => {
    const params = { ...small, activation: 'tanh', jacobian: { directions: 3, inputs: 2 } };
    const context = testContext(5);
    const observations = await collect(randomMlpDescriptor, params, testContext(5));
    // Re-implementation: same splits as the system (inputs, weights:ℓ, biases:ℓ, jacobian-directions).
    const random = context.random;
    const x = random.split('inputs').fillNormal(new Float32Array(4 * 10), 0, 1);
    const layers: { w: Float32Array; b: Float32Array; fanIn: number; n: number }[] = [];
    let fanIn = 10;
    for (let l = 0; l < 4; l++) {
      layers.push({
        w: fillNormalFast(random.split(`weights:${l}`), new Float32Array(fanIn * 12), 0, Math.sqrt(1.5 / fanIn)),
        b: fillNormalFast(random.split(`biases:${l}`), new Float32Array(12), 0, Math.sqrt(0.05)),
        fanIn,
        n: 12,
      });
      fanIn = 12;
    }
    const forward = (input: Float64Array): Float64Array[] => {
      const zs: Float64Array[] = [];
      let h = input;
      for (const { w, b, fanIn: k, n } of layers) {
        const z = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let s = b[i]!;
          for (let j = 0; j < k; j++) s += w[j * n + i]! * h[j]!;
          z[i] = s;
        }
        zs.push(z);
        h = z.map(Math.tanh);
      }
      return zs;
    };
    const directions = fillNormalFast(random.split('jacobian-directions'), new Float32Array(6 * 10));
    for (let r = 0; r < 4; r++) {
      const zs = forward(Float64Array.from(x.subarray(r * 10, (r + 1) * 10)));
      zs.forEach((z, l) =>
        z.forEach((v, i) => expect(Math.abs(observations[l]!.data![r * 12 + i]! - v)).toBeLessThan(1e-5)),
      );
    }
    // Forward-mode JVP norms against central finite differences of the float64 forward pass (h = 1e-6).
    for (let t = 0; t < 6; t++) {
      const r = Math.floor(t / 3);
      const base = Float64Array.from(x.subarray(r * 10, (r + 1) * 10));
      const u = directions.subarray(t * 10, (t + 1) * 10);
      const plus = forward(base.map((v, j) => v + 1e-6 * u[j]!));
      const minus = forward(base.map((v, j) => v - 1e-6 * u[j]!));
      for (let l = 0; l < 4; l++) {
        let s = 0;
        for (let i = 0; i < 12; i++) s += ((plus[l]![i]! - minus[l]![i]!) / 2e-6) ** 2;
        expect(Math.abs(metaOf(observations[l]!).jacobian!.logSquaredNorms[t]! - Math.log(s))).toBeLessThan(1e-4);
      }
    }
  });

  it('emits layer by layer: unsubscribing after the first site stops the computation', async () => {
    let progressed = 0;
    const context = { ...testContext(1), progress: () => void progressed++ };
    const system = randomMlpDescriptor.create(randomMlpDescriptor.paramsSchema.parse({ ...small, depth: 50 }), context);
    const first = await firstValueFrom(system.observe().pipe(take(1), toArray()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(first.length).toBe(1);
    expect(progressed).toBeLessThanOrEqual(2);
  });

  it('push-forward: layer-0 samples have the fitted mean and variance of the chosen image (5 standard errors)', async () => {
    const obs = await collect(
      randomMlpDescriptor,
      { ...small, widths: { schedule: 'constant', width: 50 }, pushforward: { samples: 400, image: 1 } },
      testContext(1 + seedOffset),
    );
    const pf = metaOf(obs[0]!).pushforward!;
    // The fit: mean and population variance (ddof 0) over the 50 neurons of image 1.
    const row = Float64Array.from(obs[0]!.data!.subarray(50, 100));
    const mean = row.reduce((a, b) => a + b, 0) / 50;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / 50;
    expect(Math.abs(pf.referenceMean - mean)).toBeLessThan(1e-6);
    expect(Math.abs(pf.referenceVariance / variance - 1)).toBeLessThan(1e-6);
    // The samples: 400 × 50 i.i.d. N(μ₀, σ₀²) values. Sample mean SE σ₀/√n; sample variance SE σ₀²·√(2/n).
    const n = 400 * 50;
    const sampleMean = pf.rowSums.reduce((a, b) => a + b, 0) / n;
    const sampleVariance = pf.rowSquareSums.reduce((a, b) => a + b, 0) / n - sampleMean * sampleMean;
    expect(Math.abs(sampleMean - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
    expect(Math.abs(sampleVariance / variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(pf.rowSums.length).toBe(400);
    expect(pf.rowSquareSums.length).toBe(400);
  });
});

/**
 * Sampled q^ℓ = ‖z^ℓ‖²/N and c^ℓ = z_a·z_b/(‖z_a‖‖z_b‖) at width N = 1000 against mean field (class S).
 * Standard error: one input at one layer has relative SD √(2/N) (χ²_N/N); errors from earlier layers are damped
 * by the map's slope s < 1, so the SD is ≤ √(2/(N(1 − s²))) ≤ 1.6·√(2/N) for the slopes here (s ≤ 0.78).
 * Means over M = 4 independent networks (rows of one network are not independent): tolerance 4·1.6·√(2/N)/√M
 * = 0.029 (relative for q, absolute for c), plus 1/N for the finite-width bias of mean field.
 */
describe('sampled q^ℓ and c^ℓ at width 1000 vs mean field', () => {
  const N = 1000;
  const M = 4;
  const tolerance = (4 * 1.6 * Math.sqrt(2 / N)) / Math.sqrt(M) + 1 / N;
  it.each([1.0, 2.5])('σ_w² = %p, σ_b² = 0.05, input pairs with c⁰ = 0.6, depth 8', async (sigmaW2) => {
    const params = {
      sigmaW2,
      sigmaB2: 0.05,
      depth: 8,
      widths: { schedule: 'constant', width: N },
      inputs: { source: 'pairs', pairs: 2, dimension: N, correlation: 0.6, meanSquare: 0.5 },
    };
    const qSum = new Float64Array(8);
    const cSum = new Float64Array(8);
    let meanField: { q: number; c: number }[] = [];
    for (let m = 0; m < M; m++) {
      // Own networks per σ_w² (no weight draws shared between the two cases).
      const obs = await collect(
        randomMlpDescriptor,
        params as unknown as RandomMlpParams,
        testContext(Math.round(100 * sigmaW2) * 1000 + m + 10 * seedOffset),
      );
      meanField = obs.map((o) => ({ q: metaOf(o).meanField.q, c: metaOf(o).meanField.pairCorrelation }));
      obs.forEach((o, l) => {
        const z = o.data!;
        const norm = (r: number) => {
          let s = 0;
          for (let i = 0; i < N; i++) s += z[r * N + i]! ** 2;
          return s;
        };
        for (const pair of [0, 1]) {
          const [a, b] = [norm(2 * pair), norm(2 * pair + 1)];
          let dot = 0;
          for (let i = 0; i < N; i++) dot += z[2 * pair * N + i]! * z[(2 * pair + 1) * N + i]!;
          qSum[l] += (a + b) / (2 * N) / (2 * M);
          cSum[l] += dot / Math.sqrt(a * b) / (2 * M);
        }
      });
    }
    const mf = new MeanField('tanh', sigmaW2, 0.05);
    const q0 = mf.firstLayerVariance(0.5);
    expect(Math.abs(meanField[0]!.q - q0)).toBeLessThan(1e-6);
    for (let l = 0; l < 8; l++) {
      expect(Math.abs(qSum[l]! / meanField[l]!.q - 1)).toBeLessThan(tolerance);
      expect(Math.abs(cSum[l]! - meanField[l]!.c)).toBeLessThan(tolerance);
    }
  });
});

describe('inputs', () => {
  it.each([1.0, 1.5, 2.5])(
    "'fixed-point' sets ⟨x²⟩ = (q* − σ_b²)/σ_w², so that layer 0 starts at q* (σ_w² = %p, σ_b² = 0.3)",
    async (sigmaW2) => {
      // Pairs and equicorrelated inputs have their ⟨x²⟩ set exactly (float32), so q⁰ = σ_w²⟨x²⟩ + σ_b² must equal q*
      // to float32 precision; forgetting σ_b² would put q⁰ at q* + σ_b² (σ_b² = 0.3 is 20–60 % of q* here).
      const mf = new MeanField('tanh', sigmaW2, 0.3);
      for (const inputs of [
        { source: 'pairs', pairs: 2, dimension: 64, meanSquare: 'fixed-point' },
        { source: 'equicorrelated', count: 4, dimension: 64, meanSquare: 'fixed-point' },
      ]) {
        const obs = await collect(randomMlpDescriptor, { ...small, sigmaW2, sigmaB2: 0.3, inputs, depth: 2 });
        expect(Math.abs(metaOf(obs[0]!).meanField.q / mf.qStar() - 1)).toBeLessThan(1e-6);
        // And the layer after it stays there (q* is the q-map's fixed point).
        expect(Math.abs(metaOf(obs[1]!).meanField.q / mf.qStar() - 1)).toBeLessThan(1e-6);
      }
      expect(mf.qStar()).toBeGreaterThan(0.3);
    },
  );

  it('the critical σ_w² at σ_b² = 0.05 is in every site meta', async () => {
    const obs = await collect(randomMlpDescriptor, { ...small, depth: 1 });
    expect(metaOf(obs[0]!).meanField.criticalSigmaW2).toBeCloseTo(1.7609546396, 9);
  });

  it('feeds the MNIST test images themselves: z⁰ = W₀x + b₀ with x the dataset pixels, and q⁰ from their ⟨x²⟩', async () => {
    const params = {
      sigmaW2: 2,
      sigmaB2: 0.05,
      depth: 3,
      widths: { schedule: 'wide', penultimate: 40, output: 10 },
      inputs: { source: 'mnist', count: 3, offset: 9997 },
    };
    const obs = await collect(randomMlpDescriptor, params, testContext(3));
    expect(obs.map((o) => o.shape)).toEqual([
      [3, 784],
      [3, 40],
      [3, 10],
    ]);
    // Independent read of the same images, and layer 0 recomputed in float64 from the system's weight splits.
    const set = MnistDataset.open('test');
    const x = set.readImages(9997, 3);
    set.close();
    let max = 0;
    let meanSquare = 0;
    for (let i = 0; i < x.length; i++) {
      max = Math.max(max, x[i]!);
      meanSquare += x[i]! ** 2 / x.length;
    }
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    expect(Math.abs(metaOf(obs[0]!).meanField.q - (2 * meanSquare + 0.05))).toBeLessThan(1e-6);
    const random = testContext(3).random;
    const w = fillNormalFast(random.split('weights:0'), new Float32Array(784 * 784), 0, Math.sqrt(2 / 784));
    const b = fillNormalFast(random.split('biases:0'), new Float32Array(784), 0, Math.sqrt(0.05));
    for (let r = 0; r < 3; r++) {
      for (const i of [0, 100, 783]) {
        let z = b[i]!;
        for (let j = 0; j < 784; j++) z += w[j * 784 + i]! * x[r * 784 + j]!;
        expect(Math.abs(obs[0]!.data![r * 784 + i]! - z)).toBeLessThan(1e-4);
      }
    }
    expect(String(obs[0]!.meta['inputs'])).toBe('MNIST test images 9997…9999');
  });
});
