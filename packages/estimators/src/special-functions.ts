/**
 * Special functions the estimators need: digamma ψ, ln Γ, and the volume of the unit ball. Digamma by upward
 * recurrence to x ≥ 10 and the asymptotic series (Abramowitz & Stegun 6.3.18), absolute error below 1e-13 for
 * x > 0; ln Γ by the Lanczos approximation (g = 7, n = 9; relative error ~1e-15).
 */

const EULER_GAMMA = 0.5772156649015329;

export function digamma(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  // ψ(x) ~ ln x − 1/(2x) − Σ B_{2k}/(2k x^{2k})
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
  return result + Math.log(x) - 0.5 / x - series;
}

/** ψ(1), ψ(2), …, ψ(n) exactly from the harmonic numbers (ψ(m) = −γ + H_{m−1}); index m holds ψ(m), index 0 −∞. */
export function digammaTable(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  table[0] = -Infinity;
  if (n >= 1) table[1] = -EULER_GAMMA;
  for (let m = 2; m <= n; m++) table[m] = table[m - 1]! + 1 / (m - 1);
  return table;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export type Norm = 'max' | 'euclidean';

/** ln of the volume of the unit ball in d dimensions: d ln 2 (max-norm) or (d/2) ln π − ln Γ(1 + d/2). */
export function logUnitBallVolume(d: number, norm: Norm): number {
  return norm === 'max' ? d * Math.LN2 : (d / 2) * Math.log(Math.PI) - logGamma(1 + d / 2);
}
