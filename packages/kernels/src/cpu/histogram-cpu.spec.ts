import { binIndex, histogram1dCpu, histogram2dCpu } from './histogram-cpu';

describe('histograms', () => {
  it('bins like numpy.histogram: half-open bins, last bin closed, outside and NaN dropped', () => {
    // numpy.histogram([0, 0.1, 0.25, 0.5, 0.99, 1, -0.01, 1.01, nan], bins=4, range=(0, 1)) → [2, 1, 1, 2]
    const x = new Float64Array([0, 0.1, 0.25, 0.5, 0.99, 1, -0.01, 1.01, NaN]);
    expect(Array.from(histogram1dCpu(x, 4, { lo: 0, hi: 1 }))).toEqual([2, 1, 1, 2]);
    expect(binIndex(1, 4, 0, 1)).toBe(3);
    expect(binIndex(-1e-300, 4, 0, 1)).toBe(-1);
  });

  it('2D counts use the binsX×binsY row-major layout of numpy.histogram2d', () => {
    const x = new Float32Array([0.1, 0.1, 0.9, 0.6, 2]);
    const y = new Float32Array([0.1, 0.8, 0.2, 0.9, 0.5]);
    // x bins of width 0.5, y bins of width 1/3 → (0,0), (0,2), (1,0), (1,2); the last pair is outside.
    expect(Array.from(histogram2dCpu(x, y, 2, 3, { lo: 0, hi: 1 }, { lo: 0, hi: 1 }))).toEqual([1, 0, 1, 1, 0, 1]);
  });

  it('empty input gives zero counts; bad bins or ranges are rejected', () => {
    expect(Array.from(histogram1dCpu(new Float32Array(0), 3, { lo: 0, hi: 1 }))).toEqual([0, 0, 0]);
    expect(() => histogram1dCpu(new Float32Array(1), 0, { lo: 0, hi: 1 })).toThrow(/bins: expected an integer ≥ 1/);
    expect(() => histogram1dCpu(new Float32Array(1), 2, { lo: 1, hi: 1 })).toThrow(/hi > lo/);
    expect(() =>
      histogram2dCpu(new Float32Array(2), new Float32Array(3), 2, 2, { lo: 0, hi: 1 }, { lo: 0, hi: 1 }),
    ).toThrow(/equal length/);
  });
});
