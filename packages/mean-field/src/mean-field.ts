import { ArgumentError } from '@entroscope/core';
import { brentRoot } from './brent';
import { meanFieldActivation, type MeanFieldActivation, type MlpActivation } from './mean-field-activation';

/** Mean-field facts of one (φ, σ_w², σ_b²), JSON-serialisable (attached to observations' meta). */
export interface MeanFieldSummary {
  readonly activation: MlpActivation;
  readonly sigmaW2: number;
  readonly sigmaB2: number;
  /** Fixed point q* of the length map (Infinity when the map has none, e.g. ReLU with σ_w² ≥ 2, σ_b² > 0). */
  readonly qStar: number;
  /** χ₁ = σ_w² E[φ'(√q* z)²]: the mean squared singular value of one layer's Jacobian at q*. */
  readonly chi1: number;
  /** Fixed point c* of the correlation map (1 in the ordered phase). */
  readonly cStar: number;
  /** Length-map depth scale ξ_q (finite through the transition). */
  readonly xiQ: number;
  /** Correlation depth scale ξ_c; Infinity when divergent (see xiCDivergent). */
  readonly xiC: number;
  /** True where the numerical slope at c* is ≥ 1 (at or numerically next to the critical line): ξ_c is "divergent", never a number. */
  readonly xiCDivergent: boolean;
  /** Trainable depth ≈ 6ξ_c (Schoenholz et al. 2017). */
  readonly sixXiC: number;
  readonly phase: 'ordered' | 'chaotic' | 'critical';
}

/**
 * Mean-field signal propagation through a random network with W_ij ~ N(0, σ_w²/n_in), b_i ~ N(0, σ_b²) in the
 * limit of infinite width (Poole et al. 2016, arXiv:1606.05340; Schoenholz et al. 2017, arXiv:1611.01232;
 * docs/science/random-mlp-mean-field.md §3). Pre-activations at layer ℓ are i.i.d. Gaussian over neurons with variance q^ℓ:
 *   q^{ℓ+1} = σ_w² E[φ(√q^ℓ z)²] + σ_b²,            q^0 = σ_w² ‖x‖²/n_in + σ_b²
 *   q_ab^{ℓ+1} = σ_w² E[φ(u_a)φ(u_b)] + σ_b²,        c^ℓ = q_ab^ℓ / √(q_a^ℓ q_b^ℓ)
 *   χ₁ = σ_w² E[φ'(√q* z)²],  ξ_q⁻¹ = −ln(σ_w² ∂_q E[φ²]|_{q*}),  ξ_c⁻¹ = −ln(σ_w² E[φ'(u₁*)φ'(u₂*)]) at c*.
 * Accuracy: 1e-10 or better against the reference tables (tanh by quadrature, see gaussian-quadrature.ts).
 */
export class MeanField {
  readonly activation: MeanFieldActivation;
  private cache: { qStar?: number; cStar?: number; summary?: MeanFieldSummary } = {};

  constructor(
    activation: MlpActivation | MeanFieldActivation,
    readonly sigmaW2: number,
    readonly sigmaB2: number,
  ) {
    if (!(sigmaW2 > 0) || !Number.isFinite(sigmaW2))
      throw new ArgumentError('MeanField: sigmaW2', 'a finite number > 0', sigmaW2);
    if (!(sigmaB2 >= 0) || !Number.isFinite(sigmaB2))
      throw new ArgumentError('MeanField: sigmaB2', 'a finite number ≥ 0', sigmaB2);
    this.activation = typeof activation === 'string' ? meanFieldActivation(activation) : activation;
  }

  /** q^0 = σ_w² ⟨x²⟩ + σ_b² for an input with mean squared component ⟨x²⟩ = ‖x‖²/n_in. */
  firstLayerVariance(meanSquare: number): number {
    return this.sigmaW2 * meanSquare + this.sigmaB2;
  }

  /** The length map q ↦ σ_w² E[φ(√q z)²] + σ_b². */
  qMap(q: number): number {
    return this.sigmaW2 * this.activation.secondMoment(q) + this.sigmaB2;
  }

  /** q^0, q^1, …, q^{layers−1} from q^0. */
  lengthTrajectory(q0: number, layers: number): Float64Array {
    const out = new Float64Array(layers);
    let q = q0;
    for (let l = 0; l < layers; l++) {
      out[l] = q;
      q = this.qMap(q);
    }
    return out;
  }

  /** One step of the two-input covariance map (q_a, q_b, q_ab) ↦ (q_a', q_b', q_ab'). */
  covarianceMap(qa: number, qb: number, qab: number): [number, number, number] {
    return [
      this.qMap(qa),
      qa === qb ? this.qMap(qb) : this.qMap(qb),
      this.sigmaW2 * this.activation.crossMoment(qa, qb, qab) + this.sigmaB2,
    ];
  }

  /** Correlation c^ℓ = q_ab/√(q_a q_b) of two inputs for ℓ = 0…layers−1, starting from layer-0 (q_a, q_b, q_ab). */
  pairTrajectory(
    qa0: number,
    qb0: number,
    qab0: number,
    layers: number,
  ): { qa: Float64Array; qb: Float64Array; c: Float64Array } {
    const qa = new Float64Array(layers);
    const qb = new Float64Array(layers);
    const c = new Float64Array(layers);
    let state: [number, number, number] = [qa0, qb0, qab0];
    for (let l = 0; l < layers; l++) {
      qa[l] = state[0];
      qb[l] = state[1];
      c[l] = Math.max(-1, Math.min(1, state[2] / Math.sqrt(state[0] * state[1])));
      if (l + 1 < layers)
        state = this.covarianceMap(state[0], state[1], Math.min(state[2], Math.sqrt(state[0] * state[1])));
    }
    return { qa, qb, c };
  }

