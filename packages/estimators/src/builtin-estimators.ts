import { ArgumentError, z } from '@entroscope/core';
import { binnedStates, type Binning } from './binning';
import {
  discreteConditionalMutualInformation,
  discreteEntropy,
  discreteMutualInformation,
  jointCodes,
} from './discrete-entropy';
import {
  EstimatorRegistry,
  type EstimatorDescriptor,
  type EstimatorInput,
  type EstimatePoint,
} from './estimator-registry';
import { gaussianEntropy, gaussianKlDivergence, gaussianMutualInformation } from './gaussian';
import { kolchinskyTraceyEntropy, kolchinskyTraceyLabelInformation } from './kde-bounds';
import { matrixEntropy } from './matrix-entropy';
import {
  knnKlDivergence,
  kozachenkoLeonenkoEntropy,
  ksgConditionalMutualInformation,
  ksgMutualInformation,
} from './knn-estimators';
import type { SampleMatrix } from './sample-matrix';
import { donskerVaradhanBound, infoNceBound, nwjBound } from './variational-bounds';

const need = (input: EstimatorInput, key: 'y' | 'z', id: string): SampleMatrix => {
  const m = input[key];
  if (!m) throw new ArgumentError(`estimator '${id}'`, `a second variable '${key}'`, 'none');
  return m;
};

/** Per-row integer codes of a matrix whose values are integers (rows as tuples); throws for non-integer data. */
const codeCache = new WeakMap<object, { n: number; d: number; codes: Int32Array }>();

export function rowCodes(m: SampleMatrix, id: string, name: string): Int32Array {
  // Resampling calls the estimator many times on the same matrix: its codes are computed once (keyed by the array).
  const cached = typeof m.values === 'object' ? codeCache.get(m.values) : undefined;
  if (cached && cached.n === m.n && cached.d === m.d) return cached.codes;
  const codes = computeRowCodes(m, id, name);
  if (typeof m.values === 'object') codeCache.set(m.values, { n: m.n, d: m.d, codes });
  return codes;
}

function computeRowCodes(m: SampleMatrix, id: string, name: string): Int32Array {
  for (let i = 0; i < m.values.length; i++) {
    const v = m.values[i]!;
    if (!Number.isInteger(v))
      throw new ArgumentError(
        `estimator '${id}': variable ${name}`,
        'discrete (integer-valued) data; bin continuous data first (estimator binning)',
        `value ${v} at row ${Math.floor(i / m.d)}`,
      );
  }
  const column = (j: number) => jointCodes(Float64Array.from({ length: m.n }, (_, i) => m.values[i * m.d + j]!));
  // Combine the columns pairwise: every intermediate code is below n, so the numeric (not string) keys apply.
  let codes = column(0);
  for (let j = 1; j < m.d; j++) codes = jointCodes(codes, column(j));
  return codes;
}

const correction = z
  .enum(['none', 'miller-madow'])
  .default('miller-madow')
  .describe("Bias correction: 'miller-madow' adds (m̂ − 1)/(2N) to each entropy");

const plugInSchema = z.object({ use: z.literal('plug-in'), correction }).strict();
export const plugInEstimator: EstimatorDescriptor<z.infer<typeof plugInSchema>> = {
  id: 'plug-in',
  name: 'Plug-in (maximum likelihood) with Miller–Madow correction',
  quantities: ['entropy', 'mutual-information', 'conditional-mutual-information'],
  summary: 'Entropies of the empirical distribution of discrete rows; MI and CMI as sums of entropies',
  assumptions:
    'Discrete (integer-valued) data, rows independent. Entropy biased low and MI biased high by about (m − 1)/(2N) while N is not ≫ the number m of occupied states; Miller–Madow removes the leading term and under-corrects when many states are unseen.',
  citation: 'Miller 1955; Paninski, Neural Comput. 15, 1191 (2003)',
  paramsSchema: plugInSchema,
  resampling: 'bootstrap',
  estimate(quantity, input, params, _random, selections) {
    const sel = selections?.[0];
    const x = rowCodes(input.x, 'plug-in', 'x');
    if (quantity === 'entropy') return { value: discreteEntropy(x, params.correction, sel), kind: 'estimate' };
    const y = rowCodes(need(input, 'y', 'plug-in'), 'plug-in', 'y');
    if (quantity === 'mutual-information')
      return { value: discreteMutualInformation(x, y, params.correction, sel), kind: 'estimate' };
    const zc = rowCodes(need(input, 'z', 'plug-in'), 'plug-in', 'z');
    return { value: discreteConditionalMutualInformation(x, y, zc, params.correction, sel), kind: 'estimate' };
  },
};

