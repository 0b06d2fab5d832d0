import { map, mergeMap, toArray, type Observable } from 'rxjs';
import {
  ProbeDataError,
  z,
  type Measurement,
  type NumericArray,
  type Observation,
  type Probe,
  type ProbeDescriptor,
  type RunContext,
} from '@entroscope/core';
import {
  defaultEstimatorRegistry,
  estimateWithUncertainty,
  estimatorChoiceSchema,
  type LabelledEstimate,
  type SampleMatrix,
} from '@entroscope/estimators';

const registry = defaultEstimatorRegistry();

const range = z.tuple([z.number().int().min(0), z.number().int().min(1)]);

/**
 * A part of an observation: which observation (this site, another site by index, or one relative to this one), which
 * array (its data or a named variable), and which entries of each row (a window of the per-row axes, minus an
 * optional inner window: a block of spins is a window, its environment a window minus the block and a buffer).
 */
export const observationPartSchema = z
  .object({
    site: z
      .union([z.literal('self'), z.number().int().min(0)])
      .default('self')
      .describe("'self' (the site being measured, shifted by `offset`) or an absolute site index"),
    offset: z
      .number()
      .int()
      .default(0)
      .describe("Site offset from the measured site when site is 'self' (e.g. 1: the next RG step)"),
    variable: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A named variable of that observation (Observation.variables, e.g. 'input', 'label'); default: its data",
      ),
    window: z
      .array(range)
      .optional()
      .describe('Per-row axes ranges [from, to) (one per axis after the sample axis); default: everything'),
    exclude: z
      .array(range)
      .optional()
      .describe('A window removed from `window` (an environment: a shell around a block)'),
  })
  .strict();
export type ObservationPart = z.infer<typeof observationPartSchema>;

export const mutualInformationParamsSchema = z
  .object({
    x: observationPartSchema
      .default({ site: 'self', offset: 0 })
      .describe('First variable (default: the data at the measured site)'),
    y: observationPartSchema.describe("Second variable, e.g. { site: 0 } (the input layer) or { variable: 'label' }"),
    estimator: estimatorChoiceSchema(registry, ['mutual-information'])
      .default({
        use: 'ksg',
        k: 4,
        algorithm: 1,
        standardise: true,
        search: 'auto',
        noise: 1e-10,
        bootstrap: 50,
        level: 0.95,
        permutations: 0,
        blockLength: 1,
      })
      .describe('Estimator by id with its parameters, e.g. { use: ksg, k: 4 }'),
    rows: z.number().int().min(2).optional().describe('Use only the first `rows` samples (default: all)'),
    missing: z
      .enum(['error', 'skip'])
      .default('error')
      .describe(
        "A site whose part does not exist (e.g. offset past the last site): 'error', or 'skip' (no measurement there)",
      ),
  })
  .strict();
export type MutualInformationParams = z.infer<typeof mutualInformationParamsSchema>;

function describePart(p: ObservationPart): string {
  const at = p.site === 'self' ? (p.offset ? `site+${p.offset}` : 'site') : `site ${p.site}`;
  const what = p.variable ?? 'data';
  const win = p.window ? `[${p.window.map(([a, b]) => `${a}:${b}`).join(',')}]` : '';
  const ex = p.exclude ? ` minus [${p.exclude.map(([a, b]) => `${a}:${b}`).join(',')}]` : '';
  return `${what}@${at}${win}${ex}`;
}

/** The selected entries of each row as a rows × d matrix. */
export function selectPart(
  data: NumericArray,
  shape: readonly number[],
  part: ObservationPart,
  where: string,
  probe: string,
): SampleMatrix {
  const rows = shape[0]!;
  const axes = shape.slice(1);
  const perRow = axes.reduce((a, b) => a * b, 1);
  if (data.length !== rows * perRow)
    throw new ProbeDataError(
      probe,
      `${where}: data has ${data.length} values, shape [${shape.join(', ')}] needs ${rows * perRow}`,
    );
  const window = part.window ?? axes.map((n) => [0, n] as [number, number]);
  if (window.length !== axes.length)
    throw new ProbeDataError(
      probe,
      `${where}: window has ${window.length} ranges, the per-row shape [${axes.join(', ')}] has ${axes.length} axes`,
    );
  window.forEach(([a, b], i) => {
    if (!(a < b && b <= axes[i]!))
      throw new ProbeDataError(probe, `${where}: window axis ${i} range [${a}, ${b}) is not inside [0, ${axes[i]})`);
  });
  if (part.exclude && part.exclude.length !== axes.length)
    throw new ProbeDataError(probe, `${where}: exclude has ${part.exclude.length} ranges, expected ${axes.length}`);
  // Flat offsets of the selected entries within a row, in row-major order.
  const offsets: number[] = [];
  const strides = axes.map((_, i) => axes.slice(i + 1).reduce((a, b) => a * b, 1));
  const index = window.map(([a]) => a);
  const inside = (idx: number[], w: readonly (readonly [number, number])[]) =>
    idx.every((v, i) => v >= w[i]![0] && v < w[i]![1]);
  for (;;) {
    if (!part.exclude || !inside(index, part.exclude)) offsets.push(index.reduce((a, v, i) => a + v * strides[i]!, 0));
    let ax = axes.length - 1;
    while (ax >= 0) {
      index[ax]!++;
      if (index[ax]! < window[ax]![1]) break;
      index[ax] = window[ax]![0];
      ax--;
    }
    if (ax < 0) break;
  }
  if (offsets.length === 0)
    throw new ProbeDataError(probe, `${where}: the selection is empty (the excluded window covers the whole window)`);
  const d = offsets.length;
  const values = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) values[r * d + j] = data[r * perRow + offsets[j]!]!;
  return { values, n: rows, d };
}

