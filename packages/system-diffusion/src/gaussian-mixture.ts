import type { RandomStream } from '@entroscope/core';
import type { ForwardProcess } from './forward-process';

/** One component of a mixture: weight, mean and diagonal variances (all length D). */
export interface MixtureComponent {
  readonly weight: number;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * A mixture of Gaussians with diagonal covariances, p(x) = Σ_k w_k N(x; m_k, diag v_k), D dimensions. A single
 * component is a Gaussian. Under a forward process with kernel y = μ x + Σ z the marginal stays a mixture,
 * p_s = Σ_k w_k N(μ m_k, μ² v_k + Σ²), so its density and score are exact at every time (`marginal`).
 */
export class GaussianMixture {
  readonly dimension: number;
  private readonly logWeights: Float64Array;
  private readonly logNorms: Float64Array;
  private readonly precisions: Float64Array[];
  constructor(readonly components: readonly MixtureComponent[]) {
    if (components.length === 0) throw new RangeError('Gaussian mixture: needs at least one component');
    this.dimension = components[0]!.mean.length;
    let total = 0;
    for (const [k, c] of components.entries()) {
      if (c.mean.length !== this.dimension || c.variance.length !== this.dimension)
        throw new RangeError(
          `Gaussian mixture: component ${k} has mean/variance of length ${c.mean.length}/${c.variance.length}, expected ${this.dimension}`,
        );
      if (!(c.weight > 0)) throw new RangeError(`Gaussian mixture: component ${k} weight must be > 0, got ${c.weight}`);
      for (const v of c.variance)
        if (!(v > 0)) throw new RangeError(`Gaussian mixture: component ${k} variances must be > 0, got ${v}`);
      total += c.weight;
    }
    this.logWeights = Float64Array.from(components, (c) => Math.log(c.weight / total));
    this.logNorms = Float64Array.from(components, (c) => {
      let s = 0;
      for (const v of c.variance) s += Math.log(v) + LOG_2PI;
      return -0.5 * s;
    });
    this.precisions = components.map((c) => Float64Array.from(c.variance, (v) => 1 / v));
  }

  /** Normalised weights. */
  weight(k: number): number {
    return Math.exp(this.logWeights[k]!);
  }

  /** The marginal at time s of the forward process started from this mixture. */
  marginal(process: ForwardProcess, s: number): GaussianMixture {
    const mu = process.mean(s);
    const sigma2 = process.std(s) ** 2;
    return new GaussianMixture(
      this.components.map((c, k) => ({
        weight: this.weight(k),
        mean: Float64Array.from(c.mean, (m) => mu * m),
        variance: Float64Array.from(c.variance, (v) => mu * mu * v + sigma2),
      })),
    );
  }

  /** Log-density of each component (including its weight) at y, written into `out`; returns ln p(y). */
  private componentLogs(y: ArrayLike<number>, offset: number, out: Float64Array): number {
    const D = this.dimension;
    let max = -Infinity;
    for (let k = 0; k < this.components.length; k++) {
      const m = this.components[k]!.mean;
      const prec = this.precisions[k]!;
      let q = 0;
      for (let i = 0; i < D; i++) {
        const d = y[offset + i]! - m[i]!;
        q += d * d * prec[i]!;
      }
      const l = this.logWeights[k]! + this.logNorms[k]! - 0.5 * q;
      out[k] = l;
      if (l > max) max = l;
    }
    let sum = 0;
    for (let k = 0; k < this.components.length; k++) sum += Math.exp(out[k]! - max);
    return max + Math.log(sum);
  }

  /** ln p(y) for the point at `offset` of `y`. */
  logDensity(y: ArrayLike<number>, offset = 0): number {
    return this.componentLogs(y, offset, new Float64Array(this.components.length));
  }

  /**
   * Score ∇ln p(y) = Σ_k r_k(y) (m_k − y)/v_k with responsibilities r_k, written into `out` (length D);
   * returns ln p(y). `scratch` (length K) avoids an allocation per call.
   */
  score(
    y: ArrayLike<number>,
    offset: number,
    out: Float64Array,
    scratch = new Float64Array(this.components.length),
  ): number {
    const D = this.dimension;
    const logP = this.componentLogs(y, offset, scratch);
    out.fill(0);
    for (let k = 0; k < this.components.length; k++) {
      const r = Math.exp(scratch[k]! - logP);
      if (r === 0) continue;
      const m = this.components[k]!.mean;
      const prec = this.precisions[k]!;
      for (let i = 0; i < D; i++) out[i] = out[i]! + r * (m[i]! - y[offset + i]!) * prec[i]!;
    }
    return logP;
  }