const binningSchema = z
  .object({
    use: z.literal('binning'),
    scheme: z
      .enum(['fixed', 'width', 'quantile'])
      .default('fixed')
      .describe(
        "'fixed': linspace(lo, hi, edges) with the information-plane code's semantics (wrap-around below lo); 'width': floor(v/w); 'quantile': equal-mass bins per unit",
      ),
    range: z.tuple([z.number(), z.number()]).default([-1, 1]).describe("Range [lo, hi] of the 'fixed' edges"),
    edges: z.number().int().min(2).max(100_000).default(30).describe("Number of 'fixed' edges (edges − 1 intervals)"),
    width: z.number().positive().default(0.07).describe("Bin width of the 'width' scheme"),
    bins: z.number().int().min(2).max(100_000).default(30).describe("Bins per unit of the 'quantile' scheme"),
    binDiscrete: z
      .boolean()
      .default(false)
      .describe('Bin integer-valued variables too (false: use their values as states)'),
    correction: z
      .enum(['none', 'miller-madow'])
      .default('none')
      .describe('Bias correction of the plug-in entropies (none, as the information-plane code)'),
  })
  .strict();
type BinningParams = z.infer<typeof binningSchema>;
function binningOf(p: BinningParams): Binning {
  return p.scheme === 'fixed'
    ? { scheme: 'fixed', range: p.range, edges: p.edges }
    : p.scheme === 'width'
      ? { scheme: 'width', width: p.width }
      : { scheme: 'quantile', bins: p.bins };
}
function isIntegerValued(m: SampleMatrix): boolean {
  for (let i = 0; i < m.values.length; i++) if (!Number.isInteger(m.values[i]!)) return false;
  return true;
}
export const binningEstimator: EstimatorDescriptor<BinningParams> = {
  id: 'binning',
  name: 'Binning (fixed range, fixed width or quantile) + plug-in',
  quantities: ['entropy', 'mutual-information', 'conditional-mutual-information'],
  summary:
    'Discretises each unit of a continuous variable, takes the tuple of bins as the state, and applies the plug-in estimator',
  assumptions:
    'The result depends on the bins, not only on the distribution: for a deterministic network the binned I(X;T) measures saturation and geometry, not an information of the network (the true value is constant or infinite). Fixed edges reproduce the information-plane code exactly, including its wrap-around of values below the range to the top edge (reported as a warning). Quantile edges are recomputed on every resample.',
  citation:
    'Shwartz-Ziv & Tishby arXiv:1703.00810 (fixed); Saxe et al. ICLR 2018 (width); Chelombiev et al. arXiv:1902.09037 (adaptive)',
  paramsSchema: binningSchema,
  resampling: 'bootstrap',
  estimate(quantity, input, params, _random, selections) {
    const sel = selections?.[0];
    const warnings: string[] = [];
    const details: Record<string, unknown> = {};
    const states = (m: SampleMatrix, name: string): Int32Array => {
      if (!params.binDiscrete && isIntegerValued(m)) return rowCodes(m, 'binning', name);
      const b = binnedStates(m, binningOf(params));
      details[`${name}States`] = b.states;
      if (b.outOfRange > 0) {
        details[`${name}OutOfRange`] = b.outOfRange;
        warnings.push(
          params.scheme === 'fixed'
            ? `${b.outOfRange} of ${m.values.length} values of ${name} lie outside [${params.range[0]}, ${params.range[1]}]; ${b.wrapped} below it wrapped around to the top edge (the information-plane code's semantics)`
            : `${b.outOfRange} values of ${name} out of range`,
        );
      }
      return b.codes;
    };
    const x = states(input.x, 'x');
    const value =
      quantity === 'entropy'
        ? discreteEntropy(x, params.correction, sel)
        : quantity === 'mutual-information'
          ? discreteMutualInformation(x, states(need(input, 'y', 'binning'), 'y'), params.correction, sel)
          : discreteConditionalMutualInformation(
              x,
              states(need(input, 'y', 'binning'), 'y'),
              states(need(input, 'z', 'binning'), 'z'),
              params.correction,
              sel,
            );
    return { value, kind: 'estimate', warnings, details };
  },
};

