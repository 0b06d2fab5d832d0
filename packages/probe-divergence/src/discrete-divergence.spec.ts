import fc from 'fast-check';
import { RandomStream } from '@entroscope/core';
import { plugInDivergence } from './discrete-divergence';
import { gaussianDivergence } from './gaussian-divergence';

describe('plug-in relative entropy of histograms', () => {
  // Closed forms: docs/estimators.md (plug-in entropy and KL of discrete distributions).
  it('matches the discrete closed forms', () => {
    expect(Math.abs(plugInDivergence([0.9, 0.1], 1, [0.5, 0.5], 1) - 0.3680642072)).toBeLessThan(1e-10);
    expect(Math.abs(plugInDivergence([0.5, 0.5], 1, [0.9, 0.1], 1) - 0.5108256238)).toBeLessThan(1e-10);
    expect(Math.abs(plugInDivergence([2, 1, 1], 4, [1, 1, 1], 3) - 0.0588915178)).toBeLessThan(1e-10);
    expect(Math.abs(plugInDivergence([1, 1, 1], 3, [2, 1, 1], 4) - 0.0566330123)).toBeLessThan(1e-10);
    expect(Math.abs(plugInDivergence([0.5, 0.5, 0], 1, [0.25, 0.25, 0.5], 1) - Math.LN2)).toBeLessThan(1e-15);
  });

  it('returns Infinity (never NaN) when q misses a bin that p occupies', () => {
    expect(plugInDivergence([0.25, 0.25, 0.5], 1, [0.5, 0.5, 0], 1)).toBe(Infinity);
  });

  it('is non-negative and zero only for equal histograms (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 12, maxLength: 12 }),
        (p, qAll) => {
          const q = qAll.slice(0, p.length);
          const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
          expect(plugInDivergence(p, sum(p), q, sum(q))).toBeGreaterThanOrEqual(-1e-15);
          expect(Math.abs(plugInDivergence(p, sum(p), p, sum(p)))).toBeLessThan(1e-15);
        },
      ),
    );
  });

  it('Miller–Madow correction removes most of the small-sample bias (mean over 400 draws)', () => {
    const p = [0.4, 0.3, 0.2, 0.1];
    const q = [0.25, 0.25, 0.25, 0.25];
    const truth = plugInDivergence(p, 1, q, 1);
    const random = RandomStream.fromSeed(21);
    const draw = (probs: number[], n: number) => {
      const counts = new Float64Array(probs.length);
      for (let i = 0; i < n; i++) {
        let u = random.uniform();
        let k = 0;
        while (k < probs.length - 1 && u >= probs[k]!) u -= probs[k++]!;
        counts[k]!++;
      }
      return counts;
    };
    let plain = 0;
    let corrected = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      const a = draw(p, 60);
      const b = draw(q, 60);
      plain += plugInDivergence(a, 60, b, 60) / runs;
      corrected += plugInDivergence(a, 60, b, 60, 'miller-madow') / runs;
    }
    // Plain bias ≈ (m−1)/(2N_p) + Σ p(1−q)/(2 N_q q) ≈ 0.025 + 0.025 = 0.05 nats; corrected ≪ that.
    expect(plain - truth).toBeGreaterThan(0.03);
    expect(Math.abs(corrected - truth)).toBeLessThan(0.012);
  });
});

describe('Gaussian relative entropy', () => {
  it('matches the scalar closed form', () => {
    const [m0, v0, m1, v1] = [0.3, 1.7, -0.4, 0.6];
    const closed = 0.5 * (v0 / v1 + (m1 - m0) ** 2 / v1 - 1 + Math.log(v1 / v0));
    expect(
      Math.abs(
        gaussianDivergence(Float64Array.of(m0), Float64Array.of(v0), Float64Array.of(m1), Float64Array.of(v1), 1) -
          closed,
      ),
    ).toBeLessThan(1e-14);
  });

  it('matches an explicit 2 × 2 computation (inverse and determinant by hand)', () => {
    const s0 = Float64Array.of(2, 0.6, 0.6, 1);
    const s1 = Float64Array.of(1.5, -0.3, -0.3, 0.8);
    const m0 = Float64Array.of(0.1, -0.2);
    const m1 = Float64Array.of(0.5, 0.4);
    const det1 = 1.5 * 0.8 - 0.09;
    const inv1 = [0.8 / det1, 0.3 / det1, 0.3 / det1, 1.5 / det1];
    const det0 = 2 * 1 - 0.36;
    const trace = inv1[0]! * 2 + inv1[1]! * 0.6 + inv1[2]! * 0.6 + inv1[3]! * 1;
    const d = [0.4, 0.6];
    const maha = d[0]! * (inv1[0]! * d[0]! + inv1[1]! * d[1]!) + d[1]! * (inv1[2]! * d[0]! + inv1[3]! * d[1]!);
    const closed = 0.5 * (trace + maha - 2 + Math.log(det1 / det0));
    expect(Math.abs(gaussianDivergence(m0, s0, m1, s1, 2) - closed)).toBeLessThan(1e-13);
    expect(Math.abs(gaussianDivergence(m0, s0, m0, s0, 2))).toBeLessThan(1e-14);
  });
});
