/**
 * The weight-matrix ensembles of the replica formula: W (n_out × n_in) enters only through
 * - ϑ(γ), the solution of ϑ = 1 − γ / E_λ[1 / (λ + (1 − ϑ)(1 − αϑ)/γ)] on [0, ϑ_max] (γ = A·V), and
 * - F(γ, ϑ) = 2αϑ + (α − 1) ln(1 − ϑ) + E_λ ln(γλ + (1 − ϑ)(1 − αϑ)),
 * where λ runs over the n_in eigenvalues of WᵀW (zeros included) and α = n_out/n_in (Gabrié et al. 2018, after
 * Reeves 2017 and Tulino et al. 2013). For Gaussian i.i.d. entries of variance σ²/n_in both are closed:
 * ϑ = σ²γ and F = ασ²γ.
 */
export interface ReplicaEnsemble {
  readonly kind: 'gaussian' | 'spectral';
  readonly alpha: number;
  /** ⟨λ⟩, the mean eigenvalue of WᵀW: E z² = ⟨λ⟩ E h² / α. */
  readonly meanEigenvalue: number;
  /** ϑ(γ); `hint` (the previous ϑ) selects between roots when there are several. */
  theta(gamma: number, hint?: number): { theta: number; found: boolean };
  f(gamma: number, theta: number): number;
  /** E_λ[1/(λ + c)], c > 0 (the linear-estimation step of the ML-VAMP state evolution). */
  stieltjes(c: number): number;
}

export function gaussianEnsemble(alpha: number, variance: number): ReplicaEnsemble {
  return {
    kind: 'gaussian',
    alpha,
    meanEigenvalue: variance * alpha,
    theta: (gamma) => ({ theta: variance * gamma, found: true }),
    f: (gamma) => alpha * variance * gamma,
    stieltjes(c) {
      // λ = σ²α·μ, μ Marchenko–Pastur with ratio y = 1/α: m = E[1/(μ + x)] solves y x m² + (x + 1 − y) m − 1 = 0.
      const scale = variance * alpha;
      const x = c / scale;
      const y = 1 / alpha;
      const b = x + 1 - y;
      const m = 2 / (b + Math.sqrt(b * b + 4 * y * x));
      return m / scale;
    },
  };
}

/** Orthogonally invariant W with the given spectrum of WᵀW (n_in values ≥ 0). */
export function spectralEnsemble(alpha: number, spectrum: ArrayLike<number>): ReplicaEnsemble {
  // Group equal eigenvalues (the zeros of a wide matrix especially): the averages need only distinct values.
  const sorted = Float64Array.from(spectrum).sort();
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i]!;
    if (values.length > 0 && x === values[values.length - 1]) counts[counts.length - 1]!++;
    else {
      values.push(x);
      counts.push(1);
    }
  }
  const lambda = Float64Array.from(values);
  const weight = Float64Array.from(counts, (c) => c / sorted.length);
  let mean = 0;
  for (let i = 0; i < lambda.length; i++) mean += weight[i]! * lambda[i]!;
  const lambdaMin = lambda[0]!;
  const stieltjes = (c: number) => {
    let s = 0;
    for (let i = 0; i < lambda.length; i++) s += weight[i]! / (lambda[i]! + c);
    return s;
  };
  const psi = (theta: number, gamma: number) => {
    const c = ((1 - theta) * (1 - alpha * theta)) / gamma;
    return theta - 1 + gamma / stieltjes(c);
  };
  return {
    kind: 'spectral',
    alpha,
    meanEigenvalue: mean,
    stieltjes,
    theta(gamma, hint = 0) {
      if (!(gamma > 0)) return { theta: 0, found: true };
      const disc = (1 - alpha) ** 2 - 4 * alpha * gamma * lambdaMin;
      let thetaMax = disc > 0 ? (1 + alpha - Math.sqrt(disc)) / (2 * alpha) : (1 + alpha) / (2 * alpha);
      thetaMax = Math.min(thetaMax, 1) * (1 - 1e-12);
      // Scan for sign changes of ψ, then bisect the bracket whose root lies closest to the hint.
      const grid = 96;
      const roots: Array<[number, number]> = [];
      let prevT = 0;
      let prevV = psi(0, gamma);
      if (prevV === 0) return { theta: 0, found: true };
      for (let k = 1; k <= grid; k++) {
        const t = (thetaMax * k) / grid;
        const val = psi(t, gamma);
        if (Number.isFinite(val) && Number.isFinite(prevV) && (val === 0 || Math.sign(val) !== Math.sign(prevV)))
          roots.push([prevT, t]);
        prevT = t;
        prevV = val;
      }
      if (roots.length === 0) return { theta: NaN, found: false };
      let best = roots[0]!;
      for (const r of roots)
        if (Math.abs(0.5 * (r[0] + r[1]) - hint) < Math.abs(0.5 * (best[0] + best[1]) - hint)) best = r;
      let [a, b] = best;
      let fa = psi(a, gamma);
      for (let it = 0; it < 80 && b - a > 1e-16 * Math.max(1, b); it++) {
        const m = 0.5 * (a + b);
        const fm = psi(m, gamma);
        if (fm === 0) {
          a = b = m;
          break;
        }
        if (Math.sign(fm) === Math.sign(fa)) {
          a = m;
          fa = fm;
        } else b = m;
      }
      return { theta: 0.5 * (a + b), found: true };
    },
    f(gamma, theta) {
      const base = (1 - theta) * (1 - alpha * theta);
      let s = 0;
      for (let i = 0; i < lambda.length; i++) s += weight[i]! * Math.log(gamma * lambda[i]! + base);
      return 2 * alpha * theta + (alpha === 1 ? 0 : (alpha - 1) * Math.log(1 - theta)) + s;
    },
  };
}
