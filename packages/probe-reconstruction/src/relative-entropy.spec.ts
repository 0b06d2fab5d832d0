import { batchDifferentialEntropy, median, minShiftDistribution, minShiftRelativeEntropy } from './relative-entropy';

describe('minShiftRelativeEntropy (cascade paper, per-image relative entropy)', () => {
  // Reference values: docs/cascade.md §3, computed in float64 with ε = 1e-12 (checked against NumPy).
  it('matches the reference vector x = [0, 0.5, 1, 0.25], x̂ = [−0.2, 0.1, 0.6, 0] to 1e-12', () => {
    expect(
      Math.abs(minShiftRelativeEntropy([0, 0.5, 1, 0.25], [-0.2, 0.1, 0.6, 0]) - 0.008086905689617598),
    ).toBeLessThan(1e-12);
  });

  it('gives ln 4 − 8.6e-11 for a one-hot image against a constant reconstruction (the ε entries)', () => {
    const d = minShiftRelativeEntropy([0, 0, 1, 0], [3, 3, 3, 3]);
    expect(Math.abs(d - 1.3862943610339975)).toBeLessThan(1e-12);
    expect(Math.log(4) - d).toBeGreaterThan(8e-11);
  });

  it('is zero for identical vectors', () => {
    const x = [0.1, 0.7, 0.3, 0.0, 0.9];
    expect(minShiftRelativeEntropy(x, x)).toBe(0);
  });

  it('is ln n − H(P_x) for a constant reconstruction', () => {
    const x = [0, 0.5, 1, 0.25, 0.125, 0.75];
    const p = minShiftDistribution(x);
    const h = -p.reduce((a, v) => a + v * Math.log(v), 0);
    expect(Math.abs(minShiftRelativeEntropy(x, [7, 7, 7, 7, 7, 7]) - (Math.log(6) - h))).toBeLessThan(1e-12);
  });

  it('is invariant up to O(ε) under v → a v + b with a > 0 on either argument, but not for a < 0', () => {
    const x = [0, 0.5, 1, 0.25, 0.9, 0.33];
    const y = [-0.2, 0.1, 0.6, 0, 0.7, 0.2];
    const d = minShiftRelativeEntropy(x, y);
    const affine = (v: number[], a: number, b: number) => v.map((t) => a * t + b);
    // Shifted vectors change only through ε relative to the scale (≤ 1e-12/0.1 here), hence 1e-9.
    expect(Math.abs(minShiftRelativeEntropy(affine(x, 3.5, -2), y) - d)).toBeLessThan(1e-9);
    expect(Math.abs(minShiftRelativeEntropy(x, affine(y, 0.2, 11)) - d)).toBeLessThan(1e-9);
    expect(Math.abs(minShiftRelativeEntropy(x, affine(y, -1, 0)) - d)).toBeGreaterThan(0.01);
  });

  it('never modifies its inputs', () => {
    const x = Float32Array.from([0, 0.5, 1, 0.25]);
    const y = Float64Array.from([-0.2, 0.1, 0.6, 0]);
    minShiftRelativeEntropy(x, y);
    expect(Array.from(x)).toEqual([0, 0.5, 1, 0.25]);
    expect(Array.from(y)).toEqual([-0.2, 0.1, 0.6, 0]);
  });

  it('rejects vectors of different lengths and non-finite components', () => {
    expect(() => minShiftRelativeEntropy([1, 2], [1, 2, 3])).toThrow(/lengths/);
    expect(() => minShiftRelativeEntropy([1, NaN], [1, 2])).toThrow(/finite/);
  });
});

describe('batchDifferentialEntropy', () => {
  it('matches a NumPy evaluation of mean(½ ln 2πe + ln std_ddof1(P)) on a 5 × 4 batch to 1e-12', () => {
    // Rows drawn with numpy.random.default_rng(1).normal(size=(5, 4)); value from the same NumPy session.
    const rows = [
      [0.345584192064786, 0.8216181435011584, 0.33043707618338714, -1.303157231604361],
      [0.9053558666731177, 0.4463745723640113, -0.5369532353602852, 0.5811181041963531],
      [0.36457239618607573, 0.294132496655526, 0.02842224131579679, 0.5467129866124469],
      [-0.7364540870016669, -0.16290994799305278, -0.48211931267997826, 0.5988462126346276],
      [0.03972210748165899, -0.2924567509650886, -0.7819084623568421, -0.2571922406188707],
    ];
    const r = batchDifferentialEntropy(rows.flat(), 5, 4);
    expect(r.omittedPixels).toBe(0);
    expect(Math.abs(r.value! - -0.5909575085290425)).toBeLessThan(1e-12);
  });

  it('omits and counts pixels with no spread; null when all are constant', () => {
    expect(batchDifferentialEntropy([1, 1, 1, 1, 1, 1], 3, 2)).toEqual({ value: null, omittedPixels: 2 });
    // Column 0 is the minimum of both rows and both rows have the same sum: P(0) = ε/Σ twice, no spread.
    const r = batchDifferentialEntropy([0, 1, 2, 0, 2, 1], 2, 3);
    expect(r.omittedPixels).toBe(1);
    expect(Number.isFinite(r.value)).toBe(true);
  });
});

describe('median', () => {
  it('averages the two middle values for an even count (as NumPy)', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });
});
