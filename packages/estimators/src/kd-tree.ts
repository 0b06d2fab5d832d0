import { ArgumentError } from '@entroscope/core';
import type { Norm } from './special-functions';

/**
 * A k-d tree (Bentley, Commun. ACM 18, 509 (1975); Friedman, Bentley & Finkel, ACM TOMS 3, 209 (1977)) over n
 * points in d dimensions for the two queries the kNN estimators need: the k nearest neighbours of a point and the
 * number of points within a radius. Max-norm or Euclidean. Splits on the widest dimension at the median; nodes keep
 * bounding boxes, so a range count adds a whole node when its box lies inside the ball and skips it when the box
 * lies outside. Distances and box bounds use the same monotone float expressions, so a point at exactly the
 * radius is classified consistently (KSG algorithm 2 counts ‖·‖ ≤ ε where ε is itself a neighbour's distance).
 */
export class KdTree {
  readonly n: number;
  readonly d: number;
  readonly norm: Norm;
  /** Points in tree order, row-major. */
  private readonly points: Float64Array;
  /** Tree position → original index. */
  readonly order: Int32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly splitDim: Int32Array;
  private readonly splitValue: Float64Array;
  private nodeCount = 0;

  constructor(values: ArrayLike<number>, n: number, d: number, norm: Norm = 'max', leafSize = 12) {
    if (values.length !== n * d)
      throw new ArgumentError('KdTree: values', `${n}×${d} = ${n * d} values`, values.length);
    if (n < 1) throw new ArgumentError('KdTree: n', 'at least one point', n);
    this.n = n;
    this.d = d;
    this.norm = norm;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const maxNodes = 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 2;
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes).fill(-1);
    this.right = new Int32Array(maxNodes).fill(-1);
    this.lo = new Float64Array(maxNodes * d);
    this.hi = new Float64Array(maxNodes * d);
    this.splitDim = new Int32Array(maxNodes);
    this.splitValue = new Float64Array(maxNodes);
    this.offsets = new Float64Array(d);
    this.build(values, order, 0, n, Math.max(1, leafSize));
    this.order = order;
    this.points = new Float64Array(n * d);
    for (let p = 0; p < n; p++) {
      const src = order[p]! * d;
      for (let j = 0; j < d; j++) this.points[p * d + j] = values[src + j]!;
    }
  }

  private build(values: ArrayLike<number>, order: Int32Array, from: number, to: number, leafSize: number): number {
    const node = this.nodeCount++;
    const d = this.d;
    this.start[node] = from;
    this.end[node] = to;
    let widest = 0;
    let width = -1;
    for (let j = 0; j < d; j++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let p = from; p < to; p++) {
        const v = values[order[p]! * d + j]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      this.lo[node * d + j] = mn;
      this.hi[node * d + j] = mx;
      if (mx - mn > width) {
        width = mx - mn;
        widest = j;
      }
    }
    if (to - from <= leafSize || width <= 0) return node;
    const mid = (from + to) >> 1;
    quickselect(values, order, from, to - 1, mid, widest, d);
    this.splitDim[node] = widest;
    this.splitValue[node] = values[order[mid]! * d + widest]!;
    this.left[node] = this.build(values, order, from, mid, leafSize);
    this.right[node] = this.build(values, order, mid, to, leafSize);
    return node;
  }

  private boxMax(q: ArrayLike<number>, qo: number, node: number): number {
    const d = this.d;
    const b = node * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const x = q[qo + j]!;
      const a = x - this.lo[b + j]!;
      const c = this.hi[b + j]! - x;
      const g = a > c ? a : c;
      if (this.norm === 'max') {
        if (g > s) s = g;
      } else s += g * g;
    }
    return s;
  }

  // Query state (one query at a time per tree), kept on the instance to keep the recursion's frames small.
  private qv: ArrayLike<number> = [];
  private qo = 0;
  private k = 1;
  private exclude = -1;
  private bestD: Float64Array = new Float64Array(1);
  private bestI: Int32Array = new Int32Array(1);
  private radius = 0;
  private strict = true;
  private count = 0;
  private readonly offsets: Float64Array;

  /**
   * The k nearest tree points to query q (offset qo), excluding the point with original index `exclude` (−1: none).
   * Writes distances ascending into `dist` (true distances, not squared) and original indices into `idx`.
   * Depth-first, nearer child first, the far child pruned by the distance to its cell, updated incrementally
   * along the split dimension (Arya & Mount 1993): O(1) per node instead of O(d).
   */
  nearest(q: ArrayLike<number>, qo: number, k: number, exclude: number, dist: Float64Array, idx: Int32Array): void {
    for (let i = 0; i < k; i++) {
      dist[i] = Infinity;
      idx[i] = -1;
    }
    this.qv = q;
    this.qo = qo;
    this.k = k;
    this.exclude = exclude;
    this.bestD = dist;
    this.bestI = idx;
    (this.offsets as Float64Array).fill(0);
    if (this.norm === 'max') this.nearestMax(0, 0);
    else this.nearestEuclidean(0, 0);
    if (this.norm === 'euclidean') for (let i = 0; i < k; i++) dist[i] = Math.sqrt(dist[i]!);
  }

  private leafMax(node: number): void {
    const q = this.qv;
    const qo = this.qo;
    const d = this.d;
    const pts = this.points;
    const order = this.order;
    const dist = this.bestD;
    const idx = this.bestI;
    const k = this.k;
    const end = this.end[node]!;
    let worst = dist[k - 1]!;
    for (let p = this.start[node]!; p < end; p++) {
      const base = p * d;
      let s = 0;
      let j = 0;
      for (; j < d; j++) {
        const a = q[qo + j]! - pts[base + j]!;
        const v = a < 0 ? -a : a;
        if (v > s) {
          s = v;
          if (s >= worst) break;
        }
      }
      if (j < d) continue;
      const o = order[p]!;
      if (o === this.exclude) continue;
      let i = k - 1;
      while (i > 0 && dist[i - 1]! > s) {
        dist[i] = dist[i - 1]!;
        idx[i] = idx[i - 1]!;
        i--;
      }
      dist[i] = s;
      idx[i] = o;
      worst = dist[k - 1]!;
    }
  }

  private nearestMax(node: number, rd: number): void {
    const l = this.left[node]!;
    if (l < 0) {
      this.leafMax(node);
      return;
    }
    const dim = this.splitDim[node]!;
    const gap = this.qv[this.qo + dim]! - this.splitValue[node]!;
    const near = gap <= 0 ? l : this.right[node]!;
    const far = gap <= 0 ? this.right[node]! : l;
    this.nearestMax(near, rd);
    const g = gap < 0 ? -gap : gap;
    const farRd = g > rd ? g : rd;
    if (farRd < this.bestD[this.k - 1]!) this.nearestMax(far, farRd);
  }

  private nearestEuclidean(node: number, rd: number): void {
    const l = this.left[node]!;
    if (l < 0) {
      const q = this.qv;
      const qo = this.qo;
      const d = this.d;
      const pts = this.points;
      const dist = this.bestD;
      const idx = this.bestI;
      const k = this.k;
      const end = this.end[node]!;
      for (let p = this.start[node]!; p < end; p++) {
        const o = this.order[p]!;
        if (o === this.exclude) continue;
        const base = p * d;
        const worst = dist[k - 1]!;
        let s = 0;
        for (let j = 0; j < d && s < worst; j++) {
          const a = q[qo + j]! - pts[base + j]!;
          s += a * a;
        }
        if (s < worst) {
          let i = k - 1;
          while (i > 0 && dist[i - 1]! > s) {
            dist[i] = dist[i - 1]!;
            idx[i] = idx[i - 1]!;
            i--;
          }
          dist[i] = s;
          idx[i] = o;
        }
      }
      return;
    }
    const dim = this.splitDim[node]!;
    const gap = this.qv[this.qo + dim]! - this.splitValue[node]!;
    const near = gap <= 0 ? l : this.right[node]!;
    const far = gap <= 0 ? this.right[node]! : l;
    this.nearestEuclidean(near, rd);
    const old = this.offsets[dim]!;
    const farRd = rd - old * old + gap * gap;
    if (farRd < this.bestD[this.k - 1]!) {
      this.offsets[dim] = gap;
      this.nearestEuclidean(far, farRd);
      this.offsets[dim] = old;
    }
  }

  /**
   * Number of tree points within `radius` of q (offset qo): ‖p − q‖ < radius when `strict`, ≤ otherwise. Includes the
   * query point itself if it is in the tree. Nodes whose cell lies outside are skipped (incremental cell distance);
   * nodes whose tight bounding box lies inside are added whole.
   */
  countWithin(q: ArrayLike<number>, qo: number, radius: number, strict: boolean): number {
    this.qv = q;
    this.qo = qo;
    this.radius = this.norm === 'euclidean' ? radius * radius : radius;
    this.strict = strict;
    this.count = 0;
    (this.offsets as Float64Array).fill(0);
    this.countNode(0, 0);
    return this.count;
  }

  private countNode(node: number, rd: number): void {
    const r = this.radius;
    const strict = this.strict;
    const size = this.end[node]! - this.start[node]!;
    if (size > 4) {
      const mx = this.boxMax(this.qv, this.qo, node);
      if (strict ? mx < r : mx <= r) {
        this.count += size;
        return;
      }
    }
    const l = this.left[node]!;
    if (l < 0) {
      const q = this.qv;
      const qo = this.qo;
      const d = this.d;
      const pts = this.points;
      const isMax = this.norm === 'max';
      for (let p = this.start[node]!; p < this.end[node]!; p++) {
        const base = p * d;
        let s = 0;
        let j = 0;
        if (isMax) {
          for (; j < d; j++) {
            const a = q[qo + j]! - pts[base + j]!;
            const v = a < 0 ? -a : a;
            if (v > s) s = v;
            if (strict ? s >= r : s > r) break;
          }
        } else {
          for (; j < d; j++) {
            const a = q[qo + j]! - pts[base + j]!;
            s += a * a;
          }
        }
        if (j === d && (strict ? s < r : s <= r)) this.count++;
      }
      return;
    }
    const dim = this.splitDim[node]!;
    const gap = this.qv[this.qo + dim]! - this.splitValue[node]!;
    const near = gap <= 0 ? l : this.right[node]!;
    const far = gap <= 0 ? this.right[node]! : l;
    this.countNode(near, rd);
    let farRd: number;
    const old = this.offsets[dim]!;
    if (this.norm === 'max') {
      const g = gap < 0 ? -gap : gap;
      farRd = g > rd ? g : rd;
    } else farRd = rd - old * old + gap * gap;
    if (strict ? farRd < r : farRd <= r) {
      this.offsets[dim] = gap;
      this.countNode(far, farRd);
      this.offsets[dim] = old;
    }
  }
}

