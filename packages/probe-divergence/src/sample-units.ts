import type { Observation } from '@entroscope/core';

/**
 * The independent units behind an observation's sample rows, as the system states them in `meta.samples`:
 *  - `rowsPerUnit`: consecutive rows that come from one unit (the P × P patches of one spin configuration). Error bars
 *    resample whole units, never rows of one unit as if they were independent (that understates the error).
 *  - `effectiveSampleSize`: the effective number of units n_eff = n/(2τ_int) when the units form a Markov chain
 *    (τ_int measured by the system). Resampling treats units as independent, so its variance is scaled by
 *    n/n_eff (the variance of a mean of a correlated series; Sokal 1997): the error bar by √(n/n_eff).
 */
export interface SampleUnits {
  readonly units: number;
  readonly rowsPerUnit: number;
  /** n_eff (≤ units). */
  readonly effectiveUnits: number;
  /** √(units / n_eff) ≥ 1: the factor applied to a standard error from independent resampling of units. */
  readonly inflation: number;
}

export function sampleUnits(o: Observation, rows: number): SampleUnits {
  const samples = o.meta['samples'] as { rowsPerUnit?: unknown; effectiveSampleSize?: unknown } | undefined;
  const perUnit = typeof samples?.rowsPerUnit === 'number' && Number.isInteger(samples.rowsPerUnit) && samples.rowsPerUnit > 0 && rows % samples.rowsPerUnit === 0 ? samples.rowsPerUnit : 1;
  const units = rows / perUnit;
  const ess = samples?.effectiveSampleSize;
  const effectiveUnits = typeof ess === 'number' && ess > 0 && ess < units ? ess : units;
  return { units, rowsPerUnit: perUnit, effectiveUnits, inflation: Math.sqrt(units / effectiveUnits) };
}

/** The rows of the selected units (unit u holds rows u·r … u·r + r − 1). */
export function rowsOfUnits(selection: Uint32Array, rowsPerUnit: number): Uint32Array {
  if (rowsPerUnit === 1) return selection;
  const rows = new Uint32Array(selection.length * rowsPerUnit);
  for (let k = 0; k < selection.length; k++) for (let j = 0; j < rowsPerUnit; j++) rows[k * rowsPerUnit + j] = selection[k]! * rowsPerUnit + j;
  return rows;
}

/** JSON meta describing the units an error bar counted. */
export function unitsMeta(u: SampleUnits): Record<string, unknown> {
  return { units: u.units, rowsPerUnit: u.rowsPerUnit, effectiveSampleSize: u.effectiveUnits, errorInflation: u.inflation };
}
