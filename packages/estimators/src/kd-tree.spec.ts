import { RandomStream } from '@entroscope/core';
import { KdTree, nextBelow } from './kd-tree';
import { KsgTerms } from './ksg-terms';
import type { Norm } from './special-functions';

/**
 * The k-d tree's queries against a plain O(n²) scan written independently here: k-th neighbour distances and range
 * counts (strict and not) identical, and KSG's n_x, n_y identical to counts by definition, on continuous data and on
 * discrete-valued columns (many exact duplicates and ties at the radius), d = 1, 2, 5, 10.
 */
type Kind = 'continuous' | 'discrete' | 'mixed';

function sample(seed: number, n: number, d: number, kind: Kind): Float64Array {
  const r = RandomStream.fromSeed(seed).split(`kd-tree:${n}:${d}:${kind}`);
  const v = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const discrete = kind === 'discrete' || (kind === 'mixed' && j % 2 === 0);
      v[i * d + j] = discrete ? Math.floor(4 * r.uniform()) * 0.5 : r.normal();
    }
  return v;
}

function distance(v: Float64Array, d: number, i: number, j: number, norm: Norm): number {
  let s = 0;
  for (let a = 0; a < d; a++) {
    const g = Math.abs(v[i * d + a]! - v[j * d + a]!);
    if (norm === 'max') s = Math.max(s, g);
    else s += g * g;
  }
  return norm === 'max' ? s : Math.sqrt(s);
}

/** Distances from row i to every other row, ascending. */
function distancesFrom(v: Float64Array, n: number, d: number, i: number, norm: Norm): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) if (j !== i) out.push(distance(v, d, i, j, norm));
  return out.sort((a, b) => a - b);
}

/** Rows (i included) within r of row i, by definition, in the max-norm: every |Δ| < r (strict) or ≤ r. */
function countByDefinition(v: Float64Array, n: number, d: number, i: number, r: number, strict: boolean): number {
  let c = 0;
  for (let j = 0; j < n; j++) {
    let inside = true;
    for (let a = 0; a < d && inside; a++) {
      const g = Math.abs(v[i * d + a]! - v[j * d + a]!);
      inside = strict ? g < r : g <= r;
    }
    if (inside) c++;
  }
  return c;
}

/** The first dx and the last dy columns of the rows of `joint`. */
function columns(joint: Float64Array, n: number, dx: number, dy: number): [Float64Array, Float64Array] {
  const x = new Float64Array(n * dx);
  const y = new Float64Array(n * dy);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dx; a++) x[i * dx + a] = joint[i * (dx + dy) + a]!;
    for (let b = 0; b < dy; b++) y[i * dy + b] = joint[i * (dx + dy) + dx + b]!;
  }
  return [x, y];
}

const cases: [number, Kind][] = [];
for (const d of [1, 2, 5, 10]) for (const kind of ['continuous', 'discrete', 'mixed'] as Kind[]) cases.push([d, kind]);

