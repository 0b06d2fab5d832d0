/**
 * Gaussian expectations E[f(u)] with u ~ N(0, q), and E[f(u₁) g(u₂)] for a bivariate Gaussian, by the
 * trapezoid rule in the standard-normal variable z on [−L, L], L = 9.5.
 *
 * Why the trapezoid rule and not Gauss–Hermite (docs/science/random-mlp-mean-field.md §3.1): for an integrand analytic in the
 * strip |Im z| < d the trapezoid rule on the whole line converges geometrically, error ≈ e^{−2πd/h}. tanh(√q z)
 * has poles at distance d = π/(2√q) from the real axis, so the step is chosen per variance,
 * h(q) = min(0.05, 0.08·d), giving 2πd/h ≥ 78 (error below double rounding); truncation at |z| = 9.5 costs
 * e^{−45}. For q ≤ 6.3 this is 381 nodes (h = 0.05: every table of the science file, q* ≤ 3.1); at q = 100,
 * 1 521 nodes. Gauss–Hermite with 100 nodes
 * loses accuracy as q grows (≈ 5e-6 in χ₁ at q ≈ 2.2) and 20 nodes miss σ_w²_c by 4e-4 at σ_b² = 0.05, because
 * its nodes spread to |z| ≈ 13 while the pole spacing shrinks like 1/√q. Tests compare against closed forms
 * (erf, ReLU) and an independent adaptive quadrature; both agree to ≤ 1e-13.
 * Non-analytic integrands (ReLU's kink) converge only as O(h²): the mean-field library uses closed forms there.
 */
export interface GaussianRule {
  /** Nodes z_i. */
  readonly nodes: Float64Array;
  /** Weights h·e^{−z_i²/2}/√(2π) (they sum to 1 within 1e-16). */
  readonly weights: Float64Array;
  readonly step: number;
}

export const QUADRATURE_HALF_WIDTH = 9.5;
const MAX_STEP = 0.05;
const rules = new Map<number, GaussianRule>();

/** The step h(q) = min(0.05, 0.08·π/(2√q)) used for variance q (see the file comment). */
export function stepForVariance(q: number): number {
  if (!(q > 0)) return MAX_STEP;
  const d = Math.PI / (2 * Math.sqrt(q));
  const h = Math.min(MAX_STEP, 0.08 * d);
  // Quantise so that nearby variances share a cached rule (h = 0.05 / k for an integer k).
  return MAX_STEP / Math.ceil(MAX_STEP / h);
}

/** Trapezoid rule for ∫Dz f(z), Dz = e^{−z²/2}dz/√(2π), with step `step` on [−9.5, 9.5] (cached). */
export function gaussianRule(step = MAX_STEP): GaussianRule {
  const cached = rules.get(step);
  if (cached) return cached;
  const half = Math.floor(QUADRATURE_HALF_WIDTH / step);
  const count = 2 * half + 1;
  const nodes = new Float64Array(count);
  const weights = new Float64Array(count);
  const norm = step / Math.sqrt(2 * Math.PI);
  for (let i = 0; i < count; i++) {
    const z = (i - half) * step;
    nodes[i] = z;
    weights[i] = norm * Math.exp(-0.5 * z * z);
  }
  const rule = { nodes, weights, step };
  rules.set(step, rule);
  return rule;
}

/** E[f(u)], u ~ N(0, q), q ≥ 0. */
export function gaussianExpectation(f: (u: number) => number, q: number): number {
  if (q === 0) return f(0);
  const { nodes, weights } = gaussianRule(stepForVariance(q));
  const s = Math.sqrt(q);
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) sum += weights[i]! * f(s * nodes[i]!);
  return sum;
}

/**
 * E[f(u₁) g(u₂)] for (u₁, u₂) Gaussian with variances q₁, q₂ and covariance q₁₂ (|q₁₂| ≤ √(q₁q₂)), on the tensor
 * grid: u₁ = √q₁ z₁, u₂ = (q₁₂/√q₁) z₁ + √(q₂ − q₁₂²/q₁) z₂.
 */
export function bivariateGaussianExpectation(
  f: (u: number) => number,
  g: (u: number) => number,
  q1: number,
  q2: number,
  q12: number,
): number {
  if (q1 === 0) return f(0) * gaussianExpectation(g, q2);
  const { nodes, weights } = gaussianRule(stepForVariance(Math.max(q1, q2)));
  const s1 = Math.sqrt(q1);
  const a = q12 / s1;
  const b = Math.sqrt(Math.max(0, q2 - a * a));
  const n = nodes.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights[i]!;
    if (wi < 1e-22) continue;
    const zi = nodes[i]!;
    const fi = f(s1 * zi);
    if (fi === 0) continue;
    const shift = a * zi;
    let inner = 0;
    for (let j = 0; j < n; j++) {
      const wj = weights[j]!;
      if (wj * wi < 1e-22) continue;
      inner += wj * g(shift + b * nodes[j]!);
    }
    sum += wi * fi * inner;
  }
  return sum;
}
