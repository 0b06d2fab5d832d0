import { RandomStream } from '@entroscope/core';
import { blockLengthFor, effectiveSampleSize, integratedAutocorrelationTime } from './autocorrelation';

describe('integrated autocorrelation time (Sokal window)', () => {
  it('is ½ for independent samples and (1 + φ)/(2(1 − φ)) for AR(1)', () => {
    const random = RandomStream.fromSeed(2);
    const iid = random.split('iid').fillNormal(new Float64Array(20_000));
    const t0 = integratedAutocorrelationTime(iid);
    // Madras–Sokal error τ√(2(2W+1)/n) ≈ 0.5·√(2·13/20000) ≈ 0.018.
    expect(Math.abs(t0.tau - 0.5)).toBeLessThan(0.06);
    for (const phi of [0.5, 0.9]) {
      const g = random.split(`ar:${phi}`);
      const x = new Float64Array(100_000);
      for (let t = 1; t < x.length; t++) x[t] = phi * x[t - 1]! + g.normal();
      const exact = (1 + phi) / (2 * (1 - phi));
      const t = integratedAutocorrelationTime(x);
      expect(t.reliable).toBe(true);
      // Tolerance: 4 Madras–Sokal errors plus the window's truncation bias (ρ(W) summed tail, e^{−W/τ_exp}).
      expect(Math.abs(t.tau - exact)).toBeLessThan(4 * t.error + 0.02 * exact);
      const ess = effectiveSampleSize(x);
      expect(ess.effectiveSampleSize).toBeCloseTo(x.length / (2 * t.tau), 6);
    }
  });

  it('treats a constant series as independent, flags series too short for a window, and rejects tiny ones', () => {
    expect(integratedAutocorrelationTime(new Float64Array(100).fill(3)).tau).toBe(0.5);
    const slow = Float64Array.from({ length: 64 }, (_, t) => Math.sin(t / 40));
    expect(integratedAutocorrelationTime(slow).reliable).toBe(false);
    expect(() => integratedAutocorrelationTime([1, 2, 3])).toThrow(/at least 8/);
  });

  it('block lengths are 1 for independent units and grow with τ', () => {
    expect(blockLengthFor(0.5, 1000)).toBe(1);
    expect(blockLengthFor(5, 1000)).toBe(1 + 18);
    expect(blockLengthFor(500, 1000)).toBe(250);
  });
});
