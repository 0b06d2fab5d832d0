import { ArgumentError, type RandomStream } from '@entroscope/core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { KdTree } from './kd-tree';
import { KsgBruteForceTerms } from './ksg-brute-force';
import { KsgTerms, rangeCounter as counter } from './ksg-terms';
import { concatColumns, standardiseColumns, type SampleMatrix } from './sample-matrix';
import { digamma, digammaTable, logUnitBallVolume, type Norm } from './special-functions';

/**
 * k-nearest-neighbour estimators of differential entropy, mutual information, conditional mutual information and
 * KL divergence from samples. All in nats. Rows are samples; ties (repeated rows, discrete data) break these
 * estimators — `noise` adds a tiny seeded Gaussian jitter (after standardisation) to break them, as JIDT and NPEET
 * do.
 *
 * - Kozachenko & Leonenko, Probl. Inf. Transm. 23, 95 (1987): Ĥ = ψ(N) − ψ(k) + ln V_d + (d/N) Σ ln r_i.
 * - Kraskov, Stögbauer & Grassberger, Phys. Rev. E 69, 066138 (2004), algorithms 1 and 2 (KSG).
 * - Frenzel & Pompe, Phys. Rev. Lett. 99, 204101 (2007): conditional MI.
 * - Wang, Kulkarni & Verdú, IEEE Trans. Inf. Theory 55, 2392 (2009): kNN KL divergence.
 */

export interface KnnPreprocessing {
  /** Scale every column to zero mean, unit SD first (MI is invariant to it; the neighbour geometry is not). */
  readonly standardise: boolean;
  /** SD of the Gaussian jitter added to every value after standardisation (0: none). */
  readonly noise: number;
}

function prepared(
  m: SampleMatrix,
  pre: KnnPreprocessing,
  random: RandomStream | undefined,
  label: string,
  selection?: ArrayLike<number>,
): Float64Array {
  const n = selection ? selection.length : m.n;
  const out = new Float64Array(n * m.d);
  for (let k = 0; k < n; k++) {
    const base = (selection ? selection[k]! : k) * m.d;
    for (let j = 0; j < m.d; j++) out[k * m.d + j] = m.values[base + j]!;
  }
  if (pre.standardise) standardiseColumns(out, n, m.d);
  if (pre.noise > 0) {
    if (!random) throw new ArgumentError('kNN estimator: noise', 'a random stream (noise > 0 needs one)', 'none');
    const g = random.split(`noise:${label}`);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + pre.noise * g.normal();
  }
  return out;
}

function checkK(k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`${what}: k`, 'an integer ≥ 1', k);
  if (n <= k) throw new ArgumentError(`${what}: samples`, `more than k = ${k} samples`, n);
}

/** Kozachenko–Leonenko entropy (nats) of the rows of `x`. */
export function kozachenkoLeonenkoEntropy(
  x: SampleMatrix,
  options: { k: number; norm: Norm } & KnnPreprocessing,
  random?: RandomStream,
  selection?: ArrayLike<number>,
): number {
  const n = selection ? selection.length : x.n;
  checkK(options.k, n, 'Kozachenko–Leonenko entropy');
  const v = prepared(x, options, random, 'x', selection);
  const tree = new KdTree(v, n, x.d, options.norm);
  const dist = new Float64Array(options.k);
  const idx = new Int32Array(options.k);
  let sumLog = 0;
  for (let i = 0; i < n; i++) {
    tree.nearest(v, i * x.d, options.k, i, dist, idx);
    sumLog += Math.log(dist[options.k - 1]!);
  }
  // Standardisation rescales each column by 1/s_j: undo its Jacobian, H(x) = H(x/s) + Σ ln s_j.
  let logScale = 0;
  if (options.standardise) logScale = columnLogScales(x, selection);
  return digamma(n) - digamma(options.k) + logUnitBallVolume(x.d, options.norm) + (x.d / n) * sumLog + logScale;
}

