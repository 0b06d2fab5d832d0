import { RandomStream } from '@entroscope/core';
import { KsgBruteForceTerms } from './ksg-brute-force';
import { KsgTerms } from './ksg-terms';
import { ksgMutualInformation, ksgSearchFor } from './knn-estimators';

/** The brute-force KSG path against the k-d tree path: identical neighbour counts and terms, so identical values. */
function data(seed: number, n: number, dx: number, dy: number) {
  const r = RandomStream.fromSeed(seed).split(`brute:${n}:${dx}:${dy}`);
  const x = new Float64Array(n * dx);
  const y = new Float64Array(n * dy);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dx; a++) x[i * dx + a] = r.normal();
    for (let b = 0; b < dy; b++) y[i * dy + b] = 0.6 * x[i * dx + (b % dx)]! + 0.8 * r.normal();
  }
  return { x, y };
}

describe('KSG brute-force path', () => {
  it.each([
    [1, 1, 1, 4, 1],
    [2, 3, 2, 3, 1],
    [3, 5, 5, 4, 1],
    [4, 5, 5, 4, 2],
    [5, 2, 8, 1, 2],
    [6, 1, 1, 6, 2],
  ])(
    'seed %d, dx = %d, dy = %d, k = %d, algorithm %d: the same n_x, n_y and terms as the k-d tree',
    (seed, dx, dy, k, alg) => {
      const n = 1500;
      const { x, y } = data(seed, n, dx, dy);
      const tree = { terms: new Float64Array(n), counts: new Float64Array(2 * n) };
      const brute = { terms: new Float64Array(n), counts: new Float64Array(2 * n) };
      new KsgTerms(x, y, n, dx, dy, k, alg as 1 | 2).run(0, n, tree.terms, tree.counts);
      new KsgBruteForceTerms(x, y, n, dx, dy, k, alg as 1 | 2).run(0, n, brute.terms, brute.counts);
      expect(Array.from(brute.counts)).toEqual(Array.from(tree.counts));
      expect(Array.from(brute.terms)).toEqual(Array.from(tree.terms));
    },
  );

  it('is not chosen automatically (the trees were faster at every size measured), and gives the same value', () => {
    expect(ksgSearchFor(10_000, 2)).toBe('tree');
    expect(ksgSearchFor(100_000, 10)).toBe('tree');
    expect(ksgSearchFor(4000, 32)).toBe('tree');
    expect(ksgSearchFor(300, 128)).toBe('tree');
    const { x, y } = data(9, 3000, 4, 4);
    const X = { values: x, n: 3000, d: 4 };
    const Y = { values: y, n: 3000, d: 4 };
    const options = { k: 4, algorithm: 1 as const, standardise: false, noise: 0, threads: 1 };
    const a = ksgMutualInformation(X, Y, { ...options, search: 'tree' });
    const b = ksgMutualInformation(X, Y, { ...options, search: 'brute-force' });
    expect(b.value).toBe(a.value);
    expect(b.meanNeighbourCounts).toEqual(a.meanNeighbourCounts);
  });
});
