/**
 * ln cosh x, accurate to a few ulps relative for all x: log1p(2 sinh²(x/2)) for |x| < 1 (no cancellation
 * as x → 0, where ln cosh x ≈ x²/2), and |x| + log1p(e^{−2|x|}) − ln 2 otherwise (no overflow).
 */
export function logCosh(x: number): number {
  const a = Math.abs(x);
  if (a < 1) {
    const s = Math.sinh(0.5 * a);
    return Math.log1p(2 * s * s);
  }
  return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}
