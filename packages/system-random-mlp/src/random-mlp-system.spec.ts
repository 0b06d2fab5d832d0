import { firstValueFrom, take, toArray } from 'rxjs';
import { RandomStream, type Observation } from '@entroscope/core';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { fillNormalFast } from '@entroscope/kernels';
import { MeanField } from './mean-field';
import { randomMlpDescriptor, type RandomMlpParams } from './random-mlp-system';
import { layerWidths } from './width-schedule';

const small = { sigmaW2: 1.5, sigmaB2: 0.05, depth: 4, widths: { schedule: 'constant', width: 12 }, inputs: { source: 'gaussian', count: 4, dimension: 10 } };

describeSystemConformance(randomMlpDescriptor, [
  small,
  { ...small, activation: 'relu', record: 'activations', exact: 'mean-field-gaussian', jacobian: { directions: 2, inputs: 2 } },
  { ...small, activation: 'erf', depth: 5, widths: { schedule: 'wide', penultimate: 6, output: 3 }, inputs: { source: 'pairs', pairs: 2, dimension: 9, correlation: 0.3 }, pushforward: { samples: 20 } },
]);

type Meta = { meanField: { q: number; pairCorrelation: number; qStar: number; xiC: number | null; criticalSigmaW2: number }; jacobian?: { logSquaredNorms: number[] }; pushforward?: { rowSums: number[]; rowSquareSums: number[]; referenceMean: number; referenceVariance: number } };
const metaOf = (o: Observation) => o.meta as unknown as Meta;

describe('random-mlp system', () => {
  it('width schedules: wide (…784, 400, 10) and shrinking 784 − ⌊774/L⌋·(ℓ+1)', () => {
    const wide = layerWidths({ schedule: 'wide', penultimate: 400, output: 10 }, 30, 784);
    expect(wide.length).toBe(30);
    expect(wide.slice(26)).toEqual([784, 784, 400, 10]);
    expect(layerWidths({ schedule: 'shrinking', output: 10 }, 10, 784)).toEqual([707, 630, 553, 476, 399, 322, 245, 168, 91, 10]);
    expect(randomMlpDescriptor.paramsSchema.safeParse({ ...small, depth: 2, widths: { schedule: 'wide' } }).success).toBe(false);
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
      layers.push({ w: fillNormalFast(random.split(`weights:${l}`), new Float32Array(fanIn * 12), 0, Math.sqrt(1.5 / fanIn)), b: fillNormalFast(random.split(`biases:${l}`), new Float32Array(12), 0, Math.sqrt(0.05)), fanIn, n: 12 });
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
      zs.forEach((z, l) => z.forEach((v, i) => expect(Math.abs(observations[l]!.data![r * 12 + i]! - v)).toBeLessThan(1e-5)));
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

  it('push-forward: layer-0 samples have the fitted mean and variance of the chosen image (4 standard errors)', async () => {
    const obs = await collect(randomMlpDescriptor, { ...small, widths: { schedule: 'constant', width: 50 }, pushforward: { samples: 400, image: 1 } });
    const pf = metaOf(obs[0]!).pushforward!;
    const row = obs[0]!.data!.subarray(50, 100);
    const mean = Float64Array.from(row).reduce((a, b) => a + b, 0) / 50;
    expect(Math.abs(pf.referenceMean - mean)).toBeLessThan(1e-6);
    const sampleMean = pf.rowSums.reduce((a, b) => a + b, 0) / (400 * 50);
    expect(Math.abs(sampleMean - mean)).toBeLessThan(4 * Math.sqrt(pf.referenceVariance / 20000));
    expect(pf.rowSums.length).toBe(400);
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
    const params = { sigmaW2, sigmaB2: 0.05, depth: 8, widths: { schedule: 'constant', width: N }, inputs: { source: 'pairs', pairs: 2, dimension: N, correlation: 0.6, meanSquare: 0.5 } };
    const qSum = new Float64Array(8);
    const cSum = new Float64Array(8);
    let meanField: { q: number; c: number }[] = [];
    for (let m = 0; m < M; m++) {
      const obs = await collect(randomMlpDescriptor, params as unknown as RandomMlpParams, testContext(100 + m));
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
  it("'fixed-point' starts layer 0 at q*", async () => {
    const obs = await collect(randomMlpDescriptor, { ...small, inputs: { source: 'gaussian', count: 2, dimension: 10, meanSquare: 'fixed-point' }, depth: 1 });
    const mf = new MeanField('tanh', 1.5, 0.05);
    // Gaussian rows: ⟨x²⟩ sampled around (q* − σ_b²)/σ_w², so q^0 within its sampling error (20 components: ±4·√(2/20)).
    expect(Math.abs(metaOf(obs[0]!).meanField.q / mf.qStar() - 1)).toBeLessThan(4 * Math.sqrt(2 / 20));
    expect(metaOf(obs[0]!).meanField.criticalSigmaW2).toBeCloseTo(1.7609546396, 9);
  });
  it('reads MNIST test images', async () => {
    const obs = await collect(randomMlpDescriptor, { sigmaW2: 2, depth: 3, widths: { schedule: 'wide', penultimate: 40, output: 10 }, inputs: { source: 'mnist', count: 3, offset: 9997 } });
    expect(obs.map((o) => o.shape)).toEqual([[3, 784], [3, 40], [3, 10]]);
    expect(RandomStream).toBeDefined();
  });
});
