import { RandomStream } from '@entroscope/core';
import {
  blockJackknife,
  correlatedMean,
  integratedAutocorrelationTime,
  mserTruncation,
  varianceOver,
} from './monte-carlo-statistics';

/** AR(1) process x_t = φ x_{t−1} + sqrt(1 − φ²) ε_t (unit variance): τ_int = (1 + φ) / (2(1 − φ)) exactly. */
function ar1(phi: number, n: number, seed: number, offset = 0): Float64Array {
  const random = RandomStream.fromSeed(seed);
  const out = new Float64Array(n);
  let x = random.normal();
  const scale = Math.sqrt(1 - phi * phi);
  for (let t = 0; t < n; t++) {
    x = phi * x + scale * random.normal();
    out[t] = x + offset;
  }
  return out;
}

describe('Monte Carlo time-series statistics', () => {
  it.each([0, 0.5, 0.9])(
    'measures τ_int of an AR(1) process with φ = %s within 4 of its own standard errors',
    (phi) => {
      const exact = (1 + phi) / (2 * (1 - phi));
      const t = integratedAutocorrelationTime(ar1(phi, 200_000, 11));
      expect(t.reliable).toBe(true);
      // The windowed estimator's bias is O(e^{−W/τ}) ≪ its statistical error here.
      expect(Math.abs(t.tau - exact)).toBeLessThan(4 * t.error);
    },
  );

  it('gives standard errors of the mean that cover the truth at the nominal rate (AR(1), φ = 0.8)', () => {
    // 200 independent chains: the z-scores of the means should have unit variance if SE accounts for τ.
    let sumZ2 = 0;
    const chains = 200;
    for (let c = 0; c < chains; c++) {
      const m = correlatedMean(ar1(0.8, 5000, 100 + c));
      sumZ2 += (m.mean / m.standardError) ** 2;
    }
    const varianceOfZ = sumZ2 / chains;
    // Var(z) = 1 ± sqrt(2/200) ≈ 0.1 (one SE); ignoring τ would give Var(z) ≈ 2τ = 9.
    expect(varianceOfZ).toBeGreaterThan(0.6);
    expect(varianceOfZ).toBeLessThan(1.4);
  });

  it('MSER discards an initial transient and keeps a stationary series whole', () => {
    const stationary = ar1(0.5, 4000, 3);
    expect(mserTruncation(stationary)).toBeLessThan(200);
    const transient = ar1(0.5, 4000, 3);
    for (let t = 0; t < 500; t++) transient[t]! += 20 * Math.exp(-t / 100);
    const cut = mserTruncation(transient);
    expect(cut).toBeGreaterThan(250);
    expect(cut).toBeLessThan(1200);
  });

  it('block jackknife of the variance agrees with its known sampling error for i.i.d. normals', () => {
    const x = ar1(0, 40_000, 5);
    const { value, standardError } = blockJackknife(x, 40, (ranges) => varianceOver(x, ranges));
    // Var of the sample variance of unit normals: 2/n → SE ≈ sqrt(2/40000) = 0.00707.
    expect(Math.abs(value - 1)).toBeLessThan(4 * 0.00707);
    expect(standardError).toBeGreaterThan(0.00707 * 0.6);
    expect(standardError).toBeLessThan(0.00707 * 1.4);
  });

  it('treats a constant series as independent (τ = ½) and refuses very short series', () => {
    expect(integratedAutocorrelationTime(new Float64Array(100).fill(3)).tau).toBe(0.5);
    expect(() => integratedAutocorrelationTime([1, 2, 3])).toThrow(/at least 8/);
  });
});
