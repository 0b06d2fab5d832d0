import { ArgumentError } from '@entroscope/core';

/** Tolerances of the saturation test |v − v_last| ≤ atol + rtol·|v_last| (NumPy's `isclose`). */
export interface CutoffTolerance {
  /** Absolute tolerance (authors: 1e-8). */
  readonly atol: number;
  /** Relative tolerance (authors: 0.005 for MLPs, 0.01 for CNNs and ResNets). */
  readonly rtol: number;
}

export const MLP_CUTOFF_TOLERANCE: CutoffTolerance = { atol: 1e-8, rtol: 0.005 };

/** What the cutoff rule found on one curve. */
export interface CutoffResult {
  /**
   * 0-based index of the last entry not within tolerance of the final entry, searching from the end
   * (index j ↔ layer j + 1). When every entry is within tolerance: the curve length under the authors' rule
   * (`allSaturated` then says so), −1 under the corrected rule.
   */
  readonly index: number;
  /** First layer of the saturated tail (1-based layers): index + 2 when some entry is outside tolerance, 1 when none is (either rule). */
  readonly saturationDepth: number;
  /** True when every entry is within tolerance of the last (saturated from layer 1). */
  readonly allSaturated: boolean;
  readonly length: number;
}

/** `authors`: the index the code returns (curve length when all saturated); `corrected`: −1 then. */
export type AllSaturatedRule = 'authors' | 'corrected';

/**
 * The saturation cutoff of the cascade paper (Thurn, Jefferson, Erdmenger 2024, code `cutoff_det`, method
 * "absolut"): walk the curve from its end towards its start and return the index of the first entry (the
 * last in layer order) with |v − v_last| > atol + rtol·|v_last|. Entries must be finite.
 */
export function saturationCutoff(
  curve: ArrayLike<number>,
  tolerance: CutoffTolerance = MLP_CUTOFF_TOLERANCE,
  rule: AllSaturatedRule = 'authors',
): CutoffResult {
  const n = curve.length;
  if (n === 0) throw new ArgumentError('saturationCutoff: curve', 'at least one entry', 0);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(curve[i]!))
      throw new ArgumentError(`saturationCutoff: curve[${i}]`, 'a finite number', curve[i]);
  const last = curve[n - 1]!;
  const bound = tolerance.atol + tolerance.rtol * Math.abs(last);
  for (let i = n - 1; i >= 0; i--) {
    if (Math.abs(curve[i]! - last) > bound) return { index: i, saturationDepth: i + 2, allSaturated: false, length: n };
  }
  const index = rule === 'authors' ? n : -1;
  return { index, saturationDepth: 1, allSaturated: true, length: n };
}