describe('KdTree against an O(n²) scan', () => {
  const n = 250;

  it.each(cases)('d = %d, %s columns: the k nearest distances (max-norm and Euclidean) are the scan’s', (d, kind) => {
    const v = sample(1, n, d, kind);
    for (const norm of ['max', 'euclidean'] as Norm[]) {
      const tree = new KdTree(v, n, d, norm, 8);
      const k = 5;
      const dist = new Float64Array(k);
      const idx = new Int32Array(k);
      for (let i = 0; i < n; i++) {
        tree.nearest(v, i * d, k, i, dist, idx);
        const truth = distancesFrom(v, n, d, i, norm).slice(0, k);
        // The same float expression in the same order, so equal to the last bit.
        expect(Array.from(dist)).toEqual(truth);
        // The neighbours returned are at the distances returned, and never the query itself.
        for (let m = 0; m < k; m++) {
          expect(idx[m]).not.toBe(i);
          expect(distance(v, d, i, idx[m]!, norm)).toBe(dist[m]);
        }
      }
    }
  });

  it.each(cases)(
    'd = %d, %s columns: max-norm range counts (< r and ≤ r, r a tied distance) are the scan’s',
    (d, kind) => {
      const v = sample(2, n, d, kind);
      const tree = new KdTree(v, n, d, 'max', 8);
      const r = RandomStream.fromSeed(3).split(`radii:${d}:${kind}`);
      for (let i = 0; i < n; i++) {
        // A radius equal to some row's distance (ties exactly at the radius), a random one, and 0.
        const j = r.int(n);
        for (const radius of [distance(v, d, i, j, 'max'), 2 * r.uniform(), 0])
          for (const strict of [true, false])
            expect(tree.countWithin(v, i * d, radius, strict)).toBe(countByDefinition(v, n, d, i, radius, strict));
      }
    },
  );

  it.each([1, 2, 5, 10])('d = %d: Euclidean range counts (Σ Δ² against r², as documented) are the scan’s', (d) => {
    const v = sample(4, n, d, 'mixed');
    const tree = new KdTree(v, n, d, 'euclidean', 8);
    for (let i = 0; i < n; i++) {
      const radius = distance(v, d, i, (i * 7 + 3) % n, 'euclidean');
      for (const strict of [true, false]) {
        let truth = 0;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let a = 0; a < d; a++) s += (v[i * d + a]! - v[j * d + a]!) ** 2;
          if (strict ? s < radius * radius : s <= radius * radius) truth++;
        }
        expect(tree.countWithin(v, i * d, radius, strict)).toBe(truth);
      }
    }
  });

  it('nextBelow gives the largest double below r, so a < r exactly when a ≤ nextBelow(r)', () => {
    for (const r of [1, 0.1, 3e-300, Number.MIN_VALUE, 2 ** 52, 1e300, Infinity]) {
      const b = nextBelow(r);
      expect(b).toBeLessThan(r);
      expect((b + r) / 2 === b || (b + r) / 2 === r).toBe(true);
    }
    expect(nextBelow(0)).toBeLessThan(0);
    expect(Number.isNaN(nextBelow(NaN))).toBe(true);
  });
});

describe('KSG neighbour counts against their definition', () => {
  const n = 200;
  it.each([
    [1, 1, 'discrete'],
    [1, 1, 'continuous'],
    [1, 1, 'mixed'],
    [1, 4, 'mixed'],
    [2, 3, 'discrete'],
    [5, 5, 'discrete'],
    [5, 5, 'continuous'],
    [5, 5, 'mixed'],
  ] as [number, number, Kind][])('dx = %d, dy = %d, %s columns: n_x, n_y of algorithm 1', (dx, dy, kind) => {
    const k = 3;
    const D = dx + dy;
    const joint = sample(5, n, D, kind);
    const [x, y] = columns(joint, n, dx, dy);
    const terms = new Float64Array(n);
    const counts = new Float64Array(2 * n);
    // Split the queries in three, as the worker threads do.
    const ksg = new KsgTerms(x, y, n, dx, dy, k, 1);
    for (const [from, to] of [
      [0, 100],
      [100, 101],
      [101, n],
    ] as const)
      ksg.run(from, to, terms, counts);
    for (let i = 0; i < n; i++) {
      const eps = distancesFrom(joint, n, D, i, 'max')[k - 1]!;
      expect(counts[2 * i]).toBe(countByDefinition(x, n, dx, i, eps, true) - 1);
      expect(counts[2 * i + 1]).toBe(countByDefinition(y, n, dy, i, eps, true) - 1);
    }
  });

  it.each([
    [1, 1],
    [2, 3],
    [5, 5],
  ])('dx = %d, dy = %d, continuous: n_x, n_y of algorithm 2 (ε_x, ε_y from the k joint neighbours)', (dx, dy) => {
    const k = 4;
    const D = dx + dy;
    const joint = sample(6, n, D, 'continuous');
    const [x, y] = columns(joint, n, dx, dy);
    const terms = new Float64Array(n);
    const counts = new Float64Array(2 * n);
    new KsgTerms(x, y, n, dx, dy, k, 2).run(0, n, terms, counts);
    for (let i = 0; i < n; i++) {
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      others.sort((a, b) => distance(joint, D, i, a, 'max') - distance(joint, D, i, b, 'max'));
      const near = others.slice(0, k);
      const ex = Math.max(...near.map((j) => distance(x, dx, i, j, 'max')));
      const ey = Math.max(...near.map((j) => distance(y, dy, i, j, 'max')));
      expect(counts[2 * i]).toBe(countByDefinition(x, n, dx, i, ex, false) - 1);
      expect(counts[2 * i + 1]).toBe(countByDefinition(y, n, dy, i, ey, false) - 1);
    }
  });
});