function columnLogScales(x: SampleMatrix, selection?: ArrayLike<number>): number {
  const n = selection ? selection.length : x.n;
  let total = 0;
  for (let j = 0; j < x.d; j++) {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += x.values[(selection ? selection[k]! : k) * x.d + j]!;
    mean /= n;
    let ss = 0;
    for (let k = 0; k < n; k++) ss += (x.values[(selection ? selection[k]! : k) * x.d + j]! - mean) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n - 1));
    if (sd > 0) total += Math.log(sd);
  }
  return total;
}

export type KsgAlgorithm = 1 | 2;

/** Per-sample KSG terms, for diagnostics and the conformance suite. */
export interface KsgResult {
  readonly value: number;
  readonly n: number;
  /** Mean of n_x and n_y over samples (how local the estimate is). */
  readonly meanNeighbourCounts: readonly [number, number];
  /** How neighbours were found (the counts are identical either way). */
  readonly search: KsgSearch;
}

/** Worker threads pay from about this many rows on (thread start-up and tree rebuilds cost ~0.1 s). */
const THREADED_ROWS = 20_000;
const WORKER_FILE = path.join(__dirname, 'ksg-worker.js');

/** How KSG finds neighbours: k-d trees, or a tiled scan of every pair (`KsgBruteForceTerms`). */
export type KsgSearch = 'tree' | 'brute-force';

/**
 * Joint dimension from which the brute-force scan would be faster than the trees (max-norm, k = 4, Gaussian data):
 * none measured. Since the trees query in leaf order and prune by tight boxes (docs/estimators.md, Speed), tree/scan
 * CPU time (one thread, x and y of equal dimension) is 0.29 at d = 10 (N = 5000), 0.49 at d = 16, 0.63 at d = 20,
 * 0.84 at d = 32, 0.87 at d = 48, 0.76 at d = 64 (N = 4000), 0.78 at d = 64 (N = 500), 0.87 at d = 128 (N = 300);
 * before, the scan won from d ≈ 20. So `search: auto` uses the trees; the scan stays selectable (identical counts).
 */
export const KSG_BRUTE_FORCE_DIMENSION = Infinity;

/** The search `ksgMutualInformation` uses by default for n rows of joint dimension d. */
export function ksgSearchFor(n: number, d: number): KsgSearch {
  return d >= KSG_BRUTE_FORCE_DIMENSION && n >= 64 && n <= 20_000 ? 'brute-force' : 'tree';
}

