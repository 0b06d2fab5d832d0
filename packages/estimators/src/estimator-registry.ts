import { ArgumentError, DuplicateIdError, UnknownIdError, z, type RandomStream } from '@entroscope/core';
import type { ResamplingMethod } from './bootstrap';
import type { SampleMatrix } from './sample-matrix';

/**
 * The estimator registry: every sample-based estimator of an information quantity is a descriptor with an id,
 * the quantities it estimates, a strict parameter schema (its `use` literal is the id), its assumptions and
 * citation, and a pure `estimate` function. Probes pick one by the study's `estimator: { use: <id>, ... }`, so
 * adding an estimator touches no probe. Ids are unique (a duplicate fails at registration).
 */

/** Quantities an estimator may estimate. */
export type EstimatedQuantity =
  /** H(X) of the rows of x. */
  | 'entropy'
  /** I(X;Y) between the rows of x and of y (same row count: paired samples). */
  | 'mutual-information'
  /** I(X;Y|Z). */
  | 'conditional-mutual-information'
  /** D(P‖Q), x ~ P and y ~ Q (independent sample sets, row counts may differ). */
  | 'divergence'
  /** I(X;Y) bound from a K×K critic matrix in x (row i, column j: f(x_i, y_j)). */
  | 'critic-bound';

export const estimatedQuantities: readonly EstimatedQuantity[] = [
  'entropy',
  'mutual-information',
  'conditional-mutual-information',
  'divergence',
  'critic-bound',
];

export interface EstimatorInput {
  readonly x: SampleMatrix;
  readonly y?: SampleMatrix;
  readonly z?: SampleMatrix;
}

/** What an estimate is: an estimate proper, or a bound on the quantity. */
export type EstimateKind = 'estimate' | 'upper-bound' | 'lower-bound';

export interface EstimatePoint {
  /** Nats. */
  readonly value: number;
  readonly kind: EstimateKind;
  /** Things the caller must see (e.g. values wrapped by fixed binning). */
  readonly warnings?: readonly string[];
  /** Estimator-specific facts (occupied bins, neighbour counts…), JSON-serialisable. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface EstimatorDescriptor<Params extends { use: string } = { use: string } & Record<string, unknown>> {
  readonly id: string;
  readonly name: string;
  readonly quantities: readonly EstimatedQuantity[];
  /** One line: what it computes. */
  readonly summary: string;
  /** When it is valid, and its known bias. */
  readonly assumptions: string;
  readonly citation: string;
  /** Strict schema of `{ use: id, ...params }` with defaults. */
  readonly paramsSchema: z.ZodType<Params>;
  /**
   * How units are resampled for its uncertainty: 'bootstrap' (with replacement), 'subsample' (without; kNN
   * estimators, which repeated rows break), or 'none' (not a sample statistic of independent rows).
   */
  readonly resampling: ResamplingMethod | 'none';
  /**
   * The estimate from the rows in `selections` (one selection per independent sample set: [rows] for entropy/MI/CMI,
   * [P rows, Q rows] for divergence; all rows when absent). Pure: same input, params and stream → same number.
   */
  estimate(
    quantity: EstimatedQuantity,
    input: EstimatorInput,
    params: Params,
    random: RandomStream,
    selections?: readonly (ArrayLike<number> | undefined)[],
  ): EstimatePoint;
}

export class EstimatorRegistry {
  private readonly table = new Map<string, EstimatorDescriptor<any>>();

  constructor(descriptors: readonly EstimatorDescriptor<any>[] = []) {
    for (const d of descriptors) this.register(d);
  }

  register(descriptor: EstimatorDescriptor<any>): void {
    if (this.table.has(descriptor.id)) throw new DuplicateIdError('estimator', descriptor.id);
    this.table.set(descriptor.id, descriptor);
  }

  get(id: string, quantity?: EstimatedQuantity): EstimatorDescriptor<any> {
    const d = this.table.get(id);
    if (!d) throw new UnknownIdError('estimator', id, this.ids(quantity));
    if (quantity && !d.quantities.includes(quantity)) {
      throw new ArgumentError(
        `estimator '${id}'`,
        `an estimator of ${quantity} (${this.ids(quantity).join(', ')})`,
        `one of ${d.quantities.join(', ')}`,
      );
    }
    return d;
  }

  /** Ids of the estimators of `quantity` (all when omitted), in registration order. */
  ids(quantity?: EstimatedQuantity): string[] {
    return [...this.table.values()].filter((d) => !quantity || d.quantities.includes(quantity)).map((d) => d.id);
  }

  list(quantity?: EstimatedQuantity): EstimatorDescriptor<any>[] {
    return this.ids(quantity).map((id) => this.table.get(id)!);
  }
}

/** Resampling and null-distribution settings every estimator choice accepts beside its own parameters. */
export const uncertaintyFields = {
  bootstrap: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(50)
    .describe('Resamples of independent rows for the standard error and interval (0: none)'),
  level: z.number().gt(0).lt(1).default(0.95).describe('Confidence level of the resampling interval'),
  permutations: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .describe('Permutations of y against x for the null distribution of an MI (0: none)'),
  blockLength: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Consecutive rows resampled together (rows forming a correlated sequence; 1: independent rows)'),
};
export type UncertaintySettings = { bootstrap: number; level: number; permutations: number; blockLength: number };

/**
 * The schema of a probe's `estimator` parameter: a discriminated union (on `use`) of the registered estimators of
 * `quantities`, each extended with the uncertainty fields. Optionally extra choices (e.g. `{ use: 'exact' }`).
 */
export function estimatorChoiceSchema(
  registry: EstimatorRegistry,
  quantities: readonly EstimatedQuantity[],
  extra: readonly z.ZodObject<any>[] = [],
  /** Probe-level fields every registered choice also accepts (e.g. a divergence's direction). */
  fields: z.ZodRawShape = {},
  /**
   * `uncertainty: false` leaves out the resampling fields, for probes whose error bar comes from their own
   * independent units (e.g. input pairs) rather than from resampling the estimator's rows.
   */
  settings: { uncertainty?: boolean } = {},
) {
  const withUncertainty = settings.uncertainty ?? true;
  const options = registry
    .list()
    .filter((d) => d.quantities.some((q) => quantities.includes(q)))
    .map((d) =>
      (d.paramsSchema as unknown as z.ZodObject<any>)
        .extend(withUncertainty ? uncertaintyFields : {})
        .extend(fields)
        .strict(),
    );
  const all = [...extra, ...options];
  if (all.length === 0)
    throw new ArgumentError('estimatorChoiceSchema', `an estimator of ${quantities.join('/')}`, 'none registered');
  return z.discriminatedUnion('use', all as [z.ZodObject<any>, ...z.ZodObject<any>[]]);
}