  /** χ(q) = σ_w² E[φ'(√q z)²]: the per-layer growth factor of E‖J‖_F²/N at variance q. */
  chi(q: number): number {
    return this.sigmaW2 * this.activation.derivativeCrossMoment(q, q, q);
  }

  /** Fixed point q* of the length map (Brent on (1e-14, 100], the bracket widened when needed). */
  qStar(): number {
    if (this.cache.qStar !== undefined) return this.cache.qStar;
    const f = (q: number) => this.qMap(q) - q;
    let value: number;
    if (this.sigmaB2 === 0 && this.sigmaW2 * this.activation.secondMomentSlope(0) <= 1) value = 0;
    else {
      let hi = 100;
      while (f(hi) > 0 && hi < 1e12) hi *= 10;
      value = f(hi) > 0 ? Infinity : brentRoot(f, 1e-14, hi, 1e-16, 'MeanField.qStar');
    }
    this.cache.qStar = value;
    return value;
  }

  /** χ₁ at q*. */
  chi1(): number {
    const q = this.qStar();
    return Number.isFinite(q) ? this.chi(q) : this.sigmaW2 * this.activation.derivativeCrossMoment(1e6, 1e6, 1e6);
  }

  /** The correlation map at the fixed length q*: c ↦ (σ_w² E[φ(u₁)φ(u₂)] + σ_b²)/q*, u's of variance q*, correlation c. */
  cMap(c: number): number {
    const q = this.qStar();
    return (this.sigmaW2 * this.activation.crossMoment(q, q, c * q) + this.sigmaB2) / q;
  }

  /** Fixed point c*: 1 in the ordered phase (χ₁ ≤ 1), else the root of cMap(c) = c in [0, 1) (or (−1, 0)). */
  cStar(): number {
    if (this.cache.cStar !== undefined) return this.cache.cStar;
    const q = this.qStar();
    let value = 1;
    if (q > 0 && Number.isFinite(q) && this.chi1() > 1) {
      const g = (c: number) => this.cMap(c) - c;
      const g0 = g(0);
      const top = 1 - 1e-9;
      if (g0 === 0) value = 0;
      else if (g0 > 0) value = g(top) < 0 ? brentRoot(g, 0, top, 1e-15, 'MeanField.cStar') : 1;
      else value = brentRoot(g, -1 + 1e-12, 0, 1e-15, 'MeanField.cStar');
    } else if (q === 0) value = this.sigmaW2 * this.activation.derivativeCrossMoment(0, 0, 0) > 1 ? 0 : 1;
    this.cache.cStar = value;
    return value;
  }

  /** ξ_q = −1/ln(σ_w² ∂_q E[φ²] at q*) (Infinity when the slope is ≥ 1). */
  xiQ(): number {
    const q = this.qStar();
    if (!Number.isFinite(q)) return Infinity;
    const slope = this.sigmaW2 * this.activation.secondMomentSlope(q);
    return slope >= 1 ? Infinity : -1 / Math.log(slope);
  }

  /** ξ_c and whether it is divergent (slope at c* numerically ≥ 1). */
  xiC(): { value: number; divergent: boolean } {
    const q = this.qStar();
    if (!Number.isFinite(q)) return { value: Infinity, divergent: true };
    const c = this.cStar();
    const slope = this.sigmaW2 * this.activation.derivativeCrossMoment(q, q, c * q);
    if (!(slope < 1)) return { value: Infinity, divergent: true };
    return { value: -1 / Math.log(slope), divergent: false };
  }

  summary(): MeanFieldSummary {
    if (this.cache.summary) return this.cache.summary;
    const chi1 = this.chi1();
    const xiC = this.xiC();
    const summary: MeanFieldSummary = {
      activation: this.activation.name,
      sigmaW2: this.sigmaW2,
      sigmaB2: this.sigmaB2,
      qStar: this.qStar(),
      chi1,
      cStar: this.cStar(),
      xiQ: this.xiQ(),
      xiC: xiC.value,
      xiCDivergent: xiC.divergent,
      sixXiC: 6 * xiC.value,
      phase: xiC.divergent ? 'critical' : chi1 < 1 ? 'ordered' : 'chaotic',
    };
    this.cache.summary = summary;
    return summary;
  }
}

/**
 * The order-to-chaos line: σ_w²_c(σ_b²) where χ₁(σ_w², q*(σ_w², σ_b²)) = 1 (Brent on σ_w² ∈ (σ_w²_c(0), 10],
 * widened to 1000 when needed). At σ_b² = 0 it is 1/φ'(0)² with q* = 0. For ReLU (χ₁ = σ_w²/2 for every q) it is
 * σ_w² = 2, where q* is finite only at σ_b² = 0.
 */
export function criticalLine(
  activation: MlpActivation | MeanFieldActivation,
  sigmaB2: number,
): { sigmaW2: number; qStar: number } {
  const act = typeof activation === 'string' ? meanFieldActivation(activation) : activation;
  const lo = 1 / act.derivativeCrossMoment(0, 0, 0);
  if (act.name === 'relu') return { sigmaW2: 2, qStar: sigmaB2 === 0 ? 0 : Infinity };
  if (sigmaB2 === 0) return { sigmaW2: lo, qStar: 0 };
  const h = (w: number) => new MeanField(act, w, sigmaB2).chi1() - 1;
  let hi = 10;
  while (h(hi) < 0 && hi < 1000) hi *= 10;
  const sigmaW2 = brentRoot(h, lo, hi, 1e-14, 'criticalLine');
  return { sigmaW2, qStar: new MeanField(act, sigmaW2, sigmaB2).qStar() };
}
