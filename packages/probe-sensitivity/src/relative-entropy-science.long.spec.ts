/**
 * Long check (npm run test:long): random-mlp-mean-field.md §2.1 exactly as stated — untrained networks at N = 784,
 * a single input with ⟨x²⟩ = 0.112, nMC = 1000, σ_w² = 1.5, 2.0, 2.5, σ_b² = 0.05: the authors' quantity follows
 * (N/2) ln(q^m/q^0) layer by layer within ±20 % and its plateau mean over layers 5–11 within ±10 % (class S);
 * and the same on a real MNIST image (the last of the authors' final validation batch).
 */
import { collect, measure, testContext } from '@entroscope/testing';
import { randomMlpDescriptor } from '@entroscope/system-random-mlp';
import { mlpRelativeEntropyDescriptor } from '@entroscope/probe-divergence';

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe("authors' relative entropy at N = 784, nMC = 1000 (science §2.1)", () => {
  it.each([
    [1.5, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.0, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.5, { source: 'gaussian', count: 1, dimension: 784, meanSquare: 0.112 }],
    [2.0, { source: 'mnist', split: 'train', offset: 59856, count: 128 }],
  ])('σ_w² = %p, inputs %j', async (sigmaW2, inputs) => {
    const observations = await collect(randomMlpDescriptor, { sigmaW2, sigmaB2: 0.05, depth: 12, widths: { schedule: 'constant', width: 784 }, inputs, pushforward: { samples: 1000 } }, testContext(21, 'mlp'));
    const d = await measure(mlpRelativeEntropyDescriptor, {}, observations);
    const overlays = d.map((m) => m.meta['overlays'] as Record<string, number>);
    for (let l = 1; l < 12; l++) expect(Math.abs(d[l]!.value / overlays[l]!['meanField']! - 1)).toBeLessThan(0.2);
    expect(Math.abs(mean(d.slice(5).map((m) => m.value)) / overlays[11]!['asymptote']! - 1)).toBeLessThan(0.1);
  }, 300_000);
});
