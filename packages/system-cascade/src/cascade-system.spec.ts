import { METRICS_KIND } from '@entroscope/core';
import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { cascadeDescriptor } from './cascade-system';
import { trainabilityDescriptor } from './trainability-system';

const noise = { source: 'white-noise', pixels: 16, trainImages: 256, testImages: 64 } as const;
const small = {
  sigmaW2: 1.5,
  depth: 5,
  data: noise,
  training: { images: 128, batchSize: 32 },
  evaluation: { images: 8 },
};

describeSystemConformance(cascadeDescriptor, [
  small,
  { ...small, widths: 'shrinking', training: { images: 64, epochs: 0 } },
]);
describeSystemConformance(trainabilityDescriptor, [
  {
    data: { source: 'mnist' },
    training: { maxEpochs: 1, trainImages: 64, testImages: 32, threshold: 0.5 },
    protocol: { use: 'grid', depths: [3, 4], seeds: 1 },
  },
]);

describe('cascade system', () => {
  it('emits the originals at layer 0, one reconstruction per block, then the cost as metrics', async () => {
    const obs = await collect(cascadeDescriptor, small, testContext(2));
    const layers = obs.filter((o) => o.site.axis === 'layer');
    // wide, depth 5: [16, 16, 16, 16, 400, 10] → 5 blocks.
    expect(layers.map((o) => o.site.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const o of layers) {
      expect(o.kind).toBe('images');
      expect(o.shape).toEqual([8, 16]);
      expect(o.meta['meanField']).toMatchObject({ sigmaW2: 1.5, sigmaB2: 0.05, phase: 'ordered' });
    }
    expect((layers[0]!.meta['meanField'] as { criticalSigmaW2: number }).criticalSigmaW2).toBeCloseTo(1.7609546396, 9);
    expect((layers[0]!.meta['meanField'] as { sixXiC: number }).sixXiC).toBeCloseTo(94.746, 2);
    const cost = obs[obs.length - 1]!;
    expect(cost.kind).toBe(METRICS_KIND);
    const macs = Object.fromEntries(cost.metrics!.map((m) => [m.name, m.value]));
    // 3 · Σ N_{ℓ−1}N_ℓ per image × 128 images.
    expect(macs['cascade-training-macs']).toBe(3 * (3 * 256 + 16 * 400 + 4000) * 128);
    expect(macs['optimiser-steps']).toBe(4 * 5);
  });

  it('reads every pixel of the evaluation images unchanged at layer 0 and reconstructions in (−1, 1)', async () => {
    const obs = await collect(cascadeDescriptor, small, testContext(4));
    const x = obs[0]!.data!;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThan(1);
    for (const o of obs.slice(1, 6)) expect(Math.max(...o.data!.map(Math.abs))).toBeLessThan(1);
  });

  it('rejects more training images than the split holds, naming the data set', async () => {
    await expect(collect(cascadeDescriptor, { ...small, training: { images: 1000 } })).rejects.toThrow(
      /training.images: 1000 requested.*white noise/,
    );
  });

  it('fails with a clear message for CIFAR-10 without a directory', () => {
    const r = cascadeDescriptor.paramsSchema.safeParse({ data: { source: 'cifar10' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/CIFAR-10 binary files/);
  });
});

describe('cascade-trainability protocols', () => {
  const tiny = { data: { source: 'mnist' }, training: { maxEpochs: 1, trainImages: 64, testImages: 32 } } as const;

  it('search: lowers the depth by depthStep until a network trains and carries the depth over to the next σ_w² (never rises)', async () => {
    const never = await collect(trainabilityDescriptor, {
      ...tiny,
      training: { ...tiny.training, threshold: 1 },
      protocol: { use: 'search', sigmaW2: [1.0, 1.5], startDepth: 5, depthStep: 1, minDepth: 3 },
    });
    const value = (o: (typeof never)[number], name: string) => o.metrics!.find((m) => m.name === name)!.value;
    // Accuracy never exceeds 1: depths 5, 4, 3 fail at σ_w² = 1.0, then only depth 3 is tried at 1.5.
    expect(never.map((o) => value(o, 'trainings'))).toEqual([3, 1]);
    expect(never.map((o) => value(o, 'trainable-depth'))).toEqual([0, 0]);
    const always = await collect(trainabilityDescriptor, {
      ...tiny,
      training: { ...tiny.training, threshold: 0 },
      protocol: { use: 'search', sigmaW2: [1.0, 1.5, 2.0], startDepth: 5, depthStep: 1, minDepth: 3 },
    });
    // Accuracy > 0 passes almost at once; whatever depth each σ_w² reaches, it never rises along the list.
    const reached = always.map((o) => value(o, 'trainable-depth'));
    for (let i = 1; i < reached.length; i++) expect(reached[i]!).toBeLessThanOrEqual(reached[i - 1]!);
    expect(reached[0]!).toBeGreaterThanOrEqual(3);
    expect(always.map((o) => o.site.axis)).toEqual(['search', 'search', 'search']);
  }, 120_000);

  it('grid: every depth × seed is its own network; the trainable depth is the largest depth most seeds pass', async () => {
    const obs = await collect(trainabilityDescriptor, {
      ...tiny,
      training: { ...tiny.training, threshold: 0 },
      protocol: { use: 'grid', depths: [4, 3], seeds: 3 },
    });
    const runs = obs.filter((o) => o.site.axis === 'run');
    expect(runs.map((o) => o.meta['depth'])).toEqual([3, 3, 3, 4, 4, 4]);
    expect(new Set(runs.map((o) => JSON.stringify(o.meta['accuracies']))).size).toBeGreaterThan(1); // independent seeds
    const summary = obs.find((o) => o.site.axis === 'summary')!;
    expect(summary.metrics!.find((m) => m.name === 'trainable-depth')!.value).toBe(4);
  }, 120_000);
});