const gaussianSchema = z
  .object({
    use: z.literal('gaussian'),
    biasCorrected: z.boolean().default(true).describe('Unbiased log-determinant (ψ correction) instead of the plug-in'),
    centre: z
      .boolean()
      .default(true)
      .describe(
        'Subtract the sample means (false: second moments about zero, for variables of known zero mean, e.g. the pre-activations of a random network for two inputs, whose correlation is the uncentred c-map); MI, CMI and entropy',
      ),
  })
  .strict();
export const gaussianEstimator: EstimatorDescriptor<z.infer<typeof gaussianSchema>> = {
  id: 'gaussian',
  name: 'Gaussian (linear) with bias-corrected log-determinant',
  quantities: ['entropy', 'mutual-information', 'conditional-mutual-information', 'divergence'],
  summary:
    'Entropy, MI and CMI of the multivariate normal with the sample covariance, and the KL divergence of the Gaussians fitted to two sample sets; Cholesky log-determinants',
  assumptions:
    'Exact for Gaussian data (the bias-corrected log-determinant is unbiased for each term; the divergence with biasCorrected is unbiased term by term: inverse-Wishart factor on the trace and the mean term, ψ-corrected log-determinants); for other data it measures only linear dependence (the MI of the Gaussian with the same covariance) or the divergence of the moment-matched Gaussians. Needs more rows than dimensions (the divergence: more Q rows than d + 2).',
  citation:
    'Cover & Thomas ch. 8; Goodman, Ann. Math. Stat. 34, 911 (1963); Misra et al., J. Multivar. Anal. 92, 324 (2005)',
  paramsSchema: gaussianSchema,
  resampling: 'bootstrap',
  estimate(quantity, input, params, _random, selections) {
    const sel = selections?.[0];
    if (quantity === 'entropy')
      return { value: gaussianEntropy(input.x, params.biasCorrected, sel, params.centre), kind: 'estimate' };
    const y = need(input, 'y', 'gaussian');
    if (quantity === 'divergence' && !params.centre)
      throw new ArgumentError("estimator 'gaussian': centre", 'true for a divergence (the means enter it)', false);
    if (quantity === 'divergence')
      return {
        value: gaussianKlDivergence(input.x, y, params.biasCorrected, [sel, selections?.[1]]),
        kind: 'estimate',
      };
    const parts = [
      input.x,
      y,
      ...(quantity === 'conditional-mutual-information' ? [need(input, 'z', 'gaussian')] : []),
    ];
    const D = parts.reduce((a, p) => a + p.d, 0);
    const n = input.x.n;
    const joint = new Float64Array(n * D);
    let off = 0;
    const groups: number[][] = [];
    for (const p of parts) {
      if (p.n !== n) throw new ArgumentError("estimator 'gaussian'", `paired rows (${n})`, p.n);
      for (let i = 0; i < n; i++) for (let j = 0; j < p.d; j++) joint[i * D + off + j] = p.values[i * p.d + j]!;
      groups.push(Array.from({ length: p.d }, (_, j) => off + j));
      off += p.d;
    }
    return {
      value: gaussianMutualInformation(
        { values: joint, n, d: D },
        groups[0]!,
        groups[1]!,
        params.biasCorrected,
        sel,
        groups[2] ?? [],
        params.centre,
      ),
      kind: 'estimate',
    };
  },
};

const knnCommon = {
  noise: z
    .number()
    .min(0)
    .default(1e-10)
    .describe('SD of the seeded Gaussian jitter added to break ties (after standardisation)'),
};

