import { RandomStream } from './random';

describe('RandomStream', () => {
  it('reproduces the same sequence from the same seed and split path', () => {
    const a = RandomStream.fromSeed(42).split('system:chain').split('replicate:0');
    const b = RandomStream.fromSeed(42).split('system:chain').split('replicate:0');
    expect(a.key).toBe(b.key);
    const xs = Array.from({ length: 1000 }, () => a.nextUint32());
    const ys = Array.from({ length: 1000 }, () => b.nextUint32());
    expect(xs).toEqual(ys);
  });

  it('gives a child that does not depend on how much the parent has drawn', () => {
    const parent = RandomStream.fromSeed(7);
    const before = parent.split('x').uniform();
    for (let i = 0; i < 100; i++) parent.uniform();
    expect(parent.split('x').uniform()).toBe(before);
  });

  it('gives distinct keys for distinct seeds and labels', () => {
    const keys = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const root = RandomStream.fromSeed(seed);
      keys.add(root.key);
      for (let r = 0; r < 20; r++) keys.add(root.split(`replicate:${r}`).key);
    }
    expect(keys.size).toBe(50 * 21);
  });

  it('produces uniform doubles (χ² over 64 bins within the 99.9% quantile)', () => {
    const stream = RandomStream.fromSeed(3).split('uniformity');
    const bins = new Float64Array(64);
    const n = 200_000;
    for (let i = 0; i < n; i++) bins[Math.floor(stream.uniform() * 64)]!++;
    const expected = n / 64;
    const chi2 = bins.reduce((acc, b) => acc + (b - expected) ** 2 / expected, 0);
    // χ²(63) 99.9% quantile = 103.4: a correct generator fails this one time in a thousand seeds.
    expect(chi2).toBeLessThan(103.4);
  });

  it('makes sibling streams uncorrelated (|ρ| < 4/√n for 45 pairs)', () => {
    const root = RandomStream.fromSeed(11);
    const n = 20_000;
    const series = Array.from({ length: 10 }, (_, i) => {
      const s = root.split(`replicate:${i}`);
      return Float64Array.from({ length: n }, () => s.uniform() - 0.5);
    });
    for (let i = 0; i < series.length; i++) {
      for (let j = i + 1; j < series.length; j++) {
        let cross = 0;
        for (let k = 0; k < n; k++) cross += series[i]![k]! * series[j]![k]!;
        const rho = cross / n / (1 / 12);
        expect(Math.abs(rho)).toBeLessThan(4 / Math.sqrt(n));
      }
    }
  });

  it('draws standard normals with mean 0 and variance 1 within 5 standard errors', () => {
    const stream = RandomStream.fromSeed(5);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = stream.normal();
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('draws unbiased integers below n', () => {
    const stream = RandomStream.fromSeed(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[stream.int(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(4 * Math.sqrt(30_000 * (1 / 3) * (2 / 3)));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => RandomStream.fromSeed(-1)).toThrow(/non-negative safe integer/);
    expect(() => RandomStream.fromSeed(1.5)).toThrow(/non-negative safe integer/);
  });
});
