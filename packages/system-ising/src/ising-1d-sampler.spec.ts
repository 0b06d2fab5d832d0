import { RandomStream } from '@entroscope/core';
import { magnetisation1d, nearestNeighbourCorrelation1d } from './ising-1d-exact';
import { Ising1dSampler } from './ising-1d-sampler';

describe('exact 1D Ising samplers', () => {
  it('draws infinite-chain windows with ⟨s_i s_{i+1}⟩ = ε and ⟨s⟩ = m within 4 standard errors', () => {
    for (const [K, h] of [
      [0.5, 0],
      [0.8, 0.3],
    ] as const) {
      const rows = 4000;
      const length = 32;
      const data = new Ising1dSampler(K, h).sampleWindows(rows, length, RandomStream.fromSeed(4).split(`${K},${h}`));
      // One value per row (rows are independent): standard error from the spread of row means.
      const rowBond = new Float64Array(rows);
      const rowSpin = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let b = 0;
        let s = 0;
        for (let i = 0; i < length; i++) {
          s += data[r * length + i]!;
          if (i + 1 < length) b += data[r * length + i]! * data[r * length + i + 1]!;
        }
        rowBond[r] = b / (length - 1);
        rowSpin[r] = s / length;
      }
      const stats = (x: Float64Array) => {
        const mean = x.reduce((a, v) => a + v, 0) / x.length;
        const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / (x.length - 1));
        return { mean, se: sd / Math.sqrt(x.length) };
      };
      const bond = stats(rowBond);
      const spin = stats(rowSpin);
      expect(Math.abs(bond.mean - nearestNeighbourCorrelation1d(K, h))).toBeLessThan(4 * bond.se);
      expect(Math.abs(spin.mean - magnetisation1d(K, h))).toBeLessThan(4 * spin.se);
    }
  });

  it('draws ring configurations with the exact Boltzmann frequencies (χ² test against enumeration)', () => {
    const [K, h, n] = [0.6, 0.25, 5];
    const count = 64_000;
    const data = new Ising1dSampler(K, h).sampleRings(count, n, RandomStream.fromSeed(12));
    const observed = new Float64Array(1 << n);
    for (let r = 0; r < count; r++) {
      let state = 0;
      for (let i = 0; i < n; i++) if (data[r * n + i]! > 0) state |= 1 << i;
      observed[state]!++;
    }
    const weights = Array.from({ length: 1 << n }, (_, state) => {
      let e = 0;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const s = (state >> i) & 1 ? 1 : -1;
        e += s * ((state >> ((i + 1) % n)) & 1 ? 1 : -1);
        m += s;
      }
      return Math.exp(K * e + h * m);
    });
    const z = weights.reduce((a, b) => a + b, 0);
    const chi2 = weights.reduce(
      (acc, w, state) => acc + (observed[state]! - (count * w) / z) ** 2 / ((count * w) / z),
      0,
    );
    // 31 degrees of freedom; 99.9 % quantile 61.1.
    expect(chi2).toBeLessThan(61.1);
  });
});
