import { firstValueFrom, from, toArray } from 'rxjs';
import { METRICS_KIND, probeReceives, type Observation } from '@entroscope/core';
import { describeProbeConformance, measure, testContext } from '@entroscope/testing';
import { trainingMetricsDescriptor } from './training-metrics-probe';

function metricsAt(epoch: number, loss: number, accuracy: number): Observation {
  return {
    system: 'net',
    site: { axis: 'epoch', index: epoch, time: { axis: 'epoch', index: epoch } },
    kind: METRICS_KIND,
    shape: [],
    metrics: [
      { name: 'train-loss', value: loss, unit: 'nat', n: 640, description: 'mean cross-entropy over the epoch' },
      {
        name: 'test-accuracy',
        value: accuracy,
        unit: 'dimensionless',
        n: 1000,
        uncertainty: Math.sqrt((accuracy * (1 - accuracy)) / 1000),
      },
    ],
    meta: {},
  };
}
const run = [metricsAt(1, 2.1, 0.4), metricsAt(2, 1.3, 0.7), metricsAt(3, 0.9, 0.8)];

describeProbeConformance(trainingMetricsDescriptor, [
  { params: { metrics: ['train-loss'] }, observations: async () => run },
  { params: { metrics: ['test-accuracy'] }, observations: async () => run },
]);

describe('training-metrics', () => {
  it('passes every metric through unchanged, one measurement per metric and site, estimator = metric name', async () => {
    const out = await measure(trainingMetricsDescriptor, {}, run);
    expect(out).toHaveLength(6);
    expect(out.map((m) => [m.site.index, m.estimator, m.value, m.unit, m.n])).toEqual([
      [1, 'train-loss', 2.1, 'nat', 640],
      [1, 'test-accuracy', 0.4, 'dimensionless', 1000],
      [2, 'train-loss', 1.3, 'nat', 640],
      [2, 'test-accuracy', 0.7, 'dimensionless', 1000],
      [3, 'train-loss', 0.9, 'nat', 640],
      [3, 'test-accuracy', 0.8, 'dimensionless', 1000],
    ]);
    expect(out[1]!.uncertainty).toBeCloseTo(Math.sqrt(0.24 / 1000), 15);
    expect(out[0]!.site.time).toEqual({ axis: 'epoch', index: 1 });
    expect(out[0]!.meta).toEqual({ metric: 'train-loss', description: 'mean cross-entropy over the epoch' });
  });

  it('fails, naming the metric, when a requested metric never appears', async () => {
    const probe = trainingMetricsDescriptor.create(
      trainingMetricsDescriptor.paramsSchema.parse({ metrics: ['train-loss', 'trainability'] }),
      testContext(),
    );
    await expect(firstValueFrom(probe.apply(from(run)).pipe(toArray()))).rejects.toThrow(
      /no metric named 'trainability'.*emitted 'train-loss'/,
    );
  });

  it('rejects observations that are not metrics', async () => {
    const layer: Observation = {
      system: 'net',
      site: { axis: 'layer', index: 0 },
      kind: 'pre-activations',
      data: new Float32Array(4),
      shape: [2, 2],
      meta: {},
    };
    await expect(measure(trainingMetricsDescriptor, {}, [layer])).rejects.toThrow(
      /expected an observation of kind 'metrics'/,
    );
  });

  it('is routed metrics only, and other probes never see metrics', () => {
    const layer: Observation = {
      system: 'net',
      site: { axis: 'layer', index: 0 },
      kind: 'pre-activations',
      data: new Float32Array(4),
      shape: [2, 2],
      meta: {},
    };
    const requirements = trainingMetricsDescriptor.requires({});
    expect(probeReceives(requirements, run[0]!)).toBe(true);
    expect(probeReceives(requirements, layer)).toBe(false);
    expect(probeReceives({ kinds: ['pre-activations'] }, run[0]!)).toBe(false);
    expect(probeReceives({}, run[0]!)).toBe(false);
    expect(probeReceives({}, layer)).toBe(true);
    expect(probeReceives({ kinds: ['pre-activations', METRICS_KIND] }, layer)).toBe(true);
  });
});
