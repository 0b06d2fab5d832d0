import { collect, describeSystemConformance, testContext } from '@entroscope/testing';
import { neuralEntropyDescriptor } from './neural-entropy-system';

const tiny = {
  network: { hidden: [8], mappingSize: 4 },
  training: { batchSize: 16, throws: 2, learningRate: 1e-3 },
  estimator: { grid: 'gauss-legendre', testSamples: 40 },
};

describeSystemConformance(neuralEntropyDescriptor, [
  { ...tiny, data: { kind: 'bimodal' }, samples: 32, checkpoints: [0, 1] },
  {
    ...tiny,
    process: { kind: 'sl' },
    data: { kind: 'gaussian', mean: [1, 0], variance: 0.5 },
    samples: 32,
    checkpoints: [1],
    likelihood: { samples: 10, throws: 10 },
    sampling: { samples: 20, steps: 5 },
  },
]);

describe('neural-entropy system', () => {
  it('records S_NN, the exact S_tot, L_EM and L_EM + S_NN per checkpoint, with provenance of the estimator', async () => {
    const observations = await collect(
      neuralEntropyDescriptor,
      { ...tiny, data: { kind: 'gaussian', mean: [2, 1], variance: 0.25 }, samples: 32, checkpoints: [0, 2] },
      testContext(3),
    );
    expect(observations.map((o) => o.site.index)).toEqual([0, 2]);
    const names = observations[1]!.metrics!.map((m) => m.name);
    expect(names).toEqual([
      'train-loss',
      'neural-entropy',
      'total-entropy',
      'total-entropy-mc',
      'entropy-matching-loss',
      'matching-plus-neural',
      'cross-term',
    ]);
    const value = (name: string) => observations[1]!.metrics!.find((m) => m.name === name)!.value;
    expect(value('total-entropy')).toBeCloseTo(3.1354965777, 9);
    expect(value('matching-plus-neural')).toBeCloseTo(value('entropy-matching-loss') + value('neural-entropy'), 12);
    // L_EM = S_tot − 2C + S_NN on the same draws (the Monte Carlo S_tot).
    expect(value('entropy-matching-loss')).toBeCloseTo(
      value('total-entropy-mc') - 2 * value('cross-term') + value('neural-entropy'),
      6,
    );
    expect(observations[0]!.meta.grid).toMatch(/gauss-legendre/);
  });

  it('rejects checkpoints that do not increase and likelihood checks on MNIST', () => {
    expect(
      neuralEntropyDescriptor.paramsSchema.safeParse({ data: { kind: 'bimodal' }, checkpoints: [2, 2] }).success,
    ).toBe(false);
    expect(
      neuralEntropyDescriptor.paramsSchema.safeParse({ data: { kind: 'mnist', perClass: 2 }, likelihood: {} }).success,
    ).toBe(false);
  });
});
