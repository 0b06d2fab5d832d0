import { KdTree, SortedLine } from './kd-tree';
import { concatColumns } from './sample-matrix';
import { digammaTable } from './special-functions';

/**
 * The per-sample terms of KSG (shared by the calling thread and the worker threads): for queries [from, to) writes
 * ψ(n_x + 1) + ψ(n_y + 1) (algorithm 1) or ψ(n_x) + ψ(n_y) (algorithm 2) into terms[i], and n_x, n_y into counts[2i],
 * counts[2i + 1], i the query's row. Query q is row queryRow[q], the joint tree's leaf order, so every thread — each
 * builds the same trees from the same data — means the same rows by [from, to). The joint neighbour searches run in
 * that order; then the marginal counts of the same queries run in the order of the marginal tree they search, so that
 * consecutive queries are neighbours in the space searched and walk the part of the tree the last one left in cache.
 * The caller sums the terms in row order, so the result does not depend on how queries were split or ordered.
 */
export class KsgTerms {
  private readonly tree: KdTree;
  private readonly countX: RangeCounter;
  private readonly countY: RangeCounter;
  private readonly psi: Float64Array;
  /** Query q is row queryRow[q] (the joint tree's order). */
  readonly queryRow: Int32Array;

  constructor(
    private readonly xv: Float64Array,
    private readonly yv: Float64Array,
    private readonly n: number,
    private readonly dx: number,
    private readonly dy: number,
    private readonly k: number,
    private readonly algorithm: 1 | 2,
  ) {
    this.tree = new KdTree(concatColumns({ values: xv, d: dx }, { values: yv, d: dy }), n, dx + dy, 'max');
    this.countX = rangeCounter(xv, n, dx);
    this.countY = rangeCounter(yv, n, dy);
    this.psi = digammaTable(n + 1);
    this.queryRow = this.tree.order;
  }

  run(from: number, to: number, terms: Float64Array, counts: Float64Array): void {
    const { k, dx, dy, xv, yv, psi, n } = this;
    const D = dx + dy;
    const dist = new Float64Array(k);
    const idx = new Int32Array(k);
    const rows = this.queryRow.subarray(from, to);
    const joint = this.tree.pointsInTreeOrder;
    // Radii by row: ε (algorithm 1, strict counts) or ε_x, ε_y (algorithm 2, counts ≤).
    const radiusX = new Float64Array(n);
    const radiusY = this.algorithm === 1 ? radiusX : new Float64Array(n);
    for (let t = from; t < to; t++) {
      const i = rows[t - from]!;
      this.tree.nearest(joint, t * D, k, i, dist, idx);
      if (this.algorithm === 1) {
        radiusX[i] = dist[k - 1]!;
        continue;
      }
      let ex = 0;
      let ey = 0;
      for (let m = 0; m < k; m++) {
        const j = idx[m]!;
        for (let a = 0; a < dx; a++) {
          const t = Math.abs(xv[j * dx + a]! - xv[i * dx + a]!);
          if (t > ex) ex = t;
        }
        for (let a = 0; a < dy; a++) {
          const t = Math.abs(yv[j * dy + a]! - yv[i * dy + a]!);
          if (t > ey) ey = t;
        }
      }
      radiusX[i] = ex;
      radiusY[i] = ey;
    }
    const strict = this.algorithm === 1;
    this.countX.countRows(rows, xv, dx, radiusX, strict, counts, 0);
    this.countY.countRows(rows, yv, dy, radiusY, strict, counts, 1);
    for (const i of rows) {
      const nx = counts[2 * i]!;
      const ny = counts[2 * i + 1]!;
      terms[i] = this.algorithm === 1 ? psi[nx + 1]! + psi[ny + 1]! : psi[nx]! + psi[ny]!;
    }
  }
}

/** Range counts over one marginal space (sorted line in 1-D, k-d tree otherwise), for the rows themselves. */
export class RangeCounter {
  private readonly tree: KdTree | undefined;
  private readonly line: SortedLine | undefined;
  /** Position in the tree's leaf order → row, and its inverse (k-d tree only). */
  private readonly rowAt: Int32Array | undefined;
  private readonly rank: Int32Array | undefined;

  constructor(values: Float64Array, n: number, d: number) {
    if (d === 1) {
      // Queries keep the caller's order: the sorted array is small and the joint order is already local in x.
      this.line = new SortedLine(values);
      return;
    }
    // Larger leaves pay for range counts (fewer box tests per counted point); measured at N = 2·10⁴, d = 5.
    this.tree = new KdTree(values, n, d, 'max', 32);
    this.rowAt = this.tree.order;
    this.rank = new Int32Array(n);
    for (let p = 0; p < n; p++) this.rank[this.rowAt[p]!] = p;
  }

  /** Number of rows within r of q (offset qo), itself included: ‖·‖ < r when strict, ≤ r otherwise (max-norm). */
  count(q: Float64Array, qo: number, r: number, strict: boolean): number {
    return this.tree ? this.tree.countWithin(q, qo, r, strict) : this.line!.countWithin(q[qo]!, r, strict);
  }

  /**
   * For each row i of `rows` (rows of `values`, d columns): the number of other rows within radius[i], written to
   * out[2i + slot]. Runs in the tree's leaf order, so consecutive queries search the same part of the tree (in 1-D, in
   * the order given).
   */
  countRows(
    rows: Int32Array,
    values: Float64Array,
    d: number,
    radius: Float64Array,
    strict: boolean,
    out: Float64Array,
    slot: 0 | 1,
  ): void {
    const { rank, rowAt } = this;
    if (!rank || !rowAt) {
      for (const i of rows) out[2 * i + slot] = this.count(values, i * d, radius[i]!, strict) - 1;
      return;
    }
    const ranks = new Int32Array(rows.length);
    for (let t = 0; t < rows.length; t++) ranks[t] = rank[rows[t]!]!;
    ranks.sort();
    for (const position of ranks) {
      const i = rowAt[position]!;
      out[2 * i + slot] = this.count(values, i * d, radius[i]!, strict) - 1;
    }
  }
}

/** A range counter over one marginal space: sorted line in 1-D, k-d tree otherwise. */
export function rangeCounter(values: Float64Array, n: number, d: number): RangeCounter {
  return new RangeCounter(values, n, d);
}
