import { Observable, defer, mergeMap } from 'rxjs';
import {
  METRICS_KIND,
  ProbeDataError,
  z,
  type Measurement,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
} from '@entroscope/core';

export const trainingMetricsParamsSchema = z
  .object({
    metrics: z
      .array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a kebab-case metric name'))
      .min(1)
      .optional()
      .describe(
        "Metric names to keep, e.g. ['train-loss', 'test-accuracy'] (default: every metric the system emits); a name the system never emits is an error at the end of the run",
      ),
  })
  .strict();
export type TrainingMetricsParams = z.infer<typeof trainingMetricsParamsSchema>;

/**
 * Turns the scalar metrics a system records (observations of kind `metrics`: training loss, train and test
 * accuracy per epoch, a trainability score...) into Measurements, one per metric and site, so that a study
 * reads and plots them like any other probe result. Nothing is estimated here: value, unit, n and uncertainty
 * are the system's, and the measurement's `estimator` is the metric name (so each metric is its own series in
 * results and reports); meta.metric repeats it and meta.description says what was computed.
 */
export class TrainingMetricsProbe implements Probe {
  readonly id = 'training-metrics';
  readonly estimator = 'recorded';
  constructor(private readonly params: TrainingMetricsParams) {}

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return defer(() => {
      const wanted = this.params.metrics;
      const seen = new Set<string>();
      return new Observable<Measurement>((subscriber) =>
        observations
          .pipe(
            mergeMap((o) => {
              const where = `site ${o.site.axis}=${o.site.index}${o.site.time ? ` (${o.site.time.axis} ${o.site.time.index})` : ''}`;
              if (o.kind !== METRICS_KIND || !o.metrics)
                throw new ProbeDataError(
                  this.id,
                  `${where}: expected an observation of kind '${METRICS_KIND}' with metrics, got kind '${o.kind}'${o.metrics ? '' : ' without metrics'}`,
                );
              const out: Measurement[] = [];
              for (const metric of o.metrics) {
                if (wanted && !wanted.includes(metric.name)) continue;
                seen.add(metric.name);
                out.push({
                  probe: this.id,
                  estimator: metric.name,
                  site: o.site,
                  value: metric.value,
                  unit: metric.unit,
                  ...(metric.uncertainty !== undefined && { uncertainty: metric.uncertainty }),
                  n: metric.n ?? null,
                  meta: {
                    metric: metric.name,
                    ...(metric.description !== undefined && { description: metric.description }),
                  },
                });
              }
              return out;
            }),
          )
          .subscribe({
            next: (m) => subscriber.next(m),
            error: (e) => subscriber.error(e),
            complete: () => {
              const missing = (wanted ?? []).filter((n) => !seen.has(n));
              if (missing.length > 0)
                subscriber.error(
                  new ProbeDataError(
                    this.id,
                    `params.metrics: the system emitted no metric named ${missing.map((n) => `'${n}'`).join(', ')} (it emitted ${[...seen].map((n) => `'${n}'`).join(', ') || 'none of the requested ones'})`,
                  ),
                );
              else subscriber.complete();
            },
          }),
      );
    });
  }
}

export const trainingMetricsDescriptor: ProbeDescriptor<TrainingMetricsParams> = {
  id: 'training-metrics',
  version: '1.0.0',
  summary:
    'Scalar metrics a system records (training loss, train/test accuracy per epoch, trainability) as measurements, one per metric and site',
  display: {
    name: 'Training metrics',
    units: { nat: 'nats per example', dimensionless: 'fraction', layer: 'layers', MAC: 'multiply–accumulates' },
    parameters: { metrics: { name: 'metrics' } },
    axes: { epoch: { name: 'epoch' }, step: { name: 'step' } },
    values: {
      'train-loss': 'training loss',
      'test-loss': 'test loss',
      'train-accuracy': 'training accuracy',
      'test-accuracy': 'test accuracy',
      'trainable-depth': 'trained depth (ground truth)',
      'cascade-total-macs': 'cascade prediction cost',
      'ground-truth-macs': 'ground-truth training cost',
    },
  },
  paramsSchema: trainingMetricsParamsSchema,
  requires: () => ({ kinds: [METRICS_KIND] }),
  create: (params, _context: RunContext) => new TrainingMetricsProbe(params),
};