/** Threads used by default: 1 below THREADED_ROWS, else the available cores (at most 8). */
export function defaultKnnThreads(n: number): number {
  return n < THREADED_ROWS ? 1 : Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

/**
 * KSG mutual information I(X;Y) in nats, max-norm in each marginal space.
 * Algorithm 1: ε_i = joint distance to the k-th neighbour; n_x(i) = #{j ≠ i: ‖x_j − x_i‖ < ε_i};
 * Î = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩.
 * Algorithm 2: ε_x(i), ε_y(i) the largest marginal distances among the k joint neighbours;
 * n_x(i) = #{j ≠ i: ‖x_j − x_i‖ ≤ ε_x(i)}; Î = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩.
 * Biased (negative values are normal near independence); bias grows with the dependence and the dimension.
 * Large inputs are split over worker threads (`threads`, default from `defaultKnnThreads`); per-row terms are summed
 * in row order, so the value does not depend on the thread count.
 */
export function ksgMutualInformation(
  x: SampleMatrix,
  y: SampleMatrix,
  options: { k: number; algorithm: KsgAlgorithm; threads?: number; search?: KsgSearch | 'auto' } & KnnPreprocessing,
  random?: RandomStream,
  selection?: ArrayLike<number>,
): KsgResult {
  if (x.n !== y.n)
    throw new ArgumentError('KSG mutual information: samples', `as many rows in y as in x (${x.n})`, y.n);
  const n = selection ? selection.length : x.n;
  const { k, algorithm } = options;
  checkK(k, n, 'KSG mutual information');
  const search = !options.search || options.search === 'auto' ? ksgSearchFor(n, x.d + y.d) : options.search;
  const Terms = search === 'brute-force' ? KsgBruteForceTerms : KsgTerms;
  const threads = Math.max(1, Math.floor(options.threads ?? defaultKnnThreads(n)));
  const threaded = threads > 1 && n >= 2 * threads && fs.existsSync(WORKER_FILE);
  const shared = (length: number) =>
    threaded ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float64Array(length);
  const xv = shared(n * x.d);
  xv.set(prepared(x, options, random, 'x', selection));
  const yv = shared(n * y.d);
  yv.set(prepared(y, options, random, 'y', selection));
  const terms = shared(n);
  const counts = shared(2 * n);
  if (threaded) runThreaded(xv, yv, n, x.d, y.d, k, algorithm, threads, terms, counts, search);
  else new Terms(xv, yv, n, x.d, y.d, k, algorithm).run(0, n, terms, counts);
  let sum = 0;
  let sumNx = 0;
  let sumNy = 0;
  for (let i = 0; i < n; i++) {
    sum += terms[i]!;
    sumNx += counts[2 * i]!;
    sumNy += counts[2 * i + 1]!;
  }
  const psi = digammaTable(Math.max(n, k) + 1);
  const value = algorithm === 1 ? psi[k]! + psi[n]! - sum / n : psi[k]! - 1 / k + psi[n]! - sum / n;
  return { value, n, meanNeighbourCounts: [sumNx / n, sumNy / n], search };
}

function runThreaded(
  xv: Float64Array,
  yv: Float64Array,
  n: number,
  dx: number,
  dy: number,
  k: number,
  algorithm: KsgAlgorithm,
  threads: number,
  terms: Float64Array,
  counts: Float64Array,
  search: KsgSearch,
): void {
  const Terms = search === 'brute-force' ? KsgBruteForceTerms : KsgTerms;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const chunk = Math.ceil(n / threads);
  const workers: Worker[] = [];
  for (let t = 1; t < threads; t++) {
    const from = t * chunk;
    const to = Math.min(n, from + chunk);
    if (from >= to) continue;
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        x: xv.buffer,
        y: yv.buffer,
        terms: terms.buffer,
        counts: counts.buffer,
        control: control.buffer,
        n,
        dx,
        dy,
        k,
        algorithm,
        search,
        from,
        to,
      },
    });
    worker.unref();
    workers.push(worker);
  }
  new Terms(xv, yv, n, dx, dy, k, algorithm).run(0, Math.min(n, chunk), terms, counts);
  // Block until every worker has signalled (their own try/catch always signals); 10 min without progress is a failure.
  const deadline = Date.now() + 600_000;
  for (let done = Atomics.load(control, 0); done < workers.length; done = Atomics.load(control, 0)) {
    if (Date.now() > deadline)
      throw new ArgumentError(
        'KSG worker threads',
        'every worker to finish',
        `${done} of ${workers.length} after 10 minutes`,
      );
    Atomics.wait(control, 0, done, 1000);
  }
  if (Atomics.load(control, 1) !== 0) {
    // A worker failed: compute its rows here rather than lose them.
    new Terms(xv, yv, n, dx, dy, k, algorithm).run(Math.min(n, chunk), n, terms, counts);
  }
}

/**
 * Conditional mutual information I(X;Y|Z) (Frenzel–Pompe): ε_i the k-th neighbour distance in the joint (x, y, z)
 * space (max-norm), n_xz, n_yz, n_z strict counts within ε_i in those subspaces;
 * Î = ψ(k) − ⟨ψ(n_xz + 1) + ψ(n_yz + 1) − ψ(n_z + 1)⟩. Nats.
 */
