import { digammaTable } from './special-functions';

/**
 * Brute-force twin of `KsgTerms` (same interface, same per-row terms and neighbour counts) for high dimension, where a
 * k-d tree prunes little and pays for its traversal: every query row scans every other row, in tiles of rows that stay
 * in cache, with early exit of a max-norm distance as soon as one coordinate exceeds the current radius. Distances
 * are the same float expression the tree uses (max over coordinates of |a − b|), so the k-th neighbour distance and
 * every count are bit-identical to the tree's (tested). Cost O(N² · d_eff) with d_eff ≈ 1–2 coordinates per pair.
 */
export class KsgBruteForceTerms {
  private readonly psi: Float64Array;
  /** Rows per point tile: 1024 rows × 10 doubles = 80 KiB, within L2. */
  private static readonly TILE = 1024;
  /** Query rows processed together against one tile. */
  private static readonly QUERIES = 32;

  constructor(
    private readonly xv: Float64Array,
    private readonly yv: Float64Array,
    private readonly n: number,
    private readonly dx: number,
    private readonly dy: number,
    private readonly k: number,
    private readonly algorithm: 1 | 2,
  ) {
    this.psi = digammaTable(n + 1);
  }

  run(from: number, to: number, terms: Float64Array, counts: Float64Array): void {
    const { k, n, psi } = this;
    const Q = KsgBruteForceTerms.QUERIES;
    const dist = new Float64Array(Q * k);
    const idx = new Int32Array(Q * k);
    const ex = new Float64Array(Q);
    const ey = new Float64Array(Q);
    const nx = new Int32Array(Q);
    const ny = new Int32Array(Q);
    for (let q0 = from; q0 < to; q0 += Q) {
      const q1 = Math.min(to, q0 + Q);
      dist.fill(Infinity);
      idx.fill(-1);
      this.nearest(q0, q1, dist, idx);
      for (let q = q0; q < q1; q++) {
        const s = q - q0;
        if (this.algorithm === 1) {
          ex[s] = dist[s * k + k - 1]!;
          ey[s] = ex[s]!;
        } else {
          let a = 0;
          let b = 0;
          for (let m = 0; m < k; m++) {
            const j = idx[s * k + m]!;
            const da = maxAbs(this.xv, q * this.dx, j * this.dx, this.dx);
            const db = maxAbs(this.yv, q * this.dy, j * this.dy, this.dy);
            if (da > a) a = da;
            if (db > b) b = db;
          }
          ex[s] = a;
          ey[s] = b;
        }
      }
      const strict = this.algorithm === 1;
      this.count(this.xv, this.dx, q0, q1, ex, strict, nx);
      this.count(this.yv, this.dy, q0, q1, ey, strict, ny);
      for (let q = q0; q < q1; q++) {
        const s = q - q0;
        // The query row itself is counted (distance 0); remove it.
        const cx = nx[s]! - 1;
        const cy = ny[s]! - 1;
        terms[q] = this.algorithm === 1 ? psi[cx + 1]! + psi[cy + 1]! : psi[cx]! + psi[cy]!;
        counts[2 * q] = cx;
        counts[2 * q + 1] = cy;
      }
    }
    void n;
  }

  /** The k nearest rows (joint max-norm, excluding the row itself) of queries [q0, q1). */
  private nearest(q0: number, q1: number, dist: Float64Array, idx: Int32Array): void {
    const { xv, yv, dx, dy, k, n } = this;
    const T = KsgBruteForceTerms.TILE;
    for (let t0 = 0; t0 < n; t0 += T) {
      const t1 = Math.min(n, t0 + T);
      for (let q = q0; q < q1; q++) {
        const s = (q - q0) * k;
        let worst = dist[s + k - 1]!;
        const qx = q * dx;
        const qy = q * dy;
        for (let p = t0; p < t1; p++) {
          let d = 0;
          let a = 0;
          const px = p * dx;
          for (; a < dx; a++) {
            const t = xv[qx + a]! - xv[px + a]!;
            const v = t < 0 ? -t : t;
            if (v > d) {
              d = v;
              if (d >= worst) break;
            }
          }
          if (a < dx) continue;
          const py = p * dy;
          let b = 0;
          for (; b < dy; b++) {
            const t = yv[qy + b]! - yv[py + b]!;
            const v = t < 0 ? -t : t;
            if (v > d) {
              d = v;
              if (d >= worst) break;
            }
          }
          if (b < dy || p === q) continue;
          let i = k - 1;
          while (i > 0 && dist[s + i - 1]! > d) {
            dist[s + i] = dist[s + i - 1]!;
            idx[s + i] = idx[s + i - 1]!;
            i--;
          }
          dist[s + i] = d;
          idx[s + i] = p;
          worst = dist[s + k - 1]!;
        }
      }
    }
  }

  /** Rows within radius[q] of query q in one marginal space (the query itself included): < when strict, else ≤. */
  private count(
    v: Float64Array,
    d: number,
    q0: number,
    q1: number,
    radius: Float64Array,
    strict: boolean,
    out: Int32Array,
  ): void {
    const n = this.n;
    const T = KsgBruteForceTerms.TILE;
    out.fill(0);
    for (let t0 = 0; t0 < n; t0 += T) {
      const t1 = Math.min(n, t0 + T);
      for (let q = q0; q < q1; q++) {
        const r = radius[q - q0]!;
        const qo = q * d;
        let c = 0;
        for (let p = t0; p < t1; p++) {
          const po = p * d;
          let a = 0;
          if (strict) {
            for (; a < d; a++) {
              const t = v[qo + a]! - v[po + a]!;
              if ((t < 0 ? -t : t) >= r) break;
            }
          } else {
            for (; a < d; a++) {
              const t = v[qo + a]! - v[po + a]!;
              if ((t < 0 ? -t : t) > r) break;
            }
          }
          if (a === d) c++;
        }
        out[q - q0] = out[q - q0]! + c;
      }
    }
  }
}

function maxAbs(v: Float64Array, a: number, b: number, d: number): number {
  let m = 0;
  for (let j = 0; j < d; j++) {
    const t = v[a + j]! - v[b + j]!;
    const u = t < 0 ? -t : t;
    if (u > m) m = u;
  }
  return m;
}
