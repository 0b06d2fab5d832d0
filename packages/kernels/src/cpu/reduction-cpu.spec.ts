import { columnMeanCpu, columnVarianceCpu, logSumExpCpu, rowMeanCpu, rowVarianceCpu } from './reduction-cpu';

describe('reductions', () => {
  // 2×3 matrix [[1, 2, 6], [−1, 0, 4]]: hand-computed means and variances.
  const x = new Float32Array([1, 2, 6, -1, 0, 4]);
  it('row and column means and variances match hand computation (numpy ddof semantics)', () => {
    expect(Array.from(rowMeanCpu(x, 2, 3))).toEqual([3, 1]);
    expect(Array.from(rowVarianceCpu(x, 2, 3))).toEqual([14 / 3, 14 / 3]);
    expect(Array.from(rowVarianceCpu(x, 2, 3, 1))).toEqual([7, 7]);
    expect(Array.from(columnMeanCpu(x, 2, 3))).toEqual([0, 1, 5]);
    expect(Array.from(columnVarianceCpu(x, 2, 3))).toEqual([1, 1, 1]);
    expect(Array.from(columnVarianceCpu(x, 2, 3, 1))).toEqual([2, 2, 2]);
  });

  it('two-pass variance is exact for a large offset where the one-pass formula fails', () => {
    const y = new Float64Array([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(rowVarianceCpu(y, 1, 3)[0]).toBeCloseTo(2 / 3, 12);
  });

  it('empty rows/columns give NaN means, and ddof ≥ count gives NaN variance', () => {
    expect(Array.from(rowMeanCpu(new Float32Array(0), 2, 0))).toEqual([NaN, NaN]);
    expect(rowMeanCpu(new Float32Array(0), 0, 3).length).toBe(0);
    expect(Array.from(columnVarianceCpu(new Float32Array([1, 2]), 1, 2, 1))).toEqual([NaN, NaN]);
    expect(() => rowVarianceCpu(x, 2, 3, -1)).toThrow(/ddof/);
  });

  it('log-sum-exp is stable at ±1000 and equals log Σ exp for moderate values', () => {
    expect(Array.from(logSumExpCpu(new Float64Array([1000, 1000, -1000, -1000]), 2, 2))).toEqual([
      1000 + Math.LN2,
      -1000 + Math.LN2,
    ]);
    expect(logSumExpCpu(new Float64Array([0.1, -0.4, 2]), 1, 3)[0]).toBeCloseTo(
      Math.log(Math.exp(0.1) + Math.exp(-0.4) + Math.exp(2)),
      14,
    );
    expect(Array.from(logSumExpCpu(new Float64Array(0), 1, 0))).toEqual([-Infinity]);
    expect(Array.from(logSumExpCpu(new Float64Array([-Infinity, -Infinity]), 1, 2))).toEqual([-Infinity]);
  });
});
