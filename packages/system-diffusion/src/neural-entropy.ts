import type { RandomStream } from '@entroscope/core';
import type { KernelBackend } from '@entroscope/kernels';
import { Adam } from '@entroscope/nn';
import type { ForwardProcess } from './forward-process';
import type { GaussianMixture } from './gaussian-mixture';
import { gaussLegendre } from './quadrature';
import type { ExcessScore, ScoreNetwork } from './score-network';

/**
 * The exact excess score e*(y, s) = ∇ln p_s(y) − ∇ln p_eq(y) of mixture (or Gaussian) data, p_s the exact
 * marginal of the forward process. Marginals are cached per distinct time (grids evaluate many rows at one s).
 */
export class ExactExcessScore implements ExcessScore {
  readonly dimension: number;
  private readonly cache = new Map<number, GaussianMixture>();
  constructor(
    readonly data: GaussianMixture,
    readonly process: ForwardProcess,
  ) {
    this.dimension = data.dimension;
  }
  async evaluate(y: Float32Array, s: Float32Array, rows: number): Promise<Float32Array> {
    const D = this.dimension;
    const k2 = this.process.equilibriumVariance;
    const out = new Float32Array(rows * D);
    const score = new Float64Array(D);
    const point = new Float64Array(D);
    const scratch = new Float64Array(this.data.components.length);
    for (let r = 0; r < rows; r++) {
      const t = s[r]!;
      let p = this.cache.get(t);
      if (!p) {
        if (this.cache.size > 64) this.cache.clear();
        this.cache.set(t, (p = this.data.marginal(this.process, t)));
      }
      for (let i = 0; i < D; i++) point[i] = y[r * D + i]!;
      p.score(point, 0, score, scratch);
      for (let i = 0; i < D; i++) out[r * D + i] = score[i]! + point[i]! / k2;
    }
    return out;
  }
}

/** Settings of denoising score matching (authors' scripts/mlp.py: batch 32, 10 throws per sample, Adam lr 1e-4). */
export interface DenoisingOptions {
  readonly batchSize: number;
  /** n_s: independent (s, z) throws per data point and step. */
  readonly throws: number;
  readonly learningRate: number;
  /** λ(s) = σ²/(2Σ²) ("maxL_prefactor") instead of 1. */
  readonly likelihoodWeighting: boolean;
  /**
   * Decay β of an exponential moving average of the parameters, p̄ ← β p̄ + (1 − β) p after every step (Polyak
   * averaging, as Song et al.'s score models use; not in the Neural Entropy authors' code). `withAverage` swaps
   * p̄ in for measurements. Absent: no average.
   */
  readonly averageDecay?: number;
  /** Steps per "epoch" (successive reshuffled passes over the data); absent: one pass, ⌈N / batchSize⌉ steps. */
  readonly epochSteps?: number;
}

/**
 * Denoising score matching in the entropy-matching parametrisation (authors' model.py `loss`): for each data point x
 * and throw, s ~ U(s_min, s_max), z ~ N(0, I), y = μ(s) x + Σ(s) z, and
 *   loss = mean over rows of λ(s) ‖(∇ln p_eq(y) + e_θ(y, s)) Σ(s) + z‖²,
 * which equals L_EM up to a θ-independent constant when λ = σ²/(2Σ²) (Vincent 2011). One Adam step (PyTorch/optax
 * semantics) per minibatch of `batchSize` data points (batchSize × throws rows).
 */
export class EntropyMatchingTrainer {
  readonly optimiser: Adam;
  private readonly lo: number;
  private readonly hi: number;
  epochs = 0;
  private average: Float32Array[] | null = null;
  constructor(
    readonly network: ScoreNetwork,
    readonly process: ForwardProcess,
    readonly data: Float32Array,
    readonly count: number,
    readonly options: DenoisingOptions,
    readonly kernels: KernelBackend,
  ) {
    this.optimiser = new Adam({ lr: options.learningRate });
    [this.lo, this.hi] = process.trainingRange;
  }