/**
 * Mutual information I(X;Y) between two named parts of observations, by any registered MI estimator (KSG by
 * default): a layer and the network input (y: { site: 0 }) or a label (y: { variable: label }); a block of spins and
 * its renormalised spin at the next RG step (x: { window }, y: { offset: 1, window }) or its environment (y: a window
 * minus the block and a buffer: the real-space mutual information of Koch-Janusz & Ringel, Nat. Phys. 14, 578
 * (2018)); x₀ and x_t of a diffusion (y: { site: 0 }). Rows are paired samples; the two parts must have the same
 * rows in the same order. The value is in nats with its resampling interval and (when asked) permutation null in
 * meta; the estimate's kind (estimate / upper or lower bound) is labelled. All sites of a system are collected
 * before measuring, so that a part may refer to any site.
 */
export class MutualInformationProbe implements Probe {
  readonly id = 'mutual-information';
  readonly estimator: string;
  constructor(
    private readonly params: MutualInformationParams,
    private readonly context: RunContext,
  ) {
    this.estimator = (params.estimator as { use: string }).use;
  }

  apply(observations: Observable<Observation>): Observable<Measurement> {
    return observations.pipe(
      toArray(),
      mergeMap((all) => all.map((o, i) => ({ o, i, all }))),
      map(({ o, i, all }) => this.measure(o, i, all)),
      mergeMap((m) => (m ? [m] : [])),
    );
  }

  private resolve(
    part: ObservationPart,
    current: Observation,
    position: number,
    all: readonly Observation[],
  ): { data: NumericArray; shape: readonly number[]; where: string; observation: Observation } | undefined {
    const target = part.site === 'self' ? all[position + part.offset] : all.find((o) => o.site.index === part.site);
    const where = `site ${current.site.axis}=${current.site.index}, part ${describePart(part)}`;
    if (!target) return undefined;
    if (part.variable) {
      const v = target.variables?.[part.variable];
      if (!v)
        throw new ProbeDataError(
          this.id,
          `${where}: the observation has no variable '${part.variable}' (it has: ${Object.keys(target.variables ?? {}).join(', ') || 'none'})`,
        );
      return { data: v.data, shape: v.shape, where, observation: target };
    }
    if (!target.data) throw new ProbeDataError(this.id, `${where}: the observation carries no sample data`);
    return { data: target.data, shape: target.shape, where, observation: target };
  }

  /**
   * Parts taken from two observations pair row by row only when both are maps of the same samples: a system that
   * says where its rows come from (meta.samples.unitSource, e.g. one Monte Carlo chain mapped step by step) must give
   * both the same source and the same rows per unit; sites simulated separately (map 'flow') do not pair.
   */
  private checkPairing(o: Observation, a: Observation, b: Observation): void {
    const units = (t: Observation) => {
      const s = t.meta['samples'] as { unitSource?: unknown; rowsPerUnit?: unknown } | undefined;
      return {
        source: typeof s?.unitSource === 'string' ? s.unitSource : undefined,
        perUnit: typeof s?.rowsPerUnit === 'number' ? s.rowsPerUnit : 1,
      };
    };
    const ua = units(a);
    const ub = units(b);
    const name = (t: Observation) => `site ${t.site.axis}=${t.site.index}`;
    if (ua.source !== undefined && ub.source !== undefined && ua.source !== ub.source)
      throw new ProbeDataError(
        this.id,
        `site ${o.site.axis}=${o.site.index}: rows do not pair: ${name(a)} holds samples of '${ua.source}' and ${name(b)} of '${ub.source}' (independent samples); mutual information needs both parts from the same samples (e.g. map decimation or block-spin, not flow)`,
      );
    if (ua.perUnit !== ub.perUnit)
      throw new ProbeDataError(
        this.id,
        `site ${o.site.axis}=${o.site.index}: rows do not pair: ${name(a)} has ${ua.perUnit} rows per sample unit and ${name(b)} ${ub.perUnit} (use layout lattice)`,
      );
  }