const klSchema = z
  .object({
    use: z.literal('kozachenko-leonenko'),
    k: z.number().int().min(1).max(1000).default(3).describe('Neighbour order'),
    norm: z.enum(['euclidean', 'max']).default('euclidean'),
    ...knnCommon,
  })
  .strict();
export const kozachenkoLeonenkoEstimator: EstimatorDescriptor<z.infer<typeof klSchema>> = {
  id: 'kozachenko-leonenko',
  name: 'Kozachenko–Leonenko kNN entropy',
  quantities: ['entropy'],
  summary: 'Differential entropy from k-th neighbour distances: ψ(N) − ψ(k) + ln V_d + (d/N) Σ ln r_i',
  assumptions:
    'Continuous density, independent rows; repeated rows give ln 0 (the jitter breaks ties). The bias grows with the dimension. Differential entropies can be negative.',
  citation: 'Kozachenko & Leonenko, Probl. Inf. Transm. 23, 95 (1987); Kraskov et al., PRE 69, 066138 (2004)',
  paramsSchema: klSchema,
  resampling: 'subsample',
  estimate(_q, input, p, random, selections) {
    return {
      value: kozachenkoLeonenkoEntropy(
        input.x,
        { k: p.k, norm: p.norm, standardise: false, noise: p.noise },
        random,
        selections?.[0],
      ),
      kind: 'estimate',
    };
  },
};

const ksgSchema = z
  .object({
    use: z.literal('ksg'),
    k: z.number().int().min(1).max(1000).default(4).describe('Neighbour order (JIDT default 4)'),
    algorithm: z
      .union([z.literal(1), z.literal(2)])
      .default(1)
      .describe('KSG algorithm 1 or 2 (conditional MI: algorithm 1, Frenzel–Pompe)'),
    standardise: z.boolean().default(true).describe('z-score every column first'),
    search: z
      .enum(['auto', 'tree', 'brute-force'])
      .default('auto')
      .describe(
        "Neighbour search: k-d trees, a tiled scan of all pairs, or 'auto' (the trees: faster than the scan at every size measured, up to joint dimension 128; identical counts either way)",
      ),
    ...knnCommon,
  })
  .strict();
export const ksgEstimator: EstimatorDescriptor<z.infer<typeof ksgSchema>> = {
  id: 'ksg',
  name: 'Kraskov–Stögbauer–Grassberger kNN mutual information',
  quantities: ['mutual-information', 'conditional-mutual-information'],
  summary: 'MI from joint k-th neighbour distances and marginal neighbour counts (max-norm); CMI by Frenzel–Pompe',
  assumptions:
    'Continuous variables, independent rows. Negative values near independence are normal (never clipped). Bias grows with the dependence and the dimension; ties from discrete data break it (jitter). Invariant to invertible per-variable maps up to statistical error.',
  citation: 'Kraskov, Stögbauer & Grassberger, PRE 69, 066138 (2004); Frenzel & Pompe, PRL 99, 204101 (2007)',
  paramsSchema: ksgSchema,
  resampling: 'subsample',
  estimate(quantity, input, p, random, selections) {
    const y = need(input, 'y', 'ksg');
    const pre = { standardise: p.standardise, noise: p.noise };
    if (quantity === 'conditional-mutual-information') {
      return {
        value: ksgConditionalMutualInformation(
          input.x,
          y,
          need(input, 'z', 'ksg'),
          { k: p.k, ...pre },
          random,
          selections?.[0],
        ),
        kind: 'estimate',
        details: { algorithm: 1 },
      };
    }
    const r = ksgMutualInformation(
      input.x,
      y,
      { k: p.k, algorithm: p.algorithm, search: p.search, ...pre },
      random,
      selections?.[0],
    );
    return {
      value: r.value,
      kind: 'estimate',
      details: { meanNeighbourCounts: r.meanNeighbourCounts, search: r.search },
    };
  },
};

const knnDivSchema = z
  .object({
    use: z.literal('knn-divergence'),
    k: z.number().int().min(1).max(1000).default(3),
    norm: z.enum(['euclidean', 'max']).default('euclidean'),
    ...knnCommon,
  })
  .strict();
