/**
 * Straight-line least squares for report figures: y = a + b·f(x) with f(x) = x ('linear'), ln x ('log') or 1/x
 * ('inverse'), per series, or the power law y = e^a x^b ('power': ln y = a + b ln x, y > 0, each error σ_i becoming σ_i/y_i,
 * the first-order error of ln y). Pure numerics, no drawing (figure-spec.ts draws the curve and its residuals).
 *
 * Weighted when every point has a standard error σ_i > 0 (weights 1/σ_i²: for replicated points the standard error
 * of the mean over replicates, else the measurement's own), unweighted otherwise. Parameter covariance:
 * - weighted: (XᵀWX)⁻¹ · max(1, χ²/ν), ν = n − 2 — the errors as given, inflated when the scatter about the line
 *   exceeds them (the points then disagree with the law beyond their error bars; the Particle Data Group's scale
 *   factor);
 * - unweighted: s²(XᵀX)⁻¹ with s² = Σ r_i²/ν, the textbook ordinary-least-squares standard errors.
 * Needs at least three points with distinct f(x) (ν ≥ 1).
 */

export type FitLaw = 'linear' | 'log' | 'inverse' | 'power';

export interface FitPoint {
  readonly x: number;
  readonly y: number;
  /** One standard error of y (absent or 0: unknown). */
  readonly error?: number | undefined;
}

export interface LineFit {
  readonly law: FitLaw;
  /** Intercept a and slope b of y = a + b·f(x). */
  readonly a: number;
  readonly b: number;
  /** One standard error of a and b. */
  readonly aError: number;
  readonly bError: number;
  /** Covariance of (a, b). */
  readonly covariance: readonly [number, number, number];
  /** Σ w r² (weighted) or Σ r² (unweighted), and the degrees of freedom n − 2. */
  readonly chiSquare: number;
  readonly dof: number;
  readonly weighted: boolean;
  /** Factor the weighted covariance was multiplied by: max(1, χ²/ν) (1 when unweighted). */
  readonly scale: number;
  readonly points: readonly (FitPoint & { readonly fitted: number; readonly residual: number })[];
}

/** f(x) of a law; NaN where it is undefined (x ≤ 0 for 'log', x = 0 for 'inverse'). */
export function lawTransform(law: FitLaw, x: number): number {
  if (law === 'log' || law === 'power') return x > 0 ? Math.log(x) : NaN;
  if (law === 'inverse') return x !== 0 ? 1 / x : NaN;
  return x;
}

/** The formula of a law in words for captions, e.g. `y = a + b ln N`. */
export function lawFormula(law: FitLaw, x = 'x', y = 'y'): string {
  if (law === 'power') return `ln ${y} = a + b ln ${x}`;
  return law === 'log' ? `${y} = a + b ln ${x}` : law === 'inverse' ? `${y} = a + b/${x}` : `${y} = a + b·${x}`;
}

/** The fitted curve at x: a + b·f(x), or e^a x^b for 'power'. */
export function fitValue(fit: Pick<LineFit, 'law' | 'a' | 'b'>, x: number): number {
  const v = fit.a + fit.b * lawTransform(fit.law, x);
  return fit.law === 'power' ? Math.exp(v) : v;
}

/** Least-squares fit of y = a + b·f(x) to the points (see the module comment for weights and errors). */
export function fitLine(law: FitLaw, given: readonly FitPoint[]): LineFit {
  const usable = given.filter(
    (p) => Number.isFinite(lawTransform(law, p.x)) && Number.isFinite(p.y) && (law !== 'power' || p.y > 0),
  );
  // The power law is the straight line of (ln x, ln y).
  const points =
    law === 'power'
      ? usable.map((p) => ({ x: p.x, y: Math.log(p.y), error: p.error === undefined ? undefined : p.error / p.y }))
      : usable;
  const n = points.length;
  const fs = points.map((p) => lawTransform(law, p.x));
  if (n < 3 || new Set(fs).size < 2)
    throw new RangeError(
      `fit ${lawFormula(law)}: needs at least 3 points with distinct ${law === 'linear' ? 'x' : `f(x)`}, got ${n}`,
    );
  const weighted = points.every((p) => p.error !== undefined && p.error > 0 && Number.isFinite(p.error));
  const w = points.map((p) => (weighted ? 1 / p.error! ** 2 : 1));
  // Centred sums (numerically stable): f̄ and ȳ weighted means.
  let sw = 0;
  let sf = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    sf += w[i]! * fs[i]!;
    sy += w[i]! * points[i]!.y;
  }
  const fBar = sf / sw;
  const yBar = sy / sw;
  let sff = 0;
  let sfy = 0;
  for (let i = 0; i < n; i++) {
    const df = fs[i]! - fBar;
    sff += w[i]! * df * df;
    sfy += w[i]! * df * (points[i]!.y - yBar);
  }
  const b = sfy / sff;
  const a = yBar - b * fBar;
  let chiSquare = 0;
  const fitted = points.map((p, i) => {
    const yHat = a + b * fs[i]!;
    chiSquare += w[i]! * (p.y - yHat) ** 2;
    // Residuals in the units of y (for 'power': y − e^a x^b beside the given error).
    const original = usable[i]!;
    const shown = law === 'power' ? Math.exp(yHat) : yHat;
    return { ...original, fitted: shown, residual: original.y - shown };
  });
  const dof = n - 2;
  // (XᵀWX)⁻¹ in centred form: var b = 1/Sff, var a = 1/Sw + f̄²/Sff, cov = −f̄/Sff.
  const scale = weighted ? Math.max(1, chiSquare / dof) : chiSquare / dof;
  const varB = scale / sff;
  const varA = scale * (1 / sw + (fBar * fBar) / sff);
  const cov = (-scale * fBar) / sff;
  return {
    law,
    a,
    b,
    aError: Math.sqrt(varA),
    bError: Math.sqrt(varB),
    covariance: [varA, cov, varB],
    chiSquare,
    dof,
    weighted,
    scale: weighted ? scale : 1,
    points: fitted,
  };
}

/** Standard error of the fitted curve at x from the parameter covariance (for 'power': of ln y, times the curve). */
export function fitCurveError(fit: LineFit, x: number): number {
  const f = lawTransform(fit.law, x);
  const [va, cab, vb] = fit.covariance;
  const e = Math.sqrt(Math.max(0, va + 2 * f * cab + f * f * vb));
  return fit.law === 'power' ? e * fitValue(fit, x) : e;
}
