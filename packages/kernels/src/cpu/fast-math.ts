/** 2^n for n = −60…60 (index n + 60), the scale of `tanhFast` (module-local name: CommonJS output must not
 * turn it into `exports.POW2`, since workers run tanhFast from its source text next to their own POW2). */
const POW2 = Float64Array.from({ length: 121 }, (_, i) => 2 ** (i - 60));
export const TANH_SCALE_TABLE: Float64Array = POW2;

/**
 * tanh(x) to within 2e-10 absolute and 1e-9 relative (checked on a dense grid in the spec), about 4× faster
 * than Math.tanh in V8: |x| < 0.04 by its Taylor series to x⁷; otherwise 1 − 2/(e^{2x} + 1) with
 * e^{2x} = 2^n·e^g, n = round(2x·log₂e), |g| ≤ ln2/2, e^g by its Taylor series to g⁸; ±1 for |x| ≥ 19.5
 * (where float64 tanh is ±1).
 * Uses only its argument and the global POW2 table, so worker threads can run it from its source text.
 */
export function tanhFast(x: number): number {
  const ax = x < 0 ? -x : x;
  if (ax < 0.04) {
    const x2 = x * x;
    return x * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315))));
  }
  if (ax >= 19.5) return x < 0 ? -1 : 1;
  const t = 2.885390081777927 * x; // 2x·log₂e
  const n = Math.round(t);
  const g = (t - n) * 0.6931471805599453;
  const eg =
    1 + g * (1 + g * (0.5 + g * (1 / 6 + g * (1 / 24 + g * (1 / 120 + g * (1 / 720 + g * (1 / 5040 + g / 40320)))))));
  return 1 - 2 / (eg * POW2[n + 60]! + 1);
}