export const knnDivergenceEstimator: EstimatorDescriptor<z.infer<typeof knnDivSchema>> = {
  id: 'knn-divergence',
  name: 'Wang–Kulkarni–Verdú kNN KL divergence',
  quantities: ['divergence'],
  summary: 'D(P‖Q) from the ratio of k-th neighbour distances within P samples and to Q samples',
  assumptions:
    'Continuous densities with P ≪ Q, independent rows within each set; the two sets independent. Consistent as both sizes grow; bias grows with the dimension.',
  citation: 'Wang, Kulkarni & Verdú, IEEE Trans. Inf. Theory 55, 2392 (2009)',
  paramsSchema: knnDivSchema,
  resampling: 'subsample',
  estimate(_q, input, p, random, selections) {
    return {
      value: knnKlDivergence(
        input.x,
        need(input, 'y', 'knn-divergence'),
        { k: p.k, norm: p.norm, noise: p.noise },
        random,
        [selections?.[0], selections?.[1]],
      ),
      kind: 'estimate',
    };
  },
};

const kdeSchema = z
  .object({
    use: z.literal('kde-bounds'),
    bound: z
      .enum(['upper', 'lower'])
      .default('upper')
      .describe("'upper': pairwise KL; 'lower': pairwise Bhattacharyya"),
    variance: z
      .number()
      .positive()
      .default(1e-3)
      .describe('Noise variance σ² of the noisy layer T + N(0, σ²I) (Saxe et al. use 1e-3)'),
  })
  .strict();
export const kdeBoundsEstimator: EstimatorDescriptor<z.infer<typeof kdeSchema>> = {
  id: 'kde-bounds',
  name: 'Kolchinsky–Tracey pairwise-distance bounds (noisy layer)',
  quantities: ['entropy', 'mutual-information'],
  summary:
    'Bounds on H(T) and I(T;Y) of the noisy layer T + N(0, σ²I) with the rows of x as mixture centres; y groups the rows (a label, or the input: every row its own group)',
  assumptions:
    'Models T as Gaussian noise of variance σ² around each row; the value is about that noisy layer and depends on σ². With y the input (all rows distinct) it bounds I(X;T); with y a label it estimates I(T;Y) as a difference of bounds (not itself a bound). O(N²) per estimate.',
  citation: 'Kolchinsky & Tracey, Entropy 19, 361 (2017); Saxe et al., ICLR 2018',
  paramsSchema: kdeSchema,
  resampling: 'bootstrap',
  estimate(quantity, input, p, _random, selections) {
    const sel = selections?.[0];
    if (quantity === 'entropy')
      return {
        value: kolchinskyTraceyEntropy(input.x, p.variance, p.bound, sel),
        kind: p.bound === 'upper' ? 'upper-bound' : 'lower-bound',
      };
    const y = need(input, 'y', 'kde-bounds');
    const groups =
      y.d === 1
        ? jointCodes(y.values)
        : jointCodes(
            ...Array.from({ length: y.d }, (_, j) =>
              Float64Array.from({ length: y.n }, (_, i) => y.values[i * y.d + j]!),
            ),
          );
    let distinct = 0;
    for (const g of groups) if (g + 1 > distinct) distinct = g + 1;
    const isInput = distinct === y.n;
    const value = kolchinskyTraceyLabelInformation(input.x, groups, p.variance, p.bound, sel);
    return {
      value,
      kind: isInput ? (p.bound === 'upper' ? 'upper-bound' : 'lower-bound') : 'estimate',
      details: { groups: distinct, ceiling: Math.log(sel ? sel.length : input.x.n) },
    };
  },
};

const matrixSchema = z
  .object({
    use: z.literal('matrix-entropy'),
    kernel: z
      .enum(['cosine', 'gaussian'])
      .default('cosine')
      .describe(
        "'cosine': rows scaled to unit length, linear kernel (the Gram matrix of the batch); 'gaussian': exp(−‖x − x'‖²/2σ²)",
      ),
    bandwidth: z.number().positive().default(1).describe("Bandwidth σ of the 'gaussian' kernel"),
    centre: z
      .enum(['row', 'none'])
      .default('row')
      .describe("'row': subtract each row's mean over its entries first (Reconstructor); 'none': as given"),
    alpha: z.number().positive().default(1).describe('Rényi order α (1: von Neumann entropy)'),
  })
  .strict();
