import { RandomStream } from '@entroscope/core';
import { fillNormalFast } from './random-fill-fast';

describe('fillNormalFast', () => {
  it('draws N(mean, sd²): moments within 4 standard errors, deterministic per stream', () => {
    const n = 400_000;
    const x = fillNormalFast(RandomStream.fromSeed(9), new Float32Array(n), 1, 2);
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    for (const v of x) {
      m1 += v / n;
    }
    for (const v of x) {
      m2 += (v - m1) ** 2 / n;
      m4 += (v - m1) ** 4 / n;
    }
    expect(Math.abs(m1 - 1)).toBeLessThan((4 * 2) / Math.sqrt(n));
    expect(Math.abs(m2 / 4 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(4 * Math.sqrt(96 / n)); // kurtosis of a Gaussian: 3, SE √(96/n)
    // Tail: P(|z| > 3) = 0.0026998 (binomial SE).
    const tail = x.reduce((c, v) => c + (Math.abs(v - 1) > 6 ? 1 : 0), 0) / n;
    expect(Math.abs(tail - 0.0026998)).toBeLessThan(4 * Math.sqrt(0.0027 / n));
    expect(Array.from(fillNormalFast(RandomStream.fromSeed(9), new Float32Array(5)))).toEqual(
      Array.from(fillNormalFast(RandomStream.fromSeed(9), new Float32Array(5))),
    );
    expect(Array.from(fillNormalFast(RandomStream.fromSeed(8), new Float32Array(5)))).not.toEqual(
      Array.from(fillNormalFast(RandomStream.fromSeed(9), new Float32Array(5))),
    );
  });
});
