import { RandomStream } from '@entroscope/core';
import { decimateSquare, majorityBlockSpin, plaquettePatches } from './ising-2d-configuration-maps';

/** Every 2 × 2 pattern of ±1 spins (16), laid out as 16 blocks of one 8 × 8 configuration (block b at (b / 4, b % 4)). */
function allBlockPatterns(): { data: Int8Array; sums: number[] } {
  const L = 8;
  const data = new Int8Array(L * L);
  const sums: number[] = [];
  for (let b = 0; b < 16; b++) {
    const [bi, bj] = [Math.floor(b / 4), b % 4];
    const spins = [0, 1, 2, 3].map((k) => ((b >> k) & 1 ? 1 : -1));
    data[2 * bi * L + 2 * bj] = spins[0]!;
    data[2 * bi * L + 2 * bj + 1] = spins[1]!;
    data[(2 * bi + 1) * L + 2 * bj] = spins[2]!;
    data[(2 * bi + 1) * L + 2 * bj + 1] = spins[3]!;
    sums.push(spins.reduce((a, v) => a + v, 0));
  }
  return { data, sums };
}

describe('majority-rule block spins (b = 2)', () => {
  it('gives the sign of each 2 × 2 block sum for every non-tied pattern', () => {
    const { data, sums } = allBlockPatterns();
    const out = majorityBlockSpin(data, 1, 8, RandomStream.fromSeed(1));
    expect(out.length).toBe(16);
    sums.forEach((sum, b) => {
      if (sum !== 0) expect(out[b]).toBe(Math.sign(sum));
      else expect(Math.abs(out[b]!)).toBe(1);
    });
  });

  it('breaks ties (sum 0) by a fair coin, for each of the six tied patterns separately (binomial, 5 SD)', () => {
    // 4000 copies of the 16 patterns: each tied pattern is seen 4000 times; P(+1) = ½ ± 5·√(¼/4000) = ½ ± 0.04.
    const { data, sums } = allBlockPatterns();
    const copies = 4000;
    const many = new Int8Array(copies * 64);
    for (let c = 0; c < copies; c++) many.set(data, c * 64);
    const out = majorityBlockSpin(many, copies, 8, RandomStream.fromSeed(7));
    const tied = sums.flatMap((s, b) => (s === 0 ? [b] : []));
    expect(tied.length).toBe(6);
    for (const b of tied) {
      let up = 0;
      for (let c = 0; c < copies; c++) up += out[c * 16 + b]! > 0 ? 1 : 0;
      expect(Math.abs(up / copies - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / copies));
    }
  });
});

describe('decimation onto sites (2i, 2j)', () => {
  it('keeps exactly the spins at even row and column, in order', () => {
    const L = 6;
    const data = Int8Array.from({ length: 2 * L * L }, (_, i) => i % 127);
    const out = decimateSquare(data, 2, L);
    const expected: number[] = [];
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < L; i += 2) for (let j = 0; j < L; j += 2) expected.push(data[c * L * L + i * L + j]!);
    expect(Array.from(out)).toEqual(expected);
  });
});

describe('2 × 2 plaquette patches', () => {
  it('writes every P × P patch as plaquettes in row-major order, each as (top-left, top-right, bottom-left, bottom-right)', () => {
    // Distinct values per site (not spins) so that any misplaced or repeated site shows.
    const L = 8;
    const P = 4;
    const count = 2;
    const data = Int8Array.from({ length: count * L * L }, (_, i) => (i % 128) - 64);
    const { data: out, rows, length } = plaquettePatches(data, count, L, P);
    expect([rows, length]).toEqual([count * 4, 16]);
    const expected: number[] = [];
    for (let c = 0; c < count; c++) {
      for (let pi = 0; pi < L; pi += P) {
        for (let pj = 0; pj < L; pj += P) {
          for (let qi = pi; qi < pi + P; qi += 2) {
            for (let qj = pj; qj < pj + P; qj += 2) {
              for (const [di, dj] of [
                [0, 0],
                [0, 1],
                [1, 0],
                [1, 1],
              ] as const)
                expected.push(data[c * L * L + (qi + di) * L + qj + dj]!);
            }
          }
        }
      }
    }
    expect(Array.from(out)).toEqual(expected);
    // Each configuration's sites appear exactly once (a permutation): no site repeated, none dropped.
    const first = Array.from(out.subarray(0, 4 * 16)).sort((a, b) => a - b);
    expect(first).toEqual(Array.from(data.subarray(0, 64)).sort((a, b) => a - b));
    expect(new Set(first).size).toBe(64);
  });

  it('refuses a patch side that does not divide L', () => {
    expect(() => plaquettePatches(new Int8Array(36), 1, 6, 4)).toThrow(/patch side dividing L = 6/);
  });
});