function quickselect(
  values: ArrayLike<number>,
  order: Int32Array,
  lo: number,
  hi: number,
  k: number,
  dim: number,
  d: number,
): void {
  const key = (p: number) => values[order[p]! * d + dim]!;
  while (hi > lo) {
    const pivot = key((lo + hi) >> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Sorted 1-D values for range counts in one dimension (a marginal of KSG): two binary searches, with the boundary
 * adjusted by the same |v − x| comparison the tree uses, so ties at the radius are classified consistently.
 */
export class SortedLine {
  private readonly sorted: Float64Array;
  constructor(values: ArrayLike<number>) {
    this.sorted = Float64Array.from(values).sort();
  }

  countWithin(x: number, radius: number, strict: boolean): number {
    const s = this.sorted;
    const n = s.length;
    const inside = (v: number) => {
      const a = v < x ? x - v : v - x;
      return strict ? a < radius : a <= radius;
    };
    // First index with s[i] ≥ x − radius, then adjusted to the first inside.
    let a = 0;
    let b = n;
    const lowTarget = x - radius;
    while (a < b) {
      const m = (a + b) >> 1;
      if (s[m]! < lowTarget) a = m + 1;
      else b = m;
    }
    let first = a;
    while (first > 0 && inside(s[first - 1]!)) first--;
    while (first < n && s[first]! < x && !inside(s[first]!)) first++;
    a = first;
    b = n;
    const highTarget = x + radius;
    while (a < b) {
      const m = (a + b) >> 1;
      if (s[m]! <= highTarget) a = m + 1;
      else b = m;
    }
    let last = a; // exclusive
    while (last < n && inside(s[last]!)) last++;
    while (last > first && s[last - 1]! > x && !inside(s[last - 1]!)) last--;
    return Math.max(0, last - first);
  }
}
