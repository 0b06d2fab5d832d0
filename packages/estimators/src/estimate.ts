import type { RandomStream } from '@entroscope/core';
import { resample, type ResamplingSummary } from './bootstrap';
import type {
  EstimatedQuantity,
  EstimatePoint,
  EstimatorDescriptor,
  EstimatorInput,
  UncertaintySettings,
} from './estimator-registry';
import type { SampleMatrix } from './sample-matrix';

/** Permutation null of an MI: the estimator on y shuffled against x (independence with the same marginals). */
export interface PermutationNull {
  readonly permutations: number;
  readonly mean: number;
  readonly standardDeviation: number;
  /** (1 + #{null ≥ observed}) / (1 + permutations): one-sided p-value of "no dependence". */
  readonly pValue: number;
  /** Upper 95 % quantile of the null values. */
  readonly quantile95: number;
  readonly nonFinite: number;
}

/** A labelled estimate with its uncertainty: what a probe turns into a Measurement. */
export interface LabelledEstimate extends EstimatePoint {
  readonly estimator: string;
  readonly quantity: EstimatedQuantity;
  readonly unit: 'nat';
  /** Rows used (per independent set for a divergence: the P rows). */
  readonly n: number;
  /** Every parameter, defaults included, so a point can be traced to its estimator. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly uncertainty?: ResamplingSummary;
  readonly null?: PermutationNull;
}

function permuted(m: SampleMatrix, order: Uint32Array): SampleMatrix {
  const out = new Float64Array(m.n * m.d);
  for (let i = 0; i < m.n; i++) for (let j = 0; j < m.d; j++) out[i * m.d + j] = m.values[order[i]! * m.d + j]!;
  return { values: out, n: m.n, d: m.d };
}

/**
 * Runs `descriptor` on `input` and attaches its uncertainty: the resampling summary (by independent row, in the
 * descriptor's resampling method, moving blocks when `blockLength` > 1) and, for MI with `permutations` > 0, the
 * permutation null. Streams: `random.split('estimate')`, `'resample'`, `'permutation'`, so the estimate does not
 * depend on how many resamples are asked for.
 */
export function estimateWithUncertainty<P extends { use: string }>(
  descriptor: EstimatorDescriptor<P>,
  quantity: EstimatedQuantity,
  input: EstimatorInput,
  params: P & Partial<UncertaintySettings>,
  random: RandomStream,
): LabelledEstimate {
  const { bootstrap = 0, level = 0.95, permutations = 0, blockLength = 1, ...own } = params as P & UncertaintySettings;
  const estimatorParams = own as unknown as P;
  const point = descriptor.estimate(quantity, input, estimatorParams, random.split('estimate'));
  const n = input.x.n;
  const sets = quantity === 'divergence' ? [input.x.n, input.y!.n] : [n];
  let uncertainty: ResamplingSummary | undefined;
  if (bootstrap > 0 && descriptor.resampling !== 'none') {
    const method = descriptor.resampling;
    const stream = random.split('resample');
    let b = 0;
    uncertainty = resample(
      sets,
      { replicates: bootstrap, level, method, blockLength: method === 'bootstrap' ? blockLength : 1 },
      stream,
      (selections) =>
        descriptor.estimate(quantity, input, estimatorParams, stream.split(`replicate:${b++}`), selections).value,
      point.value,
    );
  }
  let nullDistribution: PermutationNull | undefined;
  if (permutations > 0 && quantity === 'mutual-information' && input.y) {
    const stream = random.split('permutation');
    const values: number[] = [];
    let nonFinite = 0;
    const order = new Uint32Array(n);
    for (let b = 0; b < permutations; b++) {
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = stream.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      const v = descriptor.estimate(
        quantity,
        { ...input, y: permuted(input.y, order) },
        estimatorParams,
        stream.split(`permutation:${b}`),
      ).value;
      if (Number.isFinite(v)) values.push(v);
      else nonFinite++;
    }
    const mean = values.reduce((a, v) => a + v, 0) / Math.max(1, values.length);
    const sd =
      values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : NaN;
    const above = values.filter((v) => v >= point.value).length + nonFinite;
    const sorted = [...values].sort((a, b) => a - b);
    nullDistribution = {
      permutations,
      mean,
      standardDeviation: sd,
      pValue: (1 + above) / (1 + permutations),
      quantile95: sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]! : NaN,
      nonFinite,
    };
  }
  return {
    ...point,
    estimator: descriptor.id,
    quantity,
    unit: 'nat',
    n,
    params: { ...(estimatorParams as object), bootstrap, level, permutations, blockLength },
    ...(uncertainty && { uncertainty }),
    ...(nullDistribution && { null: nullDistribution }),
  };
}