  /** n samples, row-major n × D, float64. */
  sample(n: number, random: RandomStream): Float64Array {
    const D = this.dimension;
    const out = new Float64Array(n * D);
    const cumulative = new Float64Array(this.components.length);
    let c = 0;
    for (let k = 0; k < this.components.length; k++) cumulative[k] = c += this.weight(k);
    for (let r = 0; r < n; r++) {
      const u = random.uniform() * c;
      let k = 0;
      while (k < this.components.length - 1 && u >= cumulative[k]!) k++;
      const comp = this.components[k]!;
      for (let i = 0; i < D; i++) out[r * D + i] = comp.mean[i]! + Math.sqrt(comp.variance[i]!) * random.normal();
    }
    return out;
  }

  /** True when the mixture is a single Gaussian. */
  get isGaussian(): boolean {
    return this.components.length === 1;
  }

  /** Overall mean and (diagonal part of the) covariance, exact. */
  moments(): { mean: Float64Array; covariance: Float64Array } {
    const D = this.dimension;
    const mean = new Float64Array(D);
    for (let k = 0; k < this.components.length; k++)
      for (let i = 0; i < D; i++) mean[i] = mean[i]! + this.weight(k) * this.components[k]!.mean[i]!;
    const covariance = new Float64Array(D * D);
    for (let k = 0; k < this.components.length; k++) {
      const w = this.weight(k);
      const c = this.components[k]!;
      for (let i = 0; i < D; i++) {
        covariance[i * D + i] = covariance[i * D + i]! + w * c.variance[i]!;
        for (let j = 0; j < D; j++)
          covariance[i * D + j] = covariance[i * D + j]! + w * (c.mean[i]! - mean[i]!) * (c.mean[j]! - mean[j]!);
      }
    }
    return { mean, covariance };
  }
}

/** An isotropic Gaussian N(m, s_d² I) as a one-component mixture. */
export function isotropicGaussian(mean: ArrayLike<number>, variance: number): GaussianMixture {
  return new GaussianMixture([
    { weight: 1, mean: Float64Array.from(mean), variance: new Float64Array(mean.length).fill(variance) },
  ]);
}

/**
 * The authors' random mixtures (scripts/mlp.py of akhilprem1/NeuralEntropy): n_r components with means
 * U([−box, box]^D), isotropic standard deviations U(stdLow, stdHigh) and weights U(0, 1) normalised; defaults
 * n_r = 5, box 2, stds in (0.5, 1). Drawn from `random` (not JAX's PRNGKey(32), which this code cannot
 * reproduce), so the parameters are a draw of the same ensemble, not the authors' exact mixture.
 */
export function randomMixture(
  dimension: number,
  random: RandomStream,
  options: { components?: number; box?: number; stdLow?: number; stdHigh?: number } = {},
): GaussianMixture {
  const { components = 5, box = 2, stdLow = 0.5, stdHigh = 1 } = options;
  const parts: MixtureComponent[] = [];
  const means = random.split('means');
  const stds = random.split('stds');
  const weights = random.split('weights');
  for (let k = 0; k < components; k++) {
    const mean = new Float64Array(dimension);
    for (let i = 0; i < dimension; i++) mean[i] = -box + 2 * box * means.uniform();
    const sd = stdLow + (stdHigh - stdLow) * stds.uniform();
    parts.push({ weight: weights.uniformOpen(), mean, variance: new Float64Array(dimension).fill(sd * sd) });
  }
  return new GaussianMixture(parts);
}

/** The 1D bimodal oracle ½N(−1.5, 0.1) + ½N(1.5, 0.1) (variances 0.1). */
export function bimodalOracle(): GaussianMixture {
  return new GaussianMixture([
    { weight: 0.5, mean: Float64Array.of(-1.5), variance: Float64Array.of(0.1) },
    { weight: 0.5, mean: Float64Array.of(1.5), variance: Float64Array.of(0.1) },
  ]);
}