  /** One step on the data rows `indices`; returns the mean loss of the batch. */
  async step(indices: ArrayLike<number>, random: RandomStream): Promise<number> {
    const D = this.network.dimension;
    const n = this.options.throws;
    const rows = indices.length * n;
    const y = new Float32Array(rows * D);
    const z = new Float32Array(rows * D);
    const s = new Float32Array(rows);
    const std = new Float64Array(rows);
    const weight = new Float64Array(rows);
    const k2 = this.process.equilibriumVariance;
    for (let b = 0; b < indices.length; b++) {
      const x = indices[b]! * D;
      for (let t = 0; t < n; t++) {
        const r = b * n + t;
        const time = this.lo + (this.hi - this.lo) * random.uniform();
        s[r] = time;
        const mu = this.process.mean(time);
        const sd = this.process.std(time);
        std[r] = sd;
        weight[r] = this.options.likelihoodWeighting ? this.process.diffusion2(time) / (2 * sd * sd) : 1;
        for (let i = 0; i < D; i++) {
          const zi = random.normal();
          z[r * D + i] = zi;
          y[r * D + i] = mu * this.data[x + i]! + sd * zi;
        }
      }
    }
    const e = await this.network.forward(y, s, rows, this.kernels, true);
    const grad = new Float32Array(rows * D);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      let sq = 0;
      for (let i = 0; i < D; i++) {
        const j = r * D + i;
        const residual = (-y[j]! / k2 + e.data[j]!) * std[r]! + z[j]!;
        sq += residual * residual;
        grad[j] = (2 * weight[r]! * std[r]! * residual) / rows;
      }
      loss += weight[r]! * sq;
    }
    await this.network.backward({ rows, cols: D, data: grad }, this.kernels);
    const parameters = this.network.parameters();
    this.optimiser.step(parameters);
    const beta = this.options.averageDecay;
    if (beta !== undefined) {
      if (!this.average) this.average = parameters.map((p) => Float32Array.from(p.value));
      else
        parameters.forEach((p, k) => {
          const a = this.average![k]!;
          for (let i = 0; i < a.length; i++) a[i] = beta * a[i]! + (1 - beta) * p.value[i]!;
        });
    }
    return loss / rows;
  }

  /** Runs `work` with the averaged parameters in place (the trained ones when there is no average), then restores. */
  async withAverage<T>(work: () => Promise<T>): Promise<T> {
    if (!this.average) return work();
    const parameters = this.network.parameters();
    const saved = parameters.map((p) => Float32Array.from(p.value));
    parameters.forEach((p, k) => p.value.set(this.average![k]!));
    try {
      return await work();
    } finally {
      parameters.forEach((p, k) => p.value.set(saved[k]!));
    }
  }

  /**
   * One epoch: a shuffled pass over the data in minibatches of `batchSize` (the last partial batch kept, as a
   * PyTorch DataLoader), or `epochSteps` steps over successive reshuffled passes; returns the mean of the batch
   * losses. Checks `signal` between steps.
   */
  async epoch(random: RandomStream, signal?: AbortSignal, progress?: (fraction: number) => void): Promise<number> {
    const B = this.options.batchSize;
    const perPass = Math.ceil(this.count / B);
    const total = this.options.epochSteps ?? perPass;
    const noise = random.split('noise');
    let order: number[] = [];
    let sum = 0;
    for (let step = 0; step < total; step++) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const within = step % perPass;
      if (within === 0) {
        order = Array.from({ length: this.count }, (_, i) => i);
        (step === 0 ? random.split('shuffle') : random.split('shuffle').split(step / perPass)).shuffle(order);
      }
      sum += await this.step(order.slice(within * B, (within + 1) * B), noise);
      if (progress && (step + 1) % 16 === 0) progress((step + 1) / total);
    }
    this.epochs++;
    return sum / total;
  }
}

/** A time grid with quadrature weights for ∫ rate(s) ds. */
export interface TimeGrid {
  readonly id: string;
  readonly times: Float64Array;
  /** Weights of the reported integral. */
  readonly weights: Float64Array;
}

/**
 * The authors' grid (diffusion_util.py `mc_entropy_rate`): linspace(1e-5, T, n) with the trapezoid rule, reporting
 * the integral up to the second-to-last point (for SL the rate at s = 1 is infinite: σ² = 2Σ₀²/(1 − s)).
 */
export function authorsGrid(points = 100, horizon = 1, sMin = 1e-5): TimeGrid {
  const times = new Float64Array(points);
  for (let j = 0; j < points; j++) times[j] = sMin + ((horizon - sMin) * j) / (points - 1);
  const weights = new Float64Array(points);
  for (let j = 1; j < points - 1; j++) {
    const h = times[j]! - times[j - 1]!;
    weights[j - 1]! += h / 2;
    weights[j]! += h / 2;
  }
  return { id: `authors-trapezoid(${points}, second-to-last)`, times, weights };
}

/**
 * Composite Gauss–Legendre over [s_min, s_max] (the process's training range) with panels whose edges are
 * geometrically refined toward s_min (the rates vary fastest at small s): the "exact integral" variant.
 */
