/**
 * Long checks (npm run test:long), docs/science/random-mlp-mean-field.md §2.1–2.2 and §5, untrained networks at
 * N = 784, nMC = 1000, σ_b² = 0.05:
 *  - the authors' quantity follows (N/2) ln(q^m/q⁰) layer by layer: the mean over 4 independent networks of each
 *    layer's ratio to mean field within ±20 %, and of the plateau (layers 5–11) within ±12 % (network SD per layer
 *    ≤ 0.11 and per plateau ≤ 0.075, so the 4-network means have SD ≤ 0.055 and ≤ 0.038; bias ≤ 0.06);
 *  - the gap to the published curves is the image (docs/random-mlp.md): at MNIST training image 59 999 (the last of
 *    the authors' final validation batch of 16) the authors' after-one-epoch values at σ_w² = 2 lie within 3 network
 *    SD of the mean of 8 untrained networks, while at image 59 983 they lie more than 3 SD above it.
 */
import { collect, measure, testContext } from '@entroscope/testing';
import { randomMlpDescriptor } from '@entroscope/system-random-mlp';
import { mlpRelativeEntropyDescriptor } from '@entroscope/probe-divergence';

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + (x - mean(v)) ** 2, 0) / (v.length - 1));

describe("authors' relative entropy at N = 784, nMC = 1000 (science §2.1)", () => {
  it.each([
    [1.5, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.0, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.5, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.0, { source: 'mnist', split: 'train', offset: 59984, count: 16 }],
  ])(
    'σ_w² = %p, inputs %j: 4-network means follow mean field',
    async (sigmaW2, inputs) => {
      const ratios: number[][] = [];
      const plateaus: number[] = [];
      for (let k = 0; k < 4; k++) {
        const observations = await collect(
          randomMlpDescriptor,
          {
            sigmaW2,
            sigmaB2: 0.05,
            depth: 12,
            widths: { schedule: 'constant', width: 784 },
            inputs,
            pushforward: { samples: 1000 },
          },
          testContext(2100 + 10 * k + Math.round(10 * sigmaW2), 'mlp'),
        );
        const d = await measure(mlpRelativeEntropyDescriptor, {}, observations);
        const overlays = d.map((m) => m.meta['overlays'] as Record<string, number>);
        ratios.push(d.slice(1).map((m, l) => m.value / overlays[l + 1]!['meanField']!));
        plateaus.push(mean(d.slice(5).map((m) => m.value)) / overlays[11]!['asymptote']!);
      }
      for (let l = 0; l < 11; l++) expect(Math.abs(mean(ratios.map((r) => r[l]!)) - 1)).toBeLessThan(0.2);
      expect(Math.abs(mean(plateaus) - 1)).toBeLessThan(0.12);
    },
    600_000,
  );
});

describe('the gap to the published curves is the choice of image (docs/random-mlp.md)', () => {
  const published = [209.6, 336.7, 412.5, 455.0]; // authors' "pre" (after one epoch), σ_w² = 2.0, layers 1–4
  const layers = async (offset: number, count: number) => {
    const rows: number[][] = [];
    for (let s = 1; s <= 8; s++) {
      const observations = await collect(
        randomMlpDescriptor,
        {
          sigmaW2: 2.0,
          sigmaB2: 0.05,
          depth: 5,
          widths: { schedule: 'constant', width: 784 },
          inputs: { source: 'mnist', split: 'train', offset, count },
          pushforward: { samples: 1000, image: -1 },
        },
        testContext(7000 + s, 'wide-net'),
      );
      const d = await measure(
        mlpRelativeEntropyDescriptor,
        { estimator: { use: 'authors-monte-carlo', normalise: 'none' } },
        observations,
      );
      rows.push(d.slice(1, 5).map((m) => m.value));
    }
    return [0, 1, 2, 3].map((l) => ({ mean: mean(rows.map((r) => r[l]!)), sd: sd(rows.map((r) => r[l]!)) }));
  };
  it('image 59 999: the published values lie within 3 network SD of untrained networks; image 59 983: more than 3 SD above', async () => {
    const last = await layers(59984, 16);
    const former = await layers(59856, 128);
    published.forEach((v, l) => {
      expect(Math.abs(v - last[l]!.mean)).toBeLessThan(3 * last[l]!.sd);
      expect(v - former[l]!.mean).toBeGreaterThan(3 * former[l]!.sd);
    });
  }, 900_000);
});
