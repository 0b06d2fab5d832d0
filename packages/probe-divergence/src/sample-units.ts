import type { Observation, RandomStream } from '@entroscope/core';
import { blockLengthFor, resample } from '@entroscope/estimators';

/**
 * The independent units behind an observation's sample rows, as the system states them in `meta.samples`:
 *  - `rowsPerUnit`: consecutive rows that come from one unit (the P × P patches of one spin configuration). Error bars
 *    resample whole units, never rows of one unit as if they were independent (that understates the error).
 *  - `effectiveSampleSize`: n_eff = n/(2τ_int) when the units form a Markov chain (τ_int measured by the system).
 *    Units are then resampled in moving blocks of `blockLength` = 1 + ⌈3(2τ_int − 1)⌉ consecutive units (Künsch
 *    1989; estimators' `blockLengthFor`), so that the error bar carries the autocorrelation for any statistic;
 *    independent units (n_eff = n) are resampled one by one.
 *  - `unitSource`: sites with the same source are maps of the same units (paired samples, resampled together).
 */
export interface SampleUnits {
  readonly units: number;
  readonly rowsPerUnit: number;
  /** n_eff (≤ units). */
  readonly effectiveUnits: number;
  /** τ_int = n/(2 n_eff), ½ for independent units. */
  readonly tau: number;
  readonly blockLength: number;
  readonly source?: string;
}

export function sampleUnits(o: Observation, rows: number): SampleUnits {
  const samples = o.meta['samples'] as
    { rowsPerUnit?: unknown; effectiveSampleSize?: unknown; unitSource?: unknown } | undefined;
  const perUnit =
    typeof samples?.rowsPerUnit === 'number' &&
    Number.isInteger(samples.rowsPerUnit) &&
    samples.rowsPerUnit > 0 &&
    rows % samples.rowsPerUnit === 0
      ? samples.rowsPerUnit
      : 1;
  const units = rows / perUnit;
  const ess = samples?.effectiveSampleSize;
  const effectiveUnits = typeof ess === 'number' && ess > 0 && ess < units ? ess : units;
  const tau = units / (2 * effectiveUnits);
  return {
    units,
    rowsPerUnit: perUnit,
    effectiveUnits,
    tau,
    blockLength: units >= 4 ? blockLengthFor(Math.max(0.5, tau), units, 3) : 1,
    ...(typeof samples?.unitSource === 'string' && { source: samples.unitSource }),
  };
}

/** The rows of the selected units (unit u holds rows u·r … u·r + r − 1). */
export function rowsOfUnits(selection: Uint32Array, rowsPerUnit: number): Uint32Array {
  if (rowsPerUnit === 1) return selection;
  const rows = new Uint32Array(selection.length * rowsPerUnit);
  for (let k = 0; k < selection.length; k++)
    for (let j = 0; j < rowsPerUnit; j++) rows[k * rowsPerUnit + j] = selection[k]! * rowsPerUnit + j;
  return rows;
}

/**
 * Standard error of `statistic` by resampling units of one or more independent sample sets (moving blocks of the
 * longest block length the sets need). Non-finite replicates are counted and reported: no standard error is claimed
 * when any occurred.
 */
export function unitStandardError(
  sets: readonly SampleUnits[],
  replicates: number,
  random: RandomStream,
  statistic: (rowSelections: Uint32Array[]) => number,
): { standardError?: number; meta: Record<string, unknown> } {
  const blockLength = Math.min(
    Math.max(...sets.map((s) => s.blockLength)),
    ...sets.map((s) => Math.max(1, Math.floor(s.units / 4))),
  );
  const meta: Record<string, unknown> = {
    units: sets.map((s) => s.units),
    rowsPerUnit: sets.map((s) => s.rowsPerUnit),
    effectiveSampleSize: sets.map((s) => s.effectiveUnits),
    blockLength,
    replicates,
  };
  if (replicates < 2 || sets.some((s) => s.units < 2)) return { meta };
  const summary = resample(
    sets.map((s) => s.units),
    { replicates, blockLength },
    random,
    (selections) => statistic(selections.map((sel, i) => rowsOfUnits(sel, sets[i]!.rowsPerUnit))),
  );
  meta['nonFiniteReplicates'] = summary.nonFinite;
  if (summary.nonFinite > 0)
    meta['note'] = `${summary.nonFinite} of ${replicates} bootstrap replicates were not finite: no standard error`;
  return { ...(summary.standardError !== undefined && { standardError: summary.standardError }), meta };
}
