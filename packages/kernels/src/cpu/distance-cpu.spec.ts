import { RandomStream } from '@entroscope/core';
import { kNearestNeighboursCpu, pairwiseSquaredDistancesCpu } from './distance-cpu';

describe('pairwise squared distances and k nearest neighbours', () => {
  it('distances match hand computation on integer points (exact in float32)', () => {
    const x = new Float32Array([0, 0, 3, 4]);
    const y = new Float32Array([0, 0, 1, 1, 6, 8]);
    expect(Array.from(pairwiseSquaredDistancesCpu(x, y, 2, 3, 2))).toEqual([0, 2, 100, 25, 13, 25]);
  });

  it('kNN equals a full sort of each row (ties to the lower index), with and without self-exclusion', () => {
    const random = RandomStream.fromSeed(3);
    const n = 40;
    const d = 3;
    // Points on a coarse grid so that ties occur.
    const x = new Float32Array(n * d).map(() => random.int(4));
    const dist = pairwiseSquaredDistancesCpu(x, x, n, n, d);
    for (const excludeSelf of [false, true]) {
      const k = 7;
      const { indices, distances } = kNearestNeighboursCpu(x, x, n, n, d, k, excludeSelf);
      for (let i = 0; i < n; i++) {
        const order = [...Array(n).keys()]
          .filter((j) => !(excludeSelf && j === i))
          .sort((p, q) => dist[i * n + p]! - dist[i * n + q]! || p - q);
        expect(Array.from(indices.slice(i * k, i * k + k))).toEqual(order.slice(0, k));
        expect(Array.from(distances.slice(i * k, i * k + k))).toEqual(order.slice(0, k).map((j) => dist[i * n + j]!));
      }
    }
  });

  it('handles empty query sets and zero dimensions; rejects k out of range', () => {
    expect(kNearestNeighboursCpu(new Float32Array(0), new Float32Array(6), 0, 3, 2, 2).indices.length).toBe(0);
    expect(Array.from(pairwiseSquaredDistancesCpu(new Float32Array(0), new Float32Array(0), 2, 2, 0))).toEqual([
      0, 0, 0, 0,
    ]);
    expect(() => kNearestNeighboursCpu(new Float32Array(4), new Float32Array(4), 2, 2, 2, 2, true)).toThrow(
      /k: expected an integer in 1…1/,
    );
  });
});