  private measure(o: Observation, position: number, all: readonly Observation[]): Measurement | undefined {
    const { x: px, y: py, estimator } = this.params;
    const a = this.resolve(px, o, position, all);
    const b = this.resolve(py, o, position, all);
    if (!a || !b) {
      if (this.params.missing === 'skip') return undefined;
      throw new ProbeDataError(
        this.id,
        `site ${o.site.axis}=${o.site.index}: part ${describePart(!a ? px : py)} refers to a site that does not exist (set missing: skip to leave such sites out)`,
      );
    }
    if (a.observation !== b.observation) this.checkPairing(o, a.observation, b.observation);
    let x = selectPart(a.data, a.shape, px, a.where, this.id);
    let y = selectPart(b.data, b.shape, py, b.where, this.id);
    if (x.n !== y.n)
      throw new ProbeDataError(
        this.id,
        `site ${o.site.axis}=${o.site.index}: the parts have ${x.n} and ${y.n} rows; mutual information needs paired samples (same rows in the same order)`,
      );
    if (this.params.rows !== undefined && this.params.rows < x.n) {
      const r = this.params.rows;
      x = { values: (x.values as Float64Array).subarray(0, r * x.d), n: r, d: x.d };
      y = { values: (y.values as Float64Array).subarray(0, r * y.d), n: r, d: y.d };
    }
    const descriptor = registry.get((estimator as { use: string }).use, 'mutual-information');
    const random = this.context.random.split(
      `mutual-information:${o.site.axis}:${o.site.index}${o.site.time ? `:${o.site.time.axis}:${o.site.time.index}` : ''}`,
    );
    let e: LabelledEstimate;
    try {
      e = estimateWithUncertainty(descriptor, 'mutual-information', { x, y }, estimator as never, random);
    } catch (err) {
      throw new ProbeDataError(this.id, `site ${o.site.axis}=${o.site.index}: ${(err as Error).message}`);
    }
    return {
      probe: this.id,
      estimator: e.estimator,
      site: o.site,
      value: e.value,
      unit: 'nat',
      ...(e.uncertainty?.standardError !== undefined && { uncertainty: e.uncertainty.standardError }),
      n: e.n,
      meta: {
        kind: e.kind,
        x: describePart(px),
        y: describePart(py),
        dimensions: [x.d, y.d],
        params: e.params,
        ...(e.uncertainty && { resampling: e.uncertainty }),
        ...(e.null && { null: e.null }),
        ...(e.warnings && e.warnings.length > 0 && { warnings: e.warnings }),
        ...(e.details && { details: e.details }),
      },
    };
  }
}

export const mutualInformationDescriptor: ProbeDescriptor<MutualInformationParams> = {
  id: 'mutual-information',
  version: '1.0.0',
  summary:
    'Mutual information between two named parts of observations (layer and input or label, spin block and its renormalised spin or environment, x₀ and x_t) by any registered estimator, with resampling intervals and a permutation null',
  display: {
    name: 'Mutual information',
    symbol: (p) => {
      const name = (part: ObservationPart, fallback: string) =>
        part.variable ??
        (part.site === 'self' ? (part.offset ? `${fallback}_n+${part.offset}` : fallback) : `${fallback}_${part.site}`);
      return `I(${name(p.x, 'X')}; ${name(p.y, 'Y')})`;
    },
    units: { nat: 'nats' },
    parameters: {
      'estimator.use': { name: 'estimator' },
      'estimator.k': { name: 'neighbours', symbol: 'k' },
      'estimator.algorithm': { name: 'KSG algorithm' },
      'estimator.bound': { name: 'bound' },
      'estimator.variance': { name: 'noise variance', symbol: 'σ²' },
      'estimator.scheme': { name: 'binning' },
      'estimator.edges': { name: 'bin edges' },
      'estimator.width': { name: 'bin width' },
      'estimator.bins': { name: 'bins per unit' },
      'estimator.correction': { name: 'bias correction' },
      'estimator.bootstrap': { name: 'resamples' },
      'estimator.permutations': { name: 'permutations' },
      rows: { name: 'rows', symbol: 'N' },
    },
    values: {
      ksg: 'KSG',
      'plug-in': 'plug-in',
      binning: 'binning',
      gaussian: 'Gaussian',
      'kde-bounds': 'Kolchinsky–Tracey bounds',
      'miller-madow': 'Miller–Madow',
      fixed: 'fixed range',
      width: 'fixed width',
      quantile: 'quantile (adaptive)',
      upper: 'upper',
      lower: 'lower',
    },
  },
  citation:
    'Kraskov et al. PRE 69, 066138 (2004); Koch-Janusz & Ringel, Nat. Phys. 14, 578 (2018); Shwartz-Ziv & Tishby arXiv:1703.00810; docs/estimators.md',
  paramsSchema: mutualInformationParamsSchema,
  requires: () => ({}),
  create: (params, context) => new MutualInformationProbe(params, context),
};
