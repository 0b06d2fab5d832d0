import { ArgumentError } from '@entroscope/core';
import type { FloatArray } from '../kernel-names';
import { checkShape } from './activation-cpu';

/**
 * Row and column reductions of a rows×cols row-major matrix (reference semantics; float64 accumulation,
 * float64 results). Mean of an empty row/column is NaN (as numpy); variance uses two passes (mean, then
 * Σ(x − mean)²) divided by (count − ddof), NaN when count − ddof ≤ 0.
 */
export function rowMeanCpu(x: FloatArray, rows: number, cols: number): Float64Array {
  checkShape('rowMeanCpu', x.length, rows, cols);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[i * cols + j]!;
    out[i] = sum / cols;
  }
  return out;
}

export function rowVarianceCpu(x: FloatArray, rows: number, cols: number, ddof = 0): Float64Array {
  checkShape('rowVarianceCpu', x.length, rows, cols);
  checkDdof('rowVarianceCpu', ddof);
  const mean = rowMeanCpu(x, rows, cols);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const mu = mean[i]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j]! - mu;
      sum += d * d;
    }
    out[i] = cols - ddof > 0 ? sum / (cols - ddof) : NaN;
  }
  return out;
}

export function columnMeanCpu(x: FloatArray, rows: number, cols: number): Float64Array {
  checkShape('columnMeanCpu', x.length, rows, cols);
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += x[i * cols + j]!;
  for (let j = 0; j < cols; j++) out[j] = out[j]! / rows;
  return out;
}

export function columnVarianceCpu(x: FloatArray, rows: number, cols: number, ddof = 0): Float64Array {
  checkShape('columnVarianceCpu', x.length, rows, cols);
  checkDdof('columnVarianceCpu', ddof);
  const mean = columnMeanCpu(x, rows, cols);
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j]! - mean[j]!;
      out[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) out[j] = rows - ddof > 0 ? out[j]! / (rows - ddof) : NaN;
  return out;
}

/** log Σ_j exp(x_ij) per row, computed as max + log Σ exp(x − max); an empty row gives −∞ (log 0). */
export function logSumExpCpu(x: FloatArray, rows: number, cols: number): Float64Array {
  checkShape('logSumExpCpu', x.length, rows, cols);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[i * cols + j]! > max) max = x[i * cols + j]!;
    if (max === -Infinity || max === Infinity) {
      out[i] = max;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[i * cols + j]! - max);
    out[i] = max + Math.log(sum);
  }
  return out;
}

function checkDdof(where: string, ddof: number): void {
  if (!Number.isInteger(ddof) || ddof < 0)
    throw new ArgumentError(
      `${where}: ddof`,
      'a non-negative integer (0: population variance, 1: unbiased sample variance)',
      ddof,
    );
}
