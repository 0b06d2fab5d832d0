import { RandomStream } from '@entroscope/core';
import { correlatedPairs, equicorrelatedInputs, gaussianInputs, uniformInputs } from './synthetic';

const dot = (x: Float32Array, a: number, b: number, d: number) => {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[a * d + j]! * x[b * d + j]!;
  return s / d;
};

describe('synthetic inputs', () => {
  it('equicorrelated inputs have exactly the requested second moments (float32 rounding: 1e-6)', () => {
    const d = 300;
    const x = equicorrelatedInputs(5, d, 0.4, RandomStream.fromSeed(1), 0.25);
    for (let a = 0; a < 5; a++)
      for (let b = 0; b < 5; b++) expect(Math.abs(dot(x, a, b, d) - (a === b ? 0.25 : 0.1))).toBeLessThan(1e-6);
  });
  it('correlated pairs: exact norm and pair correlation, independent pairs', () => {
    const d = 500;
    const x = correlatedPairs(3, d, -0.7, RandomStream.fromSeed(2), 2);
    for (let p = 0; p < 3; p++) {
      expect(Math.abs(dot(x, 2 * p, 2 * p, d) - 2)).toBeLessThan(1e-5);
      expect(Math.abs(dot(x, 2 * p + 1, 2 * p + 1, d) - 2)).toBeLessThan(1e-5);
      expect(Math.abs(dot(x, 2 * p, 2 * p + 1, d) + 1.4)).toBeLessThan(1e-5);
    }
    // Different pairs are random directions: overlap ~ N(0, 4/d) → |·| < 4·2/√d.
    expect(Math.abs(dot(x, 0, 2, d))).toBeLessThan(8 / Math.sqrt(d));
  });
  it('Gaussian and uniform inputs have the requested moments (4 standard errors) and are reproducible', () => {
    const g = gaussianInputs(100, 100, RandomStream.fromSeed(3), { mean: 1, sd: 2 });
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    expect(Math.abs(mean - 1)).toBeLessThan((4 * 2) / 100);
    expect(Array.from(gaussianInputs(2, 3, RandomStream.fromSeed(3)))).toEqual(
      Array.from(gaussianInputs(2, 3, RandomStream.fromSeed(3))),
    );
    const u = uniformInputs(10, 1000, RandomStream.fromSeed(4), { lo: -1, hi: 3 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 1)).toBeLessThan((4 * (4 / Math.sqrt(12))) / 100);
  });
  it('rejects impossible requests with ArgumentError', () => {
    expect(() => equicorrelatedInputs(5, 5, 0.5, RandomStream.fromSeed(1))).toThrow(/more than count = 5/);
    expect(() => correlatedPairs(1, 10, 1.5, RandomStream.fromSeed(1))).toThrow(/\[−1, 1\]/);
  });
});
