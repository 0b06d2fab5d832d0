import { RandomStream } from '@entroscope/core';
import { bootstrapStandardError, quantileSorted, resample } from './bootstrap';

const mean = (x: Float64Array, sel: Uint32Array) => {
  let s = 0;
  for (const i of sel) s += x[i]!;
  return s / sel.length;
};

describe('resampling by independent unit', () => {
  it('quantiles interpolate linearly (NumPy type 7)', () => {
    const sorted = [1, 2, 3, 4];
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 1)).toBe(4);
    expect(quantileSorted(sorted, 0.5)).toBe(2.5);
    expect(quantileSorted(sorted, 0.25)).toBeCloseTo(1.75, 12);
  });

  it('bootstrap and subsampling standard errors of a mean agree with σ/√n', () => {
    // σ/√n = 1/√400 = 0.05; the bootstrap SD of a mean is σ̂/√n · √((n−1)/n); replicate noise ~ 1/√(2B) ≈ 3.5 %.
    const random = RandomStream.fromSeed(3);
    const x = random.split('data').fillNormal(new Float64Array(400));
    const sd = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / 400 - (x.reduce((a, v) => a + v, 0) / 400) ** 2);
    const expected = sd / Math.sqrt(400);
    const full = mean(
      x,
      Uint32Array.from({ length: 400 }, (_, i) => i),
    );
    const boot = resample([400], { replicates: 400 }, random.split('boot'), ([s]) => mean(x, s!), full);
    const sub = resample(
      [400],
      { replicates: 400, method: 'subsample' },
      random.split('sub'),
      ([s]) => mean(x, s!),
      full,
    );
    expect(boot.nonFinite).toBe(0);
    expect(Math.abs(boot.standardError! / expected - 1)).toBeLessThan(0.15);
    expect(Math.abs(sub.standardError! / expected - 1)).toBeLessThan(0.15);
    for (const r of [boot, sub]) {
      const [lo, hi] = r.interval!;
      expect(lo).toBeLessThan(full);
      expect(hi).toBeGreaterThan(full);
      expect((hi - lo) / (2 * 1.96 * expected)).toBeGreaterThan(0.8);
      expect((hi - lo) / (2 * 1.96 * expected)).toBeLessThan(1.2);
    }
  });

  it('counts non-finite replicates and then reports no standard error', () => {
    const random = RandomStream.fromSeed(5);
    // The statistic is infinite whenever unit 0 is missing from the resample (probability (1 − 1/n)^n ≈ 0.35).
    const r = resample([10], { replicates: 200 }, random, ([s]) => (s!.includes(0) ? 1 : Infinity));
    expect(r.nonFinite).toBeGreaterThan(40);
    expect(r.nonFinite).toBeLessThan(110);
    expect(r.standardError).toBeUndefined();
    expect(r.interval).toBeUndefined();
    expect(
      bootstrapStandardError([10], 200, RandomStream.fromSeed(5), ([s]) => (s!.includes(0) ? 1 : Infinity)),
    ).toBeUndefined();
  });

  it('the moving-block bootstrap recovers the error of the mean of an AR(1) sequence that the unit bootstrap understates', () => {
    // AR(1) with φ = 0.8: Var(mean) ≈ σ²/n · (1 + φ)/(1 − φ) = 9 σ²/n, i.e. the unit bootstrap is 3× too small.
    const n = 4000;
    const phi = 0.8;
    const random = RandomStream.fromSeed(11);
    const g = random.split('ar');
    const x = new Float64Array(n);
    x[0] = g.normal() / Math.sqrt(1 - phi * phi);
    for (let t = 1; t < n; t++) x[t] = phi * x[t - 1]! + g.normal();
    const marginal = 1 / Math.sqrt(1 - phi * phi);
    const expected = (marginal * Math.sqrt((1 + phi) / (1 - phi))) / Math.sqrt(n);
    const unit = resample([n], { replicates: 300 }, random.split('unit'), ([s]) => mean(x, s!)).standardError!;
    const block = resample([n], { replicates: 300, blockLength: 50 }, random.split('block'), ([s]) =>
      mean(x, s!),
    ).standardError!;
    expect(unit / expected).toBeLessThan(0.45);
    expect(Math.abs(block / expected - 1)).toBeLessThan(0.25);
  });

  it('rejects bad options with the name of the option', () => {
    const random = RandomStream.fromSeed(1);
    expect(() => resample([10], { replicates: 10, level: 1.5 }, random, () => 0)).toThrow(/level/);
    expect(() => resample([10], { replicates: 10, blockLength: 20 }, random, () => 0)).toThrow(/blockLength/);
    expect(() => resample([0], { replicates: 10 }, random, () => 0)).toThrow(/unit count/);
  });
});