export function gaussLegendreGrid(process: ForwardProcess, panels = 8, order = 6): TimeGrid {
  const [lo, hi] = process.trainingRange;
  const { nodes, weights: w } = gaussLegendre(order);
  const edges = [lo];
  for (let p = 1; p <= panels; p++) edges.push(lo + (hi - lo) * (p / panels) ** 2);
  const times = new Float64Array(panels * order);
  const weights = new Float64Array(panels * order);
  for (let p = 0; p < panels; p++) {
    const a = edges[p]!;
    const b = edges[p + 1]!;
    for (let q = 0; q < order; q++) {
      times[p * order + q] = 0.5 * (a + b) + 0.5 * (b - a) * nodes[q]!;
      weights[p * order + q] = 0.5 * (b - a) * w[q]!;
    }
  }
  return { id: `gauss-legendre(${panels}×${order}, [${lo}, ${hi}])`, times, weights };
}

/** An integral over time of a Monte Carlo rate, with its standard error (independent draws at each time). */
export interface TimeIntegral {
  readonly value: number;
  readonly standardError: number;
  readonly rates: Float64Array;
}

/**
 * Entropy integrals of an excess-score model by Monte Carlo over samples and a time grid (authors' estimator):
 * at each grid time s_j fresh z for every test point x, y = μx + Σz, and
 *   S_NN   = ∫ (σ²/2) E‖e_θ‖²,
 * and, when the exact excess score e* is known (same draws: common random numbers),
 *   S_tot  = ∫ (σ²/2) E‖e*‖²  (the authors' "analytic" curve),   L_EM = ∫ (σ²/2) E‖e* − e_θ‖²,
 *   C      = ∫ (σ²/2) E[e*·e_θ],  so that L_EM = S_tot − 2C + S_NN exactly on the same draws.
 * Standard errors count the test points as the independent units (each point's time integral over its own fresh
 * draws; the spread of these over points / √M). Nats.
 */
export async function entropyIntegrals(
  model: ExcessScore,
  exact: ExcessScore | undefined,
  process: ForwardProcess,
  x: Float32Array,
  count: number,
  grid: TimeGrid,
  random: RandomStream,
): Promise<{ neural: TimeIntegral; total?: TimeIntegral; matching?: TimeIntegral; cross?: TimeIntegral }> {
  const D = model.dimension;
  const n = grid.times.length;
  const K = exact ? 4 : 1;
  const rates = Array.from({ length: K }, () => new Float64Array(n));
  // Per test point integrals: the points are the independent units (each gets fresh z at every time).
  const perPoint = Array.from({ length: K }, () => new Float64Array(count));
  const y = new Float32Array(count * D);
  const s = new Float32Array(count);
  for (let j = 0; j < n; j++) {
    const t = grid.times[j]!;
    const w = grid.weights[j]!;
    const mu = process.mean(t);
    const sd = process.std(t);
    const half = 0.5 * process.diffusion2(t);
    const noise = random.split(`time:${j}`);
    s.fill(t);
    for (let i = 0; i < count * D; i++) y[i] = mu * x[i]! + sd * noise.normal();
    const e = await model.evaluate(y, s, count);
    const star = exact ? await exact.evaluate(y, s, count) : undefined;
    const scale = (v: number) => (Number.isFinite(half) ? half * v : v === 0 ? 0 : Infinity);
    for (let r = 0; r < count; r++) {
      let nn = 0;
      let ss = 0;
      let mm = 0;
      let cc = 0;
      for (let i = 0; i < D; i++) {
        const a = e[r * D + i]!;
        nn += a * a;
        if (star) {
          const b = star[r * D + i]!;
          ss += b * b;
          mm += (b - a) * (b - a);
          cc += a * b;
        }
      }
      const values = star ? [nn, ss, mm, cc] : [nn];
      for (let k = 0; k < K; k++) {
        const q = scale(values[k]!);
        rates[k]![j]! += q / count;
        if (w !== 0) perPoint[k]![r]! += w * q;
      }
    }
  }
  const result = perPoint.map((values, k) => {
    let m = 0;
    for (const v of values) m += v / count;
    let v2 = 0;
    for (const v of values) v2 += (v - m) ** 2 / (count - 1);
    return { value: m, standardError: Math.sqrt(v2 / count), rates: rates[k]! };
  });
  return exact
    ? { neural: result[0]!, total: result[1]!, matching: result[2]!, cross: result[3]! }
    : { neural: result[0]! };
}

/**
 * Reverse-time sampling from x_T ~ N(0, k² I) (the sampling prior π = p_eq) at s_start down to s_end:
 * 'sde': Euler–Maruyama for dX = (b₊ + σ² e_θ) dt + σ dB̄ (t = T − s);
 * 'ode': fourth-order Runge–Kutta for the probability-flow ODE dx/dt = −b₊ + ½σ²(∇ln p_eq + e_θ) = ½σ² e_θ.
 * `steps` uniform steps in s. Returns float32 samples (count × D).
 */