export const matrixEntropyEstimator: EstimatorDescriptor<z.infer<typeof matrixSchema>> = {
  id: 'matrix-entropy',
  name: 'Matrix-based (von Neumann / Rényi) entropy of the Gram matrix',
  quantities: ['entropy'],
  summary: 'S_α of the trace-normalised Gram (kernel) matrix of the rows: −Σ λ ln λ at α = 1, in [0, ln N]',
  assumptions:
    'A functional of the batch, not an estimate of the Shannon entropy of the distribution of the rows: 0 when every row has the same direction (cosine kernel), ln N for orthogonal rows, so it depends on N; it follows the geometry (correlations) of the representation. O(N³) eigen-solver.',
  citation:
    'Sánchez Giraldo, Rao & Príncipe, IEEE Trans. Inf. Theory 61, 535 (2015); Thurn, Jefferson & Erdmenger arXiv:2406.12916',
  paramsSchema: matrixSchema,
  resampling: 'subsample',
  estimate(_q, input, p, _random, selections) {
    const value = matrixEntropy(
      input.x,
      { kernel: p.kernel, bandwidth: p.bandwidth, centre: p.centre, alpha: p.alpha },
      selections?.[0],
    );
    const n = selections?.[0] ? selections[0].length : input.x.n;
    return { value, kind: 'estimate', details: { ceiling: Math.log(n) } };
  },
};

const criticSchema = (id: 'infonce' | 'nwj' | 'donsker-varadhan') => z.object({ use: z.literal(id) }).strict();
function criticEstimator(
  id: 'infonce' | 'nwj' | 'donsker-varadhan',
  name: string,
  f: (s: ArrayLike<number>) => number,
  note: string,
): EstimatorDescriptor<{ use: typeof id }> {
  return {
    id,
    name,
    quantities: ['critic-bound'],
    summary: `${name} lower bound on I(X;Y) from a K×K critic matrix (diagonal: joint pairs)`,
    assumptions: note,
    citation:
      'Poole et al., ICML 2019; van den Oord et al. arXiv:1807.03748; Nguyen, Wainwright & Jordan 2010; Belghazi et al. 2018',
    paramsSchema: criticSchema(id) as unknown as z.ZodType<{ use: typeof id }>,
    resampling: 'none',
    estimate(_q, input): EstimatePoint {
      if (input.x.n !== input.x.d)
        throw new ArgumentError(`estimator '${id}'`, 'a square K×K critic matrix', `${input.x.n}×${input.x.d}`);
      return {
        value: f(input.x.values),
        kind: 'lower-bound',
        details: { K: input.x.n, ceiling: id === 'infonce' ? Math.log(input.x.n) : null },
      };
    },
  };
}
export const infoNceEstimator = criticEstimator(
  'infonce',
  'InfoNCE',
  infoNceBound,
  'Never above ln K: it cannot report more than ln K nats whatever the true MI.',
);
export const nwjEstimator = criticEstimator(
  'nwj',
  'NWJ',
  nwjBound,
  'High variance at large MI; below DV for the same critic.',
);
export const donskerVaradhanEstimator = criticEstimator(
  'donsker-varadhan',
  'Donsker–Varadhan',
  donskerVaradhanBound,
  'Tighter than NWJ for the same critic; biased gradients when trained by minibatches (MINE).',
);

export const builtinEstimators: readonly EstimatorDescriptor<any>[] = [
  plugInEstimator,
  binningEstimator,
  gaussianEstimator,
  kozachenkoLeonenkoEstimator,
  ksgEstimator,
  knnDivergenceEstimator,
  kdeBoundsEstimator,
  matrixEntropyEstimator,
  infoNceEstimator,
  nwjEstimator,
  donskerVaradhanEstimator,
];

/** A registry holding every built-in estimator. */
export function defaultEstimatorRegistry(): EstimatorRegistry {
  return new EstimatorRegistry(builtinEstimators);
}
