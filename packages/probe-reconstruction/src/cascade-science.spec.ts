import type { Measurement } from '@entroscope/core';
import { collect, measure, testContext } from '@entroscope/testing';
import { reconstructionEntropyDescriptor } from './reconstruction-entropy-probe';
import { cascadeDescriptor, trainabilityDescriptor } from '@entroscope/system-cascade';

// Fast version of the cascade paper's claims (small grid; the full reduced grid, with the trained depth over
// σ_w² and its rank correlation with the cutoff, is in cascade-science.long.spec.ts). 7×7-pooled MNIST.
// Cascade: depth 60, one epoch over 12 000 images. Deep in the ordered phase (σ_w² = 1.0, 6ξ_c = 21.8) the
// reconstructions saturate early, at σ_w²_c they carry information deeper, and in the chaotic phase (σ_w² = 3.0)
// the cutoff stays finite (below the curve length 58; not the all-saturated quirk). Measured at seeds 2406, 1–5
// (docs/cascade.md): ordered 10, 5, 7, 7, 6, 6; critical 46, 11, 23, 13, 10, 15; chaotic 18, 16, 21, 17, 16, 12.
// Ground truth on the same two-point grid (the protocol of the long test and of studies/cascade-mnist.yaml: wide
// networks, SGD lr 0.05, batch 64, ≤ 3 epochs of 20 000 images, trainable when the test accuracy exceeds 0.3):
// at depth 30 no network trains at σ_w² = 1.0 and every one trains at 1.76 (6 seeds each: accuracy 0.126 = the
// majority class for all three epochs, against 0.49–0.64 after the first), so the cutoff must rank 1.76 above 1.0.
const base = {
  sigmaB2: 0.05,
  depth: 60,
  widths: 'wide',
  pool: 4,
  data: { source: 'mnist' },
  training: { images: 12000 },
  evaluation: { images: 100 },
} as const;
const truth = {
  sigmaB2: 0.05,
  widths: 'wide',
  pool: 4,
  data: { source: 'mnist' },
  training: { lr: 0.05, batchSize: 64, maxEpochs: 3, threshold: 0.3, trainImages: 20000, testImages: 1000 },
  protocol: { use: 'grid', depths: [30], seeds: 2 },
} as const;

async function cutoff(sigmaW2: number) {
  const obs = await collect(cascadeDescriptor, { ...base, sigmaW2 }, testContext(2406));
  const [m] = await measure(
    reconstructionEntropyDescriptor,
    { output: 'cutoff' },
    obs.filter((o) => o.site.axis === 'layer'),
  );
  return m!;
}

async function trainedFraction(sigmaW2: number): Promise<number> {
  const obs = await collect(trainabilityDescriptor, { ...truth, sigmaW2 }, testContext(2406, 'truth'));
  const runs = obs.filter((o) => o.site.axis === 'run');
  expect(runs).toHaveLength(2);
  return runs.filter((o) => o.metrics!.find((m) => m.name === 'trainable')!.value === 1).length / runs.length;
}

describe('cascade prediction on MNIST (small grid)', () => {
  const cutoffs = new Map<number, Measurement>();
  beforeAll(async () => {
    for (const sigmaW2 of [1.0, 1.76, 3.0]) cutoffs.set(sigmaW2, await cutoff(sigmaW2));
  }, 600_000);

  it('saturates early in the ordered phase, late at σ_w²_c and at a finite depth in the chaotic phase', () => {
    const ordered = cutoffs.get(1.0)!;
    const critical = cutoffs.get(1.76)!;
    const chaotic = cutoffs.get(3.0)!;
    expect(ordered.value).toBeLessThanOrEqual(22); // ≤ 6ξ_c(1.0) = 21.8
    expect(critical.value).toBeGreaterThan(ordered.value);
    expect(chaotic.meta['allSaturated']).toBe(false);
    expect(chaotic.value).toBeLessThan(58);
  });

  it('ranks σ_w² = 1.76 above 1.0 as training does: depth-30 networks train at 1.76 and not at 1.0', async () => {
    expect(await trainedFraction(1.0)).toBe(0);
    expect(await trainedFraction(1.76)).toBe(1);
    expect(cutoffs.get(1.76)!.value).toBeGreaterThan(cutoffs.get(1.0)!.value);
  }, 600_000);
});