export async function reverseSample(
  model: ExcessScore,
  process: ForwardProcess,
  count: number,
  random: RandomStream,
  options: { method: 'sde' | 'ode'; steps: number; sStart?: number; sEnd?: number },
): Promise<Float32Array> {
  const D = model.dimension;
  const sStart = options.sStart ?? (process.kind === 'sl' ? 1 - 1e-3 : 1);
  const sEnd = options.sEnd ?? 1e-3;
  const k = Math.sqrt(process.equilibriumVariance);
  const prior = random.split('prior');
  const x = new Float32Array(count * D);
  for (let i = 0; i < x.length; i++) x[i] = k * prior.normal();
  const h = (sStart - sEnd) / options.steps;
  const times = new Float32Array(count);
  const velocity = async (state: Float32Array, s: number) => {
    times.fill(s);
    const e = await model.evaluate(state, times, count);
    const half = 0.5 * process.diffusion2(s);
    for (let i = 0; i < e.length; i++) e[i] = half * e[i]!;
    return e;
  };
  const noise = random.split('noise');
  for (let step = 0; step < options.steps; step++) {
    const s = sStart - step * h;
    if (options.method === 'sde') {
      times.fill(s);
      const e = await model.evaluate(x, times, count);
      const d2 = process.diffusion2(s);
      const a = process.driftRate(s);
      const sd = Math.sqrt(d2 * h);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! + (a * x[i]! + d2 * e[i]!) * h + sd * noise.normal();
    } else {
      const k1 = await velocity(x, s);
      const tmp = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) tmp[i] = x[i]! + 0.5 * h * k1[i]!;
      const k2 = await velocity(tmp, s - 0.5 * h);
      for (let i = 0; i < x.length; i++) tmp[i] = x[i]! + 0.5 * h * k2[i]!;
      const k3 = await velocity(tmp, s - 0.5 * h);
      for (let i = 0; i < x.length; i++) tmp[i] = x[i]! + h * k3[i]!;
      const k4 = await velocity(tmp, s - h);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    }
  }
  return x;
}

/**
 * The authors' likelihood bound (diffusion_util.py `DensityHelperEM`) for each point x:
 *   ln p_θ(x) ≥ −(D/2) ln(2πe Σ(1)²) − T · E_{s~U, z}[ (σ²/2)‖2b₊/σ² + e_θ‖² + u·∇ln p(y|x) ],
 * u = −b₊ − σ² e_θ, ∇ln p(y|x) = −(y − μx)/Σ² = −z/Σ, with `throws` draws of (s, z) per point (s ~ U over the
 * training range). Returns the bound per point and its Monte Carlo standard error.
 */
export async function likelihoodBound(
  model: ExcessScore,
  process: ForwardProcess,
  x: Float32Array,
  count: number,
  throws: number,
  random: RandomStream,
): Promise<{ bound: Float64Array; standardError: Float64Array }> {
  const D = model.dimension;
  const [lo, hi] = process.trainingRange;
  const prior = -(D / 2) * Math.log(2 * Math.PI * Math.E * process.std(1) ** 2);
  const bound = new Float64Array(count);
  const se = new Float64Array(count);
  const chunk = Math.max(1, Math.floor(8192 / throws));
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const rows = n * throws;
    const y = new Float32Array(rows * D);
    const z = new Float32Array(rows * D);
    const s = new Float32Array(rows);
    const stream = random.split(`points:${start}`);
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < throws; t++) {
        const r = b * throws + t;
        const time = lo + (hi - lo) * stream.uniform();
        s[r] = time;
        const mu = process.mean(time);
        const sd = process.std(time);
        for (let i = 0; i < D; i++) {
          const zi = stream.normal();
          z[r * D + i] = zi;
          y[r * D + i] = mu * x[(start + b) * D + i]! + sd * zi;
        }
      }
    }
    const e = await model.evaluate(y, s, rows);
    for (let b = 0; b < n; b++) {
      let s1 = 0;
      let s2 = 0;
      for (let t = 0; t < throws; t++) {
        const r = b * throws + t;
        const time = s[r]!;
        const d2 = process.diffusion2(time);
        const a = process.driftRate(time);
        const sd = process.std(time);
        let q = 0;
        for (let i = 0; i < D; i++) {
          const j = r * D + i;
          const drift = a * y[j]!;
          const scaled = (2 * drift) / d2 + e[j]!;
          const u = -drift - d2 * e[j]!;
          q += 0.5 * d2 * scaled * scaled + u * (-z[j]! / sd);
        }
        s1 += q;
        s2 += q * q;
      }
      const mean = s1 / throws;
      bound[start + b] = prior - (hi - lo) * mean;
      se[start + b] = (hi - lo) * Math.sqrt(Math.max(0, s2 / throws - mean * mean) / (throws - 1));
    }
  }
  return { bound, standardError: se };
}