export function ksgConditionalMutualInformation(
  x: SampleMatrix,
  y: SampleMatrix,
  z: SampleMatrix,
  options: { k: number } & KnnPreprocessing,
  random?: RandomStream,
  selection?: ArrayLike<number>,
): number {
  if (x.n !== y.n || x.n !== z.n)
    throw new ArgumentError('KSG conditional MI: samples', `equal row counts (x: ${x.n})`, `y: ${y.n}, z: ${z.n}`);
  const n = selection ? selection.length : x.n;
  const { k } = options;
  checkK(k, n, 'KSG conditional mutual information');
  const xv = prepared(x, options, random, 'x', selection);
  const yv = prepared(y, options, random, 'y', selection);
  const zv = prepared(z, options, random, 'z', selection);
  const xz = concatColumns({ values: xv, d: x.d }, { values: zv, d: z.d });
  const yz = concatColumns({ values: yv, d: y.d }, { values: zv, d: z.d });
  const all = concatColumns({ values: xv, d: x.d }, { values: yv, d: y.d }, { values: zv, d: z.d });
  const D = x.d + y.d + z.d;
  const tree = new KdTree(all, n, D, 'max');
  const cXZ = counter(xz, n, x.d + z.d);
  const cYZ = counter(yz, n, y.d + z.d);
  const cZ = counter(zv, n, z.d);
  const psi = digammaTable(n + 1);
  const dist = new Float64Array(k);
  const idx = new Int32Array(k);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    tree.nearest(all, i * D, k, i, dist, idx);
    const eps = dist[k - 1]!;
    const nxz = cXZ.count(xz, i * (x.d + z.d), eps, true) - 1;
    const nyz = cYZ.count(yz, i * (y.d + z.d), eps, true) - 1;
    const nz = cZ.count(zv, i * z.d, eps, true) - 1;
    sum += psi[nxz + 1]! + psi[nyz + 1]! - psi[nz + 1]!;
  }
  return psi[k]! - sum / n;
}

/**
 * kNN estimate of D(P‖Q) in nats from samples x ~ P (n rows) and y ~ Q (m rows) of equal dimension d
 * (Wang–Kulkarni–Verdú): D̂ = (d/n) Σ_i ln(ν_k(i)/ρ_k(i)) + ln(m/(n − 1)), ρ_k(i) the distance from x_i to its k-th
 * neighbour among the other x, ν_k(i) to its k-th neighbour among the y. Euclidean by default. No standardisation
 * (a common rescaling would not change D; separate ones would) — the jitter applies to both sets.
 */
export function knnKlDivergence(
  x: SampleMatrix,
  y: SampleMatrix,
  options: { k: number; norm: Norm; noise: number },
  random?: RandomStream,
  selections?: readonly [ArrayLike<number>?, ArrayLike<number>?],
): number {
  if (x.d !== y.d) throw new ArgumentError('kNN KL divergence: dimension', `y with x's dimension ${x.d}`, y.d);
  const pre = { standardise: false, noise: options.noise };
  const xv = prepared(x, pre, random, 'p', selections?.[0]);
  const yv = prepared(y, pre, random, 'q', selections?.[1]);
  const n = xv.length / x.d;
  const m = yv.length / y.d;
  const { k } = options;
  checkK(k, n, 'kNN KL divergence (P samples)');
  if (m < k) throw new ArgumentError('kNN KL divergence: Q samples', `at least k = ${k}`, m);
  const tx = new KdTree(xv, n, x.d, options.norm);
  const ty = new KdTree(yv, m, y.d, options.norm);
  const dist = new Float64Array(k);
  const idx = new Int32Array(k);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    tx.nearest(xv, i * x.d, k, i, dist, idx);
    const rho = dist[k - 1]!;
    ty.nearest(xv, i * x.d, k, -1, dist, idx);
    const nu = dist[k - 1]!;
    sum += Math.log(nu / rho);
  }
  return (x.d / n) * sum + Math.log(m / (n - 1));
}
