import { insertNeighbour } from './kd-tree';
import { digammaTable } from './special-functions';

/**
 * Brute-force twin of `KsgTerms` (same interface, same per-row terms and neighbour counts) for high dimension, where a
 * k-d tree prunes little and pays for its traversal: every query row scans every row, tile by tile, as a filter
 * cascade over coordinates stored column by column — first the rows of the tile whose first coordinate lies within
 * the radius, then among those the ones within it in the second coordinate, and so on — so that the inner loops are
 * tight scans of contiguous Float64 columns. Distances are the same float expressions the tree uses (|q − p| per
 * coordinate, max-norm), so the k-th neighbour distance and every count are identical to the tree's (tested).
 */
export class KsgBruteForceTerms {
  private readonly psi: Float64Array;
  /** Column-major copies: columns[a][i] = coordinate a of row i (x coordinates first, then y). */
  private readonly columns: Float64Array[];
  private static readonly TILE = 2048;

  constructor(
    xv: Float64Array,
    yv: Float64Array,
    private readonly n: number,
    private readonly dx: number,
    private readonly dy: number,
    private readonly k: number,
    private readonly algorithm: 1 | 2,
  ) {
    this.psi = digammaTable(n + 1);
    this.columns = [];
    for (let a = 0; a < dx; a++) this.columns.push(Float64Array.from({ length: n }, (_, i) => xv[i * dx + a]!));
    for (let b = 0; b < dy; b++) this.columns.push(Float64Array.from({ length: n }, (_, i) => yv[i * dy + b]!));
  }

  run(from: number, to: number, terms: Float64Array, counts: Float64Array): void {
    const { k, psi, dx, dy } = this;
    const dist = new Float64Array(k);
    const idx = new Int32Array(k);
    const survivors = new Int32Array(KsgBruteForceTerms.TILE);
    for (let q = from; q < to; q++) {
      this.nearest(q, dist, idx, survivors);
      let ex: number;
      let ey: number;
      if (this.algorithm === 1) {
        ex = dist[k - 1]!;
        ey = ex;
      } else {
        ex = 0;
        ey = 0;
        for (let m = 0; m < k; m++) {
          const j = idx[m]!;
          for (let a = 0; a < dx + dy; a++) {
            const c = this.columns[a]!;
            const v = Math.abs(c[q]! - c[j]!);
            if (a < dx) {
              if (v > ex) ex = v;
            } else if (v > ey) ey = v;
          }
        }
      }
      const strict = this.algorithm === 1;
      // The query row itself is counted (distance 0); remove it.
      const nx = this.count(q, 0, dx, ex, strict, survivors) - 1;
      const ny = this.count(q, dx, dx + dy, ey, strict, survivors) - 1;
      terms[q] = this.algorithm === 1 ? psi[nx + 1]! + psi[ny + 1]! : psi[nx]! + psi[ny]!;
      counts[2 * q] = nx;
      counts[2 * q + 1] = ny;
    }
  }

  /** The k nearest rows of row q (joint max-norm, q itself excluded), ascending, into dist and idx. */
  private nearest(q: number, dist: Float64Array, idx: Int32Array, survivors: Int32Array): void {
    const { k, n, columns } = this;
    const D = columns.length;
    const T = KsgBruteForceTerms.TILE;
    dist.fill(Infinity);
    idx.fill(-1);
    for (let t0 = 0; t0 < n; t0 += T) {
      const t1 = Math.min(n, t0 + T);
      const worst = dist[k - 1]!;
      let m = 0;
      const c0 = columns[0]!;
      const q0 = c0[q]!;
      for (let p = t0; p < t1; p++) if (Math.abs(q0 - c0[p]!) < worst) survivors[m++] = p;
      for (let a = 1; a < D && m > 0; a++) {
        const c = columns[a]!;
        const qa = c[q]!;
        let m2 = 0;
        for (let s = 0; s < m; s++) {
          const p = survivors[s]!;
          if (Math.abs(qa - c[p]!) < worst) survivors[m2++] = p;
        }
        m = m2;
      }
      for (let s = 0; s < m; s++) {
        const p = survivors[s]!;
        if (p === q) continue;
        let d = 0;
        for (let a = 0; a < D; a++) {
          const c = columns[a]!;
          const v = Math.abs(c[q]! - c[p]!);
          if (v > d) d = v;
        }
        if (d < dist[k - 1]!) insertNeighbour(dist, idx, k, d, p);
      }
    }
  }

  /** Rows within r of row q in coordinates [from, to) (q included): every |Δ| < r when strict, ≤ r otherwise. */
  private count(q: number, from: number, to: number, r: number, strict: boolean, survivors: Int32Array): number {
    const { n, columns } = this;
    const T = KsgBruteForceTerms.TILE;
    let total = 0;
    for (let t0 = 0; t0 < n; t0 += T) {
      const t1 = Math.min(n, t0 + T);
      let m = 0;
      const c0 = columns[from]!;
      const q0 = c0[q]!;
      if (strict) {
        for (let p = t0; p < t1; p++) if (Math.abs(q0 - c0[p]!) < r) survivors[m++] = p;
      } else {
        for (let p = t0; p < t1; p++) if (Math.abs(q0 - c0[p]!) <= r) survivors[m++] = p;
      }
      for (let a = from + 1; a < to && m > 0; a++) {
        const c = columns[a]!;
        const qa = c[q]!;
        let m2 = 0;
        if (strict) {
          for (let s = 0; s < m; s++) {
            const p = survivors[s]!;
            if (Math.abs(qa - c[p]!) < r) survivors[m2++] = p;
          }
        } else {
          for (let s = 0; s < m; s++) {
            const p = survivors[s]!;
            if (Math.abs(qa - c[p]!) <= r) survivors[m2++] = p;
          }
        }
        m = m2;
      }
      total += m;
    }
    return total;
  }
}
